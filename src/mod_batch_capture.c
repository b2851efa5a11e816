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
 * The two filters an operation's subrequest is wired to: the capture
 * filter that ends its output chain, and the input filter that serves its
 * own body (docs/design.md, "What httpd is relied on for").
 */
#include <string.h>

#include <apr_buckets.h>

#include <httpd.h>
#include <http_protocol.h>
#include <util_filter.h>

#include "mod_batch_capture.h"
#include "batch.h"

#define CAPTURE_FILTER "BATCH_CAPTURE"
#define OP_INPUT_FILTER "BATCH_OP_INPUT"
#define CAPTURE_MIN_CAPACITY 8192

/* Filter handles: written once in register_hooks, read-only afterwards. */
static ap_filter_rec_t *capture_frec;
static ap_filter_rec_t *op_input_frec;

static apr_status_t capture_bytes(batch_capture_t *cap, const char *data,
                                  apr_size_t n)
{
    if (cap->header_only) {
        cap->discarded += n;
        return APR_SUCCESS;
    }
    if (cap->body->len + n > cap->limit) {
        cap->overflow = 1;
        return APR_ENOSPC;
    }
    return batch_buf_append(cap->body, data, n);
}

/* Consumes everything and passes nothing on: f->next is NULL. */
static apr_status_t capture_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    batch_capture_t *cap = f->ctx;
    apr_status_t rv = APR_SUCCESS;
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb);
         rv == APR_SUCCESS && b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        const char *data;
        apr_size_t n;

        if (AP_BUCKET_IS_ERROR(b)) {
            cap->backend_error = 1;
            continue;
        }
        if (APR_BUCKET_IS_METADATA(b)) {
            continue;
        }
        if (APR_BUCKET_IS_FILE(b) && b->length <= APR_BUCKET_BUFF_SIZE) {
            /* the bytes are copied anyway: one read(2) costs less than
             * mmap, a page fault and munmap, whose TLB shootdown stalls
             * every thread of the process on the other cores */
            apr_bucket_file_enable_mmap(b, 0);
        }
        rv = apr_bucket_read(b, &data, &n, APR_BLOCK_READ);
        if (rv == APR_SUCCESS && n) {
            rv = capture_bytes(cap, data, n);
        }
    }
    apr_brigade_cleanup(bb);
    return rv;
}

ap_filter_t *batch_capture_create(apr_pool_t *p, conn_rec *c,
                                  apr_size_t limit, int header_only,
                                  batch_capture_t **capp)
{
    ap_filter_t *f = apr_pcalloc(p, sizeof(*f));
    batch_capture_t *cap = apr_pcalloc(p, sizeof(*cap));

    cap->limit = limit;
    cap->header_only = header_only;
    cap->body = batch_buf_make(p, CAPTURE_MIN_CAPACITY);
    /* r stays NULL: with the batch request there, an EOS reaching this
     * filter would set the batch's eos_sent (util_filter.c) */
    f->frec = capture_frec;
    f->ctx = cap;
    f->c = c;
    *capp = cap;
    return f;
}

typedef struct op_input_t {
    const char *data;
    apr_size_t len;
    apr_size_t pos;
} op_input_t;

apr_size_t batch_input_size(const char *data, apr_size_t left,
                            ap_input_mode_t mode, apr_off_t readbytes)
{
    const char *nl;

    switch (mode) {
    case AP_MODE_GETLINE:
        nl = memchr(data, '\n', left);
        left = nl ? (apr_size_t)(nl - data) + 1 : left;
        return left < HUGE_STRING_LEN ? left : HUGE_STRING_LEN;
    case AP_MODE_EXHAUSTIVE:
        return left;
    default:
        return readbytes > 0 && (apr_uint64_t)readbytes < left
               ? (apr_size_t)readbytes : left;
    }
}

/* Modelled on mod_request's kept_body_filter, but it never reads f->next:
 * past the op's body there is only EOS. */
static apr_status_t op_input_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                    ap_input_mode_t mode,
                                    apr_read_type_e block,
                                    apr_off_t readbytes)
{
    op_input_t *in = f->ctx;
    apr_bucket_alloc_t *ba = f->c->bucket_alloc;
    apr_size_t n, left = in->len - in->pos;

    (void)block;
    if (mode == AP_MODE_INIT || mode == AP_MODE_EATCRLF) {
        return APR_SUCCESS;
    }
    if (left == 0) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(ba));
        return APR_SUCCESS;
    }
    n = batch_input_size(in->data + in->pos, left, mode, readbytes);
    /* the body lives in the batch request's pool, beyond the subrequest */
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_immortal_create(
        in->data + in->pos, n, ba));
    if (mode != AP_MODE_SPECULATIVE) {
        in->pos += n;
        if (in->pos == in->len) {
            APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(ba));
        }
    }
    return APR_SUCCESS;
}

void batch_op_input_add(request_rec *rnew, const batch_op_t *op)
{
    op_input_t *in = apr_pcalloc(rnew->pool, sizeof(*in));
    ap_filter_t *f;

    in->data = op->body;
    in->len = op->body ? op->body_len : 0;
    f = ap_add_input_filter_handle(op_input_frec, in, rnew,
                                   rnew->connection);
    /* internal redirects restart input at proto_input_filters: keep them
     * on this filter, never on the batch request's input */
    rnew->proto_input_filters = f;
}

void batch_capture_register(void)
{
    /* the position comes from being the subrequest's next_filter; the
     * type only has to stay below PROTOCOL */
    capture_frec = ap_register_output_filter(CAPTURE_FILTER, capture_filter,
                                             NULL, AP_FTYPE_CONTENT_SET);
    /* RESOURCE: added first, so later RESOURCE filters such as mod_request's
     * KEPT_BODY sit behind it and are never reached (docs/design.md) */
    op_input_frec = ap_register_input_filter(OP_INPUT_FILTER,
                                             op_input_filter, NULL,
                                             AP_FTYPE_RESOURCE);
}
