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
 * batch_parse_json() (src/batch_parse_json.c): the canonical JSON batch
 * format, and the refusals the parser makes itself.
 */
#include <stdio.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "unit.h"
#include "batch.h"
#include "batch_json.h"
#include "batch_parse_json.h"

/* The JSON format's example, verbatim. */
static const char spec_example[] =
    "{\n"
    "  \"requests\": [\n"
    "    {\"id\": \"1\", \"method\": \"GET\",  \"url\": \"/products/1\"},\n"
    "    {\"id\": \"2\", \"method\": \"POST\", \"url\": \"/products\",\n"
    "     \"headers\": {\"Content-Type\": \"application/json\"},\n"
    "     \"body\": {\"title\": \"Test Product\"}},\n"
    "    {\"id\": \"3\", \"method\": \"GET\",  \"url\": \"/products?limit=5\","
    " \"dependsOn\": [\"2\"]}\n"
    "  ],\n"
    "  \"onError\": \"continue\"\n"
    "}\n";

/*
 * Parses len bytes of json from a malloc'd copy of exactly that size,
 * freed before returning: ASan then reports a read past the end, and any
 * field of the batch left pointing into the body.
 */
static batch_t *parse_len(apr_pool_t *p, const char *json, size_t len,
                          batch_error_t **err)
{
    char *copy = malloc(len ? len : 1);
    batch_t *batch;

    assert_non_null(copy);
    memcpy(copy, json, len);
    *err = NULL;
    batch = batch_parse_json(p, copy, len, err);
    free(copy);
    return batch;
}

static batch_t *parse_ok_len(apr_pool_t *p, const char *json, size_t len)
{
    batch_error_t *err;
    batch_t *batch = parse_len(p, json, len, &err);

    if (!batch) {
        fail_msg("refused: %s: %s", err ? err->code : "(no error)",
                 err ? err->message : "");
    }
    assert_non_null(batch->ops);
    return batch;
}

static batch_t *parse_ok(apr_pool_t *p, const char *json)
{
    return parse_ok_len(p, json, strlen(json));
}

/* Asserts a 400 refusal with this code and operation (NULL: none). */
static batch_error_t *refused_len(apr_pool_t *p, const char *json,
                                  size_t len, const char *code,
                                  const char *operation)
{
    batch_error_t *err;
    batch_t *batch = parse_len(p, json, len, &err);

    assert_null(batch);
    return unit_assert_error(err, 400, code, operation);
}

static batch_error_t *refused(apr_pool_t *p, const char *json,
                              const char *code, const char *operation)
{
    return refused_len(p, json, strlen(json), code, operation);
}

static const char *depends_on(batch_op_t *op, int i)
{
    assert_non_null(op->depends_on);
    assert_in_range(i, 0, op->depends_on->nelts - 1);
    return APR_ARRAY_IDX(op->depends_on, i, const char *);
}

/* A one-operation batch around the given members of the operation. */
static const char *one_op(apr_pool_t *p, const char *members)
{
    return apr_pstrcat(p, "{\"requests\":[{", members, "}]}", NULL);
}


/* --- the JSON format's example --- */

static void test_spec_example_ops(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), spec_example);

    assert_int_equal(b->ops->nelts, 3);
    assert_string_equal(unit_op_at(b, 0)->id, "1");
    assert_string_equal(unit_op_at(b, 0)->method, "GET");
    assert_string_equal(unit_op_at(b, 0)->url, "/products/1");
    assert_string_equal(unit_op_at(b, 1)->id, "2");
    assert_string_equal(unit_op_at(b, 1)->method, "POST");
    assert_string_equal(unit_op_at(b, 1)->url, "/products");
    assert_string_equal(unit_op_at(b, 2)->id, "3");
    assert_string_equal(unit_op_at(b, 2)->url, "/products?limit=5");
    assert_int_equal(b->on_error, BATCH_ON_ERROR_CONTINUE);
}

static void test_spec_example_indexes(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), spec_example);
    int i;

    for (i = 0; i < b->ops->nelts; i++) {
        assert_int_equal(unit_op_at(b, i)->index, i);
    }
}

static void test_spec_example_headers(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), spec_example);

    assert_int_equal(apr_table_elts(unit_op_at(b, 0)->headers)->nelts, 0);
    assert_int_equal(unit_header_count(unit_op_at(b, 1)->headers, "Content-Type"), 1);
    assert_string_equal(apr_table_get(unit_op_at(b, 1)->headers, "Content-Type"),
                        "application/json");
}

static void test_spec_example_body(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), spec_example);
    batch_op_t *op = unit_op_at(b, 1);

    assert_null(unit_op_at(b, 0)->body);
    assert_int_equal(unit_op_at(b, 0)->body_len, 0);
    assert_non_null(op->body);
    assert_int_equal(op->body_len, strlen("{\"title\":\"Test Product\"}"));
    assert_memory_equal(op->body, "{\"title\":\"Test Product\"}",
                        op->body_len);
}

static void test_spec_example_depends_on(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), spec_example);

    assert_null(unit_op_at(b, 0)->depends_on);
    assert_null(unit_op_at(b, 1)->depends_on);
    assert_int_equal(unit_op_at(b, 2)->depends_on->nelts, 1);
    assert_string_equal(depends_on(unit_op_at(b, 2), 0), "2");
    /* indexes are resolved by validation, not by the parser */
    assert_null(unit_op_at(b, 2)->deps);
    assert_null(unit_op_at(b, 2)->target);
    assert_null(b->order);
}

/* --- the vectors (test/vectors) --- */

