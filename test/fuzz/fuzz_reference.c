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
 * value, and, inside a JSON string body, strict JSON; no substituted field
 * passes its cap, and an operation refused for a cap says which; a value
 * adds no parameter to a urlencoded body and no line to a
 * multipart/form-data one.
 */
#include "fuzz.h"
#include "batch.h"
#include "batch_json.h"
#include "batch_reference.h"
#include "batch_text.h"
#include "batch_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small caps, so that substitutions pass them often. */
#define CAP_URL 96
#define CAP_FIELD 96
#define CAP_BODY 256
#define BUDGET 512

typedef struct answer_t {
    apr_pool_t *pool;
    const char *body;
    apr_size_t len;
} answer_t;

/* Every name reads the one answer, for the reference's path, with the
 * largest cap, as the executor reads it. */
static const batch_ref_value_t *value(void *baton, const batch_ref_t *ref)
{
    const answer_t *a = baton;
    apr_array_header_t *paths = apr_array_make(a->pool, 1,
                                               sizeof(const char *));
    apr_hash_t *values;
    apr_size_t kept;

    APR_ARRAY_PUSH(paths, const char *) = ref->path;
    values = batch_ref_read_answer(a->pool, a->body, a->len, paths, CAP_BODY,
                                   BUDGET, &kept);
    FUZZ_CHECK(kept <= BUDGET, "kept values stay within the budget");
    return values ? apr_hash_get(values, ref->path, APR_HASH_KEY_STRING)
                  : NULL;
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

/* An operation that cannot run says why, with the status of the limit it
 * names. */
static void check_refusal(const batch_error_t *err)
{
    FUZZ_CHECK(err && err->message, "an unresolved operation says why");
    FUZZ_CHECK((err->status == 424
                && !strcmp(err->code, BATCH_E_UNRESOLVED_REFERENCE))
               || (err->status == 414
                   && !strcmp(err->code, BATCH_E_URL_TOO_LONG))
               || (err->status == 400
                   && !strcmp(err->code, BATCH_E_INVALID_HEADER))
               || (err->status == 413
                   && !strcmp(err->code, BATCH_E_BODY_TOO_LARGE))
               || (err->status == 503
                   && !strcmp(err->code, BATCH_E_MEMORY)),
               "a refusal has the status of the limit it names");
}

/* How often c occurs in s (len bytes). */
static apr_size_t count(const char *s, apr_size_t len, char c)
{
    apr_size_t n = 0, i;

    for (i = 0; i < len; i++) {
        n += s[i] == c;
    }
    return n;
}

/* How often c occurs in tpl outside its references. */
static apr_size_t count_outside_refs(apr_pool_t *p, const char *tpl, char c)
{
    const char *why = NULL;
    apr_array_header_t *refs = batch_ref_find(p, tpl, &why);
    apr_size_t n = 0, from = 0;
    int r;

    for (r = 0; refs && r < refs->nelts; r++) {
        const batch_ref_t *ref = &APR_ARRAY_IDX(refs, r, batch_ref_t);

        n += count(tpl + from, ref->offset - from, c);
        from = ref->offset + strlen(ref->text);
    }
    return n + count(tpl + from, strlen(tpl) - from, c);
}

static void check_resolved(apr_pool_t *p, const char *tpl, answer_t *a)
{
    batch_limits_t limits = { 0 };
    batch_op_t op;
    batch_op_t *r;
    json_object *s = batch_json_own(p, json_object_new_string(tpl));
    batch_error_t *err = NULL;

    limits.max_target = CAP_URL;
    limits.max_header_size = CAP_FIELD;
    limits.max_body = CAP_BODY;
    memset(&op, 0, sizeof(op));
    op.id = "op";
    op.method = "POST";
    op.url = apr_pstrcat(p, "/x?", tpl, NULL);
    op.headers = apr_table_make(p, 1);
    apr_table_setn(op.headers, "X-V", tpl);
    op.body = batch_json_text(p, s, &op.body_len);
    op.body_kind = BATCH_BODY_JSON;
    r = batch_ref_resolve_op(p, &op, &limits, value, a, &err);
    if (!r) {
        check_refusal(err);
        return;
    }
    FUZZ_CHECK(!batch_ref_any(op.url) || strlen(r->url) <= CAP_URL,
               "a substituted url stays within LimitRequestLine");
    FUZZ_CHECK(!batch_ref_any(tpl)
               || strlen(apr_table_get(r->headers, "X-V")) + 5 <= CAP_FIELD,
               "a substituted header stays within LimitRequestFieldSize");
    FUZZ_CHECK(!batch_ref_any(op.body) || r->body_len <= CAP_BODY,
               "a substituted body stays within the body limit");
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

/* tpl as a form body, urlencoded or multipart/form-data, substituted. */
static void check_form_body(apr_pool_t *p, const char *tpl, answer_t *a,
                            int urlencoded)
{
    const char *ctype = urlencoded ? "application/x-www-form-urlencoded"
                                   : "multipart/form-data; boundary=b";
    batch_limits_t limits = { 0 };
    batch_op_t op;
    batch_op_t *r;
    batch_error_t *err = NULL;

    limits.max_body = CAP_BODY;
    memset(&op, 0, sizeof(op));
    op.id = "op";
    op.method = "POST";
    op.url = "/x";
    op.headers = apr_table_make(p, 1);
    apr_table_setn(op.headers, "Content-Type", ctype);
    op.body = tpl;
    op.body_len = strlen(tpl);
    r = batch_ref_resolve_op(p, &op, &limits, value, a, &err);
    if (!r) {
        check_refusal(err);
        return;
    }
    FUZZ_CHECK(count(r->body, r->body_len, '\n')
               == count_outside_refs(p, tpl, '\n')
               && count(r->body, r->body_len, '\r')
                  == count_outside_refs(p, tpl, '\r'),
               "a value adds no line to a form body");
    FUZZ_CHECK(!urlencoded || (count(r->body, r->body_len, '&')
                               == count_outside_refs(p, tpl, '&')
                               && count(r->body, r->body_len, '=')
                                  == count_outside_refs(p, tpl, '=')),
               "a value adds no parameter to a urlencoded body");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const uint8_t *nl = memchr(data, '\n', size);
    size_t n = nl ? (size_t)(nl - data) : size;
    const char *tpl = apr_pstrndup(p, (const char *)data, n);
    answer_t a;

    a.pool = p;
    a.len = nl ? size - n - 1 : 0;
    a.body = fuzz_exact(p, nl ? nl + 1 : data, a.len);
    check_found(p, tpl);
    check_resolved(p, tpl, &a);
    check_form_body(p, tpl, &a, 1);
    check_form_body(p, tpl, &a, 0);
    apr_pool_destroy(p);
    return 0;
}
