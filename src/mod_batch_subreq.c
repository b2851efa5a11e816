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
 * Running one operation as an httpd subrequest (docs/design.md): the request
 * headers it gets, the body it reads, the status, headers and body it
 * answers, and the error body a direct request would have received.
 */
#include <string.h>
#include <apr_atomic.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_core.h>

#include "mod_batch_subreq.h"
#include "batch.h"
#include "batch_error.h"
#include "batch_text.h"
#include "mod_batch.h"
#include "mod_batch_capture.h"
#include "mod_batch_config.h"
#include "mod_batch_hooks.h"
#include "mod_batch_oplog.h"
#include "mod_batch_status.h"

APLOG_USE_MODULE(batch);

/* Batch request headers an operation never inherits: with
 * Proxy-*, Content-* (they describe the batch body) and the headers the
 * Connection header names. */
static const char *const not_inherited[] = {
    "Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding",
    "Upgrade", "HTTP2-Settings", "Expect", "Digest", "Repr-Digest",
    "Accept-Encoding", "Range", "If-Range", "If-Match", "If-None-Match",
    "If-Modified-Since", "If-Unmodified-Since", NULL
};

/* Operation headers that describe the connection or the body framing,
 * which the module sets itself. */
static const char *const not_settable[] = {
    "Host", "Connection", "Keep-Alive", "TE", "Trailer",
    "Transfer-Encoding", "Upgrade", "Expect", "Content-Length", NULL
};

/* The protocol an op is spoken in, in its request line and its
 * SERVER_PROTOCOL. */
#define OP_PROTOCOL "HTTP/1.1"

/* Response headers that belong to the hop, not to the answer. */
static const char *const not_answered[] = {
    "Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding",
    "Upgrade", "Content-Length", "Content-Type", NULL
};

static int listed(const char *const *list, const char *name)
{
    for (; *list; list++) {
        if (!strcasecmp(*list, name)) {
            return 1;
        }
    }
    return !strncasecmp(name, "Proxy-", 6);
}

static int collect_unwanted(void *data, const char *name, const char *value)
{
    apr_array_header_t *names = data;

    (void)value;
    if (listed(not_inherited, name) || !strncasecmp(name, "Content-", 8)) {
        APR_ARRAY_PUSH(names, const char *) = name;
    }
    return 1;
}

/* Connection: X-Foo makes X-Foo hop-by-hop too (RFC 9110 7.6.1); the
 * batch's Host stays, as the operation runs in its virtual host. */
static int collect_connection_options(void *data, const char *name,
                                      const char *value)
{
    apr_array_header_t *names = data;
    char *list = apr_pstrdup(names->pool, value);
    char *option, *state;

    (void)name;
    for (option = apr_strtok(list, ", \t", &state); option;
         option = apr_strtok(NULL, ", \t", &state)) {
        if (strcasecmp(option, "Host")) {
            APR_ARRAY_PUSH(names, const char *) = option;
        }
    }
    return 1;
}

/* What of the batch request's headers an operation inherits: all but
 * the hop-by-hop, body and conditional ones, or only Host when
 * BatchInheritHeaders is off. */
static apr_table_t *inheritable(request_rec *r, int inherit)
{
    apr_table_t *t;
    apr_array_header_t *names;
    int i;

    if (!inherit) {
        const char *host = apr_table_get(r->headers_in, "Host");

        t = apr_table_make(r->pool, 1);
        if (host) {
            apr_table_setn(t, "Host", host);
        }
        return t;
    }
    t = apr_table_copy(r->pool, r->headers_in);
    names = apr_array_make(r->pool, 4, sizeof(const char *));
    apr_table_do(collect_connection_options, names, t, "Connection", NULL);
    apr_table_do(collect_unwanted, names, t, NULL);
    for (i = 0; i < names->nelts; i++) {
        apr_table_unset(t, APR_ARRAY_IDX(names, i, const char *));
    }
    return t;
}

static int set_op_header(void *data, const char *name, const char *value)
{
    apr_table_t *headers = data;

    if (!listed(not_settable, name)) {
        apr_table_set(headers, name, value);
    }
    return 1;
}

/* A header line as short as a client could spell it ("Name:value"). */
static apr_size_t field_line_length(const apr_table_entry_t *e)
{
    return strlen(e->key) + 1 + strlen(e->val);
}

