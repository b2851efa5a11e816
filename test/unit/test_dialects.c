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
 * The JSON dialects: which one a document is (the registry,
 * src/batch_format.c), and each dialect's parser and emitter
 * (src/batch_dialect_rails.c, src/batch_dialect_array.c,
 * src/batch_dialect_keyed.c; the facebook dialect has test_facebook.c).
 */
#include <apr_strings.h>
#include <apr_tables.h>
#include <apr_buckets.h>

#include "unit.h"
#include "batch.h"
#include "batch_form.h"
#include "batch_format.h"
#include "batch_json.h"

/* --- helpers --- */

static batch_input_t *input(apr_pool_t *p, const char *json,
                            const char *path_info)
{
    batch_input_t *in = apr_pcalloc(p, sizeof(*in));

    in->len = strlen(json);
    in->body = unit_exact(p, json, in->len);
    in->content_type = "application/json";
    in->path_info = path_info;
    return in;
}

static batch_t *parse_ok(apr_pool_t *p, const batch_format_t *fmt,
                         const char *json, const char *path_info)
{
    batch_error_t *err = NULL;
    batch_t *batch = fmt->parse(p, input(p, json, path_info), &err);

    if (!batch) {
        fail_msg("refused: %s: %s", err ? err->code : "(no error)",
                 err ? err->message : "");
    }
    return batch;
}

static batch_error_t *parse_refused(apr_pool_t *p, const batch_format_t *fmt,
                                    const char *json)
{
    batch_error_t *err = NULL;
    batch_t *batch = fmt->parse(p, input(p, json, NULL), &err);

    assert_null(batch);
    assert_non_null(err);
    return err;
}

static const batch_format_t *detect(apr_pool_t *p, const char *json)
{
    batch_error_t *err = NULL;
    json_object *tree;
    const batch_format_t *fmt = batch_format_by_shape(
        p, NULL, unit_exact(p, json, strlen(json)), strlen(json), p, &tree,
        &err);

    assert_null(err);
    return fmt;
}

static batch_error_t *choose_refused(apr_pool_t *p,
                                     const batch_format_t *forced,
                                     const char *json)
{
    batch_error_t *err = NULL;
    json_object *tree;

    assert_null(batch_format_by_shape(p, forced, unit_exact(p, json,
                                                           strlen(json)),
                                      strlen(json), p, &tree, &err));
    assert_non_null(err);
    return err;
}

static const char *emit_one(apr_pool_t *p, const batch_format_t *fmt,
                            batch_op_t *op, batch_result_t *res)
{
    return unit_emit_json(p, fmt, &op, &res, 1);
}

/* --- detection and BatchDialect --- */

static void test_detect_graph(void **state)
{
    assert_ptr_equal(detect(UNIT_POOL(state), "{\"requests\": []}"),
                     UNIT_FORMAT("graph"));
}

static void test_detect_not_json_is_graph(void **state)
{
    assert_ptr_equal(detect(UNIT_POOL(state), "{nope"), UNIT_FORMAT("graph"));
}

static void test_detect_unknown_shape_is_graph(void **state)
{
    assert_ptr_equal(detect(UNIT_POOL(state), "{}"), UNIT_FORMAT("graph"));
}

static void test_forced_dialect_mismatch(void **state)
{
    batch_error_t *err = choose_refused(UNIT_POOL(state), UNIT_FORMAT("graph"),
                                        "{\"batch\": []}");

    unit_assert_error(err, 400, BATCH_E_INVALID_REQUEST, NULL);
    assert_contains(err->message, "BatchDialect graph");
    assert_contains(err->message, "a \"requests\" array");
    assert_contains(err->message, "not a batch of the dialect facebook");
}

static void test_forced_dialect_unknown_shape(void **state)
{
    batch_error_t *err = choose_refused(UNIT_POOL(state), UNIT_FORMAT("graph"),
                                        "{}");

    assert_contains(err->message, "BatchDialect graph");
    assert_contains(err->message, "a \"requests\" array");
}

