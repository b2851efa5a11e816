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
 * Result references (src/batch_reference.c): finding them, the JSONPath subset,
 * joins, escaping per context, substitution into an operation, and what
 * validation makes of them (src/batch_validate.c).
 */
#include "unit.h"

#include "batch.h"
#include "batch_json.h"
#include "batch_parse_json.h"
#include "batch_reference.h"
#include "batch_validate.h"

static json_object *tree_of(apr_pool_t *p, const char *text)
{
    json_object *t = batch_json_parse(p, unit_exact(p, text, strlen(text)),
                                      strlen(text), NULL, NULL);

    assert_non_null(t);
    return t;
}

static const char *eval(apr_pool_t *p, const char *json, const char *path)
{
    const char *why = NULL;
    const char *v = batch_ref_evaluate(p, tree_of(p, json), path, &why);

    if (!v) {
        assert_non_null(why);
    }
    return v;
}

/* --- finding references --- */

static void test_find_one(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *why = NULL;
    apr_array_header_t *refs = batch_ref_find(
        p, "/users?ids={result=create-ad:$.data.*.id}&x=1", &why);
    const batch_ref_t *ref;

    assert_non_null(refs);
    assert_int_equal(refs->nelts, 1);
    ref = &APR_ARRAY_IDX(refs, 0, batch_ref_t);
    assert_string_equal(ref->name, "create-ad");
    assert_string_equal(ref->path, "$.data.*.id");
    assert_string_equal(ref->text, "{result=create-ad:$.data.*.id}");
    assert_int_equal(ref->offset, 11);
}

static void test_find_several_and_none(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *why = NULL;
    apr_array_header_t *refs;

    refs = batch_ref_find(p, "{result=a:$}/{result=b c:$.x[0]}", &why);
    assert_non_null(refs);
    assert_int_equal(refs->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(refs, 1, batch_ref_t).name, "b c");
    refs = batch_ref_find(p, "{\"name\": \"{x}\", \"r\": \"{results}\"}",
                          &why);
    assert_non_null(refs);
    assert_int_equal(refs->nelts, 0);
}

static void assert_malformed(apr_pool_t *p, const char *s, const char *what)
{
    const char *why = NULL;

    assert_null(batch_ref_find(p, s, &why));
    assert_contains(why, what);
}

static void test_find_malformed(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_malformed(p, "/x?{result=a}", "not of the form");
    assert_malformed(p, "/x?{result=a:$.id", "not of the form");
    assert_malformed(p, "/x?{result=:$.id}", "names no operation");
    assert_malformed(p, "/x?{result=a:id}", "must start with '$'");
    assert_malformed(p, "/x?{result=a:$..id}", "empty key");
    assert_malformed(p, "/x?{result=a:$[x]}", "index");
    assert_malformed(p, "/x?{result=a:$[1}", "index");
    assert_malformed(p, "/x?{result=a:$[12345678901]}", "index");
    assert_malformed(p, "/x?{result=a:$ .id}", "not .key");
}

static void test_path_problem(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_null(batch_ref_path_problem(p, "$"));
    assert_null(batch_ref_path_problem(p, "$.items[0].name"));
    assert_null(batch_ref_path_problem(p, "$[*].a.*[2]"));
    assert_non_null(batch_ref_path_problem(p, ""));
    assert_non_null(batch_ref_path_problem(p, "$.a]"));
}

/* --- evaluating paths --- */

#define DOC "{\"id\": 42, \"name\": \"Ann\", \"ok\": true, \"none\": null, " \
            "\"data\": [{\"id\": 1}, {\"id\": 2}, {\"id\": \"x\"}], " \
            "\"obj\": {\"a\": [1, 2], \"b\": {\"c\": \"d\"}}}"

static void test_evaluate_scalars(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(eval(p, DOC, "$.id"), "42");
    assert_string_equal(eval(p, DOC, "$.name"), "Ann");
    assert_string_equal(eval(p, DOC, "$.ok"), "true");
    assert_string_equal(eval(p, DOC, "$.none"), "null");
    assert_string_equal(eval(p, DOC, "$.data[1].id"), "2");
    assert_string_equal(eval(p, "1.5", "$"), "1.5");
}

