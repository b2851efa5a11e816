/* Copyright 2026 The mod_batch authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/* Directives, merged per directory like any httpd directive. */
#include <string.h>

#include <apr_strings.h>
#include <apr_lib.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <ap_mpm.h>

#include "mod_batch_config.h"
#include "batch_format.h"
#include "batch_text.h"
#include "batch_validate.h"
#include "mod_batch.h"

#define UNSET (-1)
#define DEFAULT_MAX_OPERATIONS 100
#define DEFAULT_MAX_REQUEST_SIZE ((apr_off_t)1048576)
#define DEFAULT_MAX_OP_RESPONSE_SIZE ((apr_off_t)10485760)
#define DEFAULT_MAX_MEMORY ((apr_off_t)134217728)
#define MAX_MEMORY_CEILING ((apr_off_t)1 << 40)
/* json-c parses at most INT_MAX bytes; a batch body is held in memory. */
#define MAX_REQUEST_SIZE_CEILING ((apr_off_t)1 << 30)
#define MAX_OPERATIONS_CEILING 100000
#define MAX_TIMEOUT_SECONDS 86400
/* Each running operation holds a thread and up to
 * BatchMaxOperationResponseSize bytes; Graph caps a batch at 20. */
#define MAX_CONCURRENCY 64
/* a secondary connection's id holds its thread's number in 16 bits
 * (src/mod_batch_secondary.c batch_secondary_id) */
#define MAX_THREADS 0xffff

void *batch_create_dir_conf(apr_pool_t *p, char *dir)
{
    batch_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->max_operations = UNSET;
    conf->max_request_size = UNSET;
    conf->max_op_response_size = UNSET;
    conf->max_memory = UNSET;
    conf->inherit_headers = UNSET;
    conf->cookie_jar = UNSET;
    conf->log_operations = UNSET;
    conf->server_timing = UNSET;
    conf->timeout = UNSET;
    conf->concurrency = UNSET;
    conf->engine = UNSET;
    return conf;
}

#define MERGE(field, unset) \
    conf->field = add->field != (unset) ? add->field : base->field

void *batch_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    batch_dir_conf_t *base = basev, *add = addv;
    batch_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    MERGE(max_operations, UNSET);
    MERGE(max_request_size, UNSET);
    MERGE(max_op_response_size, UNSET);
    MERGE(max_memory, UNSET);
    MERGE(allow_methods, NULL);
    MERGE(inherit_headers, UNSET);
    MERGE(cookie_jar, UNSET);
    MERGE(log_operations, UNSET);
    MERGE(server_timing, UNSET);
    MERGE(timeout, UNSET);
    MERGE(concurrency, UNSET);
    MERGE(engine, UNSET);
    MERGE(base_url_set, 0);
    MERGE(dialect_set, 0);
    MERGE(formats, 0);
    conf->dialect = add->dialect_set ? add->dialect : base->dialect;
    conf->base_url = add->base_url_set ? add->base_url : base->base_url;
    conf->base_slash = add->base_url_set ? add->base_slash
                                         : base->base_slash;
    return conf;
}

static const char *set_max_operations(cmd_parms *cmd, void *dconf,
                                      const char *arg)
{
    batch_dir_conf_t *conf = dconf;
    char *end;
    apr_int64_t n = apr_strtoi64(arg, &end, 10);

    if (*end || end == arg || n < 1 || n > MAX_OPERATIONS_CEILING) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of "
                            "operations from 1 to %d", cmd->cmd->name, arg,
                            MAX_OPERATIONS_CEILING);
    }
    conf->max_operations = (int)n;
    return NULL;
}

static const char *parse_bytes(cmd_parms *cmd, const char *arg,
                               apr_off_t ceiling, apr_off_t *out)
{
    char *end;
    apr_off_t n;

    if (apr_strtoff(&n, arg, &end, 10) != APR_SUCCESS || *end
        || end == arg || n < 1 || n > ceiling) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a size in bytes "
                            "from 1 to %" APR_OFF_T_FMT, cmd->cmd->name, arg,
                            ceiling);
    }
    *out = n;
    return NULL;
}

static const char *set_max_request_size(cmd_parms *cmd, void *dconf,
                                        const char *arg)
{
    batch_dir_conf_t *conf = dconf;

    return parse_bytes(cmd, arg, MAX_REQUEST_SIZE_CEILING,
                       &conf->max_request_size);
}