static void test_forced_dialect_fits(void **state)
{
    batch_error_t *err = NULL;
    json_object *tree;

    assert_ptr_equal(batch_format_by_shape(UNIT_POOL(state),
                                           UNIT_FORMAT("graph"),
                                           "{\"requests\": []}", 16,
                                           UNIT_POOL(state), &tree, &err),
                     UNIT_FORMAT("graph"));
    assert_null(err);
    assert_non_null(tree);
}

static void test_forced_dialect_not_json_goes_to_its_parser(void **state)
{
    batch_error_t *err = NULL;
    json_object *tree;

    assert_ptr_equal(batch_format_by_shape(UNIT_POOL(state),
                                           UNIT_FORMAT("graph"), "[", 1,
                                           UNIT_POOL(state), &tree, &err),
                     UNIT_FORMAT("graph"));
    assert_null(err);
    assert_null(tree);
}

static void test_dialect_names(void **state)
{
    (void)state;
    assert_string_equal(batch_format_named("graph")->name, "graph");
    assert_ptr_equal(batch_format_named("GRAPH"), batch_format_named("graph"));
    assert_null(batch_format_named("auto"));
    assert_string_equal(batch_format_named("facebook")->name, "facebook");
    assert_null(batch_format_named("soap"));
    assert_string_equal(batch_format_dialect_names(UNIT_POOL(state)),
                        "graph, rails, facebook, array, keyed");
}

/* --- form encoding --- */

static void test_form_encode_nested(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    json_object *obj = batch_json_own(p, json_tokener_parse(
        "{\"a\": 1, \"b\": \"x y&z\", \"c\": [1, 2], \"d\": {\"e\": true},"
        " \"f\": null}"));

    assert_string_equal(batch_form_encode(p, obj),
                        "a=1&b=x+y%26z&c%5b%5d=1&c%5b%5d=2&d%5be%5d=true&f");
}

/* --- rails --- */

static void test_rails_detected(void **state)
{
    assert_ptr_equal(detect(UNIT_POOL(state),
                            "{\"ops\": [], \"sequential\": true}"),
                     UNIT_FORMAT("rails"));
}

static void test_rails_named(void **state)
{
    (void)state;
    assert_string_equal(batch_format_named("Rails")->name, "rails");
}

static void test_rails_forced_refuses_graph(void **state)
{
    batch_error_t *err = choose_refused(UNIT_POOL(state),
                                        UNIT_FORMAT("rails"),
                                        "{\"requests\": []}");

    unit_assert_error(err, 400, BATCH_E_INVALID_REQUEST, NULL);
    assert_contains(err->message, "BatchDialect rails");
    assert_contains(err->message, "\"ops\" array");
    assert_contains(err->message, "not a batch of the dialect graph");
}

static void test_rails_vector(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    apr_size_t len;
    char *json = unit_read_vector(p, "batch_api.request.json", &len);
    batch_t *batch;
    batch_op_t *op;

    if (!json) {
        skip();
    }
    batch = parse_ok(p, UNIT_FORMAT("rails"), json, NULL);
    assert_int_equal(batch->ops->nelts, 4);
    assert_true(batch->sequential);
    op = unit_op_at(batch, 0);
    assert_string_equal(op->method, "get");
    assert_string_equal(op->url, "/patrons");
    assert_string_equal(op->id, "ops[0]");
    op = unit_op_at(batch, 1);
    assert_string_equal(op->url, "/orders/new");
    assert_string_equal(op->body, "dish_id=123");
    assert_string_equal(apr_table_get(op->headers, "Content-Type"),
                        "application/x-www-form-urlencoded");
    op = unit_op_at(batch, 2);
    assert_string_equal(apr_table_get(op->headers, "break"), "fast");
    assert_string_equal(unit_op_at(batch, 3)->method, "delete");
}

static void test_rails_method_defaults_to_get(void **state)
{
    batch_t *batch = parse_ok(UNIT_POOL(state), UNIT_FORMAT("rails"),
                              "{\"ops\": [{\"url\": \"/a\"}], "
                              "\"sequential\": true}", NULL);

    assert_string_equal(unit_op_at(batch, 0)->method, "GET");
}

