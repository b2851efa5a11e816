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
 * The JSON emitter (src/batch_emit_json.c), the error helpers (src/batch_error.c), the
 * format table and media types (src/batch_format.c) and the strict JSON parser
 * they rely on (src/batch_json.c).
 *
 * Every emitted document is checked by a small RFC 8259 checker of its own
 * below, not only by json-c, because json-c accepts more than JSON (NaN,
 * single quotes, raw control characters) and the aggregate is read by
 * clients whose parsers do not.
 */
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <apr_buckets.h>
#include <apr_base64.h>

#include "unit.h"
#include "batch.h"
#include "batch_emit_json.h"
#include "batch_error.h"
#include "batch_format.h"
#include "batch_json.h"
#include "batch_text.h"
#include "batch_validate.h"

/* --- an RFC 8259 checker, independent of json-c --- */

typedef struct strict_t {
    const unsigned char *s;
    const unsigned char *end;
    int depth;
} strict_t;

static int strict_value(strict_t *j);

static void strict_space(strict_t *j)
{
    while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' || *j->s == '\n'
                             || *j->s == '\r')) {
        j->s++;
    }
}

static int strict_eat(strict_t *j, char c)
{
    strict_space(j);
    if (j->s < j->end && *j->s == (unsigned char)c) {
        j->s++;
        return 1;
    }
    return 0;
}

static int strict_literal(strict_t *j, const char *word)
{
    size_t n = strlen(word);

    if ((size_t)(j->end - j->s) < n || memcmp(j->s, word, n)) {
        return 0;
    }
    j->s += n;
    return 1;
}

static int strict_digits(strict_t *j)
{
    const unsigned char *start = j->s;

    while (j->s < j->end && *j->s >= '0' && *j->s <= '9') {
        j->s++;
    }
    return j->s > start;
}

static int strict_number(strict_t *j)
{
    if (j->s < j->end && *j->s == '-') {
        j->s++;
    }
    if (j->s < j->end && *j->s == '0') {
        j->s++;
    }
    else if (!strict_digits(j)) {
        return 0;
    }
    if (j->s < j->end && *j->s == '.') {
        j->s++;
        if (!strict_digits(j)) {
            return 0;
        }
    }
    if (j->s < j->end && (*j->s == 'e' || *j->s == 'E')) {
        j->s++;
        if (j->s < j->end && (*j->s == '+' || *j->s == '-')) {
            j->s++;
        }
        if (!strict_digits(j)) {
            return 0;
        }
    }
    return 1;
}

static int strict_string(strict_t *j)
{
    if (!strict_eat(j, '"')) {
        return 0;
    }
    while (j->s < j->end) {
        unsigned char c = *j->s++;
        int i;

        if (c == '"') {
            return 1;
        }
        if (c < 0x20) {
            return 0;
        }
        if (c != '\\') {
            continue;
        }
        if (j->s >= j->end) {
            return 0;
        }
        c = *j->s++;
        if (c == 'u') {
            for (i = 0; i < 4; i++) {
                if (j->s >= j->end || !apr_isxdigit(*j->s)) {
                    return 0;
                }
                j->s++;
            }
        }
        else if (!strchr("\"\\/bfnrt", c)) {
            return 0;
        }
    }
    return 0;
}

static int strict_members(strict_t *j, char close, int object)
{
    if (strict_eat(j, close)) {
        return 1;
    }
    do {
        if (object && (!strict_string(j) || !strict_eat(j, ':'))) {
            return 0;
        }
        if (!strict_value(j)) {
            return 0;
        }
    } while (strict_eat(j, ','));
    return strict_eat(j, close);
}

static int strict_value(strict_t *j)
{
    unsigned char open;
    int ok;

    strict_space(j);
    if (j->s >= j->end) {
        return 0;
    }
    switch (*j->s) {
    case '{':
    case '[':
        open = *j->s++;
        if (++j->depth > 64) {
            return 0;
        }
        ok = strict_members(j, open == '{' ? '}' : ']', open == '{');
        j->depth--;
        return ok;
    case '"':
        return strict_string(j);
    case 't':
        return strict_literal(j, "true");
    case 'f':
        return strict_literal(j, "false");
    case 'n':
        return strict_literal(j, "null");
    default:
        return strict_number(j);
    }
}

/* Whether text is one RFC 8259 JSON text in valid UTF-8. */
static int strict_json(const char *text, apr_size_t len)
{
    strict_t j = { (const unsigned char *)text,
                   (const unsigned char *)text + len, 0 };

    if (!batch_utf8_valid(text, len) || !strict_value(&j)) {
        return 0;
    }
    strict_space(&j);
    return j.s == j.end;
}

#define STRICT(lit) strict_json((lit), sizeof(lit) - 1)

/* --- helpers --- */

static batch_emit_t *new_emitter(apr_pool_t *p)
{
    batch_emit_t *e = apr_pcalloc(p, sizeof(*e));

    e->pool = p;
    e->bb = apr_brigade_create(p, apr_bucket_alloc_create(p));
    return e;
}

static batch_op_t *new_op(apr_pool_t *p, const char *id)
{
    batch_op_t *op = apr_pcalloc(p, sizeof(*op));

    op->id = id;
    op->method = "GET";
    op->url = op->target = "/";
    op->headers = apr_table_make(p, 1);
    return op;
}

/* A result whose body is an exact-size copy: ASan sees reads past it. */
static batch_result_t *new_result(apr_pool_t *p, int status,
                                  const char *ctype, const char *body,
                                  apr_size_t len)
{
    batch_result_t *res = apr_pcalloc(p, sizeof(*res));

    res->status = status;
    res->headers = apr_table_make(p, 4);
    if (ctype) {
        res->content_type = ctype;
        apr_table_setn(res->headers, "Content-Type", ctype);
    }
    if (body) {
        res->body = unit_exact(p, body, len);
        res->body_len = len;
    }
    return res;
}

#define RESULT(p, status, ctype, lit) \
    new_result((p), (status), (ctype), (lit), sizeof(lit) - 1)

