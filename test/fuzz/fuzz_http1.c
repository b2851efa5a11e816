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
 * libFuzzer: reading back an HTTP/1.1 response (src/batch_http1.c). The
 * first byte says where the rest is cut in two and whether it answers a
 * HEAD; the rest is fed whole to one reader and in two pieces to another,
 * which must agree. A complete response has a status of 3 digits, token
 * header names, and a body within its limit; the limits are never passed.
 */
#include "fuzz.h"
#include "batch_http1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_HEAD 512
#define MAX_BODY 1024

static void check_done(const batch_http1_t *h)
{
    const apr_array_header_t *arr = apr_table_elts(batch_http1_headers(h));
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int i;

    FUZZ_CHECK(batch_http1_status(h) >= 100
               && batch_http1_status(h) <= 999, "a status of 3 digits");
    FUZZ_CHECK(batch_http1_reason(h) != NULL, "a reason");
    for (i = 0; i < arr->nelts; i++) {
        FUZZ_CHECK(batch_is_token(e[i].key), "header names are tokens");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *in;
    size_t cut;
    int head;
    batch_http1_t *whole, *parts;

    if (size < 1) {
        return 0;
    }
    p = fuzz_pool();
    head = data[0] & 1;
    in = fuzz_exact(p, data + 1, size - 1);
    cut = (size - 1) ? (size_t)(data[0] >> 1) % size : 0;
    whole = batch_http1_make(p, MAX_HEAD, MAX_BODY, head);
    parts = batch_http1_make(p, MAX_HEAD, MAX_BODY, head);
    batch_http1_feed(whole, in, size - 1);
    batch_http1_end(whole);
    batch_http1_feed(parts, in, cut);
    batch_http1_feed(parts, in + cut, size - 1 - cut);
    batch_http1_end(parts);
    FUZZ_CHECK(batch_http1_state(whole) == batch_http1_state(parts),
               "pieces read as the whole");
    FUZZ_CHECK(batch_http1_state(whole) != BATCH_HTTP1_MORE,
               "the end of input decides");
    FUZZ_CHECK(batch_http1_body(whole)->len <= MAX_BODY
               && batch_http1_body(parts)->len <= MAX_BODY,
               "the body stays within its limit");
    if (batch_http1_state(whole) == BATCH_HTTP1_DONE) {
        const batch_buf_t *a = batch_http1_body(whole);
        const batch_buf_t *b = batch_http1_body(parts);

        FUZZ_CHECK(batch_http1_status(whole) == batch_http1_status(parts),
                   "the same status");
        FUZZ_CHECK(a->len == b->len
                   && (!a->len || !memcmp(a->data, b->data, a->len)),
                   "the same body");
        check_done(whole);
    }
    else {
        FUZZ_CHECK(batch_http1_error(whole) != NULL, "a refusal says why");
    }
    apr_pool_destroy(p);
    return 0;
}