static void test_rails_get_params_in_query(void **state)
{
    batch_t *batch = parse_ok(UNIT_POOL(state), UNIT_FORMAT("rails"),
                              "{\"ops\": [{\"method\": \"get\", \"url\": "
                              "\"/a?x=1\", \"params\": {\"y\": 2}}, "
                              "{\"method\": \"DELETE\", \"url\": \"/b\", "
                              "\"args\": {\"z\": \"q\"}}], "
                              "\"sequential\": true}", NULL);

    assert_string_equal(unit_op_at(batch, 0)->url, "/a?x=1&y=2");
    assert_null(unit_op_at(batch, 0)->body);
    assert_string_equal(unit_op_at(batch, 1)->url, "/b?z=q");
}

static void test_rails_args_as_form_body(void **state)
{
    batch_op_t *op = unit_op_at(parse_ok(
        UNIT_POOL(state), UNIT_FORMAT("rails"),
        "{\"ops\": [{\"method\": \"PUT\", \"url\": \"/a\", \"args\": "
        "{\"n\": \"v\"}, \"headers\": {\"Content-Type\": \"text/x\"}}], "
        "\"sequential\": true}", NULL), 0);

    assert_string_equal(op->body, "n=v");
    assert_string_equal(apr_table_get(op->headers, "Content-Type"),
                        "text/x");
}

static void test_rails_silent(void **state)
{
    batch_t *batch = parse_ok(UNIT_POOL(state), UNIT_FORMAT("rails"),
                              "{\"ops\": [{\"url\": \"/a\", \"silent\": "
                              "true}, {\"url\": \"/b\"}], "
                              "\"sequential\": true}", NULL);

    assert_true(unit_op_at(batch, 0)->silent);
    assert_false(unit_op_at(batch, 1)->silent);
}

static void test_rails_no_ops_is_422(void **state)
{
    batch_error_t *err = parse_refused(UNIT_POOL(state), UNIT_FORMAT("rails"),
                                       "{\"ops\": [], \"sequential\": true}");

    unit_assert_error(err, 422, BATCH_E_INVALID_REQUEST, NULL);
    assert_contains(err->message, "no operations");
}

static void test_rails_missing_sequential_is_422(void **state)
{
    batch_error_t *err = parse_refused(UNIT_POOL(state), UNIT_FORMAT("rails"),
                                       "{\"ops\": [{\"url\": \"/a\"}]}");

    unit_assert_error(err, 422, BATCH_E_INVALID_REQUEST, NULL);
    assert_contains(err->message, "sequential");
}

static void test_rails_sequential_false_is_422(void **state)
{
    batch_error_t *err = parse_refused(UNIT_POOL(state), UNIT_FORMAT("rails"),
                                       "{\"ops\": [{\"url\": \"/a\"}], "
                                       "\"sequential\": false}");

    unit_assert_error(err, 422, BATCH_E_INVALID_REQUEST, NULL);
}

static void test_rails_too_many_is_422(void **state)
{
    batch_error_t err = { 413, BATCH_E_TOO_MANY, "too many", NULL };

    (void)state;
    assert_int_equal(UNIT_FORMAT("rails")->refusal_status(&err), 422);
    err.status = 400;
    err.code = BATCH_E_INVALID_URL;
    assert_int_equal(UNIT_FORMAT("rails")->refusal_status(&err), 422);
    err.status = 413;
    err.code = BATCH_E_TOO_LARGE;
    assert_int_equal(UNIT_FORMAT("rails")->refusal_status(&err), 413);
}

static void test_rails_both_params_and_args(void **state)
{
    batch_error_t *err = parse_refused(
        UNIT_POOL(state), UNIT_FORMAT("rails"),
        "{\"ops\": [{\"url\": \"/a\", \"params\": {}, \"args\": {}}], "
        "\"sequential\": true}");

    unit_assert_error(err, 400, BATCH_E_INVALID_REQUEST, "ops[0]");
}