/* What httpd's reading of a direct request with this request line and
 * these headers answers before anything else runs (server/protocol.c
 * read_request_line and ap_get_mime_headers_core, which take a line of up
 * to the limit plus one byte): 414 for the request line, 400 for the
 * header fields; OK if it would be read. Inherited and own headers count
 * together, as they reach the target together. The limits are the
 * connection's base server's: httpd reads a request before it knows its
 * name-based virtual host, whose own limits a direct request never meets. */
static int over_read_limits(request_rec *r, const char **why)
{
    const server_rec *s = r->connection->base_server;
    const apr_array_header_t *arr = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int i;

    if (s->limit_req_line > 0
        && strlen(r->the_request) > (apr_size_t)s->limit_req_line + 1) {
        *why = "its request line is longer than LimitRequestLine";
        return HTTP_REQUEST_URI_TOO_LARGE;
    }
    if (s->limit_req_fields > 0 && arr->nelts > s->limit_req_fields) {
        *why = apr_psprintf(r->pool, "it has %d header fields with the "
                            "inherited ones, more than LimitRequestFields",
                            arr->nelts);
        return HTTP_BAD_REQUEST;
    }
    for (i = 0; s->limit_req_fieldsize > 0 && i < arr->nelts; i++) {
        if (field_line_length(&e[i])
            > (apr_size_t)s->limit_req_fieldsize + 1) {
            *why = apr_psprintf(r->pool, "its header %s is longer than "
                                "LimitRequestFieldSize", e[i].key);
            return HTTP_BAD_REQUEST;
        }
    }
    return OK;
}

/* An op over a read limit keeps that status; batch_op_early then stops
 * its pipeline, and it answers as the direct request would. */
static void refuse_over_read_limits(request_rec *r, const batch_run_t *run,
                                    const batch_op_t *op)
{
    const char *why = NULL;
    int status = over_read_limits(r, &why);

    if (status != OK) {
        /* the request line last: the error log cuts a long line */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, BATCH_LOGNO(2103)
                      "operation %s of batch %s not run: %s; answered %d "
                      "(%s)", op->id, run->batch_id, why, status,
                      r->the_request);
        r->status = status;
    }
}

/* make_sub_request (server/request.c) puts SUBREQ_CORE in front of the
 * capture, and ap_sub_req_output_filter drops the end of the stream there:
 * the filters an op adds behind it (mod_headers' FIXUP_HEADERS_OUT,
 * mod_deflate) would never see a body-less answer end (OPTIONS, 204), and
 * Header set would be missing. The capture needs no such guard: it takes
 * no metadata and belongs to no request. */
static void drop_subreq_filter(request_rec *r)
{
    ap_filter_t *f;

    for (f = r->output_filters; f; f = f->next) {
        if (f->frec == ap_subreq_core_filter_handle) {
            ap_remove_output_filter(f);
            return;
        }
    }
}

/* http_core.c http_create_request gives only a main request the byte
 * range filter; an op's own Range and If-Range get what they get directly
 * (206, multipart/byteranges), as the batch's are never inherited. No
 * content filter is there yet, so the op's chain starts with it. */
static void add_byterange_filter(request_rec *r)
{
    ap_filter_t *f = ap_add_output_filter_handle(ap_byterange_filter_handle,
                                                 NULL, r, r->connection);

    if (f && r->output_filters == f->next) {
        r->output_filters = f;
    }
}

void batch_op_set_headers(apr_table_t *headers, const batch_op_t *op,
                          apr_pool_t *p)
{
    apr_table_do(set_op_header, headers, op->headers, NULL);
    if (op->body) {
        apr_table_setn(headers, "Content-Length",
                       apr_off_t_toa(p, (apr_off_t)op->body_len));
    }
}

/* create_request hook: the pipeline runs inside ap_sub_req_method_uri, so
 * the op's headers, framing and output boundary are put in place here. */