static const char *set_max_memory(cmd_parms *cmd, void *dconf,
                                  const char *arg)
{
    batch_dir_conf_t *conf = dconf;

    return parse_bytes(cmd, arg, MAX_MEMORY_CEILING, &conf->max_memory);
}

static const char *set_max_op_response_size(cmd_parms *cmd, void *dconf,
                                            const char *arg)
{
    batch_dir_conf_t *conf = dconf;

    /* the capture buffer is sized in apr_size_t and base64 works on int */
    return parse_bytes(cmd, arg, MAX_REQUEST_SIZE_CEILING,
                       &conf->max_op_response_size);
}

static const char *add_allow_method(cmd_parms *cmd, void *dconf,
                                    const char *arg)
{
    batch_dir_conf_t *conf = dconf;
    char *m = apr_pstrdup(cmd->pool, arg);
    char *c;

    if (!batch_is_token(m)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not an HTTP method "
                            "(a token)", cmd->cmd->name, arg);
    }
    for (c = m; *c; c++) {
        *c = apr_toupper(*c);
    }
    if (!conf->allow_methods) {
        conf->allow_methods = apr_array_make(cmd->pool, 8,
                                             sizeof(const char *));
    }
    APR_ARRAY_PUSH(conf->allow_methods, const char *) = m;
    return NULL;
}

/* "LeadingSlash=base" or "LeadingSlash=root": whether a url starting
 * with '/' is resolved under the base too (1), or from the root (0). */
static const char *parse_leading_slash(cmd_parms *cmd, const char *arg,
                                       int *under_base)
{
    static const char key[] = "LeadingSlash=";

    if (!strncasecmp(arg, key, sizeof(key) - 1)) {
        arg += sizeof(key) - 1;
        if (!strcasecmp(arg, "base") || !strcasecmp(arg, "root")) {
            *under_base = !strcasecmp(arg, "base");
            return NULL;
        }
    }
    return apr_psprintf(cmd->pool, "%s: '%s' is not LeadingSlash=base or "
                        "LeadingSlash=root", cmd->cmd->name, arg);
}

static const char *set_base_url(cmd_parms *cmd, void *dconf,
                                const char *arg, const char *flag)
{
    batch_dir_conf_t *conf = dconf;

    conf->base_url_set = 1;
    conf->base_slash = 0;
    if (!strcasecmp(arg, "none")) {
        conf->base_url = NULL;
        return flag ? apr_psprintf(cmd->pool, "%s: none takes no '%s'",
                                   cmd->cmd->name, flag) : NULL;
    }
    if (arg[0] != '/' || arg[1] == '/' || strpbrk(arg, "?# \t\\")) {
        return apr_psprintf(cmd->pool, "%s: '%s' must be a path starting "
                            "with '/' (no query, fragment or host), or "
                            "'none'", cmd->cmd->name, arg);
    }
    conf->base_url = arg;
    return flag ? parse_leading_slash(cmd, flag, &conf->base_slash) : NULL;
}

/* Digits and one of httpd's time units, whole: ap_timeout_parameter_parse
 * reads only a unit's first letters (server/util.c), so "soon" would be
 * 0 seconds there. */
static int is_duration(const char *arg)
{
    const char *unit = arg;

    while (apr_isdigit(*unit)) {
        unit++;
    }
    return unit != arg && (!*unit || !strcmp(unit, "s") || !strcmp(unit, "ms")
                           || !strcmp(unit, "mi") || !strcmp(unit, "h"));
}

static const char *set_timeout(cmd_parms *cmd, void *dconf, const char *arg)
{
    batch_dir_conf_t *conf = dconf;
    apr_interval_time_t t;

    /* seconds, or with httpd's units as in ProxyTimeout: 500ms, 2mi, 1h */
    if (!is_duration(arg)
        || ap_timeout_parameter_parse(arg, &t, "s") != APR_SUCCESS
        || t > apr_time_from_sec(MAX_TIMEOUT_SECONDS)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a duration from 0 "
                            "(no limit) to %d seconds (a number of seconds, "
                            "or with a unit: 500ms, 2mi, 1h)",
                            cmd->cmd->name, arg, MAX_TIMEOUT_SECONDS);
    }
    conf->timeout = t;
    return NULL;
}

