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
 * libFuzzer: both emitters on answers made from the input, as a handler
 * could send them (any status, reason, headers, content type and body),
 * for one to three operations, some in a change set. The aggregate must be
 * strict JSON / well-formed multipart whatever the answer held, within the
 * contract of batch_result_t (no header httpd would refuse to send).
 */
#include "fuzz.h"
#include "batch.h"
#include "batch_text.h"
#include "batch_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct reader_t {
    const uint8_t *data;
    size_t size;
} reader_t;

static unsigned take_byte(reader_t *rd)
{
    unsigned b = 0;

    if (rd->size) {
        b = *rd->data++;
        rd->size--;
    }
    return b;
}

/* A string up to the next 0xff byte; a NUL ends it early (C strings). */
static const char *take_string(apr_pool_t *p, reader_t *rd)
{
    const uint8_t *end = memchr(rd->data, 0xff, rd->size);
    size_t n = end ? (size_t)(end - rd->data) : rd->size;
    const char *s = apr_pstrndup(p, (const char *)rd->data, n);

    rd->data += end ? n + 1 : n;
    rd->size -= end ? n + 1 : n;
    return s;
}

static const char *const content_types[] = {
    NULL, "application/json", "text/plain", "application/problem+json",
    "application/octet-stream"
};

static batch_result_t *answer_from(apr_pool_t *p, reader_t *rd)
{
    batch_result_t *res = apr_pcalloc(p, sizeof(*res));
    unsigned nheaders, i;

    res->status = 100 + (int)((take_byte(rd) << 8 | take_byte(rd)) % 500);
    res->reason = take_string(p, rd);
    if (!batch_is_header_value(res->reason)) {
        res->reason = "";
    }
    res->content_type = content_types[take_byte(rd) % 5];
    res->headers = apr_table_make(p, 4);
    if (res->content_type) {
        apr_table_set(res->headers, "Content-Type", res->content_type);
    }
    nheaders = take_byte(rd) % 4;
    for (i = 0; i < nheaders; i++) {
        const char *name = take_string(p, rd);

        apr_table_add(res->headers, name, take_string(p, rd));
        if (batch_first_bad_header(res->headers)) {
            /* the executor answers 500 instead (src/mod_batch_subreq.c) */
            apr_table_unset(res->headers, name);
        }
        /* the executor never hands an answer's own Content-Length on
         * (batch_result_t): the emitters write the body's */
        apr_table_unset(res->headers, "Content-Length");
    }
    res->body = take_string(p, rd);
    res->body_len = strlen(res->body);
    return res;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    reader_t rd = { data, size };
    batch_t *batch = apr_pcalloc(p, sizeof(*batch));
    batch_result_t *answers[3];
    unsigned n = 1 + take_byte(&rd) % 3, groups = take_byte(&rd), i;

    batch->ops = apr_array_make(p, 3, sizeof(batch_op_t));
    for (i = 0; i < n; i++) {
        batch_op_t *op = apr_array_push(batch->ops);

        memset(op, 0, sizeof(*op));
        op->index = (int)i;
        op->id = apr_itoa(p, (int)i + 1);
        op->method = groups & (8u << i) ? "HEAD" : "GET";
        op->group = groups & (1u << i) ? "cs1" : NULL;
        op->headers = apr_table_make(p, 1);
        answers[i] = answer_from(p, &rd);
    }
    fuzz_check_json_emitter(p, batch, answers);
    fuzz_check_multipart_emitter(p, batch, answers);
    apr_pool_destroy(p);
    return 0;
}