int batch_create_request(request_rec *r)
{
    batch_run_t *run;
    const batch_op_t *op;

    if (!r->main || r->prev) {
        return DECLINED;
    }
    run = ap_get_module_config(r->main->request_config, &batch_module);
    if (!run || !run->pending) {
        return DECLINED;
    }
    op = run->pending;
    run->pending = NULL;

    /* r->headers_in is already a copy of run->inherited (batch_op_run) */
    batch_op_set_headers(r->headers_in, op, r->pool);
    r->read_length = 0;
    r->expecting_100 = 0;
    /* the op's own If-* headers work as for a direct request (inherited
     * ones were stripped above) */
    r->no_local_copy = 0;
    /* an op is a full HTTP request: Last-Modified, error page headers */
    r->assbackwards = 0;
    r->header_only = !strcmp(op->method, "HEAD");
    /* CGI's REQUEST_URI and %r come from the_request (util_script.c) */
    r->the_request = apr_pstrcat(r->pool, op->method, " ", op->target,
                                 " " OP_PROTOCOL, NULL);
    /* ap_set_sub_req_protocol (server/protocol.c) marks a subrequest
     * INCLUDED, which ap_add_cgi_vars (server/util_script.c) takes for an
     * SSI include: SCRIPT_NAME would be the whole path and PATH_INFO lost
     * to CGI, mod_wsgi, mod_perl, PHP and mod_proxy_fcgi */
    r->protocol = OP_PROTOCOL;
    r->proto_num = HTTP_VERSION(1, 1);
    /* make_sub_request (server/request.c) copied the batch endpoint's
     * methods, which a 405's Allow would list (http_protocol.c make_allow);
     * a direct request starts with none */
    ap_clear_method_list(r->allowed_methods);
    /* error pages, internal redirects and NPH write to proto_output_filters;
     * keep them in the capture filter, away from the client */
    r->proto_output_filters = run->capture;
    drop_subreq_filter(r);
    add_byterange_filter(r);
    /* marks r as an op; its own subrequests find no pending op here */
    ap_set_module_config(r->request_config, &batch_module, run);
    refuse_over_read_limits(r, run, op);
    /* after the limits: the module's header, not one the op sent */
    apr_table_setn(r->headers_in, BATCH_DEPTH_HEADER, "1");
    /* ap_set_sub_req_protocol (server/protocol.c) copied the batch's
     * environment; an op starts, as a direct request does, with none and
     * gets its own from SetEnvIf (batch_op_early, batch_op_perdir), SetEnv,
     * mod_rewrite and the rest of its pipeline */
    r->subprocess_env = apr_table_make(r->pool, 25);
    batch_oplog_op_vars(r, run->batch_id, op);
    return OK;
}

/*
 * An op's environment is what a direct request to its URL with its headers
 * gets. httpd runs neither post_read_request nor header_parser for a
 * subrequest (server/request.c ap_sub_req_method_uri and
 * ap_process_request_internal: header_parser "only on the main request"),
 * so mod_setenvif, which does all its work there (its server-context
 * SetEnvIf/BrowserMatch in post_read_request, the per-directory ones in
 * header_parser), is run for the op here, at the same points of its
 * pipeline: after the URI is parsed, and after the per-directory walk.
 * SetEnv (mod_env) and mod_rewrite's [E=] run in the op's own fixups and
 * translate_name already.
 *
 * Only mod_setenvif's hooks: running every module's would redo, for the
 * batch's connection, what httpd did once for it. mod_reqtimeout's would
 * reset the timeouts of the connection the batch is still read from,
 * mod_remoteip's would take the client address from the op's own
 * X-Forwarded-For (no op header may change what Require ip sees),
 * mod_http2's would take the op for an HTTP/2 stream on a secondary
 * connection, mod_log_forensic would log a request that was never read;
 * ModSecurity and mod_auth_digest decline subrequests anyway.
 *
 * mod_unique_id's post_read_request hook is run too: it only sets
 * UNIQUE_ID (mod_unique_id.c set_unique_id, from a counter it increments
 * atomically under a threaded MPM), so an op gets an id of its own in the
 * same format, rather than none or the batch's.
 */
#define SETENVIF_MODULE "mod_setenvif.c"
#define UNIQUE_ID_MODULE "mod_unique_id.c"

/* quick_handler hook, the first to run after ap_parse_uri, where a direct
 * request runs post_read_request. The subrequest lost the port the client
 * used (request.c copies no parsed_uri.port), so self-referencing URLs,
 * redirects and SERVER_PORT would say 80. An op over a read limit stops
 * here: OK in lookup mode skips ap_process_request_internal. */