static void test_evaluate_joins(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(eval(p, DOC, "$.data.*.id"), "1,2,x");
    assert_string_equal(eval(p, DOC, "$.data[*].id"), "1,2,x");
    assert_string_equal(eval(p, DOC, "$.obj.*"), "[1,2],{\"c\":\"d\"}");
    assert_string_equal(eval(p, "[[1,2],[3]]", "$.*.*"), "1,2,3");
}

static void test_evaluate_containers(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(eval(p, DOC, "$.obj.b"), "{\"c\":\"d\"}");
    assert_string_equal(eval(p, "{\"u\":\"/x\"}", "$"), "{\"u\":\"/x\"}");
}

static void test_evaluate_no_match(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *why = NULL;

    assert_null(eval(p, DOC, "$.missing"));
    assert_null(eval(p, DOC, "$.data[3]"));
    assert_null(eval(p, DOC, "$.id.x"));
    assert_null(eval(p, DOC, "$.name[0]"));
    assert_null(eval(p, DOC, "$.none.x"));
    assert_null(eval(p, "[]", "$.*"));
    assert_null(batch_ref_evaluate(p, tree_of(p, DOC), "$.missing", &why));
    assert_contains(why, "matches nothing");
}

static void test_evaluate_nul_string(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *why = NULL;

    assert_null(batch_ref_evaluate(p, tree_of(p, "{\"a\":\"x\\u0000y\"}"),
                                   "$.a", &why));
    assert_contains(why, "NUL");
}

static void test_evaluate_unicode(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(eval(p, "{\"n\":\"Zo\\u00eb \xe2\x82\xac\"}", "$.n"),
                        "Zo\xc3\xab \xe2\x82\xac");
    assert_string_equal(eval(p, "{\"\xc3\xa9\":1}", "$.\xc3\xa9"), "1");
}

/* --- escaping --- */

static void test_escape_url(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(batch_ref_escape(p, "1,2,a-b_c.d~", BATCH_REF_URL),
                        "1,2,a-b_c.d~");
    assert_string_equal(batch_ref_escape(p, "a b&c=d/e?f#g%", BATCH_REF_URL),
                        "a%20b%26c%3Dd%2Fe%3Ff%23g%25");
    assert_string_equal(batch_ref_escape(p, "\xc3\xa9\r\n", BATCH_REF_URL),
                        "%C3%A9%0D%0A");
}

static void test_escape_header(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(batch_ref_escape(p, "Bearer a b\t\"c\"",
                                         BATCH_REF_HEADER),
                        "Bearer a b\t\"c\"");
    assert_null(batch_ref_escape(p, "a\r\nX-Evil: 1", BATCH_REF_HEADER));
    assert_null(batch_ref_escape(p, "a\x01", BATCH_REF_HEADER));
}

static void test_escape_json_and_raw(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(batch_ref_escape(p, "say \"hi\"\\\n\x01\xc3\xa9",
                                         BATCH_REF_JSON),
                        "say \\\"hi\\\"\\\\\\u000a\\u0001\xc3\xa9");
    assert_string_equal(batch_ref_escape(p, "a&b=\"c\"", BATCH_REF_RAW),
                        "a&b=\"c\"");
}

/* --- substituting into an operation --- */

typedef struct answers_t {
    const char *name;
    const char *body;
} answers_t;

/* What the executor gives the resolver: the answers, read with a cap and
 * a budget for kept values. */
typedef struct reader_t {
    apr_pool_t *pool;
    const answers_t *answers;
    apr_size_t cap;
    apr_size_t budget;
} reader_t;

/* What the executor does: the answer named by ref, read for its path. */
static const batch_ref_value_t *value(void *baton, const batch_ref_t *ref)
{
    const reader_t *rd = baton;
    const answers_t *a;
    apr_array_header_t *paths = apr_array_make(rd->pool, 1,
                                               sizeof(const char *));
    apr_hash_t *values;
    apr_size_t kept;

    APR_ARRAY_PUSH(paths, const char *) = ref->path;
    for (a = rd->answers; a->name; a++) {
        if (!strcmp(a->name, ref->name)) {
            values = batch_ref_read_answer(rd->pool, a->body,
                                           strlen(a->body), paths, rd->cap,
                                           rd->budget, &kept);
            return values ? apr_hash_get(values, ref->path,
                                         APR_HASH_KEY_STRING) : NULL;
        }
    }
    return NULL;
}

