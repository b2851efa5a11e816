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
 * The batch handler's work: read the body within the limit, parse it in
 * the format its Content-Type names, validate the whole batch, and only
 * then execute it.
 */
#include <string.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <http_ssl.h>

#include "mod_batch_serve.h"
#include "batch.h"
#include "batch_buf.h"
#include "batch_error.h"
#include "batch_form.h"
#include "batch_format.h"
#include "batch_json.h"
#include "batch_text.h"
#include "batch_validate.h"
#include "mod_batch.h"
#include "mod_batch_config.h"
#include "mod_batch_execute.h"
#include "mod_batch_nesting.h"
#include "mod_batch_origin.h"

APLOG_USE_MODULE(batch);

#define READ_CHUNK 65536

/* Answers a refusal itself, so the body is JSON and names the problem;
 * fmt, when known, may answer it with its clients' status. */
static int refuse_as(request_rec *r, const batch_format_t *fmt,
                     const batch_error_t *err)
{
    const char *body;
    int status = err->status;

    if (err->status == AP_FILTER_ERROR) {
        /* HTTP_IN met a bad chunk or LimitRequestBody and ap_die has
         * answered already: a body written now would follow its page */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, BATCH_LOGNO(1350)
                      "batch refused with %d by httpd: %s", r->status,
                      err->message);
        return AP_FILTER_ERROR;
    }
    if (fmt && fmt->refusal_status) {
        status = fmt->refusal_status(err);
    }
    body = batch_error_json(r->pool, err);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, BATCH_LOGNO(1201)
                  "batch refused with %d (%s): %s", status, err->code,
                  err->message);
    r->status = status;
    ap_set_content_type(r, "application/json");
    ap_set_content_length(r, (apr_off_t)strlen(body));
    /* the whole answer: when it fails, the client has gone and nothing is
     * left to undo or tell */
    ap_rwrite(body, (int)strlen(body), r);
    return OK;
}

static int refuse(request_rec *r, const batch_error_t *err)
{
    return refuse_as(r, NULL, err);
}

static batch_error_t *too_large(request_rec *r, apr_off_t limit)
{
    /* the rest of the body is not read: this connection cannot go on */
    r->connection->keepalive = AP_CONN_CLOSE;
    return batch_error_make(r->pool, HTTP_REQUEST_ENTITY_TOO_LARGE,
                            BATCH_E_TOO_LARGE, NULL, "the batch body is "
                            "larger than %" APR_OFF_T_FMT " bytes "
                            "(BatchMaxRequestSize)", limit);
}

static int append_bucket_data(apr_bucket *b, batch_buf_t *buf,
                              apr_off_t limit)
{
    const char *data;
    apr_size_t n;

    if (apr_bucket_read(b, &data, &n, APR_BLOCK_READ) != APR_SUCCESS) {
        return -1;
    }
    if ((apr_off_t)(buf->len + n) > limit) {
        return 0;
    }
    return batch_buf_append(buf, data, n) == APR_SUCCESS ? 1 : -1;
}

/* Reads the whole batch body, refusing it as soon as it passes the limit,
 * whether declared (Content-Length) or streamed (chunked). */
static batch_error_t *read_body(request_rec *r, apr_off_t limit,
                                char **body, apr_size_t *len)
{
    const char *clen = apr_table_get(r->headers_in, "Content-Length");
    batch_buf_t *buf;
    apr_bucket_brigade *bb;
    int seen_eos = 0;

    if (clen && apr_atoi64(clen) > limit) {
        return too_large(r, limit);
    }
    /* a declared length is read into one block */
    buf = batch_buf_make(r->pool, clen ? (apr_size_t)apr_atoi64(clen) + 1
                                       : READ_CHUNK);
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    while (!seen_eos) {
        apr_status_t rv = ap_get_brigade(r->input_filters, bb,
                                         AP_MODE_READBYTES, APR_BLOCK_READ,
                                         READ_CHUNK);
        apr_bucket *b;

        if (rv != APR_SUCCESS) {
            int status = ap_map_http_request_error(rv, HTTP_BAD_REQUEST);

            if (status == HTTP_REQUEST_ENTITY_TOO_LARGE) {
                return too_large(r, limit);
            }
            /* status may be AP_FILTER_ERROR: refuse() knows */
            return batch_error_make(r->pool, status, BATCH_E_INVALID_REQUEST,
                                    NULL, "the batch body could not be "
                                    "read");
        }
        for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
             b = APR_BUCKET_NEXT(b)) {
            int ok;

            if (APR_BUCKET_IS_EOS(b)) {
                seen_eos = 1;
                break;
            }
            ok = append_bucket_data(b, buf, limit);
            if (ok == 0) {
                return too_large(r, limit);
            }
            if (ok < 0) {
                return batch_error_make(r->pool, HTTP_BAD_REQUEST,
                                        BATCH_E_INVALID_REQUEST, NULL,
                                        "the batch body could not be read");
            }
        }
        apr_brigade_cleanup(bb);
    }
    *body = buf->data ? buf->data : apr_pstrdup(r->pool, "");
    *len = buf->len;
    return NULL;
}