/* The brigade's text, NUL-terminated; fails unless it is strict JSON. */
static const char *emitted(apr_pool_t *p, batch_emit_t *e, apr_size_t *len)
{
    char *flat;
    apr_size_t n;

    assert_int_equal(apr_brigade_pflatten(e->bb, &flat, &n, p),
                     APR_SUCCESS);
    if (!strict_json(flat, n)) {
        fail_msg("not strict JSON: %.*s", (int)n, flat);
    }
    if (len) {
        *len = n;
    }
    return apr_pstrmemdup(p, flat, n);
}

static json_object *parse_out(apr_pool_t *p, const char *text,
                              apr_size_t len)
{
    json_tokener *tok = json_tokener_new();
    json_object *obj;

    assert_non_null(tok);
    obj = json_tokener_parse_ex(tok, text, (int)len);
    json_tokener_free(tok);
    if (!obj) {
        fail_msg("json-c cannot parse: %s", text);
    }
    return batch_json_own(p, obj);
}

static json_object *member(json_object *obj, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(obj, key, &v)) {
        fail_msg("no \"%s\" in %s", key, json_object_to_json_string(obj));
    }
    return v;
}

static void assert_no_member(json_object *obj, const char *key)
{
    if (json_object_object_get_ex(obj, key, NULL)) {
        fail_msg("unexpected \"%s\" in %s", key,
                 json_object_to_json_string(obj));
    }
}

static const char *string_member(json_object *obj, const char *key)
{
    json_object *v = member(obj, key);

    assert_true(json_object_is_type(v, json_type_string));
    return json_object_get_string(v);
}

/* The responses array of a whole emitted document. */
static json_object *responses(apr_pool_t *p, const char *text,
                              apr_size_t len)
{
    json_object *doc = parse_out(p, text, len);
    json_object *arr;

    assert_true(json_object_is_type(doc, json_type_object));
    assert_int_equal(json_object_object_length(doc), 1);
    arr = member(doc, "responses");
    assert_true(json_object_is_type(arr, json_type_array));
    return arr;
}

/* Emits one result for op "1"; its entry, and the raw text in *raw. */
static json_object *emit_one(apr_pool_t *p, const batch_result_t *res,
                             const char **raw)
{
    batch_emit_t *e = new_emitter(p);
    json_object *arr;
    const char *text;
    apr_size_t len;

    assert_int_equal(batch_emit_json_begin(e), APR_SUCCESS);
    assert_int_equal(batch_emit_json_result(e, new_op(p, "1"), res),
                     APR_SUCCESS);
    assert_int_equal(batch_emit_json_end(e), APR_SUCCESS);
    text = emitted(p, e, &len);
    if (raw) {
        *raw = text;
    }
    arr = responses(p, text, len);
    assert_int_equal(json_object_array_length(arr), 1);
    return json_object_array_get_idx(arr, 0);
}

/* The entry's body as a string, with its length. */
static const char *body_string(json_object *entry, apr_size_t *len)
{
    json_object *body = member(entry, "body");

    assert_true(json_object_is_type(body, json_type_string));
    *len = (apr_size_t)json_object_get_string_len(body);
    return json_object_get_string(body);
}

static void assert_body_string(json_object *entry, const char *want,
                               apr_size_t want_len)
{
    apr_size_t len;
    const char *s = body_string(entry, &len);

    assert_no_member(entry, "bodyEncoding");
    assert_int_equal(len, want_len);
    assert_memory_equal(s, want, len);
}

static void assert_body_base64(apr_pool_t *p, json_object *entry,
                               const char *want, apr_size_t want_len)
{
    apr_size_t len;
    const char *s = body_string(entry, &len);
    char *bytes;
    int n;

    assert_string_equal(string_member(entry, "bodyEncoding"), "base64");
    bytes = apr_palloc(p, apr_base64_decode_len(s));
    n = apr_base64_decode_binary((unsigned char *)bytes, s);
    assert_int_equal(n, want_len);
    assert_memory_equal(bytes, want, want_len);
    assert_int_equal(len % 4, 0);
}

/* --- the envelope --- */

static void test_zero_results(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);

    batch_emit_json_begin(e);
    batch_emit_json_end(e);
    assert_string_equal(emitted(p, e, NULL), "{\"responses\":[]}");
    assert_int_equal(e->written, 0);
}

static void test_response_type(void **state)
{
    assert_string_equal(batch_emit_json_type(new_emitter(UNIT_POOL(state))),
                        "application/json");
}

static void test_id_and_status(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 404, NULL, ""), NULL);
    json_object *status = member(entry, "status");

    assert_string_equal(string_member(entry, "id"), "1");
    assert_true(json_object_is_type(status, json_type_int));
    assert_int_equal(json_object_get_int(status), 404);
}

static void test_exact_output(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *raw;

    emit_one(p, RESULT(p, 201, "application/json", "{\"id\":7}"), &raw);
    assert_string_equal(raw, "{\"responses\":[{\"id\":\"1\",\"status\":201,"
                        "\"headers\":{\"Content-Type\":\"application/json\"},"
                        "\"body\":{\"id\":7}}]}");
}

static void test_several_results_in_order(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    static const char *const ids[] = { "a", "b", "c" };
    json_object *arr;
    const char *text;
    apr_size_t len;
    int i;

    batch_emit_json_begin(e);
    for (i = 0; i < 3; i++) {
        batch_emit_json_result(e, new_op(p, ids[i]),
                               RESULT(p, 200 + i, "text/plain", "x"));
    }
    batch_emit_json_end(e);
    assert_int_equal(e->written, 3);
    text = emitted(p, e, &len);
    assert_contains(text, "},{\"id\":\"b\"");
    arr = responses(p, text, len);
    assert_int_equal(json_object_array_length(arr), 3);
    for (i = 0; i < 3; i++) {
        json_object *entry = json_object_array_get_idx(arr, i);

        assert_string_equal(string_member(entry, "id"), ids[i]);
        assert_int_equal(json_object_get_int(member(entry, "status")),
                         200 + i);
    }
}

static void test_atomicity_group_echoed(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    batch_op_t *op = new_op(p, "g1");
    json_object *arr;
    const char *text;
    apr_size_t len;

    op->group = "group1";
    batch_emit_json_begin(e);
    batch_emit_json_result(e, op, RESULT(p, 204, NULL, ""));
    batch_emit_json_result(e, new_op(p, "x"), RESULT(p, 204, NULL, ""));
    batch_emit_json_end(e);
    text = emitted(p, e, &len);
    arr = responses(p, text, len);
    assert_string_equal(string_member(json_object_array_get_idx(arr, 0),
                                      "atomicityGroup"), "group1");
    assert_no_member(json_object_array_get_idx(arr, 1), "atomicityGroup");
}

