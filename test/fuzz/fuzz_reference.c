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
 * libFuzzer: result references (src/batch_reference.c). The input is a template
 * line (a url, header value or body that may hold {result=NAME:PATH}),
 * then the JSON answer every NAME reads. Whatever is found must be where
 * it says; whatever is substituted must still be a sendable url, a header
 * value, and, inside a JSON string body, strict JSON.
 */
#include "fuzz.h"
#include "batch.h"
#include "batch_json.h"
#include "batch_reference.h"
#include "batch_text.h"
#include "batch_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct answer_t {
    const char *body;
    apr_size_t len;
} answer_t;

static const char *answer(void *baton, const char *name, apr_size_t *len)
{
    const answer_t *a = baton;

    (void)name;
    *len = a->len;
    return a->body;
}

static void check_found(apr_pool_t *p, const char *tpl)
{
    const char *why = NULL;
    apr_array_header_t *refs = batch_ref_find(p, tpl, &why);
    int i;

    FUZZ_CHECK(refs || why, "a malformed reference says why");
    for (i = 0; refs && i < refs->nelts; i++) {
        const batch_ref_t *ref = &APR_ARRAY_IDX(refs, i, batch_ref_t);

        FUZZ_CHECK(!strncmp(tpl + ref->offset, ref->text, strlen(ref->text)),
                   "a reference is where it says");
        FUZZ_CHECK(*ref->name && !strpbrk(ref->name, ":}"), "its name");
        FUZZ_CHECK(!batch_ref_path_problem(p, ref->path), "its path");
    }
}

static int url_char_ok(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c <= 0x20 || c >= 0x7f || c == '#' || c == '\\') {
            return 0;
        }
    }
    return 1;
}

static void check_resolved(apr_pool_t *p, const char *tpl, answer_t *a)
{
    batch_op_t op;
    batch_op_t *r;
    json_object *s = batch_json_own(p, json_object_new_string(tpl));
    const char *why = NULL;

    memset(&op, 0, sizeof(op));
    op.id = "op";
    op.method = "POST";
    op.url = apr_pstrcat(p, "/x?", tpl, NULL);
    op.headers = apr_table_make(p, 1);
    apr_table_setn(op.headers, "X-V", tpl);
    op.body = batch_json_text(p, s, &op.body_len);
    op.body_kind = BATCH_BODY_JSON;
    r = batch_ref_resolve_op(p, &op, answer, a, &why);
    if (!r) {
        FUZZ_CHECK(why != NULL, "an unresolved reference says why");
        return;
    }
    if (url_char_ok(op.url)) {
        FUZZ_CHECK(url_char_ok(r->url), "substituted url is sendable");
    }
    if (batch_is_header_value(tpl)) {
        FUZZ_CHECK(batch_is_header_value(apr_table_get(r->headers, "X-V")),
                   "substituted header value is a field value");
    }
    if (batch_utf8_valid(tpl, strlen(tpl))) {
        FUZZ_CHECK(batch_json_valid(r->body, r->body_len),
                   "substituted JSON body is strict JSON");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const uint8_t *nl = memchr(data, '\n', size);
    size_t n = nl ? (size_t)(nl - data) : size;
    const char *tpl = apr_pstrndup(p, (const char *)data, n);
    answer_t a;

    a.len = nl ? size - n - 1 : 0;
    a.body = fuzz_exact(p, nl ? nl + 1 : data, a.len);
    check_found(p, tpl);
    check_resolved(p, tpl, &a);
    apr_pool_destroy(p);
    return 0;
}