static const answers_t ANSWERS[] = {
    { "a", DOC },
    { "text", "plain text, not JSON" },
    { "evil", "{\"v\": \"x\\r\\nSet-Cookie: y\", \"q\": \"\\\"}\"}" },
    { "form", "{\"token\": \"ab+\\\\\", \"text\": \"x&title=X\"}" },
    { NULL, NULL }
};

static batch_op_t *new_op(apr_pool_t *p, const char *url)
{
    batch_op_t *op = apr_pcalloc(p, sizeof(*op));

    op->id = "b";
    op->method = "POST";
    op->url = url;
    op->headers = apr_table_make(p, 2);
    return op;
}

/* op resolved under limits (NULL: none) and a budget for kept values;
 * NULL and *err when it cannot run. */
static batch_op_t *resolve_under(apr_pool_t *p, const batch_op_t *op,
                                 const batch_limits_t *limits,
                                 apr_size_t budget, batch_error_t **err)
{
    batch_limits_t none = { 0 };
    reader_t rd = { p, ANSWERS, APR_SIZE_MAX, budget };

    *err = NULL;
    return batch_ref_resolve_op(p, op, limits ? limits : &none, value, &rd,
                                err);
}

static batch_op_t *resolve(apr_pool_t *p, const batch_op_t *op,
                           const char **why)
{
    batch_error_t *err;
    batch_op_t *r = resolve_under(p, op, NULL, APR_SIZE_MAX, &err);

    *why = err ? err->message : NULL;
    return r;
}

static void test_resolve_url_headers_body(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *op = new_op(p, "/u/{result=a:$.id}?ids={result=a:$.data.*.id}"
                            "&n={result=a:$.obj.b.c}");
    const char *why;
    batch_op_t *r;

    apr_table_set(op->headers, "X-Name", "user {result=a:$.name}");
    op->body = "name={result=a:$.name}&keep={x}";
    op->body_len = strlen(op->body);
    r = resolve(p, op, &why);
    assert_non_null(r);
    assert_string_equal(r->url, "/u/42?ids=1,2,x&n=d");
    assert_string_equal(apr_table_get(r->headers, "X-Name"), "user Ann");
    assert_string_equal(r->body, "name=Ann&keep={x}");
    assert_int_equal(r->body_len, strlen(r->body));
    /* the original is left alone: it is what the answer is listed under */
    assert_string_equal(apr_table_get(op->headers, "X-Name"),
                        "user {result=a:$.name}");
}

static void test_resolve_json_body(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *op = new_op(p, "/x");
    const char *why;
    batch_op_t *r;
    json_object *t;

    op->body = "{\"q\":\"{result=evil:$.q}\",\"v\":\"<{result=evil:$.v}>\"}";
    op->body_len = strlen(op->body);
    op->body_kind = BATCH_BODY_JSON;
    r = resolve(p, op, &why);
    assert_non_null(r);
    t = tree_of(p, r->body);
    assert_string_equal(json_object_get_string(
        json_object_object_get(t, "q")), "\"}");
    assert_string_equal(json_object_get_string(
        json_object_object_get(t, "v")), "<x\r\nSet-Cookie: y>");
}

static void test_resolve_bytes_body_untouched(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *op = new_op(p, "/x");
    const char *why;
    batch_op_t *r;

    op->body = "{result=a:$.id}";
    op->body_len = strlen(op->body);
    op->body_kind = BATCH_BODY_BYTES;
    r = resolve(p, op, &why);
    assert_non_null(r);
    assert_string_equal(r->body, "{result=a:$.id}");
}

static void test_resolve_url_escaped(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *why;
    batch_op_t *r = resolve(p, new_op(p, "/x?v={result=evil:$.v}"), &why);

    assert_non_null(r);
    assert_string_equal(r->url, "/x?v=x%0D%0ASet-Cookie%3A%20y");
}

static void assert_unresolved(apr_pool_t *p, batch_op_t *op,
                              const char *what)
{
    const char *why;

    assert_null(resolve(p, op, &why));
    assert_contains(why, what);
}

static void test_resolve_failures(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *op;

    assert_unresolved(p, new_op(p, "/x?{result=text:$.id}"), "is not JSON");
    assert_unresolved(p, new_op(p, "/x?{result=a:$.nope}"),
                      "{result=a:$.nope} matches nothing");
    assert_unresolved(p, new_op(p, "/x?{result=gone:$}"), "is not JSON");
    op = new_op(p, "/x");
    apr_table_set(op->headers, "X-V", "{result=evil:$.v}");
    assert_unresolved(p, op, "control character");
}