static void test_rails_bad_fields(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    static const char *const docs[] = {
        "{\"ops\": [1], \"sequential\": true}",
        "{\"ops\": [{}], \"sequential\": true}",
        "{\"ops\": [{\"url\": 5}], \"sequential\": true}",
        "{\"ops\": [{\"url\": \"/\", \"method\": 1}], \"sequential\": true}",
        "{\"ops\": [{\"url\": \"/\", \"params\": [1]}], \"sequential\": true}",
        "{\"ops\": [{\"url\": \"/\", \"silent\": 1}], \"sequential\": true}",
        "{\"ops\": [{\"url\": \"/\", \"headers\": {\"a\": 1}}], "
        "\"sequential\": true}",
    };
    size_t i;

    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        batch_error_t *err = parse_refused(p, UNIT_FORMAT("rails"), docs[i]);

        assert_int_equal(err->status, 400);
        assert_string_equal(err->operation, "ops[0]");
    }
}

static void test_rails_emit_vector_shape(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *ops[3] = { unit_op(p, "ops[0]"), unit_op(p, "ops[1]"),
                           unit_op(p, "ops[2]") };
    batch_result_t *res[3] = {
        unit_result(p, 200, "application/json", "[{\"id\": 1}]"),
        unit_result(p, 500, "text/plain", "boom"),
        unit_result(p, 200, NULL, NULL),
    };

    apr_table_setn(res[1]->headers, "Problem", "woops");
    res[2]->headers = apr_table_make(p, 1);
    assert_string_equal(
        unit_emit_json(p, UNIT_FORMAT("rails"), ops, res, 3),
        "{\"results\":["
        "{\"status\":200,\"headers\":{\"Content-Type\":\"application/json\"},"
        "\"body\":[{\"id\": 1}]},"
        "{\"status\":500,\"headers\":{\"Content-Type\":\"text/plain\","
        "\"Problem\":\"woops\"},\"body\":\"boom\"},"
        "{\"status\":200}]}");
}

static void test_rails_emit_set_cookies(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *ops[1] = { unit_op(p, "ops[0]") };
    batch_result_t *res[1] = { unit_result(p, 200, NULL, NULL) };

    res[0]->headers = apr_table_make(p, 2);
    apr_table_add(res[0]->headers, "Set-Cookie", "a=1; Expires=Wed, 21 Oct "
                  "2026 07:28:00 GMT");
    apr_table_add(res[0]->headers, "Set-Cookie", "b=2");
    assert_string_equal(
        unit_emit_json(p, UNIT_FORMAT("rails"), ops, res, 1),
        "{\"results\":[{\"status\":200,\"headers\":{\"Set-Cookie\":"
        "\"a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT, b=2\"},"
        "\"setCookies\":[\"a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT\","
        "\"b=2\"]}]}");
}

/* rails' headers object, as the canonical format's: repeated names, in
 * any case, give one member with the values joined */
static void test_rails_emit_repeated_headers_joined(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *op = unit_op(p, "ops[0]");
    batch_result_t *res = unit_result(p, 200, "text/plain", "x");

    apr_table_add(res->headers, "Set-Cookie", "a=1");
    apr_table_add(res->headers, "set-cookie", "b=2");
    assert_string_equal(
        unit_emit_json(p, UNIT_FORMAT("rails"), &op, &res, 1),
        "{\"results\":[{\"status\":200,\"headers\":{\"Content-Type\":"
        "\"text/plain\",\"Set-Cookie\":\"a=1, b=2\"},"
        "\"setCookies\":[\"a=1\",\"b=2\"],\"body\":\"x\"}]}");
}

static void test_rails_emit_silent(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *ops[2] = { unit_op(p, "ops[0]"), unit_op(p, "ops[1]") };
    batch_result_t *res[2] = {
        unit_result(p, 201, "application/json", "{\"a\":1}"),
        unit_result(p, 404, "text/plain", "no"),
    };

    ops[0]->silent = ops[1]->silent = 1;
    assert_string_equal(
        unit_emit_json(p, UNIT_FORMAT("rails"), ops, res, 2),
        "{\"results\":[{},{\"status\":404,\"headers\":{\"Content-Type\":"
        "\"text/plain\"},\"body\":\"no\"}]}");
}

/* --- array --- */

static void test_array_detected(void **state)
{
    assert_ptr_equal(detect(UNIT_POOL(state), "[{\"url\": \"/a\"}]"),
                     UNIT_FORMAT("array"));
}