/* LoadModule runs while the configuration is read (EXEC_ON_READ), before
 * any directive is processed, so the MPM already answers here. */
static int mpm_is_threaded(void)
{
#if APR_HAS_THREADS
    int threaded = AP_MPMQ_NOT_SUPPORTED;

    return ap_mpm_query(AP_MPMQ_IS_THREADED, &threaded) == APR_SUCCESS
           && threaded != AP_MPMQ_NOT_SUPPORTED;
#else
    return 0;
#endif
}

static const char *set_concurrency(cmd_parms *cmd, void *dconf,
                                   const char *arg)
{
    batch_dir_conf_t *conf = dconf;
    char *end;
    apr_int64_t n = apr_strtoi64(arg, &end, 10);

    if (*end || end == arg || n < 1 || n > MAX_CONCURRENCY) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of "
                            "operations from 1 to %d", cmd->cmd->name, arg,
                            MAX_CONCURRENCY);
    }
    if (n > 1 && !mpm_is_threaded()) {
        const char *mpm = ap_show_mpm();

        return apr_psprintf(cmd->pool, "%s %s: operations can only run in "
                            "parallel under a threaded MPM (event or "
                            "worker), not under %.*s; use %s 1 here",
                            cmd->cmd->name, arg, (int)strcspn(mpm, "."), mpm,
                            cmd->cmd->name);
    }
    conf->concurrency = (int)n;
    return NULL;
}

void *batch_create_server_conf(apr_pool_t *p, server_rec *s)
{
    (void)s;
    return apr_pcalloc(p, sizeof(batch_server_conf_t));
}

int batch_max_threads(const server_rec *s)
{
    const batch_server_conf_t *conf =
        ap_get_module_config(s->module_config, &batch_module);

    return conf->max_threads;
}

/* one pool of threads per child process: main server only */
static const char *set_max_threads(cmd_parms *cmd, void *dconf,
                                   const char *arg)
{
    batch_server_conf_t *conf =
        ap_get_module_config(cmd->server->module_config, &batch_module);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    char *end;
    apr_int64_t n = apr_strtoi64(arg, &end, 10);

    (void)dconf;
    if (err) {
        return err;
    }
    if (*end || end == arg || n < 0 || n > MAX_THREADS) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of "
                            "threads from 1 to %d, or 0 for the MPM's "
                            "ThreadsPerChild", cmd->cmd->name, arg,
                            MAX_THREADS);
    }
    conf->max_threads = (int)n;
    return NULL;
}

static const char *set_dialect(cmd_parms *cmd, void *dconf,
                               const char *arg)
{
    batch_dir_conf_t *conf = dconf;
    const batch_format_t *fmt = batch_format_named(arg);

    if (strcasecmp(arg, "auto") && !(fmt && fmt->fits)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a batch dialect; "
                            "use %s or auto", cmd->cmd->name, arg,
                            batch_format_dialect_names(cmd->pool));
    }
    conf->dialect = fmt;
    conf->dialect_set = 1;
    return NULL;
}

static const char *set_formats(cmd_parms *cmd, void *dconf, int argc,
                               char *const argv[])
{
    batch_dir_conf_t *conf = dconf;
    int formats = 0, i;

    if (argc < 1) {
        return apr_psprintf(cmd->pool, "%s needs one or more of json, "
                            "multipart and form", cmd->cmd->name);
    }
    for (i = 0; i < argc; i++) {
        int bit = batch_request_format_named(argv[i]);

        if (!bit) {
            return apr_psprintf(cmd->pool, "%s: '%s' is not a batch request "
                                "format; use json, multipart or form",
                                cmd->cmd->name, argv[i]);
        }
        formats |= bit;
    }
    conf->formats = formats;
    return NULL;
}

static const char *set_engine(cmd_parms *cmd, void *dconf, const char *arg)
{
    batch_dir_conf_t *conf = dconf;

    if (!strcasecmp(arg, "subrequest")) {
        conf->engine = BATCH_ENGINE_SUBREQUEST;
    }
    else if (!strcasecmp(arg, "request")) {
        conf->engine = BATCH_ENGINE_REQUEST;
    }
    else {
        return apr_psprintf(cmd->pool, "%s takes subrequest or request, "
                            "not '%s'", cmd->cmd->name, arg);
    }
    return NULL;
}