/* A form value holding "+\" or "&title=X" arrives as it was and adds no
 * parameter; multipart/form-data takes no line break; a JSON string body
 * is JSON-escaped by its media type. */
static void test_resolve_body_by_media_type(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *op = new_op(p, "/x");
    const char *why;
    batch_op_t *r;

    op->body = "token={result=form:$.token}&text={result=form:$.text}";
    op->body_len = strlen(op->body);
    apr_table_set(op->headers, "Content-Type",
                  "application/x-www-form-urlencoded; charset=UTF-8");
    r = resolve(p, op, &why);
    assert_non_null(r);
    assert_string_equal(r->body, "token=ab%2B%5C&text=x%26title%3DX");
    apr_table_set(op->headers, "Content-Type",
                  "multipart/form-data; boundary=b");
    r = resolve(p, op, &why);
    assert_non_null(r);
    assert_string_equal(r->body, "token=ab+\\&text=x&title=X");
    op->body = "{result=evil:$.v}";
    op->body_len = strlen(op->body);
    assert_null(resolve(p, op, &why));
    assert_contains(why, "multipart/form-data body cannot hold");
    op->body = "{\"q\":\"{result=evil:$.q}\"}";
    op->body_len = strlen(op->body);
    apr_table_set(op->headers, "Content-Type", "application/json");
    r = resolve(p, op, &why);
    assert_non_null(r);
    assert_string_equal(r->body, "{\"q\":\"\\\"}\"}");
}

static void assert_over(apr_pool_t *p, const batch_op_t *op,
                        const batch_limits_t *l, int status,
                        const char *code, const char *limit)
{
    batch_error_t *err;

    assert_null(resolve_under(p, op, l, APR_SIZE_MAX, &err));
    assert_non_null(err);
    assert_int_equal(err->status, status);
    assert_string_equal(err->code, code);
    assert_contains(err->message, limit);
}

/* A substituted field longer than the limit a direct request has is
 * refused with what httpd answers it; at the limit it passes. */
static void test_resolve_caps(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_limits_t l = { 0 };
    batch_op_t *op = new_op(p, "/u/{result=a:$.id}{result=a:$.id}");
    batch_error_t *err;

    l.max_target = 6;               /* "/u/4242" is 7 */
    assert_over(p, op, &l, 414, BATCH_E_URL_TOO_LONG, "LimitRequestLine");
    l.max_target = 7;
    assert_non_null(resolve_under(p, op, &l, APR_SIZE_MAX, &err));
    op = new_op(p, "/x");
    apr_table_set(op->headers, "X-N", "{result=a:$.name}");
    l.max_header_size = 7;         /* "X-N: Ann" is 8 */
    assert_over(p, op, &l, 400, BATCH_E_INVALID_HEADER,
                "LimitRequestFieldSize");
    l.max_header_size = 8;
    assert_non_null(resolve_under(p, op, &l, APR_SIZE_MAX, &err));
    op = new_op(p, "/x");
    op->body = "{result=a:$.name}{result=a:$.name}";
    op->body_len = strlen(op->body);
    l.max_body = 5;
    assert_over(p, op, &l, 413, BATCH_E_BODY_TOO_LARGE,
                "BatchMaxRequestSize");
    l.max_body = 6;
    assert_non_null(resolve_under(p, op, &l, APR_SIZE_MAX, &err));
}