static void test_graph_vector(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    size_t len;
    char *json = unit_read_vector(p, "graph.request.json", &len);
    batch_t *b;
    batch_op_t *op;

    if (!json) {
        skip();
    }
    b = parse_ok_len(p, json, len);
    assert_int_equal(b->ops->nelts, 5);
    assert_string_equal(unit_op_at(b, 0)->url, "/me/memberOf");
    assert_string_equal(unit_op_at(b, 2)->method, "DELETE");
    op = unit_op_at(b, 3);
    assert_string_equal(op->id, "4");
    assert_string_equal(op->method, "POST");
    assert_int_equal(op->body_len, 2);
    assert_memory_equal(op->body, "{}", 2);
    assert_int_equal(unit_header_count(op->headers, "Content-Type"), 1);
    op = unit_op_at(b, 4);
    assert_string_equal(op->url, "users?$select=id,displayName,"
                        "userPrincipalName&$filter=city eq null&$count=true");
    assert_string_equal(apr_table_get(op->headers, "ConsistencyLevel"),
                        "eventual");
    assert_int_equal(b->on_error, BATCH_ON_ERROR_CONTINUE);
}

static void test_odata_vector(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    size_t len;
    char *json = unit_read_vector(p, "odata-json.request.json", &len);
    batch_t *b;
    batch_op_t *op;
    const char *patch = "{\"CompanyName\":\"Alfreds Futterkiste GmbH\"}";

    if (!json) {
        skip();
    }
    b = parse_ok_len(p, json, len);
    assert_int_equal(b->ops->nelts, 4);
    assert_string_equal(unit_op_at(b, 0)->method, "get");
    op = unit_op_at(b, 1);
    assert_string_equal(op->method, "patch");
    assert_string_equal(op->url, "/service/Customers('ALFKI')");
    assert_string_equal(depends_on(op, 0), "0");
    assert_string_equal(apr_table_get(op->headers, "Prefer"),
                        "return=minimal");
    /* the op's lower-case content-type is kept, not doubled */
    assert_int_equal(unit_header_count(op->headers, "Content-Type"), 1);
    assert_int_equal(op->body_len, strlen(patch));
    assert_memory_equal(op->body, patch, op->body_len);
    assert_string_equal(depends_on(unit_op_at(b, 3), 0), "group1");
    assert_null(unit_op_at(b, 0)->group);
    assert_string_equal(unit_op_at(b, 1)->group, "group1");
    assert_string_equal(unit_op_at(b, 2)->group, "group1");
    assert_null(unit_op_at(b, 3)->group);
}

/* --- method, url, headers --- */

static void test_method_defaults_to_get(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/x\""));

    assert_string_equal(unit_op_at(b, 0)->method, "GET");
}

static void test_method_null_defaults_to_get(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"method\":null,"
                                    "\"url\":\"/x\""));

    assert_string_equal(unit_op_at(b, 0)->method, "GET");
}

static void test_method_kept_as_written(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"method\":\"pAtCh\","
                                    "\"url\":\"/x\""));

    /* upper-casing is validation's job */
    assert_string_equal(unit_op_at(b, 0)->method, "pAtCh");
}

static void test_url_kept_as_written(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":"
                                    "\"me/x?a=\\u00e9&b=http://y\""));

    assert_string_equal(unit_op_at(b, 0)->url, "me/x?a=\xc3\xa9&b=http://y");
    assert_null(unit_op_at(b, 0)->target);
}

static void test_headers_absent_is_empty_table(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\""));

    assert_non_null(unit_op_at(b, 0)->headers);
    assert_int_equal(apr_table_elts(unit_op_at(b, 0)->headers)->nelts, 0);
}

static void test_headers_null_is_empty_table(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"headers\":null"));

    assert_non_null(unit_op_at(b, 0)->headers);
    assert_int_equal(apr_table_elts(unit_op_at(b, 0)->headers)->nelts, 0);
}

static void test_headers_kept_as_written(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"headers\":{\"X-One\":\"1\","
                                    "\"accept\":\"text/plain\","
                                    "\"X-Empty\":\"\"}"));
    const apr_array_header_t *arr = apr_table_elts(unit_op_at(b, 0)->headers);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;

    assert_int_equal(arr->nelts, 3);
    assert_string_equal(e[0].key, "X-One");
    assert_string_equal(e[0].val, "1");
    assert_string_equal(e[1].key, "accept");
    assert_string_equal(e[1].val, "text/plain");
    assert_string_equal(e[2].key, "X-Empty");
    assert_string_equal(e[2].val, "");
}

/* --- bodies --- */

static void test_body_absent_is_no_body(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\""));

    assert_null(unit_op_at(b, 0)->body);
    assert_int_equal(unit_op_at(b, 0)->body_len, 0);
}

static void test_body_null_is_no_body(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"body\":null"));

    assert_null(unit_op_at(b, 0)->body);
    assert_int_equal(unit_op_at(b, 0)->body_len, 0);
    assert_null(apr_table_get(unit_op_at(b, 0)->headers, "Content-Type"));
}

static void test_body_string_sent_as_is(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"body\":\"l1\\nl2 \\\"q\\\" "
                                    "\\u00e9 {not json}\""));
    const char *want = "l1\nl2 \"q\" \xc3\xa9 {not json}";

    assert_int_equal(unit_op_at(b, 0)->body_len, strlen(want));
    assert_memory_equal(unit_op_at(b, 0)->body, want, strlen(want));
    /* a string body gets no Content-Type */
    assert_null(apr_table_get(unit_op_at(b, 0)->headers, "Content-Type"));
}