const command_rec batch_cmds[] = {
    AP_INIT_TAKE1("BatchMaxOperations", set_max_operations, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_LIMIT,
                  "the most operations one batch may hold (default 100)"),
    AP_INIT_TAKE1("BatchMaxRequestSize", set_max_request_size, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_LIMIT,
                  "the largest batch body in bytes (default 1048576)"),
    AP_INIT_TAKE1("BatchMaxOperationResponseSize", set_max_op_response_size,
                  NULL, RSRC_CONF | ACCESS_CONF | OR_LIMIT,
                  "the largest body one operation may answer, in bytes "
                  "(default 10485760)"),
    AP_INIT_TAKE1("BatchMaxMemory", set_max_memory, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_LIMIT,
                  "the bytes of answers one batch may hold before an "
                  "operation starts (default 134217728)"),
    AP_INIT_ITERATE("BatchAllowMethods", add_allow_method, NULL,
                    RSRC_CONF | ACCESS_CONF | OR_LIMIT,
                    "the methods operations may use (default GET HEAD POST "
                    "PUT PATCH DELETE OPTIONS)"),
    AP_INIT_TAKE12("BatchBaseURL", set_base_url, NULL,
                   RSRC_CONF | ACCESS_CONF | OR_LIMIT,
                   "the prefix for operation URLs not starting with '/', or "
                   "none; LeadingSlash=base puts those starting with '/' "
                   "under it too"),
    AP_INIT_TAKE1("BatchTimeout", set_timeout, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_LIMIT,
                  "seconds after which operations not yet started are not "
                  "run (504); 0 for no limit"),
    /* not in .htaccess: every parallel operation takes a server thread */
    AP_INIT_TAKE1("BatchConcurrency", set_concurrency, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "how many independent operations of a batch may run at "
                  "once (default 1: one after another); needs a threaded "
                  "MPM"),
    AP_INIT_TAKE1("BatchMaxThreads", set_max_threads, NULL, RSRC_CONF,
                  "the most threads a child process runs parallel "
                  "operations on (default 0: ThreadsPerChild)"),
    AP_INIT_TAKE1("BatchDialect", set_dialect, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_LIMIT,
                  "the JSON batch dialect this location takes, by name, or "
                  "auto (default: told by the document's shape)"),
    AP_INIT_TAKE_ARGV("BatchFormats", set_formats, NULL,
                      RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                      "the request formats this location takes: json "
                      "(application/json), multipart (multipart/mixed), "
                      "form (facebook's batch form field); default json "
                      "multipart"),
    AP_INIT_FLAG("BatchInheritHeaders", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(batch_dir_conf_t, inherit_headers),
                 RSRC_CONF | ACCESS_CONF | OR_LIMIT,
                 "copy the batch request's headers into every operation "
                 "(default On)"),
    AP_INIT_FLAG("BatchCookieJar", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(batch_dir_conf_t, cookie_jar),
                 RSRC_CONF | ACCESS_CONF | OR_LIMIT,
                 "give each operation the cookies set by the operations it "
                 "depends on, as a browser would (default Off)"),
    AP_INIT_FLAG("BatchLogOperations", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(batch_dir_conf_t, log_operations),
                 RSRC_CONF | ACCESS_CONF | OR_LIMIT,
                 "write one access-log line per operation, as for a "
                 "request (default On)"),
    AP_INIT_FLAG("BatchServerTiming", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(batch_dir_conf_t, server_timing),
                 RSRC_CONF | ACCESS_CONF | OR_LIMIT,
                 "add a Server-Timing header with how long it ran to every "
                 "operation's answer (default Off)"),
    /* not in .htaccess: it decides which guards an operation meets */
    AP_INIT_TAKE1("BatchEngine", set_engine, NULL, RSRC_CONF | ACCESS_CONF,
                  "how an operation runs: subrequest (the default) or "
                  "request (a main request on a secondary connection, "
                  "meeting every hook and guard a direct request meets)"),
    { NULL, { NULL }, NULL, 0, 0, NULL }
};

/* The path of the innermost section configuring r (core merges its own
 * config in every section, ours only where a Batch directive is), or NULL
 * for a regex section. */
static const char *section_path(request_rec *r)
{
    const core_dir_config *core =
        ap_get_core_module_config(r->per_dir_config);

    return core->r ? NULL : core->d;
}