static batch_error_t *check_nesting(request_rec *r,
                                    const batch_settings_t *s,
                                    const batch_t *batch)
{
    batch_error_t *err = NULL;
    int i;

    for (i = 0; i < batch->ops->nelts && !err; i++) {
        err = batch_check_nesting(r, s, &APR_ARRAY_IDX(batch->ops, i,
                                                       batch_op_t), r->pool);
    }
    return err;
}

/* Prefer: odata.continue-on-error=false (OData) stops at the first
 * failure, in any format. */
static int prefers_stop(request_rec *r)
{
    const char *list = apr_table_get(r->headers_in, "Prefer");
    char *item;

    /* ap_get_list_item lower-cases each preference and skips the blanks
     * around it (server/util.c) */
    while (list && (item = ap_get_list_item(r->pool, &list))) {
        if (!strncmp(item, "odata.continue-on-error=false", 29)
            || !strncmp(item, "continue-on-error=false", 23)) {
            return 1;
        }
    }
    return 0;
}

/* The path of the request after the batch location: "/users" of
 * POST /batch/users at <Location /batch>; where the handler is set by a
 * <Directory> or regex section, httpd's PATH_INFO. NULL when none. */
static const char *path_after_location(request_rec *r, const char *location)
{
    apr_size_t n = location ? strlen(location) : 0;

    while (n > 1 && location[n - 1] == '/') {
        n--;
    }
    if (n && location[0] == '/' && !strncmp(r->uri, location, n)
        && r->uri[n] == '/') {
        return r->uri + n;
    }
    return r->path_info && *r->path_info ? r->path_info : NULL;
}

/* A 415 refusal when the request's format is none this location takes
 * (BatchFormats); a form batch from another site is refused with 403. */
static batch_error_t *check_request_format(request_rec *r,
                                           const batch_settings_t *s,
                                           const char *ctype)
{
    int format = batch_request_format(batch_media_type(r->pool, ctype));

    if (!(format & s->formats)) {
        return batch_error_make(
            r->pool, HTTP_UNSUPPORTED_MEDIA_TYPE, BATCH_E_MEDIA_TYPE, NULL,
            "Content-Type %s is not a batch format this location takes "
            "(BatchFormats %s): json is application/json, multipart "
            "multipart/mixed, form an urlencoded or multipart/form-data "
            "form", ctype ? ctype : "(none)",
            batch_request_formats_text(r->pool, s->formats));
    }
    return format == BATCH_FORMATS_FORM
           ? batch_check_cross_site_form(r, s) : NULL;
}

/* The names of r's virtual host, as server/vhost.c matches a Host header
 * against them: ServerName, and ServerAlias with its wildcards. */
static apr_array_header_t *self_names(request_rec *r)
{
    const server_rec *s = r->server;
    apr_array_header_t *names = apr_array_make(r->pool, 4,
                                               sizeof(const char *));

    if (s->server_hostname) {
        APR_ARRAY_PUSH(names, const char *) = s->server_hostname;
    }
    if (s->names) {
        apr_array_cat(names, s->names);
    }
    if (s->wild_names) {
        apr_array_cat(names, s->wild_names);
    }
    return names;
}

/* The scheme and port of the connection itself. ap_http_scheme and
 * ap_get_server_port, the primary origin, give the public ones behind a
 * reverse proxy (ServerName https://name, UseCanonicalName On), and so
 * does the http_scheme hook (http_core.c http_scheme reads ServerName's
 * scheme): whether TLS carries the connection says which it really is. */