static void test_array_named(void **state)
{
    (void)state;
    assert_string_equal(batch_format_named("array")->name, "array");
}

static void test_array_forced_refuses_an_object(void **state)
{
    batch_error_t *err = choose_refused(UNIT_POOL(state),
                                        UNIT_FORMAT("array"), "{}");

    assert_contains(err->message, "BatchDialect array");
    assert_contains(err->message, "an array of operations");
}

static void test_array_ops(void **state)
{
    batch_t *batch = parse_ok(UNIT_POOL(state), UNIT_FORMAT("array"),
                              "[{\"method\": \"POST\", \"url\": \"/u\", "
                              "\"body\": {\"n\": 1}}, {\"url\": \"/v\", "
                              "\"body\": \"raw\"}]", NULL);
    batch_op_t *op = unit_op_at(batch, 0);

    assert_int_equal(batch->ops->nelts, 2);
    assert_string_equal(op->id, "[0]");
    assert_string_equal(op->method, "POST");
    assert_string_equal(op->body, "{\"n\":1}");
    assert_string_equal(apr_table_get(op->headers, "Content-Type"),
                        "application/json");
    op = unit_op_at(batch, 1);
    assert_string_equal(op->method, "GET");
    assert_string_equal(op->body, "raw");
    assert_null(apr_table_get(op->headers, "Content-Type"));
}

static void test_array_url_from_path_info(void **state)
{
    batch_t *batch = parse_ok(UNIT_POOL(state), UNIT_FORMAT("array"),
                              "[{\"method\": \"POST\", \"body\": {}}, "
                              "{\"url\": \"/other\"}]", "/users");

    assert_string_equal(unit_op_at(batch, 0)->url, "/users");
    assert_string_equal(unit_op_at(batch, 1)->url, "/other");
}

static void test_array_no_url_without_path_info(void **state)
{
    batch_error_t *err = parse_refused(UNIT_POOL(state), UNIT_FORMAT("array"),
                                       "[{\"method\": \"POST\"}]");

    unit_assert_error(err, 400, BATCH_E_INVALID_REQUEST, "[0]");
    assert_contains(err->message, "no url");
}

static void test_array_not_array(void **state)
{
    unit_assert_error(parse_refused(UNIT_POOL(state), UNIT_FORMAT("array"),
                                    "{\"requests\": []}"),
                      400, BATCH_E_INVALID_REQUEST, NULL);
}

static void test_array_op_not_object(void **state)
{
    unit_assert_error(parse_refused(UNIT_POOL(state), UNIT_FORMAT("array"),
                                    "[{\"url\": \"/\"}, 7]"),
                      400, BATCH_E_INVALID_REQUEST, "[1]");
}

static void test_array_emit(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *ops[3] = { unit_op(p, "[0]"), unit_op(p, "[1]"),
                           unit_op(p, "[2]") };
    batch_result_t *res[3] = {
        unit_result(p, 201, "application/json", " {\"id\":4} \n"),
        unit_result(p, 404, "text/html", "<p>no</p>"),
        unit_result(p, 204, NULL, NULL),
    };

    assert_string_equal(
        unit_emit_json(p, UNIT_FORMAT("array"), ops, res, 3),
        "[{\"responseCode\":201,\"responseBody\":{\"id\":4}},"
        "{\"responseCode\":404,\"responseBody\":\"<p>no</p>\"},"
        "{\"responseCode\":204,\"responseBody\":null}]");
}

/* the Set-Cookie headers, as rails and the canonical format keep them */
static void test_array_emit_set_cookies(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = unit_result(p, 200, NULL, NULL);

    apr_table_add(res->headers, "Set-Cookie", "a=1; Path=/");
    apr_table_add(res->headers, "Set-Cookie", "b=2");
    assert_string_equal(
        emit_one(p, UNIT_FORMAT("array"), unit_op(p, "[0]"), res),
        "[{\"responseCode\":200,\"setCookies\":[\"a=1; Path=/\",\"b=2\"],"
        "\"responseBody\":null}]");
}

static void test_array_emit_empty(void **state)
{
    assert_string_equal(unit_emit_json(UNIT_POOL(state), UNIT_FORMAT("array"),
                                 NULL, NULL, 0), "[]");
}