/* --- bodies --- */

static void test_json_body_embedded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *raw;
    json_object *entry = emit_one(p, RESULT(p, 200, "application/json",
                                            "{\"a\":[1,2],\"b\":\"x/y\"}"),
                                  &raw);
    json_object *body = member(entry, "body");

    assert_true(json_object_is_type(body, json_type_object));
    assert_string_equal(string_member(body, "b"), "x/y");
    assert_contains(raw, ",\"body\":{\"a\":[1,2],\"b\":\"x/y\"}}");
    assert_no_member(entry, "bodyEncoding");
}

static void test_problem_json_embedded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 404,
                                            "application/problem+json",
                                            "{\"title\":\"Not Found\"}"),
                                  NULL);

    assert_string_equal(string_member(member(entry, "body"), "title"),
                        "Not Found");
}

static void test_json_type_with_parameters_embedded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 200, "Application/JSON; "
                                            "charset=utf-8", "[1,\"a\"]"),
                                  NULL);

    assert_true(json_object_is_type(member(entry, "body"),
                                    json_type_array));
}

static void test_json_body_blanks_trimmed(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *raw;

    emit_one(p, RESULT(p, 200, "application/json", " \r\n\t{\"a\": 1}\n \t"),
             &raw);
    /* the inside is kept as written; only the outside blanks go */
    assert_contains(raw, ",\"body\":{\"a\": 1}}]}");
}

static void test_json_string_body_not_double_encoded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 200, "application/json",
                                            "\"just text\""), NULL);

    assert_body_string(entry, "just text", 9);
}

static void test_invalid_json_is_string(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 500, "application/json",
                                            "{oops"), NULL);

    assert_body_string(entry, "{oops", 5);
}

static void test_truncated_json_is_string(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 200, "application/json",
                                            "{\"a\":[1,"), NULL);

    assert_body_string(entry, "{\"a\":[1,", 8);
}

static void test_json_body_with_trailing_data_is_string(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 200, "application/json",
                                            "{} {}"), NULL);

    assert_body_string(entry, "{} {}", 5);
}

static void test_json_text_with_text_type_is_string(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 200, "text/plain",
                                            "{\"a\":1}"), NULL);

    assert_body_string(entry, "{\"a\":1}", 7);
}

static void test_text_body_escaped(void **state)
{
    static const char body[] = "a\"b\\c\nd\te\x01" "f\r\x1f";
    apr_pool_t *p = UNIT_POOL(state);
    const char *raw;
    json_object *entry = emit_one(p, RESULT(p, 200, "text/plain", body),
                                  &raw);

    assert_body_string(entry, body, sizeof(body) - 1);
    assert_contains(raw, "\"body\":\"a\\\"b\\\\c\\nd\\te\\u0001f\\r\\u001f\"");
}

static void test_slash_not_escaped(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *raw;

    emit_one(p, RESULT(p, 200, "text/html", "<p>a/b</p>"), &raw);
    assert_contains(raw, "\"body\":\"<p>a/b</p>\"");
}

static void test_text_body_with_nul(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *raw;
    json_object *entry = emit_one(p, RESULT(p, 200, "text/plain", "a\0b"),
                                  &raw);

    assert_body_string(entry, "a\0b", 3);
    assert_contains(raw, "a\\u0000b");
}

static void test_text_body_utf8_kept(void **state)
{
    static const char body[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 200, "text/plain", body),
                                  NULL);

    assert_body_string(entry, body, sizeof(body) - 1);
}

static void test_body_without_content_type_is_string(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 200, NULL, "[1]"), NULL);

    assert_body_string(entry, "[1]", 3);
}

static void test_invalid_utf8_is_base64(void **state)
{
    static const char body[] = "\xff\xfe\x00\x01" "abc\x80";
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 200,
                                            "application/octet-stream",
                                            body), NULL);

    assert_body_base64(p, entry, body, sizeof(body) - 1);
}

static void test_invalid_utf8_json_type_is_base64(void **state)
{
    static const char body[] = "{\"a\":\"\xe9\"}";
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 200, "application/json",
                                            body), NULL);

    assert_body_base64(p, entry, body, sizeof(body) - 1);
}

static void test_base64_every_padding(void **state)
{
    static const char bytes[] = "\x80\x81\x82\x83\x84";
    apr_pool_t *p = UNIT_POOL(state);
    apr_size_t n;

    for (n = 1; n <= 5; n++) {
        json_object *entry = emit_one(p, new_result(p, 200, "image/png",
                                                    bytes, n), NULL);

        assert_body_base64(p, entry, bytes, n);
    }
}

static void test_empty_body_has_no_body(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 204, "application/json", ""),
                                  NULL);

    assert_no_member(entry, "body");
    assert_no_member(entry, "bodyEncoding");
    entry = emit_one(p, new_result(p, 200, "text/plain", NULL, 0), NULL);
    assert_no_member(entry, "body");
}

static void test_large_text_body(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    apr_size_t n = 1024 * 1024;
    char *big = apr_palloc(p, n);
    apr_size_t len;
    json_object *entry;

    memset(big, 'x', n);
    big[n / 2] = '\n';
    entry = emit_one(p, new_result(p, 200, "text/plain", big, n), NULL);
    body_string(entry, &len);
    assert_int_equal(len, n);
}

/* json-c escapes long strings a slice at a time: escapes and multi-byte
 * characters on either side of a slice's end come out whole. */
static void test_escaped_text_across_slices(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    apr_size_t n = 50000, at[] = { 16382, 16383, 16384, 32767, 32768 };
    char *text = apr_palloc(p, n);
    const char *got;
    apr_size_t i, len;
    json_object *entry;

    memset(text, 'a', n);
    for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        text[at[i]] = i % 2 ? '"' : '\n';
    }
    memcpy(text + 16380, "\xc3\xa9", 2);        /* e acute */
    memcpy(text + 49000, "\\\t\x01", 3);
    entry = emit_one(p, new_result(p, 200, "text/plain", text, n), NULL);
    got = body_string(entry, &len);
    assert_int_equal(len, n);
    assert_memory_equal(got, text, n);
}