int batch_op_early(request_rec *r, int lookup)
{
    int rv;

    if (!lookup || !r->main
        || !ap_get_module_config(r->request_config, &batch_module)) {
        return DECLINED;
    }
    if (!r->parsed_uri.port_str && r->main->parsed_uri.port_str) {
        r->parsed_uri.port_str = r->main->parsed_uri.port_str;
        r->parsed_uri.port = r->main->parsed_uri.port;
    }
    if (r->status != HTTP_OK) {
        return OK;
    }
    rv = batch_run_module_hooks(ap_hook_get_post_read_request(),
                                UNIQUE_ID_MODULE, r);
    if (rv == OK) {
        rv = batch_run_module_hooks(ap_hook_get_post_read_request(),
                                    SETENVIF_MODULE, r);
    }
    if (rv != OK) {
        r->status = rv;
        return OK;
    }
    return DECLINED;
}

/* r is an op or one of its internal redirects (not a subrequest an op
 * made: that has a request_config of its own). */
static int is_op(const request_rec *r)
{
    while (r->prev) {
        r = r->prev;
    }
    return r->main && ap_get_module_config(r->request_config, &batch_module);
}

/* post_perdir_config hook, last: where a direct request runs header_parser
 * (server/request.c ap_process_request_internal), for the op and for its
 * internal redirects, which httpd does not give header_parser either. */
int batch_op_perdir(request_rec *r)
{
    if (!is_op(r)) {
        return DECLINED;
    }
    return batch_run_module_hooks(ap_hook_get_header_parser(),
                                  SETENVIF_MODULE, r);
}

/* The handlers of mod_cgi and mod_cgid (mod_cgi.c cgi_handler). */
static int is_cgi_handler(const char *handler)
{
    return handler && (!strcmp(handler, "cgi-script")
                       || !strcmp(handler, "application/x-httpd-cgi"));
}

/* handler hook, first. mod_cgi and mod_cgid hand an NPH script's output
 * to the first connection filter of the chain (cgi_common.h
 * cgi_handle_response), past the capture and onto the batch's own
 * connection; they refuse to run one for a request whose protocol is
 * INCLUDED (mod_cgi.c cgi_handler, mod_cgid.c cgid_handler), as a
 * subrequest is. An op is no longer marked so; an NPH script is again. */
int batch_op_handler_first(request_rec *r)
{
    const char *base;

    if (!is_cgi_handler(r->handler) || !r->filename || !is_op(r)) {
        return DECLINED;
    }
    base = strrchr(r->filename, '/');
    base = base ? base + 1 : r->filename;
    if (!strncmp(base, "nph-", 4)) {
        r->protocol = "INCLUDED";
    }
    return DECLINED;
}

int batch_reached_from_operation(const request_rec *r)
{
    return r->main || apr_table_get(r->headers_in, BATCH_DEPTH_HEADER);
}

batch_run_t *batch_run_begin(request_rec *r, const batch_settings_t *s)
{
    batch_run_t *run = apr_pcalloc(r->pool, sizeof(*run));

    run->settings = s;
    /* Same values, another pointer: ap_process_request_internal skips
     * authn/authz for a subrequest whose per_dir_config is its parent's
     * (server/request.c), and each op must be authenticated on its own. */
    run->auth_dir_config = ap_merge_per_dir_configs(
        r->pool, r->per_dir_config, ap_create_per_dir_config(r->pool));
    run->inherited = inheritable(r, s->inherit_headers);
    run->batch_id = batch_oplog_batch_id(r);
    run->counts = apr_pcalloc(r->pool, sizeof(*run->counts));
    ap_set_module_config(r->request_config, &batch_module, run);
    return run;
}

static request_rec *final_request(request_rec *r)
{
    while (r->next) {
        r = r->next;
    }
    return r;
}

/* As a direct request would: ap_die runs ErrorDocument or writes the
 * canned page, which the patched proto chain delivers to the capture. */
static void make_error_body(request_rec *target, int status)
{
    conn_rec *c = target->connection;
    int keepalive = c->keepalive;

    /* a non-200 status here would make ap_die take it for a recursive
     * error and skip the ErrorDocument (http_request.c:ap_die_r) */
    target->status = HTTP_OK;
    ap_die(status, target);
    /* ap_die may mark the connection for closing; that is the batch's */
    c->keepalive = keepalive;
}

typedef struct copy_ctx_t {
    apr_pool_t *pool;
    apr_table_t *to;
} copy_ctx_t;

int batch_is_hop_header(const char *name)
{
    return listed(not_answered, name);
}

