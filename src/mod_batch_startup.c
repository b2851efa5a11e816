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

/*
 * What the error log says of the batch endpoints when the server starts:
 * at LogLevel batch:info, one line per section whose SetHandler is batch,
 * with the settings a request there gets from the server's and the
 * section's Batch directives.
 *
 * A section's SetHandler is an expression (server/core.c set_sethandler
 * keeps only core_dir_config's expr_handler), which needs a request to be
 * evaluated; its text is in the configuration tree (ap_conftree, as
 * mod_info reads it). The expression records the file and line of its
 * directive (server/util_expr_eval.c ap_expr_parse_cmd_mi), which ties the
 * two together.
 */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <ap_expr.h>
#include <util_cfgtree.h>

#include "mod_batch_startup.h"
#include "mod_batch.h"
#include "mod_batch_config.h"

APLOG_USE_MODULE(batch);

static const char *place(apr_pool_t *p, const char *file, int line)
{
    return apr_psprintf(p, "%s:%d", file, line);
}

/* The places ("file:line") of every SetHandler batch in the tree. */
static void find_handlers(apr_pool_t *p, const ap_directive_t *d,
                          apr_hash_t *found)
{
    for (; d; d = d->next) {
        if (!strcasecmp(d->directive, "SetHandler") && d->args) {
            const char *args = d->args;

            if (!strcmp(ap_getword_conf(p, &args), BATCH_HANDLER)) {
                apr_hash_set(found, place(p, d->filename, d->line_num),
                             APR_HASH_KEY_STRING, d);
            }
        }
        find_handlers(p, d->first_child, found);
    }
}

/* Where the SetHandler batch of a section is, or NULL if it has none. */
static const char *handler_place(apr_pool_t *p, ap_conf_vector_t *section,
                                 apr_hash_t *handlers)
{
    const core_dir_config *core = ap_get_core_module_config(section);
    const char *at;

    if (!core->expr_handler || !core->expr_handler->filename) {
        return NULL;
    }
    at = place(p, core->expr_handler->filename,
               (int)core->expr_handler->line_number);
    return apr_hash_get(handlers, at, APR_HASH_KEY_STRING) ? at : NULL;
}

/* A section's settings as a request there gets them: the server's
 * merged with the section's own (batch_merge_dir_conf). */
static const char *effective(apr_pool_t *p, server_rec *s,
                             ap_conf_vector_t *section)
{
    batch_dir_conf_t *conf =
        ap_get_module_config(s->lookup_defaults, &batch_module);
    batch_dir_conf_t *own = section
        ? ap_get_module_config(section, &batch_module) : NULL;
    batch_settings_t settings;

    if (!conf) {
        conf = batch_create_dir_conf(p, NULL);
    }
    if (own) {
        conf = batch_merge_dir_conf(p, conf, own);
    }
    batch_settings_of(conf, s, p, &settings);
    return batch_settings_text(p, &settings);
}

/* A virtual host by its ServerName and the port of its first address
 * when its ServerName has none. */
static const char *server_name(apr_pool_t *p, const server_rec *s)
{
    apr_port_t port = s->port;

    if (!s->is_virtual) {
        return "";
    }
    if (!port && s->addrs) {
        port = s->addrs->host_port;
    }
    return apr_psprintf(p, " in virtual host %s:%u", s->server_hostname,
                        (unsigned)port);
}

static int inherited(const apr_array_header_t *main_sections,
                     const ap_conf_vector_t *section)
{
    int i;

    for (i = 0; main_sections && i < main_sections->nelts; i++) {
        if (APR_ARRAY_IDX(main_sections, i, ap_conf_vector_t *) == section) {
            return 1;
        }
    }
    return 0;
}

/* One line per batch section of one kind (<Location>, <Directory>) of s;
 * a virtual host's arrays begin with the main server's sections
 * (server/core.c merge_core_server_configs), listed with the main
 * server. */
static void log_sections(apr_pool_t *p, server_rec *s, const char *kind,
                         const apr_array_header_t *sections,
                         const apr_array_header_t *main_sections,
                         apr_hash_t *handlers)
{
    int i;

    for (i = 0; sections && i < sections->nelts; i++) {
        ap_conf_vector_t *section =
            APR_ARRAY_IDX(sections, i, ap_conf_vector_t *);
        const core_dir_config *core = ap_get_core_module_config(section);
        const char *at = handler_place(p, section, handlers);

        if (!at || (s->is_virtual && inherited(main_sections, section))) {
            continue;
        }
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, BATCH_LOGNO(2301)
                     "batch location <%s%s %s>%s (%s): %s", kind,
                     core->r ? "Match" : "", core->d, server_name(p, s), at,
                     effective(p, s, section));
    }
}

void batch_startup_log_locations(apr_pool_t *ptemp, server_rec *main_server)
{
    const core_server_config *main_conf =
        ap_get_core_module_config(main_server->module_config);
    apr_hash_t *handlers = apr_hash_make(ptemp);
    server_rec *s;

    find_handlers(ptemp, ap_conftree, handlers);
    if (!apr_hash_count(handlers)) {
        return;
    }
    for (s = main_server; s; s = s->next) {
        const core_server_config *conf =
            ap_get_core_module_config(s->module_config);

        log_sections(ptemp, s, "Location", conf->sec_url,
                     main_conf->sec_url, handlers);
        log_sections(ptemp, s, "Directory", conf->sec_dir,
                     main_conf->sec_dir, handlers);
    }
}