typedef struct sink_t {
    apr_pool_t *pool;
    apr_bucket_brigade *out;    /* what was passed on */
    int calls;
} sink_t;

static apr_status_t sink_flush(apr_bucket_brigade *bb, void *ctx)
{
    sink_t *sink = ctx;
    apr_bucket *b;

    sink->calls++;
    /* a transient bucket must be set aside, as a real filter would */
    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        assert_int_equal(apr_bucket_setaside(b, sink->pool), APR_SUCCESS);
    }
    APR_BRIGADE_CONCAT(sink->out, bb);
    return APR_SUCCESS;
}

/* A long answer goes on through the flush as it is written, rather than
 * piling up in the brigade; the output is the same. */
static void test_long_body_passed_on_while_written(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    apr_size_t n = 1024 * 1024, len;
    char *big = apr_palloc(p, n);
    batch_emit_t *e = new_emitter(p);
    sink_t sink = { p, apr_brigade_create(p, e->bb->bucket_alloc), 0 };
    apr_off_t held;
    json_object *arr, *entry;
    const char *got;
    char *flat;

    memset(big, 'y', n);
    big[1000] = '\n';
    e->flush = sink_flush;
    e->flush_ctx = &sink;
    assert_int_equal(batch_emit_json_begin(e), APR_SUCCESS);
    assert_int_equal(batch_emit_json_result(
        e, new_op(p, "1"), new_result(p, 200, "text/plain", big, n)),
        APR_SUCCESS);
    assert_int_equal(apr_brigade_length(e->bb, 1, &held), APR_SUCCESS);
    assert_true(held < 64 * 1024);
    assert_true(sink.calls >= 16);
    assert_int_equal(batch_emit_json_end(e), APR_SUCCESS);
    APR_BRIGADE_CONCAT(sink.out, e->bb);
    assert_int_equal(apr_brigade_pflatten(sink.out, &flat, &len, p),
                     APR_SUCCESS);
    arr = responses(p, flat, len);
    entry = json_object_array_get_idx(arr, 0);
    got = body_string(entry, &len);
    assert_int_equal(len, n);
    assert_memory_equal(got, big, n);
}

static void test_result_error_embedded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, batch_result_error(
                                      p, 424, "Failed Dependency",
                                      BATCH_E_FAILED_DEP, "dependency 2 "
                                      "failed"), NULL);
    json_object *error = member(member(entry, "body"), "error");

    assert_int_equal(json_object_get_int(member(entry, "status")), 424);
    assert_string_equal(string_member(error, "code"), "failed_dependency");
    assert_string_equal(string_member(error, "message"),
                        "dependency 2 failed");
}

/* Bodies a JSON content type claims, which are not JSON to a strict
 * reader; emit_one fails unless the whole document stays strict JSON. */
static void test_json_body_nan_not_embedded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_body_string(emit_one(p, RESULT(p, 200, "application/json",
                                          "[NaN]"), NULL), "[NaN]", 5);
}

static void test_json_body_single_quotes_not_embedded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_body_string(emit_one(p, RESULT(p, 200, "application/json",
                                          "{'a':1}"), NULL), "{'a':1}", 7);
}

static void test_json_body_raw_newline_not_embedded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_body_string(emit_one(p, RESULT(p, 200, "application/json",
                                          "{\"a\":\"x\ny\"}"), NULL),
                       "{\"a\":\"x\ny\"}", 11);
}

static void test_json_body_bad_numbers_not_embedded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_body_string(emit_one(p, RESULT(p, 200, "application/json",
                                          "[1.]"), NULL), "[1.]", 4);
    assert_body_string(emit_one(p, RESULT(p, 200, "application/json",
                                          "[-01]"), NULL), "[-01]", 5);
}

static void test_json_body_overlong_utf8_not_embedded(void **state)
{
    static const char body[] = "[\"\xc0\xaf\"]";
    apr_pool_t *p = UNIT_POOL(state);

    assert_body_base64(p, emit_one(p, RESULT(p, 200, "application/json",
                                             body), NULL),
                       body, sizeof(body) - 1);
}

static void test_json_scalar_body_embedded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry;

    entry = emit_one(p, RESULT(p, 200, "application/json", "42"), NULL);
    assert_true(json_object_is_type(member(entry, "body"), json_type_int));
    entry = emit_one(p, RESULT(p, 200, "application/json", "true"), NULL);
    assert_true(json_object_is_type(member(entry, "body"),
                                    json_type_boolean));
}

/* --- headers --- */

static void test_headers_names_as_given(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = RESULT(p, 201, "application/json", "{}");
    json_object *headers;

    apr_table_add(res->headers, "Location", "/products/7");
    apr_table_add(res->headers, "x-lower", "1");
    apr_table_add(res->headers, "X-MiXeD", "2");
    headers = member(emit_one(p, res, NULL), "headers");
    assert_int_equal(json_object_object_length(headers), 4);
    assert_string_equal(string_member(headers, "Content-Type"),
                        "application/json");
    assert_string_equal(string_member(headers, "Location"), "/products/7");
    assert_string_equal(string_member(headers, "x-lower"), "1");
    assert_string_equal(string_member(headers, "X-MiXeD"), "2");
}

static void test_no_headers_is_empty_object(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = RESULT(p, 200, NULL, "");
    json_object *headers;

    res->headers = NULL;
    headers = member(emit_one(p, res, NULL), "headers");
    assert_true(json_object_is_type(headers, json_type_object));
    assert_int_equal(json_object_object_length(headers), 0);
}

static void test_repeated_headers_joined(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = RESULT(p, 200, NULL, "");
    json_object *headers;

    apr_table_add(res->headers, "Vary", "Accept");
    apr_table_add(res->headers, "X-Other", "x");
    apr_table_add(res->headers, "Vary", "Origin");
    apr_table_add(res->headers, "Vary", "Cookie");
    headers = member(emit_one(p, res, NULL), "headers");
    assert_string_equal(string_member(headers, "Vary"),
                        "Accept, Origin, Cookie");
    assert_string_equal(string_member(headers, "X-Other"), "x");
}