static int copy_answer_header(void *data, const char *name, const char *value)
{
    copy_ctx_t *ctx = data;

    /* a client reading the direct answer skips the whitespace before a
     * value (RFC 9110 5.5); mod_wsgi and mod_perl pass it on as set */
    while (*value == ' ' || *value == '\t') {
        value++;
    }
    if (!listed(not_answered, name)) {
        apr_table_addn(ctx->to, apr_pstrdup(ctx->pool, name),
                       apr_pstrdup(ctx->pool, value));
    }
    return 1;
}

/* "404 Not Found" gives "Not Found"; CGI's Status: 404 sets a status_line
 * of "404" alone, so fall back to httpd's phrase then. */
static const char *phrase_of(const char *line, int status)
{
    if (!line || atoi(line) != status || strlen(line) < 5 || line[3] != ' '
        || !batch_is_header_value(line)) {
        return NULL;
    }
    return line + 4;
}

static const char *reason_phrase(apr_pool_t *p, request_rec *f, int status)
{
    const char *phrase = phrase_of(f->status_line, status);

    if (!phrase) {
        phrase = phrase_of(ap_get_status_line(status), status);
    }
    return phrase ? apr_pstrdup(p, phrase) : "";
}

/* Adds the tokens of one Vary field that are not in the list yet. */
static int add_vary_tokens(void *data, const char *name, const char *value)
{
    apr_array_header_t *tokens = data;
    char *list = apr_pstrdup(tokens->pool, value);
    char *token, *state;
    int i;

    (void)name;
    for (token = apr_strtok(list, ", \t", &state); token;
         token = apr_strtok(NULL, ", \t", &state)) {
        for (i = 0; i < tokens->nelts; i++) {
            if (!strcasecmp(APR_ARRAY_IDX(tokens, i, const char *), token)) {
                break;
            }
        }
        if (i == tokens->nelts) {
            APR_ARRAY_PUSH(tokens, const char *) = token;
        }
    }
    return 1;
}

/* One Vary with each token once, as http_filters.c fixup_vary sends it. */
static void join_vary(apr_pool_t *p, apr_table_t *headers)
{
    apr_array_header_t *tokens = apr_array_make(p, 4, sizeof(const char *));

    apr_table_do(add_vary_tokens, tokens, headers, "Vary", NULL);
    if (tokens->nelts) {
        apr_table_setn(headers, "Vary", apr_array_pstrcat(p, tokens, ','));
    }
}

static batch_result_t *collect(request_rec *f, int status,
                               batch_capture_t *cap, apr_pool_t *p)
{
    batch_result_t *res = apr_pcalloc(p, sizeof(*res));
    copy_ctx_t ctx = { p, apr_table_make(p, 8) };

    res->status = status;
    res->reason = reason_phrase(p, f, status);
    res->headers = ctx.to;
    apr_table_do(copy_answer_header, &ctx, f->headers_out, NULL);
    apr_table_do(copy_answer_header, &ctx, f->err_headers_out, NULL);
    join_vary(p, res->headers);
    if (apr_table_get(f->notes, "no-etag")) {
        apr_table_unset(res->headers, "ETag");
    }
    /* what ap_http_header_filter (modules/http/http_filters.c) does for a
     * direct request: a 204 or 304 has no content headers and no body */
    if (AP_STATUS_IS_HEADER_ONLY(status)) {
        return res;
    }
    if (f->content_type) {
        res->content_type = apr_pstrdup(p, ap_make_content_type(
            f, f->content_type));
        apr_table_setn(res->headers, "Content-Type", res->content_type);
    }
    if (f->content_encoding) {
        apr_table_setn(res->headers, "Content-Encoding",
                       apr_pstrdup(p, f->content_encoding));
    }
    if (f->content_languages && f->content_languages->nelts) {
        apr_table_setn(res->headers, "Content-Language",
                       apr_array_pstrcat(p, f->content_languages, ','));
    }
    res->body = cap->body->data;
    res->body_len = cap->body->len;
    return res;
}

/* httpd answers 500 rather than send a header with a bad name or a
 * control character in its value (http_filters.c); so does an op. */