static void test_body_string_keeps_nul(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"body\":\"a\\u0000b\""));

    assert_int_equal(unit_op_at(b, 0)->body_len, 3);
    assert_memory_equal(unit_op_at(b, 0)->body, "a\0b", 3);
}

static void test_body_empty_string(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"body\":\"\""));

    assert_int_equal(unit_op_at(b, 0)->body_len, 0);
}

static void test_body_object_serialized_compactly(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"body\": { \"a\" : [ 1, 2 ] ,\n"
                                    " \"u\" : \"a/b\" }"));
    const char *want = "{\"a\":[1,2],\"u\":\"a/b\"}";

    assert_int_equal(unit_op_at(b, 0)->body_len, strlen(want));
    assert_memory_equal(unit_op_at(b, 0)->body, want, strlen(want));
}

static void test_body_object_adds_content_type(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"body\":{\"a\":1}"));

    assert_int_equal(unit_header_count(unit_op_at(b, 0)->headers, "Content-Type"), 1);
    assert_string_equal(apr_table_get(unit_op_at(b, 0)->headers, "Content-Type"),
                        "application/json");
}

static void test_body_array_and_scalars_serialized(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, "{\"requests\":["
                          "{\"id\":\"a\",\"url\":\"/\",\"body\":[1, \"x\"]},"
                          "{\"id\":\"b\",\"url\":\"/\",\"body\":42},"
                          "{\"id\":\"c\",\"url\":\"/\",\"body\":true},"
                          "{\"id\":\"d\",\"url\":\"/\",\"body\":false}]}");
    static const char *const want[] = { "[1,\"x\"]", "42", "true", "false" };
    int i;

    for (i = 0; i < 4; i++) {
        batch_op_t *op = unit_op_at(b, i);

        assert_int_equal(op->body_len, strlen(want[i]));
        assert_memory_equal(op->body, want[i], op->body_len);
        assert_string_equal(apr_table_get(op->headers, "Content-Type"),
                            "application/json");
    }
}

static void test_body_object_keeps_op_content_type(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"headers\":{\"Content-Type\":"
                                    "\"text/plain\"},\"body\":{}"));

    assert_int_equal(unit_header_count(unit_op_at(b, 0)->headers, "Content-Type"), 1);
    assert_string_equal(apr_table_get(unit_op_at(b, 0)->headers, "Content-Type"),
                        "text/plain");
}

static void test_body_object_keeps_lower_case_content_type(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"headers\":{\"content-type\":"
                                    "\"application/merge-patch+json\"},"
                                    "\"body\":{\"a\":null}"));

    assert_int_equal(unit_header_count(unit_op_at(b, 0)->headers, "Content-Type"), 1);
    assert_string_equal(apr_table_get(unit_op_at(b, 0)->headers, "Content-Type"),
                        "application/merge-patch+json");
}

static void test_base64_decodes_text(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"bodyEncoding\":\"base64\","
                                    "\"body\":\"aGVsbG8=\""));

    assert_int_equal(unit_op_at(b, 0)->body_len, 5);
    assert_memory_equal(unit_op_at(b, 0)->body, "hello", 5);
    assert_null(apr_table_get(unit_op_at(b, 0)->headers, "Content-Type"));
}

static void test_base64_decodes_binary(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"bodyEncoding\":\"base64\","
                                    "\"body\":\"AAEC/4CA+/8=\""));

    assert_int_equal(unit_op_at(b, 0)->body_len, 8);
    assert_memory_equal(unit_op_at(b, 0)->body,
                        "\x00\x01\x02\xff\x80\x80\xfb\xff", 8);
}

static void test_base64_decodes_unpadded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, "{\"requests\":["
                          "{\"id\":\"a\",\"url\":\"/\",\"body\":\"QUI\","
                          "\"bodyEncoding\":\"base64\"},"
                          "{\"id\":\"b\",\"url\":\"/\",\"body\":\"QQ\","
                          "\"bodyEncoding\":\"base64\"}]}");

    assert_int_equal(unit_op_at(b, 0)->body_len, 2);
    assert_memory_equal(unit_op_at(b, 0)->body, "AB", 2);
    assert_int_equal(unit_op_at(b, 1)->body_len, 1);
    assert_memory_equal(unit_op_at(b, 1)->body, "A", 1);
}

static void test_base64_empty_string(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"bodyEncoding\":\"base64\","
                                    "\"body\":\"\""));

    assert_int_equal(unit_op_at(b, 0)->body_len, 0);
}

static void test_base64_name_any_case(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"bodyEncoding\":\"Base64\","
                                    "\"body\":\"QUJD\""));

    assert_int_equal(unit_op_at(b, 0)->body_len, 3);
    assert_memory_equal(unit_op_at(b, 0)->body, "ABC", 3);
}

static void test_base64_null_body_is_no_body(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"bodyEncoding\":\"base64\","
                                    "\"body\":null"));

    assert_null(unit_op_at(b, 0)->body);
}

static void test_body_encoding_null_is_none(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"bodyEncoding\":null,"
                                    "\"body\":\"QUJD\""));

    assert_int_equal(unit_op_at(b, 0)->body_len, 4);
    assert_memory_equal(unit_op_at(b, 0)->body, "QUJD", 4);
}

/* --- atomicityGroup --- */

static void test_atomicity_group_null_is_none(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"atomicityGroup\":null"));

    assert_null(unit_op_at(b, 0)->group);
}

static void test_atomicity_group_not_string(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"atomicityGroup\":1"),
                                 BATCH_E_INVALID_REQUEST, "a");

    assert_contains(err->message, "atomicityGroup");
}