static apr_array_header_t *self_origins(request_rec *r)
{
    apr_array_header_t *origins = apr_array_make(r->pool, 1,
                                                 sizeof(batch_origin_t));

    if (r->connection->local_addr) {
        batch_origin_t *o = apr_array_push(origins);

        o->scheme = ap_ssl_conn_is_ssl(r->connection) ? "https" : "http";
        o->port = r->connection->local_addr->port;
    }
    return origins;
}

static batch_t *parse(request_rec *r, const batch_settings_t *s,
                      const batch_format_t *fmt, const char *body,
                      apr_size_t len, json_object *json, batch_error_t **err)
{
    batch_input_t in;
    batch_t *batch;

    in.json = json;
    in.body = body;
    in.len = len;
    in.content_type = apr_table_get(r->headers_in, "Content-Type");
    in.self_scheme = ap_http_scheme(r);
    in.self_host = r->hostname;
    in.self_port = ap_get_server_port(r);
    in.self_names = self_names(r);
    in.self_origins = self_origins(r);
    in.path_info = path_after_location(r, s->location);
    in.base_url = s->limits.base_url;
    batch = fmt->parse(r->pool, &in, err);
    if (batch && prefers_stop(r)) {
        batch->on_error = BATCH_ON_ERROR_STOP;
    }
    return batch;
}

/* Parsing JSON builds a tree many times the size of its text (an empty
 * object takes some 800 bytes): a batch whose tree would not fit in
 * BatchMaxMemory is refused before it is parsed. A facebook form batch is
 * the JSON of its batch field. */
static batch_error_t *check_tree_cost(request_rec *r,
                                      const batch_settings_t *s,
                                      const char *ctype, const char *body,
                                      apr_size_t len)
{
    const char *type = batch_media_type(r->pool, ctype);
    const char *json = body, *why = NULL;
    apr_size_t n = len, cost;

    if (batch_media_type_is_form(type)) {
        json = batch_form_field(r->pool, ctype, body, len, "batch", &n,
                                &why);
    }
    else if (!batch_media_type_is_json(type)) {
        return NULL;
    }
    /* a form without a usable batch field is refused by its parser */
    cost = json ? batch_json_tree_cost(json, n) : 0;
    if (cost <= (apr_size_t)s->max_memory) {
        return NULL;
    }
    return batch_error_make(r->pool, HTTP_REQUEST_ENTITY_TOO_LARGE,
                            BATCH_E_TOO_LARGE, NULL, "parsing this batch "
                            "would take about %" APR_SIZE_T_FMT " bytes of "
                            "memory; BatchMaxMemory allows %" APR_OFF_T_FMT,
                            cost, s->max_memory);
}

int batch_serve(request_rec *r)
{
    batch_settings_t *s = apr_pcalloc(r->pool, sizeof(*s));
    const char *ctype = apr_table_get(r->headers_in, "Content-Type");
    const batch_format_t *fmt;
    batch_error_t *err = NULL;
    batch_t *batch;
    char *body = NULL;
    apr_size_t len = 0;
    apr_pool_t *tree_pool;
    json_object *tree = NULL;
    int by_shape;

    batch_settings_get(r, s);
    if ((err = check_request_format(r, s, ctype))) {
        return refuse(r, err);
    }
    if (!(fmt = batch_format_for(r->pool, s->dialect, ctype, &by_shape,
                                 &err))) {
        return refuse(r, err);
    }
    if ((err = read_body(r, s->max_request_size, &body, &len))
        || (err = check_tree_cost(r, s, ctype, body, len))) {
        return refuse(r, err);
    }
    /* the JSON tree detection makes is the one the dialect's parser reads;
     * every field is copied out of it, so it goes right after parsing */
    apr_pool_create(&tree_pool, r->pool);
    if (by_shape
        && !(fmt = batch_format_by_shape(r->pool, s->dialect, body, len,
                                         tree_pool, &tree, &err))) {
        return refuse(r, err);
    }
    batch = parse(r, s, fmt, body, len, tree, &err);
    apr_pool_destroy(tree_pool);
    if (!batch) {
        return refuse_as(r, fmt, err);
    }
    if ((err = batch_validate(r->pool, batch, &s->limits))
        || (err = check_nesting(r, s, batch))) {
        return refuse_as(r, fmt, err);
    }
    if (batch->sequential) {
        s->concurrency = 1;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, BATCH_LOGNO(1202)
                  "running a %s batch of %d operations", fmt->name,
                  batch->ops->nelts);
    return batch_execute(r, s, batch, fmt);
}