/* "headers" keeps the joined string that string-reading clients expect;
 * setCookies keeps each cookie, whose Expires date holds ", " */
static void test_set_cookies_kept_apart(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = RESULT(p, 200, NULL, "");
    json_object *entry, *cookies;

    apr_table_add(res->headers, "Set-Cookie",
                  "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT");
    apr_table_add(res->headers, "X-Other", "x");
    apr_table_add(res->headers, "set-cookie", "b=2");
    entry = emit_one(p, res, NULL);
    assert_string_equal(string_member(member(entry, "headers"),
                                      "Set-Cookie"),
                        "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT, b=2");
    cookies = member(entry, "setCookies");
    assert_true(json_object_is_type(cookies, json_type_array));
    assert_int_equal(json_object_array_length(cookies), 2);
    assert_string_equal(json_object_get_string(
        json_object_array_get_idx(cookies, 0)),
        "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT");
    assert_string_equal(json_object_get_string(
        json_object_array_get_idx(cookies, 1)), "b=2");
}

static void test_no_set_cookies_member_without_cookies(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *entry = emit_one(p, RESULT(p, 200, "text/plain", "x"),
                                  NULL);

    assert_false(json_object_object_get_ex(entry, "setCookies", NULL));
}

static void test_header_value_escaped(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = RESULT(p, 200, NULL, "");

    apr_table_add(res->headers, "ETag", "W/\"a\\b\"");
    assert_string_equal(string_member(member(emit_one(p, res, NULL),
                                             "headers"), "ETag"),
                        "W/\"a\\b\"");
}

static void test_latin1_header_value_to_utf8(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = RESULT(p, 200, NULL, "");
    json_object *headers;

    apr_table_add(res->headers, "X-L1", "caf\xe9");
    apr_table_add(res->headers, "X-High", "\x80\xff");
    headers = member(emit_one(p, res, NULL), "headers");
    assert_string_equal(string_member(headers, "X-L1"), "caf\xc3\xa9");
    assert_string_equal(string_member(headers, "X-High"), "\xc2\x80\xc3\xbf");
}

static void test_utf8_header_value_kept(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = RESULT(p, 200, NULL, "");

    apr_table_add(res->headers, "X-U", "caf\xc3\xa9 \xe2\x82\xac");
    assert_string_equal(string_member(member(emit_one(p, res, NULL),
                                             "headers"), "X-U"),
                        "caf\xc3\xa9 \xe2\x82\xac");
}

static void test_repeated_latin1_header_not_double_encoded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = RESULT(p, 200, NULL, "");

    apr_table_add(res->headers, "X-L1", "caf\xe9");
    apr_table_add(res->headers, "X-L1", "caf\xe9");
    assert_string_equal(string_member(member(emit_one(p, res, NULL),
                                             "headers"), "X-L1"),
                        "caf\xc3\xa9, caf\xc3\xa9");
}

/* --- src/batch_error.c --- */

static void test_error_make(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = batch_error_make(p, 413, BATCH_E_TOO_MANY, "op",
                                          "n=%d s=%s", 5, "y");

    assert_int_equal(err->status, 413);
    assert_string_equal(err->code, "too_many_operations");
    assert_string_equal(err->operation, "op");
    assert_string_equal(err->message, "n=5 s=y");
}

static void test_op_where(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *op = new_op(p, "abc");

    assert_string_equal(batch_op_where(p, op), "abc");
    op->id = NULL;
    op->index = 3;
    assert_string_equal(batch_op_where(p, op), "requests[3]");
}

static json_object *error_of(apr_pool_t *p, const batch_error_t *err)
{
    const char *text = batch_error_json(p, err);
    json_object *doc, *inner;

    assert_non_null(text);
    if (!strict_json(text, strlen(text))) {
        fail_msg("not strict JSON: %s", text);
    }
    doc = parse_out(p, text, strlen(text));
    assert_int_equal(json_object_object_length(doc), 1);
    inner = member(doc, "error");
    assert_true(json_object_is_type(inner, json_type_object));
    return inner;
}

static void test_error_json_with_operation(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *e = error_of(p, batch_error_make(
                                  p, 400, BATCH_E_INVALID_URL, "op-7",
                                  "url of operation op-7 is empty"));

    assert_int_equal(json_object_object_length(e), 3);
    assert_string_equal(string_member(e, "code"), "invalid_url");
    assert_string_equal(string_member(e, "message"),
                        "url of operation op-7 is empty");
    assert_string_equal(string_member(e, "operation"), "op-7");
}

static void test_error_json_without_operation(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *e = error_of(p, batch_error_make(
                                  p, 400, BATCH_E_INVALID_JSON, NULL,
                                  "the batch is not valid JSON"));

    assert_int_equal(json_object_object_length(e), 2);
    assert_string_equal(string_member(e, "code"), "invalid_json");
    assert_no_member(e, "operation");
}

static void test_error_json_escapes(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = batch_error_make(p, 400, BATCH_E_INVALID_HEADER,
                                          "a\"b", "header \"X\\Y\"\n a/b");
    json_object *e = error_of(p, err);

    assert_string_equal(string_member(e, "message"),
                        "header \"X\\Y\"\n a/b");
    assert_string_equal(string_member(e, "operation"), "a\"b");
    assert_contains(batch_error_json(p, err), "a/b");
}

/* A multipart Content-ID, URL or header name may hold any byte; the
 * error body stays UTF-8 JSON. */