static void test_atomicity_group_with_nul(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                      "\"atomicityGroup\":\"g\\u0000\""),
            BATCH_E_INVALID_REQUEST, "a");
}

/* --- the batch as a whole --- */

static void test_on_error_default_continue(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), "{\"requests\":[]}");

    assert_int_equal(b->on_error, BATCH_ON_ERROR_CONTINUE);
}

static void test_on_error_stop(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state),
                          "{\"onError\":\"stop\",\"requests\":[]}");

    assert_int_equal(b->on_error, BATCH_ON_ERROR_STOP);
}

static void test_on_error_continue(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state),
                          "{\"requests\":[],\"onError\":\"continue\"}");

    assert_int_equal(b->on_error, BATCH_ON_ERROR_CONTINUE);
}

static void test_on_error_null_is_continue(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state),
                          "{\"requests\":[],\"onError\":null}");

    assert_int_equal(b->on_error, BATCH_ON_ERROR_CONTINUE);
}

static void test_empty_requests(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), "{\"requests\":[]}");

    assert_int_equal(b->ops->nelts, 0);
}

static void test_unknown_fields_ignored(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state),
                          "{\"x\":{\"y\":[1]},\"requests\":[{\"id\":\"a\","
                          "\"url\":\"/\",\"odata.etag\":\"W/1\","
                          "\"z\":[true]}]}");

    assert_int_equal(b->ops->nelts, 1);
}

static void test_whitespace_around_document(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state),
                          " \r\n\t{\"requests\":[]}\n\t \r\n");

    assert_int_equal(b->ops->nelts, 0);
}

/* Nesting 32 deep: root object, requests array, op object, 29 arrays. */
static const char *nested(apr_pool_t *p, int arrays)
{
    char *open = apr_palloc(p, arrays + 1);
    char *close = apr_palloc(p, arrays + 1);

    memset(open, '[', arrays);
    memset(close, ']', arrays);
    open[arrays] = close[arrays] = '\0';
    return one_op(p, apr_pstrcat(p, "\"id\":\"a\",\"url\":\"/\",\"body\":",
                                 open, close, NULL));
}

static void test_depth_32_accepted(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, nested(p, 29));

    assert_int_equal(unit_op_at(b, 0)->body_len, 58);
}

/* --- not JSON --- */

static void test_not_json(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state), "hello",
                                 BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "byte offset 0");
}

static void test_not_json_offset(void **state)
{
    /* the x is at offset 13 */
    batch_error_t *err = refused(UNIT_POOL(state), "{\"requests\": x}",
                                 BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "byte offset 13");
}

static void test_empty_document(void **state)
{
    batch_error_t *err = refused_len(UNIT_POOL(state), "", 0,
                                     BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "byte offset 0");
}

static void test_only_whitespace(void **state)
{
    refused(UNIT_POOL(state), " \n ", BATCH_E_INVALID_JSON, NULL);
}

static void test_truncated(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "{\"requests\":[{\"id\":\"a\"",
                                 BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "end of document");
    assert_contains(err->message, "byte offset 22");
}

static void test_trailing_garbage(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state), "{\"requests\":[]}x",
                                 BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "byte offset 15");
}

static void test_trailing_garbage_after_space(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[]} ]", BATCH_E_INVALID_JSON,
            NULL);
}

static void test_two_documents(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[]}{\"requests\":[]}",
            BATCH_E_INVALID_JSON, NULL);
}

static void test_trailing_comma(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[{\"id\":\"a\",\"url\":\"/\"},]}",
            BATCH_E_INVALID_JSON, NULL);
}

static void test_nul_byte_inside(void **state)
{
    static const char doc[] = "{\"requests\":\0[]}";
    batch_error_t *err = refused_len(UNIT_POOL(state), doc, sizeof(doc) - 1,
                                     BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "NUL");
    assert_contains(err->message, "byte offset 12");
}

static void test_nul_byte_after_document(void **state)
{
    static const char doc[] = "{\"requests\":[]}\0";
    batch_error_t *err = refused_len(UNIT_POOL(state), doc, sizeof(doc) - 1,
                                     BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "byte offset 15");
}

static void test_invalid_utf8_in_string(void **state)
{
    /* \xff is at offset 20 */
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "{\"requests\":[{\"id\":\"\xff\","
                                 "\"url\":\"/\"}]}",
                                 BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "byte offset 20");
}

static void test_truncated_utf8_in_string(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[{\"id\":\"\xc3\","
            "\"url\":\"/\"}]}", BATCH_E_INVALID_JSON, NULL);
}

static void test_overlong_utf8_in_string(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[{\"id\":\"\xc0\xaf\","
            "\"url\":\"/\"}]}", BATCH_E_INVALID_JSON, NULL);
}

static void test_surrogate_utf8_in_string(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[{\"id\":\"\xed\xa0\x80\","
            "\"url\":\"/\"}]}", BATCH_E_INVALID_JSON, NULL);
}

static void test_single_quotes_refused(void **state)
{
    refused(UNIT_POOL(state), "{'requests':[]}", BATCH_E_INVALID_JSON, NULL);
}

static void test_nan_refused(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[{\"id\":\"a\",\"url\":\"/\","
            "\"body\":[NaN]}]}", BATCH_E_INVALID_JSON, NULL);
}

static void test_raw_control_character_refused(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[{\"id\":\"a\x01\","
            "\"url\":\"/\"}]}", BATCH_E_INVALID_JSON, NULL);
}

static void test_depth_33_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, nested(p, 30), BATCH_E_INVALID_JSON,
                                 NULL);

    assert_contains(err->message, "byte offset");
}

static void test_deep_garbage_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    char *doc = apr_palloc(p, 10001);

    /* far deeper than the limit, and never closed */
    memset(doc, '[', 10000);
    doc[10000] = '\0';
    refused(p, doc, BATCH_E_INVALID_JSON, NULL);
}

/* --- duplicate member names: json-c keeps the last, a filter in front of
 * httpd may read the first, so the batch is refused --- */

static void test_duplicate_url_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    /* the second "url" starts at byte offset 34 */
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/x\","
                                           "\"url\":\"/y\""),
                                 BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "duplicate member name \"url\"");
    assert_contains(err->message, "byte offset 34");
}