static batch_result_t *sendable(request_rec *f, const batch_op_t *op,
                                const char *batch_id, batch_result_t *res,
                                apr_pool_t *p)
{
    const char *bad = batch_first_bad_header(res->headers);

    if (!bad) {
        return res;
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, f, BATCH_LOGNO(1003)
                  "operation %s of batch %s: its response header '%s' "
                  "contains invalid characters; answered 500", op->id,
                  batch_id, bad);
    return batch_result_error(p, HTTP_INTERNAL_SERVER_ERROR,
                              "Internal Server Error",
                              BATCH_E_INVALID_RESPONSE, apr_psprintf(
        p, "operation %s answered with an invalid header (%s)", op->id,
        ap_escape_logitem(p, bad)));
}

/* The op's status: a setup failure, else the handler's return value when
 * it is an HTTP status, else what the final request says: after an
 * internal redirect that is the last request of r->next. */
static int handler_status(request_rec *f, int ret, int *needs_body)
{
    *needs_body = 0;
    if (ret == OK || ret == DONE || ret == HTTP_OK) {
        return f->status;
    }
    *needs_body = 1;
    if (ap_is_HTTP_VALID_RESPONSE(ret)) {
        return ret;
    }
    return HTTP_INTERNAL_SERVER_ERROR;
}

static apr_bucket_brigade *kept_body(request_rec *rnew, const batch_op_t *op)
{
    apr_bucket_alloc_t *ba = rnew->connection->bucket_alloc;
    apr_bucket_brigade *bb = apr_brigade_create(rnew->pool, ba);

    if (op->body_len) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_immortal_create(
            op->body, op->body_len, ba));
    }
    return bb;
}

/* The target's LimitRequestBody, known once the walk has merged its
 * sections: a direct request sending this body gets 413 when its handler
 * reads it (modules/http/http_filters.c ap_http_filter); the op is refused
 * before its handler runs. */
static int body_over_limit(request_rec *rnew, const batch_op_t *op)
{
    apr_off_t limit = ap_get_limit_req_body(rnew);

    if (!op->body || !limit || (apr_off_t)op->body_len <= limit) {
        return 0;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, rnew, BATCH_LOGNO(2102)
                  "operation %s of batch %s not run: its body of %"
                  APR_SIZE_T_FMT " bytes is larger than LimitRequestBody %"
                  APR_OFF_T_FMT " of %s; answered 413", op->id,
                  apr_table_get(rnew->notes, BATCH_ID_VAR), op->body_len,
                  limit, rnew->uri);
    return 1;
}

batch_result_t *batch_op_cut_off(request_rec *r, const char *batch_id,
                                 const batch_op_t *op, int overflow,
                                 apr_size_t limit, apr_pool_t *p)
{
    if (overflow) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, BATCH_LOGNO(2454)
                      "operation %s of batch %s: its answer is larger than "
                      "%" APR_SIZE_T_FMT " bytes "
                      "(BatchMaxOperationResponseSize); answered 502",
                      op->id, batch_id, limit);
        return batch_result_error(p, HTTP_BAD_GATEWAY, "Bad Gateway",
                                  BATCH_E_RESPONSE_TOO_LARGE, apr_psprintf(
            p, "the response of operation %s is larger than %"
            APR_SIZE_T_FMT " bytes (BatchMaxOperationResponseSize)", op->id,
            limit));
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, BATCH_LOGNO(2455)
                  "operation %s of batch %s: its answer was cut off by an "
                  "error of its handler or backend; answered 502", op->id,
                  batch_id);
    return batch_result_error(p, HTTP_BAD_GATEWAY, "Bad Gateway",
                              "bad_gateway", apr_psprintf(
        p, "the response of operation %s was cut off", op->id));
}