/* --- keyed --- */

static void test_keyed_detected(void **state)
{
    assert_ptr_equal(detect(UNIT_POOL(state),
                            "{\"a\": {\"method\": \"GET\", \"path\": \"/a\"},"
                            " \"b\": {\"path\": \"/b\"}}"),
                     UNIT_FORMAT("keyed"));
}

static void test_keyed_needs_every_member(void **state)
{
    assert_ptr_equal(detect(UNIT_POOL(state),
                            "{\"a\": {\"path\": \"/a\"}, \"b\": 1}"),
                     UNIT_FORMAT("graph"));
}

static void test_keyed_named(void **state)
{
    (void)state;
    assert_string_equal(batch_format_named("keyed")->name, "keyed");
}

static void test_keyed_forced_takes_its_shape(void **state)
{
    batch_error_t *err = NULL;
    json_object *tree;

    assert_ptr_equal(batch_format_by_shape(UNIT_POOL(state),
                                           UNIT_FORMAT("keyed"),
                                           "{\"k\": {\"path\": \"/\"}}", 21,
                                           UNIT_POOL(state), &tree, &err),
                     UNIT_FORMAT("keyed"));
    assert_null(err);
}

static void test_keyed_ops_in_document_order(void **state)
{
    batch_t *batch = parse_ok(UNIT_POOL(state), UNIT_FORMAT("keyed"),
                              "{\"get1\": {\"method\": \"GET\", \"path\": "
                              "\"/a\", \"query\": {\"q\": \"x y\"}}, "
                              "\"post\": {\"method\": \"POST\", \"path\": "
                              "\"/b?k=1\", \"query\": {\"z\": 2}, "
                              "\"payload\": {\"n\": [1]}}}", NULL);
    batch_op_t *op = unit_op_at(batch, 0);

    assert_int_equal(batch->ops->nelts, 2);
    assert_string_equal(op->id, "get1");
    assert_string_equal(op->url, "/a?q=x+y");
    assert_null(op->body);
    op = unit_op_at(batch, 1);
    assert_string_equal(op->id, "post");
    assert_int_equal(op->index, 1);
    assert_string_equal(op->url, "/b?k=1&z=2");
    assert_string_equal(op->body, "{\"n\":[1]}");
    assert_string_equal(apr_table_get(op->headers, "Content-Type"),
                        "application/json");
}

static void test_keyed_method_defaults_to_get(void **state)
{
    batch_t *batch = parse_ok(UNIT_POOL(state), UNIT_FORMAT("keyed"),
                              "{\"k\": {\"path\": \"/a\"}}", NULL);

    assert_string_equal(unit_op_at(batch, 0)->method, "GET");
}

static void test_keyed_missing_path(void **state)
{
    unit_assert_error(parse_refused(UNIT_POOL(state), UNIT_FORMAT("keyed"),
                                    "{\"k\": {\"method\": \"GET\"}}"),
                      400, BATCH_E_INVALID_REQUEST, "\"k\"");
}

static void test_keyed_bad_query(void **state)
{
    unit_assert_error(parse_refused(UNIT_POOL(state), UNIT_FORMAT("keyed"),
                                    "{\"k\": {\"path\": \"/\", \"query\": "
                                    "\"a=1\"}}"),
                      400, BATCH_E_INVALID_REQUEST, "\"k\"");
}

static void test_keyed_not_object(void **state)
{
    unit_assert_error(parse_refused(UNIT_POOL(state), UNIT_FORMAT("keyed"),
                                    "[]"),
                      400, BATCH_E_INVALID_REQUEST, NULL);
}

static void test_keyed_emit(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *ops[2] = { unit_op(p, "get1"), unit_op(p, "bad \"one\"") };
    batch_result_t *res[2] = {
        unit_result(p, 200, "application/json", "{\"a\":1}"),
        unit_result(p, 404, "application/json", "{\"error\":\"nf\"}"),
    };

    res[0]->elapsed = 1234;
    assert_string_equal(
        unit_emit_json(p, UNIT_FORMAT("keyed"), ops, res, 2),
        "{\"get1\":{\"code\":200,\"time\":{\"value\":1234,\"unit\":"
        "\"microseconds\"},\"payload\":{\"a\":1}},"
        "\"bad \\\"one\\\"\":{\"code\":404,\"time\":{\"value\":0,\"unit\":"
        "\"microseconds\"},\"error\":{\"error\":\"nf\"}}}");
}

