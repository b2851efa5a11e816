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
 * The multipart/mixed response: a fresh boundary, one application/http part
 * per operation in request order holding a full HTTP/1.1 response message,
 * and a nested multipart/mixed for each change set. Always CRLF, as RFC 2046 writes it.
 */
#include <string.h>
#include <apr_strings.h>
#include <apr_general.h>
#include <apr_escape.h>

#include "batch_emit_multipart.h"
#include "batch.h"
#include "batch_format.h"

#define CRLF "\r\n"

typedef struct mp_emit_t {
    const char *boundary;
    const char *group;          /* the change set now open, or NULL */
    const char *group_boundary;
} mp_emit_t;

/* Random, so no body can contain it by chance. */
static const char *new_boundary(apr_pool_t *p, const char *prefix)
{
    unsigned char bytes[16];

    if (apr_generate_random_bytes(bytes, sizeof(bytes)) != APR_SUCCESS) {
        apr_time_t now = apr_time_now();
        const void *where = bytes;

        memset(bytes, 0, sizeof(bytes));
        memcpy(bytes, &now, sizeof(now));
        memcpy(bytes + sizeof(now), &where, sizeof(where));
    }
    return apr_pstrcat(p, prefix, apr_pescape_hex(p, bytes, sizeof(bytes), 0),
                       NULL);
}

typedef struct head_t {
    apr_bucket_brigade *bb;
    apr_status_t rv;
} head_t;

static int write_header(void *data, const char *name, const char *value)
{
    head_t *h = data;

    h->rv = apr_brigade_putstrs(h->bb, NULL, NULL, name, ": ", value, CRLF,
                                NULL);
    return h->rv == APR_SUCCESS;
}

/* 1xx, 204 and 304 never have a body; HEAD answers describe one unsent. */
static int has_content_length(const batch_op_t *op, int status)
{
    return status >= 200 && status != 204 && status != 304
           && strcmp(op->method, "HEAD");
}

static apr_status_t switch_group(batch_emit_t *e, mp_emit_t *st,
                                 const char *group)
{
    apr_status_t rv = APR_SUCCESS;

    if (st->group && (!group || strcmp(group, st->group))) {
        rv = apr_brigade_putstrs(e->bb, NULL, NULL, "--", st->group_boundary,
                                 "--" CRLF, NULL);
        st->group = NULL;
    }
    if (rv == APR_SUCCESS && group && !st->group) {
        st->group = group;
        st->group_boundary = new_boundary(e->pool, "changeset_");
        rv = apr_brigade_putstrs(e->bb, NULL, NULL, "--", st->boundary, CRLF
                                 "Content-Type: multipart/mixed; boundary=",
                                 st->group_boundary, CRLF CRLF, NULL);
    }
    return rv;
}

/* The part's head: delimiter, part headers, status line, the answer's
 * headers and the blank line. */
static apr_status_t write_head(batch_emit_t *e, mp_emit_t *st,
                               const batch_op_t *op,
                               const batch_result_t *res)
{
    head_t h = { e->bb, switch_group(e, st, op->group) };

    if (h.rv == APR_SUCCESS) {
        h.rv = apr_brigade_putstrs(h.bb, NULL, NULL, "--", st->group
                                   ? st->group_boundary : st->boundary, CRLF
                                   "Content-Type: application/http" CRLF,
                                   NULL);
    }
    if (h.rv == APR_SUCCESS && op->content_id) {
        /* Google clients send <X> and look for <response-X>; OData sends
         * a bare id and expects it back as it was */
        h.rv = apr_brigade_putstrs(h.bb, NULL, NULL, "Content-ID: ",
                                   op->content_id[0] == '<' ? "<response-"
                                   : "", op->content_id
                                   + (op->content_id[0] == '<'), CRLF, NULL);
    }
    if (h.rv == APR_SUCCESS) {
        h.rv = apr_brigade_printf(h.bb, NULL, NULL, CRLF "HTTP/1.1 %d %s" CRLF,
                                  res->status, res->reason && *res->reason
                                  ? res->reason : "Unknown");
    }
    if (h.rv == APR_SUCCESS && res->headers) {
        apr_table_do(write_header, &h, res->headers, NULL);
    }
    if (h.rv == APR_SUCCESS && has_content_length(op, res->status)) {
        h.rv = apr_brigade_printf(h.bb, NULL, NULL, "Content-Length: %"
                                  APR_SIZE_T_FMT CRLF, res->body_len);
    }
    return h.rv == APR_SUCCESS ? apr_brigade_puts(h.bb, NULL, NULL, CRLF)
                               : h.rv;
}

const char *batch_emit_multipart_type(batch_emit_t *e)
{
    mp_emit_t *st = e->state;

    return apr_pstrcat(e->pool, "multipart/mixed; boundary=", st->boundary,
                       NULL);
}

apr_status_t batch_emit_multipart_begin(batch_emit_t *e)
{
    mp_emit_t *st = apr_pcalloc(e->pool, sizeof(*st));

    st->boundary = new_boundary(e->pool, "batch_");
    e->state = st;
    return APR_SUCCESS;
}

apr_status_t batch_emit_multipart_result(batch_emit_t *e,
                                         const batch_op_t *op,
                                         const batch_result_t *res)
{
    apr_status_t rv = write_head(e, e->state, op, res);

    if (rv == APR_SUCCESS && res->body_len) {
        rv = batch_emit_bytes(e, res->body, res->body_len);
    }
    e->written++;
    return rv == APR_SUCCESS ? apr_brigade_puts(e->bb, NULL, NULL, CRLF) : rv;
}

apr_status_t batch_emit_multipart_end(batch_emit_t *e)
{
    mp_emit_t *st = e->state;
    apr_status_t rv = switch_group(e, st, NULL);

    return rv == APR_SUCCESS ? apr_brigade_putstrs(e->bb, NULL, NULL, "--",
                                                   st->boundary, "--" CRLF,
                                                   NULL) : rv;
}