static void test_duplicate_id_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"id\":\"b\""),
                                 BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "duplicate member name \"id\"");
}

static void test_duplicate_top_level_refused(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "{\"requests\":[],\"requests\":"
                                 "[{\"id\":\"a\",\"url\":\"/\"}]}",
                                 BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "duplicate member name \"requests\"");
    assert_contains(err->message, "byte offset 15");
}

static void test_duplicate_header_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"headers\":{\"X-A\":\"1\","
                                           "\"X-A\":\"2\"}"),
                                 BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "duplicate member name \"X-A\"");
}

static void test_duplicate_in_body_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"body\":{\"role\":\"user\","
                                           "\"x\":{},\"role\":\"admin\"}"),
                                 BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "duplicate member name \"role\"");
}

static void test_duplicate_escaped_spelling_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err;

    err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/x\","
                            "\"\\u0075rl\":\"/y\""),
                  BATCH_E_INVALID_JSON, NULL);
    assert_contains(err->message, "duplicate member name \"url\"");
    refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\",\"body\":"
                      "{\"caf\xc3\xa9\":1,\"caf\\u00e9\":2}"),
            BATCH_E_INVALID_JSON, NULL);
    refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\",\"body\":"
                      "{\"\xf0\x9f\x98\x80\":1,\"\\ud83d\\ude00\":2}"),
            BATCH_E_INVALID_JSON, NULL);
    refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\",\"body\":"
                      "{\"a/b\":1,\"a\\/b\":2}"),
            BATCH_E_INVALID_JSON, NULL);
}

static void test_duplicate_unprintable_name_not_shown(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"body\":{\"a\\nb\":1,"
                                           "\"a\\u000ab\":2}"),
                                 BATCH_E_INVALID_JSON, NULL);

    assert_contains(err->message, "duplicate member name at byte offset");
}

static void test_same_names_in_other_objects_accepted(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, "{\"requests\":["
                          "{\"id\":\"a\",\"url\":\"/a\",\"body\":"
                          "{\"id\":1,\"url\":{\"url\":2}}},"
                          "{\"id\":\"b\",\"url\":\"/b\",\"headers\":"
                          "{\"url\":\"x\"}}]}");

    assert_int_equal(b->ops->nelts, 2);
    assert_string_equal(unit_op_at(b, 0)->body,
                        "{\"id\":1,\"url\":{\"url\":2}}");
}

static void test_names_differing_in_one_byte_accepted(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\",\"body\":"
                       "{\"url\":1,\"Url\":2,\"url \":3,\"ur\":4,"
                       "\"\\u0075rm\":5}"));
}

static void test_many_unique_names_accepted(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *members = "\"k0\":0";
    int i;

    for (i = 1; i < 20000; i++) {
        members = apr_psprintf(p, "%s,\"k%d\":%d", members, i, i);
    }
    parse_ok(p, one_op(p, apr_pstrcat(p, "\"id\":\"a\",\"url\":\"/\","
                                      "\"body\":{", members, "}", NULL)));
}

static void test_header_names_differing_in_case_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"headers\":{\"Authorization\":"
                                           "\"Basic a\",\"authorization\":"
                                           "\"Basic b\"}"),
                                 BATCH_E_INVALID_HEADER, "a");

    assert_contains(err->message, "authorization");
    assert_contains(err->message, "twice");
}

/* --- \u escapes of UTF-16 surrogates: only as a pair --- */

static void test_surrogate_pair_accepted(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"\\ud83d\\ude00\","
                                    "\"url\":\"/\""));

    assert_string_equal(unit_op_at(b, 0)->id, "\xf0\x9f\x98\x80");
}

static void test_lone_surrogate_escapes_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    static const char *const ids[] = {
        "\\ud800", "\\udfff", "\\ud800x", "\\ud800\\u0041",
        "\\ud800\\ud800", "\\ude00\\ud83d", "x\\udbff", "\\ud83d\\n"
    };
    size_t i;

    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        batch_error_t *err = refused(p, one_op(p, apr_pstrcat(
                                         p, "\"id\":\"", ids[i],
                                         "\",\"url\":\"/\"", NULL)),
                                     BATCH_E_INVALID_JSON, NULL);

        assert_contains(err->message, "surrogate");
    }
}

static void test_lone_surrogate_in_key_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                      "\"headers\":{\"X-\\udc00\":\"v\"}"),
            BATCH_E_INVALID_JSON, NULL);
}

static void test_surrogate_escape_cut_by_end_refused(void **state)
{
    static const char doc[] = "{\"requests\":[{\"id\":\"\\ud800\\udc";

    refused_len(UNIT_POOL(state), doc, sizeof(doc) - 1,
                BATCH_E_INVALID_JSON, NULL);
}

/* --- JSON, but not a batch --- */

static void test_top_level_array(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "[{\"id\":\"a\",\"url\":\"/\"}]",
                                 BATCH_E_INVALID_REQUEST, NULL);

    assert_contains(err->message, "\"requests\"");
}