void batch_settings_of(const batch_dir_conf_t *conf, const server_rec *srv,
                       apr_pool_t *p, batch_settings_t *s)
{
    s->limits.max_operations = conf->max_operations != UNSET
                               ? conf->max_operations
                               : DEFAULT_MAX_OPERATIONS;
    s->limits.allow_methods = conf->allow_methods
                              ? conf->allow_methods
                              : batch_default_allow_methods(p);
    s->limits.base_url = conf->base_url;
    s->limits.base_slash = conf->base_slash;
    s->limits.max_target = srv->limit_req_line;
    s->limits.max_headers = srv->limit_req_fields;
    s->limits.max_header_size = srv->limit_req_fieldsize;
    s->max_request_size = conf->max_request_size != UNSET
                          ? conf->max_request_size
                          : DEFAULT_MAX_REQUEST_SIZE;
    s->max_op_response_size = conf->max_op_response_size != UNSET
                              ? conf->max_op_response_size
                              : DEFAULT_MAX_OP_RESPONSE_SIZE;
    s->max_memory = conf->max_memory != UNSET ? conf->max_memory
                                              : DEFAULT_MAX_MEMORY;
    s->limits.max_body = (apr_size_t)s->max_request_size;
    s->inherit_headers = conf->inherit_headers != UNSET
                         ? conf->inherit_headers : 1;
    s->cookie_jar = conf->cookie_jar != UNSET ? conf->cookie_jar : 0;
    s->log_operations = conf->log_operations != UNSET
                        ? conf->log_operations : 1;
    s->server_timing = conf->server_timing != UNSET
                       ? conf->server_timing : 0;
    s->timeout = conf->timeout != UNSET ? conf->timeout : 0;
    s->concurrency = conf->concurrency != UNSET ? conf->concurrency : 1;
    s->dialect = conf->dialect;
    s->formats = conf->formats ? conf->formats : BATCH_FORMATS_DEFAULT;
    s->engine = conf->engine != UNSET ? conf->engine
                                      : BATCH_ENGINE_SUBREQUEST;
    s->location = NULL;
}

void batch_settings_get(request_rec *r, batch_settings_t *s)
{
    batch_settings_of(ap_get_module_config(r->per_dir_config, &batch_module),
                      r->server, r->pool, s);
    s->location = section_path(r);
}

static const char *on_off(int on)
{
    return on ? "On" : "Off";
}

/* BatchTimeout as the directive takes it: whole seconds, or 500ms */
static const char *timeout_text(apr_pool_t *p, apr_interval_time_t t)
{
    if (t % APR_USEC_PER_SEC == 0) {
        return apr_psprintf(p, "%" APR_TIME_T_FMT, apr_time_sec(t));
    }
    return apr_psprintf(p, "%" APR_TIME_T_FMT "ms", apr_time_as_msec(t));
}

static const char *base_url_text(apr_pool_t *p, const batch_limits_t *l)
{
    if (!l->base_url) {
        return "none";
    }
    return l->base_slash ? apr_pstrcat(p, l->base_url, " LeadingSlash=base",
                                       NULL)
                         : l->base_url;
}

const char *batch_settings_text(apr_pool_t *p, const batch_settings_t *s)
{
    return apr_psprintf(
        p, "BatchMaxOperations %d, BatchMaxRequestSize %" APR_OFF_T_FMT
        ", BatchMaxOperationResponseSize %" APR_OFF_T_FMT ", BatchMaxMemory %"
        APR_OFF_T_FMT ", BatchAllowMethods %s, BatchBaseURL %s, "
        "BatchTimeout %s, BatchConcurrency %d, BatchDialect %s, "
        "BatchFormats %s, BatchInheritHeaders %s, BatchLogOperations %s, "
        "BatchServerTiming %s, BatchCookieJar %s, BatchEngine %s",
        s->limits.max_operations,
        s->max_request_size, s->max_op_response_size, s->max_memory,
        apr_array_pstrcat(p, s->limits.allow_methods, ' '),
        base_url_text(p, &s->limits), timeout_text(p, s->timeout),
        s->concurrency, s->dialect ? s->dialect->name : "auto",
        batch_request_formats_text(p, s->formats),
        on_off(s->inherit_headers), on_off(s->log_operations),
        on_off(s->server_timing), on_off(s->cookie_jar),
        s->engine == BATCH_ENGINE_REQUEST ? "request" : "subrequest");
}