static void test_error_json_invalid_utf8_replaced(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *e = error_of(p, batch_error_make(
                                  p, 400, BATCH_E_METHOD, "<\xff>",
                                  "method G\xc0\xafT of caf\xc3\xa9 \xe2\x82"));

    assert_string_equal(string_member(e, "message"),
                        "method G\xef\xbf\xbd\xef\xbf\xbdT of caf\xc3\xa9 "
                        "\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(string_member(e, "operation"), "<\xef\xbf\xbd>");
}

static void test_result_error_invalid_utf8_replaced(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = batch_result_error(p, 508, "Loop Detected",
                                             BATCH_E_LOOP, "operation <\xff>");

    assert_true(strict_json(res->body, res->body_len));
    assert_contains(res->body, "<\xef\xbf\xbd>");
}

static void test_result_error(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = batch_result_error(p, 502, "Bad Gateway",
                                             BATCH_E_RESPONSE_TOO_LARGE,
                                             "the answer is \"too\" big");
    json_object *doc, *e;

    assert_int_equal(res->status, 502);
    assert_string_equal(res->reason, "Bad Gateway");
    assert_string_equal(res->content_type, "application/json");
    assert_non_null(res->headers);
    assert_string_equal(apr_table_get(res->headers, "Content-Type"),
                        "application/json");
    assert_non_null(res->body);
    assert_int_equal(res->body_len, strlen(res->body));
    assert_true(strict_json(res->body, res->body_len));
    doc = parse_out(p, res->body, res->body_len);
    e = member(doc, "error");
    assert_string_equal(string_member(e, "code"), "response_too_large");
    assert_string_equal(string_member(e, "message"),
                        "the answer is \"too\" big");
    assert_no_member(e, "operation");
}

/* --- src/batch_format.c --- */

static void test_media_type(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(batch_media_type(p, "application/json"),
                        "application/json");
    assert_string_equal(batch_media_type(p, "Application/JSON; "
                                         "charset=UTF-8"),
                        "application/json");
    assert_string_equal(batch_media_type(p, " \ttext/plain ;x=1"),
                        "text/plain");
    assert_string_equal(batch_media_type(p, "multipart/mixed;boundary=b"),
                        "multipart/mixed");
    assert_string_equal(batch_media_type(p, ""), "");
    assert_null(batch_media_type(p, NULL));
}

static void test_media_type_is_json(void **state)
{
    (void)state;
    assert_true(batch_media_type_is_json("application/json"));
    assert_true(batch_media_type_is_json("APPLICATION/JSON"));
    assert_true(batch_media_type_is_json("application/problem+json"));
    assert_true(batch_media_type_is_json("application/vnd.api+json"));
    assert_false(batch_media_type_is_json(NULL));
    assert_false(batch_media_type_is_json(""));
    assert_false(batch_media_type_is_json("+json"));
    assert_false(batch_media_type_is_json("text/json"));
    assert_false(batch_media_type_is_json("application/jsonx"));
    assert_false(batch_media_type_is_json("application/json-seq"));
    assert_false(batch_media_type_is_json("application/x-json"));
    assert_false(batch_media_type_is_json("application/json+xml"));
    /* a batch request is application/json alone */
    assert_true(batch_media_type_is_json_batch("application/json"));
    assert_false(batch_media_type_is_json_batch("application/vnd.api+json"));
    assert_false(batch_media_type_is_json_batch("application/jsonx"));
    assert_false(batch_media_type_is_json_batch(NULL));
    assert_false(batch_media_type_is_json("text/plain"));
}

static void test_format_for_json(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_ptr_equal(unit_format_for(p, NULL, "application/json"),
                     UNIT_FORMAT("graph"));
    assert_ptr_equal(unit_format_for(p, NULL,
                                     "application/json; charset=utf-8"),
                     UNIT_FORMAT("graph"));
    assert_ptr_equal(unit_format_for(p, NULL, "Application/Json"),
                     UNIT_FORMAT("graph"));
    assert_ptr_equal(unit_format_for(p, NULL, " application/json"),
                     UNIT_FORMAT("graph"));
}

static void test_format_for_unknown(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_null(unit_format_for(p, NULL, NULL));
    assert_null(unit_format_for(p, NULL, ""));
    assert_null(unit_format_for(p, NULL, "text/plain"));
    assert_null(unit_format_for(p, NULL, "image/png"));
    /* a WAF in front parses only application/json as JSON */
    assert_null(unit_format_for(p, NULL, "application/cloudevents+json"));
    assert_null(unit_format_for(p, NULL, "application/vnd.api+json; x=1"));
}

static void test_request_formats(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_int_equal(batch_request_format("application/json"),
                     BATCH_FORMATS_JSON);
    assert_int_equal(batch_request_format("application/problem+json"), 0);
    assert_int_equal(batch_request_format("multipart/mixed"),
                     BATCH_FORMATS_MULTIPART);
    assert_int_equal(batch_request_format("multipart/form-data"),
                     BATCH_FORMATS_FORM);
    assert_int_equal(batch_request_format(
                         "application/x-www-form-urlencoded"),
                     BATCH_FORMATS_FORM);
    assert_int_equal(batch_request_format("text/plain"), 0);
    assert_int_equal(batch_request_format(NULL), 0);
    assert_int_equal(batch_request_format_named("JSON"), BATCH_FORMATS_JSON);
    assert_int_equal(batch_request_format_named("form"), BATCH_FORMATS_FORM);
    assert_int_equal(batch_request_format_named("xml"), 0);
    assert_string_equal(batch_request_formats_text(p, BATCH_FORMATS_DEFAULT),
                        "json multipart");
    assert_string_equal(batch_request_formats_text(
                            p, BATCH_FORMATS_FORM | BATCH_FORMATS_JSON),
                        "json form");
}

static void test_format_json_table(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const batch_format_t *f = UNIT_FORMAT("graph");

    assert_string_equal(f->name, "graph");
    assert_ptr_equal(unit_format_for(p, NULL, "application/json"), f);
    assert_null(unit_format_for(p, NULL, "text/plain"));
    assert_non_null(f->parse);
    assert_ptr_equal(f->begin, batch_emit_json_begin);
    assert_ptr_equal(f->result, batch_emit_json_result);
    assert_ptr_equal(f->end, batch_emit_json_end);
    assert_string_equal(f->response_type(new_emitter(UNIT_POOL(state))),
                        "application/json");
}

/* --- src/batch_json.c --- */

/* batch_json_parse on an exact-size copy of len bytes of text. */
static json_object *json_parse(apr_pool_t *p, const char *text,
                               apr_size_t len, apr_size_t *where,
                               const char **why)
{
    return batch_json_parse(p, unit_exact(p, text, len), len, where, why);
}

#define JSON_PARSE(p, lit) json_parse((p), (lit), sizeof(lit) - 1, NULL, NULL)
#define JSON_OK(p, lit) assert_non_null(JSON_PARSE((p), (lit)))
#define JSON_BAD(p, lit) assert_null(JSON_PARSE((p), (lit)))

/* Asserts a failure at this offset; the description. */
static const char *json_fails_at(apr_pool_t *p, const char *text,
                                 apr_size_t len, apr_size_t offset)
{
    apr_size_t where = 9999;
    const char *why = NULL;

    assert_null(json_parse(p, text, len, &where, &why));
    assert_int_equal(where, offset);
    assert_non_null(why);
    return why;
}

static void test_json_parse_object(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *obj = JSON_PARSE(p, " {\"a\":[1,{\"b\":null}]} \n");

    assert_non_null(obj);
    assert_true(json_object_is_type(member(obj, "a"), json_type_array));
}

static void test_json_parse_accepts(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    JSON_OK(p, "[]");
    JSON_OK(p, "\"s\"");
    JSON_OK(p, "[-0.5e+10, 1E2, 0, true, false, null]");
    JSON_OK(p, "{\"\\u00e9\\/\\n\":\"\xc3\xa9\"}");
    JSON_OK(p, "[42]");
}

static void test_json_parse_refuses(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    JSON_BAD(p, "");
    JSON_BAD(p, "   ");
    JSON_BAD(p, "[1,]");
    JSON_BAD(p, "{\"a\":1,}");
    JSON_BAD(p, "[01]");
    JSON_BAD(p, "[.5]");
    JSON_BAD(p, "[+1]");
    JSON_BAD(p, "[0x1]");
    JSON_BAD(p, "['a']");
    JSON_BAD(p, "[True]");
    JSON_BAD(p, "/*c*/{}");
    JSON_BAD(p, "[\"\\x\"]");
    JSON_BAD(p, "{\"a\" 1}");
    JSON_BAD(p, "[1 2]");
}

static void test_json_parse_not_json_offset(void **state)
{
    json_fails_at(UNIT_POOL(state), "hello", 5, 0);
    json_fails_at(UNIT_POOL(state), "{\"a\": x}", 8, 6);
}

static void test_json_parse_truncated_offset(void **state)
{
    const char *why = json_fails_at(UNIT_POOL(state), "{\"a\":[1", 7, 7);

    assert_contains(why, "end");
}

static void test_json_parse_trailing_offset(void **state)
{
    json_fails_at(UNIT_POOL(state), "{}x", 3, 2);
}

static void test_json_parse_nul_offset(void **state)
{
    const char *why = json_fails_at(UNIT_POOL(state), "{\"a\":\"b\0\"}", 10,
                                    7);

    assert_contains(why, "NUL");
}

static void test_json_parse_invalid_utf8(void **state)
{
    json_fails_at(UNIT_POOL(state), "[\"ab\xff\"]", 7, 4);
    JSON_BAD(UNIT_POOL(state), "[\"\xc3\"]");
    JSON_BAD(UNIT_POOL(state), "\xef\xbb\xbf{}");
}

static void test_json_parse_null_out_params(void **state)
{
    assert_null(json_parse(UNIT_POOL(state), "{", 1, NULL, NULL));
}

static const char *brackets(apr_pool_t *p, int depth)
{
    char *s = apr_palloc(p, 2 * depth + 1);

    memset(s, '[', depth);
    memset(s + depth, ']', depth);
    s[2 * depth] = '\0';
    return s;
}

static void test_json_parse_depth(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_int_equal(BATCH_JSON_MAX_DEPTH, 32);
    assert_non_null(json_parse(p, brackets(p, 32), 64, NULL, NULL));
    assert_null(json_parse(p, brackets(p, 33), 66, NULL, NULL));
}

static void test_json_valid(void **state)
{
    (void)state;
    assert_true(batch_json_valid("{\"a\":1}", 7));
    assert_false(batch_json_valid("{\"a\":1", 6));
    assert_false(batch_json_valid("", 0));
}

/* An answer with a lone surrogate escape is embedded as a string. */
static void test_json_valid_surrogates(void **state)
{
    (void)state;
    assert_true(batch_json_valid("[\"\\ud83d\\ude00\"]", 16));
    assert_false(batch_json_valid("[\"\\ud83d\"]", 10));
    assert_false(batch_json_valid("[\"\\ude00\"]", 10));
}

/* Duplicate names are the batch parser's concern, not an answer's. */
static void test_json_valid_keeps_duplicate_names(void **state)
{
    (void)state;
    assert_true(batch_json_valid("{\"a\":1,\"a\":2}", 13));
}

static void test_json_text(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *obj = JSON_PARSE(p, "{ \"u\" : \"a/b\", \"n\" : [ 1 , 2 ] }");
    apr_size_t len;
    const char *text;

    assert_non_null(obj);
    text = batch_json_text(p, obj, &len);
    assert_string_equal(text, "{\"u\":\"a/b\",\"n\":[1,2]}");
    assert_int_equal(len, strlen(text));
    assert_string_equal(batch_json_text(p, obj, NULL), text);
}

static void test_json_parse_refuses_nan(void **state)
{
    JSON_BAD(UNIT_POOL(state), "[NaN]");
    JSON_BAD(UNIT_POOL(state), "[Infinity]");
    JSON_BAD(UNIT_POOL(state), "[-Infinity]");
}

static void test_json_parse_refuses_single_quoted_name(void **state)
{
    JSON_BAD(UNIT_POOL(state), "{'a':1}");
}

static void test_json_parse_refuses_bad_numbers(void **state)
{
    JSON_BAD(UNIT_POOL(state), "[1.]");
    JSON_BAD(UNIT_POOL(state), "[-01]");
}

static void test_json_parse_refuses_raw_control(void **state)
{
    JSON_BAD(UNIT_POOL(state), "[\"a\nb\"]");
    JSON_BAD(UNIT_POOL(state), "[\"a\tb\"]");
    JSON_BAD(UNIT_POOL(state), "{\"a\x01\":1}");
}

static void test_json_parse_refuses_bad_utf8(void **state)
{
    JSON_BAD(UNIT_POOL(state), "[\"\xc0\xaf\"]");
    JSON_BAD(UNIT_POOL(state), "[\"\xe0\x80\x80\"]");
    JSON_BAD(UNIT_POOL(state), "[\"\xed\xa0\x80\"]");
    JSON_BAD(UNIT_POOL(state), "[\"\xf4\x90\x80\x80\"]");
}

static void test_json_parse_accepts_scalars(void **state)
{
    JSON_OK(UNIT_POOL(state), "42");
    JSON_OK(UNIT_POOL(state), "true");
}

/* json-c represents the JSON null as NULL, so it reads as a refusal. */
static void test_json_parse_null_document(void **state)
{
    const char *why = NULL;
    apr_size_t where = 99;

    assert_null(batch_json_parse(UNIT_POOL(state), "null", 4, &where, &why));
    assert_contains(why, "null");
}

/* The checker above must itself tell JSON from not-JSON. */
static void test_strict_checker(void **state)
{
    (void)state;
    assert_true(STRICT("{\"a\":[1,-0.5e+3,\"\\u00e9\",true,null,{}]}"));
    assert_true(STRICT(" 42 "));
    assert_true(STRICT("\"\\\"\\/\\b\\f\\n\\r\\t\""));
    assert_false(STRICT("[NaN]"));
    assert_false(STRICT("{'a':1}"));
    assert_false(STRICT("[1.]"));
    assert_false(STRICT("[-01]"));
    assert_false(STRICT("[1e]"));
    assert_false(STRICT("[\"a\nb\"]"));
    assert_false(STRICT("[\"\\x\"]"));
    assert_false(STRICT("[\"\\u12\"]"));
    assert_false(STRICT("[\"\xc0\xaf\"]"));
    assert_false(STRICT("[1,]"));
    assert_false(STRICT("{\"a\"}"));
    assert_false(STRICT("{} {}"));
    assert_false(STRICT("[tru]"));
    assert_false(STRICT("\"open"));
    assert_false(STRICT(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_strict_checker),
        UNIT_TEST(test_zero_results),
        UNIT_TEST(test_response_type),
        UNIT_TEST(test_id_and_status),
        UNIT_TEST(test_exact_output),
        UNIT_TEST(test_several_results_in_order),
        UNIT_TEST(test_atomicity_group_echoed),
        UNIT_TEST(test_json_body_embedded),
        UNIT_TEST(test_problem_json_embedded),
        UNIT_TEST(test_json_type_with_parameters_embedded),
        UNIT_TEST(test_json_body_blanks_trimmed),
        UNIT_TEST(test_json_string_body_not_double_encoded),
        UNIT_TEST(test_invalid_json_is_string),
        UNIT_TEST(test_truncated_json_is_string),
        UNIT_TEST(test_json_body_with_trailing_data_is_string),
        UNIT_TEST(test_json_text_with_text_type_is_string),
        UNIT_TEST(test_text_body_escaped),
        UNIT_TEST(test_slash_not_escaped),
        UNIT_TEST(test_text_body_with_nul),
        UNIT_TEST(test_text_body_utf8_kept),
        UNIT_TEST(test_body_without_content_type_is_string),
        UNIT_TEST(test_invalid_utf8_is_base64),
        UNIT_TEST(test_invalid_utf8_json_type_is_base64),
        UNIT_TEST(test_base64_every_padding),
        UNIT_TEST(test_empty_body_has_no_body),
        UNIT_TEST(test_large_text_body),
        UNIT_TEST(test_escaped_text_across_slices),
        UNIT_TEST(test_long_body_passed_on_while_written),
        UNIT_TEST(test_result_error_embedded),
        UNIT_TEST(test_json_body_nan_not_embedded),
        UNIT_TEST(test_json_body_single_quotes_not_embedded),
        UNIT_TEST(test_json_body_raw_newline_not_embedded),
        UNIT_TEST(test_json_body_bad_numbers_not_embedded),
        UNIT_TEST(test_json_body_overlong_utf8_not_embedded),
        UNIT_TEST(test_json_scalar_body_embedded),
        UNIT_TEST(test_headers_names_as_given),
        UNIT_TEST(test_no_headers_is_empty_object),
        UNIT_TEST(test_repeated_headers_joined),
        UNIT_TEST(test_set_cookies_kept_apart),
        UNIT_TEST(test_no_set_cookies_member_without_cookies),
        UNIT_TEST(test_header_value_escaped),
        UNIT_TEST(test_latin1_header_value_to_utf8),
        UNIT_TEST(test_utf8_header_value_kept),
        UNIT_TEST(test_repeated_latin1_header_not_double_encoded),
        UNIT_TEST(test_error_make),
        UNIT_TEST(test_op_where),
        UNIT_TEST(test_error_json_with_operation),
        UNIT_TEST(test_error_json_without_operation),
        UNIT_TEST(test_error_json_escapes),
        UNIT_TEST(test_error_json_invalid_utf8_replaced),
        UNIT_TEST(test_result_error_invalid_utf8_replaced),
        UNIT_TEST(test_result_error),
        UNIT_TEST(test_media_type),
        UNIT_TEST(test_media_type_is_json),
        UNIT_TEST(test_format_for_json),
        UNIT_TEST(test_format_for_unknown),
        UNIT_TEST(test_request_formats),
        UNIT_TEST(test_format_json_table),
        UNIT_TEST(test_json_parse_object),
        UNIT_TEST(test_json_parse_accepts),
        UNIT_TEST(test_json_parse_refuses),
        UNIT_TEST(test_json_parse_not_json_offset),
        UNIT_TEST(test_json_parse_truncated_offset),
        UNIT_TEST(test_json_parse_trailing_offset),
        UNIT_TEST(test_json_parse_nul_offset),
        UNIT_TEST(test_json_parse_invalid_utf8),
        UNIT_TEST(test_json_parse_null_out_params),
        UNIT_TEST(test_json_parse_depth),
        UNIT_TEST(test_json_valid),
        UNIT_TEST(test_json_valid_surrogates),
        UNIT_TEST(test_json_valid_keeps_duplicate_names),
        UNIT_TEST(test_json_text),
        UNIT_TEST(test_json_parse_refuses_nan),
        UNIT_TEST(test_json_parse_refuses_single_quoted_name),
        UNIT_TEST(test_json_parse_refuses_bad_numbers),
        UNIT_TEST(test_json_parse_refuses_raw_control),
        UNIT_TEST(test_json_parse_refuses_bad_utf8),
        UNIT_TEST(test_json_parse_accepts_scalars),
        UNIT_TEST(test_json_parse_null_document),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("emit_json", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