static void test_top_level_string(void **state)
{
    refused(UNIT_POOL(state), "\"requests\"", BATCH_E_INVALID_REQUEST, NULL);
}

static void test_top_level_number(void **state)
{
    refused(UNIT_POOL(state), "42", BATCH_E_INVALID_REQUEST, NULL);
}

static void test_no_requests(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state), "{\"Requests\":[]}",
                                 BATCH_E_INVALID_REQUEST, NULL);

    assert_contains(err->message, "\"requests\"");
}

static void test_requests_not_array(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    refused(p, "{\"requests\":{}}", BATCH_E_INVALID_REQUEST, NULL);
    refused(p, "{\"requests\":null}", BATCH_E_INVALID_REQUEST, NULL);
    refused(p, "{\"requests\":\"[]\"}", BATCH_E_INVALID_REQUEST, NULL);
}

static void test_op_not_object(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "{\"requests\":[{\"id\":\"a\",\"url\":\"/\"},"
                                 "5]}", BATCH_E_INVALID_REQUEST,
                                 "requests[1]");

    assert_contains(err->message, "requests[1]");
}

static void test_op_null_or_array(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    refused(p, "{\"requests\":[null]}", BATCH_E_INVALID_REQUEST,
            "requests[0]");
    refused(p, "{\"requests\":[[]]}", BATCH_E_INVALID_REQUEST,
            "requests[0]");
}

static void test_on_error_maybe(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "{\"requests\":[],\"onError\":\"maybe\"}",
                                 BATCH_E_INVALID_REQUEST, NULL);

    assert_contains(err->message, "onError");
}

static void test_on_error_not_string(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[],\"onError\":true}",
            BATCH_E_INVALID_REQUEST, NULL);
}

/* --- id --- */

static void test_missing_id(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "{\"requests\":[{\"id\":\"a\",\"url\":\"/\"},"
                                 "{\"url\":\"/\"}]}",
                                 BATCH_E_INVALID_REQUEST, "requests[1]");

    assert_contains(err->message, "requests[1]");
    assert_contains(err->message, "id");
}

static void test_numeric_id(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "{\"requests\":[{\"id\":1,\"url\":\"/\"}]}",
                                 BATCH_E_INVALID_REQUEST, "requests[0]");

    assert_contains(err->message, "requests[0]");
    assert_contains(err->message, "string");
}

static void test_null_id(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[{\"id\":null,\"url\":\"/\"}]}",
            BATCH_E_INVALID_REQUEST, "requests[0]");
}

static void test_id_with_nul(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "{\"requests\":[{\"id\":\"a\\u0000b\","
                                 "\"url\":\"/\"}]}",
                                 BATCH_E_INVALID_REQUEST, "requests[0]");

    assert_contains(err->message, "NUL");
}

static void test_empty_id_error_names_index(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[{\"id\":\"\",\"method\":5,"
            "\"url\":\"/\"}]}", BATCH_E_INVALID_REQUEST, "requests[0]");
}

/* --- method and url --- */

static void test_missing_url(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "{\"requests\":[{\"id\":\"op-a\"}]}",
                                 BATCH_E_INVALID_REQUEST, "op-a");

    assert_contains(err->message, "url");
    assert_contains(err->message, "op-a");
}

static void test_null_url(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[{\"id\":\"a\",\"url\":null}]}",
            BATCH_E_INVALID_REQUEST, "a");
}

static void test_url_not_string(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "{\"requests\":[{\"id\":\"a\",\"url\":5}]}",
                                 BATCH_E_INVALID_REQUEST, "a");

    assert_contains(err->message, "url");
    assert_contains(err->message, "string");
}

static void test_url_with_nul(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "{\"requests\":[{\"id\":\"a\","
                                 "\"url\":\"/x\\u0000y\"}]}",
                                 BATCH_E_INVALID_URL, "a");

    assert_contains(err->message, "NUL");
}

static void test_method_not_string(void **state)
{
    batch_error_t *err = refused(UNIT_POOL(state),
                                 "{\"requests\":[{\"id\":\"a\",\"method\":1,"
                                 "\"url\":\"/\"}]}",
                                 BATCH_E_INVALID_REQUEST, "a");

    assert_contains(err->message, "method");
}

static void test_method_with_nul(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":[{\"id\":\"a\","
            "\"method\":\"GET\\u0000\",\"url\":\"/\"}]}",
            BATCH_E_INVALID_REQUEST, "a");
}

/* --- headers --- */

static void test_headers_not_object(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"headers\":[\"X: y\"]"),
                                 BATCH_E_INVALID_REQUEST, "a");

    assert_contains(err->message, "headers");
    refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\",\"headers\":\"X: y\""),
            BATCH_E_INVALID_REQUEST, "a");
}

static void test_header_value_number(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"headers\":{\"X-N\":5}"),
                                 BATCH_E_INVALID_REQUEST, "a");

    assert_contains(err->message, "X-N");
}

static void test_header_value_null(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                      "\"headers\":{\"X-N\":null}"),
            BATCH_E_INVALID_REQUEST, "a");
}

static void test_header_value_with_nul(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"headers\":{\"X-N\":"
                                           "\"a\\u0000b\"}"),
                                 BATCH_E_INVALID_HEADER, "a");

    assert_contains(err->message, "X-N");
}

static void test_header_name_empty(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                      "\"headers\":{\"\":\"v\"}"),
            BATCH_E_INVALID_HEADER, "a");
}

static void test_header_name_with_nul(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    batch_error_t *err;

    /* json-c would cut the name at the NUL: refused as it is read */
    err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                            "\"headers\":{\"X-A\\u0000B\":\"v\"}"),
                  BATCH_E_INVALID_JSON, NULL);
    assert_contains(err->message, "NUL");
}