static batch_result_t *run_subrequest(request_rec *rnew,
                                      const batch_op_t *op,
                                      batch_capture_t *cap, apr_pool_t *p)
{
    int status = rnew->status;
    int needs_body = 1;
    request_rec *target = rnew;

    if (status == HTTP_OK && body_over_limit(rnew, op)) {
        status = HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    if (status == HTTP_OK) {
        int ret;

        batch_op_input_add(rnew, op);
        /* mod_proxy_http sends a subrequest's body only when kept_body is
         * set (mod_proxy_http.c); it is set after create_request hooks */
        rnew->kept_body = kept_body(rnew, op);
        ret = ap_run_sub_req(rnew);
        target = final_request(rnew);
        status = handler_status(target, ret, &needs_body);
    }
    if (cap->overflow || cap->backend_error) {
        return batch_op_cut_off(rnew, apr_table_get(rnew->notes,
                                                    BATCH_ID_VAR),
                                op, cap->overflow, cap->limit, p);
    }
    if (needs_body && (ap_is_HTTP_ERROR(status)
                       || ap_is_HTTP_REDIRECT(status))
        && !AP_STATUS_IS_HEADER_ONLY(status)
        && cap->body->len == 0 && cap->discarded == 0) {
        make_error_body(target, status);
        target = final_request(rnew);
        status = target->status;
    }
    return sendable(target, op, apr_table_get(rnew->notes, BATCH_ID_VAR),
                    collect(target, status, cap, p), p);
}

/* BatchServerTiming: how long the op ran, in milliseconds, as one more
 * metric of the Server-Timing list its handler may have sent. */
static void add_server_timing(batch_result_t *res, apr_pool_t *p)
{
    apr_table_merge(res->headers, "Server-Timing", apr_psprintf(
        p, BATCH_SERVER_TIMING_METRIC ";dur=%" APR_TIME_T_FMT ".%03"
        APR_TIME_T_FMT, res->elapsed / 1000, res->elapsed % 1000));
}

apr_time_t batch_op_started(request_rec *r, const batch_run_t *run,
                            const batch_op_t *op)
{
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, BATCH_LOGNO(2450)
                  "operation %s (%d) of batch %s: %s %s started", op->id,
                  op->index, run->batch_id, op->method, op->target);
    /* a worker's operation runs on a secondary connection */
    batch_status_op_begin(r->server, r->connection->master != NULL);
    return apr_time_now();
}

void batch_op_finished(request_rec *r, const batch_run_t *run,
                       const batch_op_t *op, batch_result_t *res,
                       apr_time_t started, apr_pool_t *op_pool)
{
    res->elapsed = apr_time_now() - started;
    if (run->settings->server_timing) {
        add_server_timing(res, op_pool);
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, BATCH_LOGNO(1002)
                  "operation %s: %s %s -> %d in %" APR_TIME_T_FMT " us "
                  "(batch %s)", op->id, op->method, op->target, res->status,
                  res->elapsed, run->batch_id);
    batch_status_op_end(r->server, r->connection->master != NULL,
                        res->status);
    apr_atomic_inc32(&run->counts->ran);
    if (res->status >= 400) {
        apr_atomic_inc32(&run->counts->failed);
    }
}

batch_result_t *batch_result_loop(const batch_op_t *op, apr_pool_t *p)
{
    return batch_result_error(p, HTTP_LOOP_DETECTED, "Loop Detected",
                              BATCH_E_LOOP, apr_psprintf(
        p, "operation %s targets a batch endpoint; batches do not nest",
        op->id));
}

batch_result_t *batch_op_run(request_rec *r, batch_run_t *run,
                             const batch_op_t *op, apr_pool_t *op_pool)
{
    ap_conf_vector_t *saved = r->per_dir_config;
    apr_table_t *saved_headers = r->headers_in;
    batch_capture_t *cap;
    batch_result_t *res;
    request_rec *rnew;
    apr_time_t started = batch_op_started(r, run, op);

    run->capture = batch_capture_create(
        op_pool, r->connection,
        (apr_size_t)run->settings->max_op_response_size,
        !strcmp(op->method, "HEAD"), &cap);
    run->pending = op;
    r->per_dir_config = run->auth_dir_config;
    /* ap_set_sub_req_protocol copies the parent's headers_in: let it copy
     * the inheritable ones, so no op strips the batch's headers again */
    r->headers_in = run->inherited;
    rnew = ap_sub_req_method_uri(op->method, op->target, r, run->capture);
    r->headers_in = saved_headers;
    r->per_dir_config = saved;
    run->pending = NULL;

    if (rnew->status == HTTP_OK && rnew->handler
        && !strcmp(rnew->handler, BATCH_HANDLER)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, BATCH_LOGNO(1001)
                      "operation %s of batch %s targets a batch endpoint; "
                      "not run, answered 508 (%s)", op->id, run->batch_id,
                      op->target);
        res = batch_result_loop(op, op_pool);
    }
    else {
        batch_status_show_request(rnew);
        res = run_subrequest(rnew, op, cap, op_pool);
        batch_status_show_request(r);
    }
    batch_op_finished(r, run, op, res, started, op_pool);
    if (run->settings->log_operations) {
        batch_oplog_write(rnew, run->batch_id, op, res, started);
    }
    ap_destroy_sub_req(rnew);
    return res;
}