/* Values beyond the budget are not kept: the reader is answered 503. */
static void test_read_answer_budget(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    apr_array_header_t *paths = apr_array_make(p, 2, sizeof(const char *));
    apr_hash_t *values;
    const batch_ref_value_t *v;
    batch_error_t *err;
    apr_size_t kept;

    apr_size_t cost = batch_json_tree_cost(DOC, strlen(DOC));

    APR_ARRAY_PUSH(paths, const char *) = "$.name";
    APR_ARRAY_PUSH(paths, const char *) = "$.data.*.id";
    /* the tree counts: an answer that cannot be parsed within it is not */
    values = batch_ref_read_answer(p, DOC, strlen(DOC), paths, 100,
                                   cost - 1, &kept);
    assert_int_equal(kept, 0);
    v = apr_hash_get(values, "$.name", APR_HASH_KEY_STRING);
    assert_true(v->unkept);
    values = batch_ref_read_answer(p, DOC, strlen(DOC), paths, 100,
                                   cost + 4, &kept);
    assert_int_equal(kept, 3);
    v = apr_hash_get(values, "$.name", APR_HASH_KEY_STRING);
    assert_string_equal(v->text, "Ann");
    v = apr_hash_get(values, "$.data.*.id", APR_HASH_KEY_STRING);
    assert_null(v->text);
    assert_true(v->unkept);
    values = batch_ref_read_answer(p, DOC, strlen(DOC), paths, 4,
                                   APR_SIZE_MAX, &kept);
    v = apr_hash_get(values, "$.data.*.id", APR_HASH_KEY_STRING);
    assert_null(v->text);
    assert_null(v->why);
    assert_true(v->len > 4);
    assert_null(batch_ref_read_answer(p, "not JSON", 8, paths, 4,
                                      APR_SIZE_MAX, &kept));
    assert_null(resolve_under(p, new_op(p, "/x?{result=a:$.data.*.id}"),
                              NULL, 4, &err));
    assert_int_equal(err->status, 503);
    assert_string_equal(err->code, BATCH_E_MEMORY);
}

/* --- validation --- */

static const batch_limits_t *limits(apr_pool_t *p)
{
    batch_limits_t *l = apr_pcalloc(p, sizeof(*l));

    l->max_operations = 100;
    l->allow_methods = batch_default_allow_methods(p);
    return l;
}

static batch_t *parsed(apr_pool_t *p, const char *json)
{
    batch_error_t *err = NULL;
    batch_t *b = batch_parse_json(p, unit_exact(p, json, strlen(json)),
                                  strlen(json), &err);

    assert_null(err);
    assert_non_null(b);
    return b;
}

static void test_validate_implies_dependency(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parsed(p, "{\"requests\": ["
        "{\"id\": \"b\", \"url\": \"/x?v={result=a:$.id}\"},"
        "{\"id\": \"c\", \"url\": \"/y\", \"headers\": "
        "{\"X-A\": \"{result=b:$}\"}},"
        "{\"id\": \"a\", \"url\": \"/z\"}]}");
    batch_op_t *op;

    assert_null(batch_validate(p, b, limits(p)));
    op = unit_op_at(b, 0);
    assert_non_null(op->refers_to);
    assert_int_equal(APR_ARRAY_IDX(op->refers_to, 0, int), 2);
    assert_int_equal(APR_ARRAY_IDX(op->deps, 0, int), 2);
    assert_true(unit_op_at(b, 2)->referenced);
    assert_true(unit_op_at(b, 0)->referenced);
    assert_false(unit_op_at(b, 1)->referenced);
    assert_null(unit_op_at(b, 2)->refers_to);
    /* a runs first, then b, then c */
    assert_int_equal(b->order[0], 2);
    assert_int_equal(b->order[1], 0);
    assert_int_equal(b->order[2], 1);
}

static void test_validate_json_body_marked(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parsed(p, "{\"requests\": [{\"id\": \"a\", \"url\": \"/a\"},"
        "{\"id\": \"b\", \"method\": \"POST\", \"url\": \"/b\", "
        "\"body\": {\"n\": \"{result=a:$.n}\"}}]}");

    assert_null(batch_validate(p, b, limits(p)));
    assert_int_equal(unit_op_at(b, 1)->body_kind, BATCH_BODY_JSON);
    assert_non_null(unit_op_at(b, 1)->refers_to);
}

/* A group (or an operation) named again and again is one dependency. */
static void test_validate_group_named_often(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parsed(p, "{\"requests\": ["
        "{\"id\": \"a\", \"url\": \"/a\", \"atomicityGroup\": \"g\"},"
        "{\"id\": \"b\", \"url\": \"/b\", \"atomicityGroup\": \"g\"},"
        "{\"id\": \"c\", \"url\": \"/c?{result=a:$}{result=a:$}\", "
        "\"dependsOn\": [\"g\", \"g\", \"a\", \"g\", \"b\"]}]}");
    batch_op_t *op;

    assert_null(batch_validate(p, b, limits(p)));
    op = unit_op_at(b, 2);
    assert_int_equal(op->deps->nelts, 2);
    assert_int_equal(op->refers_to->nelts, 1);
    assert_int_equal(unit_op_at(b, 1)->deps->nelts, 1);
}