/* --- dependsOn --- */

static void test_depends_on_not_array(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"dependsOn\":\"b\""),
                                 BATCH_E_INVALID_REQUEST, "a");

    assert_contains(err->message, "dependsOn");
}

static void test_depends_on_number(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"dependsOn\":[\"b\",1]"),
                                 BATCH_E_INVALID_REQUEST, "a");

    assert_contains(err->message, "dependsOn[1]");
}

static void test_depends_on_with_nul(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                      "\"dependsOn\":[\"b\\u0000\"]"),
            BATCH_E_INVALID_REQUEST, "a");
}

static void test_depends_on_null_is_none(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"dependsOn\":null"));

    assert_null(unit_op_at(b, 0)->depends_on);
}

static void test_depends_on_empty(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                    "\"dependsOn\":[]"));

    assert_non_null(unit_op_at(b, 0)->depends_on);
    assert_int_equal(unit_op_at(b, 0)->depends_on->nelts, 0);
}

/* --- body encoding --- */

static void test_body_encoding_unknown(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"bodyEncoding\":\"gzip\","
                                           "\"body\":\"x\""),
                                 BATCH_E_INVALID_REQUEST, "a");

    assert_contains(err->message, "bodyEncoding");
}

static void test_body_encoding_not_string(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\",\"bodyEncoding\":true,"
                      "\"body\":\"x\""), BATCH_E_INVALID_REQUEST, "a");
}

static void assert_bad_base64(apr_pool_t *p, const char *b64)
{
    batch_error_t *err = refused(p, one_op(p, apr_pstrcat(
                                     p, "\"id\":\"a\",\"url\":\"/\","
                                     "\"bodyEncoding\":\"base64\","
                                     "\"body\":\"", b64, "\"", NULL)),
                                 BATCH_E_INVALID_BODY, "a");

    assert_contains(err->message, "base64");
}

static void test_base64_invalid_character(void **state)
{
    assert_bad_base64(UNIT_POOL(state), "QUJD!");
    assert_bad_base64(UNIT_POOL(state), "QU-_");
}

static void test_base64_whitespace(void **state)
{
    assert_bad_base64(UNIT_POOL(state), "QU JD");
    assert_bad_base64(UNIT_POOL(state), "QUJD\\n");
}

static void test_base64_bad_padding(void **state)
{
    assert_bad_base64(UNIT_POOL(state), "QQ=A");
    assert_bad_base64(UNIT_POOL(state), "Q===");
    assert_bad_base64(UNIT_POOL(state), "QQ=");
    assert_bad_base64(UNIT_POOL(state), "=");
}

static void test_base64_bad_length(void **state)
{
    assert_bad_base64(UNIT_POOL(state), "Q");
    assert_bad_base64(UNIT_POOL(state), "QUJDQ");
}

static void test_base64_body_object(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                                           "\"bodyEncoding\":\"base64\","
                                           "\"body\":{\"a\":1}"),
                                 BATCH_E_INVALID_BODY, "a");

    assert_contains(err->message, "base64");
}

static void test_base64_body_number(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    refused(p, one_op(p, "\"id\":\"a\",\"url\":\"/\","
                      "\"bodyEncoding\":\"base64\",\"body\":12"),
            BATCH_E_INVALID_BODY, "a");
}

static void test_first_bad_op_is_named(void **state)
{
    refused(UNIT_POOL(state), "{\"requests\":["
            "{\"id\":\"a\",\"url\":\"/\"},"
            "{\"id\":\"b\",\"url\":false},"
            "{\"id\":\"c\"}]}", BATCH_E_INVALID_REQUEST, "b");
}

/* The tree estimate counts what json-c allocates per node, whatever the
 * text's size: empty objects are the dearest, and strings inside strings
 * (escaped quotes, brackets) are no nodes. */