static void test_keyed_emit_no_body(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(
        emit_one(p, UNIT_FORMAT("keyed"), unit_op(p, "d"),
                 unit_result(p, 204, NULL, NULL)),
        "{\"d\":{\"code\":204,\"time\":{\"value\":0,\"unit\":"
        "\"microseconds\"},\"payload\":null}}");
}

static void test_keyed_emit_set_cookies(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = unit_result(p, 200, NULL, NULL);

    apr_table_add(res->headers, "Set-Cookie", "sid=x; HttpOnly");
    assert_string_equal(
        emit_one(p, UNIT_FORMAT("keyed"), unit_op(p, "login"), res),
        "{\"login\":{\"code\":200,\"time\":{\"value\":0,\"unit\":"
        "\"microseconds\"},\"setCookies\":[\"sid=x; HttpOnly\"],"
        "\"payload\":null}}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_detect_graph),
        UNIT_TEST(test_detect_not_json_is_graph),
        UNIT_TEST(test_detect_unknown_shape_is_graph),
        UNIT_TEST(test_forced_dialect_mismatch),
        UNIT_TEST(test_forced_dialect_unknown_shape),
        UNIT_TEST(test_forced_dialect_fits),
        UNIT_TEST(test_forced_dialect_not_json_goes_to_its_parser),
        UNIT_TEST(test_dialect_names),
        UNIT_TEST(test_form_encode_nested),
        UNIT_TEST(test_rails_detected),
        UNIT_TEST(test_rails_named),
        UNIT_TEST(test_rails_forced_refuses_graph),
        UNIT_TEST(test_rails_vector),
        UNIT_TEST(test_rails_method_defaults_to_get),
        UNIT_TEST(test_rails_get_params_in_query),
        UNIT_TEST(test_rails_args_as_form_body),
        UNIT_TEST(test_rails_silent),
        UNIT_TEST(test_rails_no_ops_is_422),
        UNIT_TEST(test_rails_missing_sequential_is_422),
        UNIT_TEST(test_rails_sequential_false_is_422),
        UNIT_TEST(test_rails_too_many_is_422),
        UNIT_TEST(test_rails_both_params_and_args),
        UNIT_TEST(test_rails_bad_fields),
        UNIT_TEST(test_rails_emit_vector_shape),
        UNIT_TEST(test_rails_emit_set_cookies),
        UNIT_TEST(test_rails_emit_repeated_headers_joined),
        UNIT_TEST(test_rails_emit_silent),
        UNIT_TEST(test_array_detected),
        UNIT_TEST(test_array_named),
        UNIT_TEST(test_array_forced_refuses_an_object),
        UNIT_TEST(test_array_ops),
        UNIT_TEST(test_array_url_from_path_info),
        UNIT_TEST(test_array_no_url_without_path_info),
        UNIT_TEST(test_array_not_array),
        UNIT_TEST(test_array_op_not_object),
        UNIT_TEST(test_array_emit),
        UNIT_TEST(test_array_emit_set_cookies),
        UNIT_TEST(test_array_emit_empty),
        UNIT_TEST(test_keyed_detected),
        UNIT_TEST(test_keyed_needs_every_member),
        UNIT_TEST(test_keyed_named),
        UNIT_TEST(test_keyed_forced_takes_its_shape),
        UNIT_TEST(test_keyed_ops_in_document_order),
        UNIT_TEST(test_keyed_method_defaults_to_get),
        UNIT_TEST(test_keyed_missing_path),
        UNIT_TEST(test_keyed_bad_query),
        UNIT_TEST(test_keyed_not_object),
        UNIT_TEST(test_keyed_emit),
        UNIT_TEST(test_keyed_emit_no_body),
        UNIT_TEST(test_keyed_emit_set_cookies),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("dialects", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