static void assert_refused(apr_pool_t *p, const char *json,
                           const char *code, const char *operation,
                           const char *what)
{
    batch_error_t *err = batch_validate(p, parsed(p, json), limits(p));

    unit_assert_error(err, 400, code, operation);
    assert_contains(err->message, what);
}

static void test_validate_refusals(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_refused(p, "{\"requests\": [{\"id\": \"b\", "
                   "\"url\": \"/x?{result=nope:$.id}\"}]}",
                   "invalid_reference", "b", "{result=nope:$.id}");
    assert_refused(p, "{\"requests\": [{\"id\": \"a\", \"url\": \"/a\"}, "
                   "{\"id\": \"b\", \"url\": \"/x\", \"headers\": "
                   "{\"X-A\": \"{result=a:id}\"}}]}",
                   "invalid_reference", "b", "header \"X-A\"");
    assert_refused(p, "{\"requests\": [{\"id\": \"a\", \"url\": \"/a\"}, "
                   "{\"id\": \"b\", \"method\": \"POST\", \"url\": \"/x\", "
                   "\"body\": \"{result=a:$[}\"}]}",
                   "invalid_reference", "b", "body");
    assert_refused(p, "{\"requests\": [{\"id\": \"s\", "
                   "\"url\": \"/x?{result=s:$.id}\"}]}",
                   "invalid_dependency", "s", "cycle");
    assert_refused(p, "{\"requests\": [{\"id\": \"a\", "
                   "\"url\": \"/x?{result=b:$.id}\"}, {\"id\": \"b\", "
                   "\"url\": \"/y\", \"dependsOn\": [\"a\"]}]}",
                   "invalid_dependency", "a", "cycle");
}

static void test_validate_base64_body_ignored(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    /* base64 of "{result=nope:$}" */
    batch_t *b = parsed(p, "{\"requests\": [{\"id\": \"a\", \"method\": "
        "\"POST\", \"url\": \"/a\", \"bodyEncoding\": \"base64\", "
        "\"body\": \"e3Jlc3VsdD1ub3BlOiR9\"}]}");

    assert_null(batch_validate(p, b, limits(p)));
    assert_null(unit_op_at(b, 0)->refers_to);
}

static void test_validate_no_references_batch(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parsed(p, "{\"requests\": [{\"id\": \"a\", "
                        "\"url\": \"/x?{result=nope:$}\"}]}");

    b->no_references = 1;
    assert_null(batch_validate(p, b, limits(p)));
    assert_null(unit_op_at(b, 0)->refers_to);
}

static void test_validate_target_recomputed(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_limits_t *l = (batch_limits_t *)limits(p);
    batch_op_t *op = new_op(p, "/x?v=1,2");

    assert_null(batch_validate_target(p, op, l));
    assert_string_equal(op->target, "/x?v=1,2");
    l->max_target = 4;
    unit_assert_error(batch_validate_target(p, op, l), 400, "invalid_url",
                      "b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_find_one),
        UNIT_TEST(test_find_several_and_none),
        UNIT_TEST(test_find_malformed),
        UNIT_TEST(test_path_problem),
        UNIT_TEST(test_evaluate_scalars),
        UNIT_TEST(test_evaluate_joins),
        UNIT_TEST(test_evaluate_containers),
        UNIT_TEST(test_evaluate_no_match),
        UNIT_TEST(test_evaluate_nul_string),
        UNIT_TEST(test_evaluate_unicode),
        UNIT_TEST(test_escape_url),
        UNIT_TEST(test_escape_header),
        UNIT_TEST(test_escape_json_and_raw),
        UNIT_TEST(test_resolve_url_headers_body),
        UNIT_TEST(test_resolve_json_body),
        UNIT_TEST(test_resolve_bytes_body_untouched),
        UNIT_TEST(test_resolve_url_escaped),
        UNIT_TEST(test_resolve_failures),
        UNIT_TEST(test_resolve_body_by_media_type),
        UNIT_TEST(test_resolve_caps),
        UNIT_TEST(test_read_answer_budget),
        UNIT_TEST(test_validate_group_named_often),
        UNIT_TEST(test_validate_implies_dependency),
        UNIT_TEST(test_validate_json_body_marked),
        UNIT_TEST(test_validate_refusals),
        UNIT_TEST(test_validate_base64_body_ignored),
        UNIT_TEST(test_validate_no_references_batch),
        UNIT_TEST(test_validate_target_recomputed),
    };

    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("reference", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