static void test_tree_cost(void **state)
{
    const char *objects = "[{},{},{},{}]";
    const char *text = "[\"a{[\\\"]}\"]";

    (void)state;
    assert_true(batch_json_tree_cost(objects, strlen(objects)) >= 4 * 800);
    assert_true(batch_json_tree_cost("[0,1,2,3]", 9) >= 4 * 72);
    assert_true(batch_json_tree_cost("[0,1,2,3]", 9)
                < batch_json_tree_cost(objects, strlen(objects)));
    assert_true(batch_json_tree_cost(text, strlen(text))
                < batch_json_tree_cost("[{},[]]", 7));
    assert_int_equal(batch_json_tree_cost("", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_tree_cost),
        UNIT_TEST(test_spec_example_ops),
        UNIT_TEST(test_spec_example_indexes),
        UNIT_TEST(test_spec_example_headers),
        UNIT_TEST(test_spec_example_body),
        UNIT_TEST(test_spec_example_depends_on),
        UNIT_TEST(test_graph_vector),
        UNIT_TEST(test_odata_vector),
        UNIT_TEST(test_method_defaults_to_get),
        UNIT_TEST(test_method_null_defaults_to_get),
        UNIT_TEST(test_method_kept_as_written),
        UNIT_TEST(test_url_kept_as_written),
        UNIT_TEST(test_headers_absent_is_empty_table),
        UNIT_TEST(test_headers_null_is_empty_table),
        UNIT_TEST(test_headers_kept_as_written),
        UNIT_TEST(test_body_absent_is_no_body),
        UNIT_TEST(test_body_null_is_no_body),
        UNIT_TEST(test_body_string_sent_as_is),
        UNIT_TEST(test_body_string_keeps_nul),
        UNIT_TEST(test_body_empty_string),
        UNIT_TEST(test_body_object_serialized_compactly),
        UNIT_TEST(test_body_object_adds_content_type),
        UNIT_TEST(test_body_array_and_scalars_serialized),
        UNIT_TEST(test_body_object_keeps_op_content_type),
        UNIT_TEST(test_body_object_keeps_lower_case_content_type),
        UNIT_TEST(test_base64_decodes_text),
        UNIT_TEST(test_base64_decodes_binary),
        UNIT_TEST(test_base64_decodes_unpadded),
        UNIT_TEST(test_base64_empty_string),
        UNIT_TEST(test_base64_name_any_case),
        UNIT_TEST(test_base64_null_body_is_no_body),
        UNIT_TEST(test_body_encoding_null_is_none),
        UNIT_TEST(test_atomicity_group_null_is_none),
        UNIT_TEST(test_atomicity_group_not_string),
        UNIT_TEST(test_atomicity_group_with_nul),
        UNIT_TEST(test_on_error_default_continue),
        UNIT_TEST(test_on_error_stop),
        UNIT_TEST(test_on_error_continue),
        UNIT_TEST(test_on_error_null_is_continue),
        UNIT_TEST(test_empty_requests),
        UNIT_TEST(test_unknown_fields_ignored),
        UNIT_TEST(test_whitespace_around_document),
        UNIT_TEST(test_depth_32_accepted),
        UNIT_TEST(test_not_json),
        UNIT_TEST(test_not_json_offset),
        UNIT_TEST(test_empty_document),
        UNIT_TEST(test_only_whitespace),
        UNIT_TEST(test_truncated),
        UNIT_TEST(test_trailing_garbage),
        UNIT_TEST(test_trailing_garbage_after_space),
        UNIT_TEST(test_two_documents),
        UNIT_TEST(test_trailing_comma),
        UNIT_TEST(test_nul_byte_inside),
        UNIT_TEST(test_nul_byte_after_document),
        UNIT_TEST(test_invalid_utf8_in_string),
        UNIT_TEST(test_truncated_utf8_in_string),
        UNIT_TEST(test_overlong_utf8_in_string),
        UNIT_TEST(test_surrogate_utf8_in_string),
        UNIT_TEST(test_single_quotes_refused),
        UNIT_TEST(test_nan_refused),
        UNIT_TEST(test_raw_control_character_refused),
        UNIT_TEST(test_depth_33_refused),
        UNIT_TEST(test_deep_garbage_refused),
        UNIT_TEST(test_duplicate_url_refused),
        UNIT_TEST(test_duplicate_id_refused),
        UNIT_TEST(test_duplicate_top_level_refused),
        UNIT_TEST(test_duplicate_header_refused),
        UNIT_TEST(test_duplicate_in_body_refused),
        UNIT_TEST(test_duplicate_escaped_spelling_refused),
        UNIT_TEST(test_duplicate_unprintable_name_not_shown),
        UNIT_TEST(test_same_names_in_other_objects_accepted),
        UNIT_TEST(test_names_differing_in_one_byte_accepted),
        UNIT_TEST(test_many_unique_names_accepted),
        UNIT_TEST(test_header_names_differing_in_case_refused),
        UNIT_TEST(test_surrogate_pair_accepted),
        UNIT_TEST(test_lone_surrogate_escapes_refused),
        UNIT_TEST(test_lone_surrogate_in_key_refused),
        UNIT_TEST(test_surrogate_escape_cut_by_end_refused),
        UNIT_TEST(test_top_level_array),
        UNIT_TEST(test_top_level_string),
        UNIT_TEST(test_top_level_number),
        UNIT_TEST(test_no_requests),
        UNIT_TEST(test_requests_not_array),
        UNIT_TEST(test_op_not_object),
        UNIT_TEST(test_op_null_or_array),
        UNIT_TEST(test_on_error_maybe),
        UNIT_TEST(test_on_error_not_string),
        UNIT_TEST(test_missing_id),
        UNIT_TEST(test_numeric_id),
        UNIT_TEST(test_null_id),
        UNIT_TEST(test_id_with_nul),
        UNIT_TEST(test_empty_id_error_names_index),
        UNIT_TEST(test_missing_url),
        UNIT_TEST(test_null_url),
        UNIT_TEST(test_url_not_string),
        UNIT_TEST(test_url_with_nul),
        UNIT_TEST(test_method_not_string),
        UNIT_TEST(test_method_with_nul),
        UNIT_TEST(test_headers_not_object),
        UNIT_TEST(test_header_value_number),
        UNIT_TEST(test_header_value_null),
        UNIT_TEST(test_header_value_with_nul),
        UNIT_TEST(test_header_name_empty),
        UNIT_TEST(test_header_name_with_nul),
        UNIT_TEST(test_depends_on_not_array),
        UNIT_TEST(test_depends_on_number),
        UNIT_TEST(test_depends_on_with_nul),
        UNIT_TEST(test_depends_on_null_is_none),
        UNIT_TEST(test_depends_on_empty),
        UNIT_TEST(test_body_encoding_unknown),
        UNIT_TEST(test_body_encoding_not_string),
        UNIT_TEST(test_base64_invalid_character),
        UNIT_TEST(test_base64_whitespace),
        UNIT_TEST(test_base64_bad_padding),
        UNIT_TEST(test_base64_bad_length),
        UNIT_TEST(test_base64_body_object),
        UNIT_TEST(test_base64_body_number),
        UNIT_TEST(test_first_bad_op_is_named),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("parse_json", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
