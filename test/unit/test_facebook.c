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
 * The facebook dialect (src/batch_dialect_facebook.c) and the HTML form
 * decoding it reads its batch field with (src/batch_form.c).
 */
#include <apr_strings.h>
#include <apr_tables.h>
#include <apr_buckets.h>

#include "unit.h"
#include "batch.h"
#include "batch_form.h"
#include "batch_format.h"

#define FORM "application/x-www-form-urlencoded"

/* --- helpers --- */

static batch_input_t *input(apr_pool_t *p, const char *ctype,
                            const char *body)
{
    batch_input_t *in = apr_pcalloc(p, sizeof(*in));

    in->len = strlen(body);
    in->body = unit_exact(p, body, in->len);
    in->content_type = ctype;
    return in;
}

static batch_t *parse_in(batch_input_t *in, apr_pool_t *p)
{
    batch_error_t *err = NULL;
    batch_t *batch = UNIT_FORMAT("facebook")->parse(p, in, &err);

    if (!batch) {
        fail_msg("refused: %s: %s", err ? err->code : "(no error)",
                 err ? err->message : "");
    }
    return batch;
}

static batch_t *parse_ok(apr_pool_t *p, const char *json)
{
    return parse_in(input(p, "application/json", json), p);
}

static batch_error_t *refused_in(batch_input_t *in, apr_pool_t *p)
{
    batch_error_t *err = NULL;

    assert_null(UNIT_FORMAT("facebook")->parse(p, in, &err));
    assert_non_null(err);
    return err;
}

static batch_error_t *refused(apr_pool_t *p, const char *json)
{
    return refused_in(input(p, "application/json", json), p);
}

/* A vector's .request.txt: its body (after the blank line) as input. */
static batch_input_t *vector_input(apr_pool_t *p, const char *name)
{
    size_t len;
    char *raw = unit_read_vector(p, name, &len);
    char *body;

    if (!raw) {
        skip();
    }
    body = strstr(raw, "\r\n\r\n");
    assert_non_null(body);
    return input(p, FORM, body + 4);
}

static const char *emit_one(apr_pool_t *p, batch_op_t *op,
                            batch_result_t *res)
{
    return unit_emit_json(p, UNIT_FORMAT("facebook"), &op, &res, 1);
}

static const char *field(apr_pool_t *p, const char *ctype, const char *body,
                         const char *name, const char **why)
{
    apr_size_t len = 0;
    const char *v = batch_form_field(p, ctype, unit_exact(p, body,
                                                          strlen(body)),
                                     strlen(body), name, &len, why);

    if (v) {
        assert_int_equal(strlen(v), len);
    }
    return v;
}

/* --- detection and BatchDialect --- */

static void test_detected(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = NULL;
    json_object *tree;

    assert_ptr_equal(batch_format_by_shape(p, NULL, "{\"batch\": []}", 13, p,
                                           &tree, &err),
                     UNIT_FORMAT("facebook"));
    assert_null(err);
}

static void test_named(void **state)
{
    (void)state;
    assert_string_equal(batch_format_named("Facebook")->name, "facebook");
}

static void test_forced_refuses_graph(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = NULL;
    json_object *tree;

    assert_null(batch_format_by_shape(p, UNIT_FORMAT("facebook"),
                                      "{\"requests\": []}", 16, p, &tree,
                                      &err));
    unit_assert_error(err, 400, BATCH_E_INVALID_REQUEST, NULL);
    assert_contains(err->message, "BatchDialect facebook");
    assert_contains(err->message, "\"batch\" array");
}

static void test_form_media_types_are_facebook(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_ptr_equal(unit_format_for(p, NULL, FORM "; charset=utf-8"),
                     UNIT_FORMAT("facebook"));
    assert_ptr_equal(unit_format_for(p, NULL,
                                     "multipart/form-data; boundary=x"),
                     UNIT_FORMAT("facebook"));
    assert_ptr_equal(unit_format_for(p, NULL, "application/json"),
                     UNIT_FORMAT("graph"));
    assert_null(unit_format_for(p, NULL, "application/vnd.fb+json"));
}

static void test_only_facebook_takes_forms(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_ptr_equal(unit_format_for(p, NULL, FORM), UNIT_FORMAT("facebook"));
    assert_ptr_equal(unit_format_for(p, UNIT_FORMAT("facebook"), FORM),
                     UNIT_FORMAT("facebook"));
    assert_null(unit_format_for(p, UNIT_FORMAT("graph"), FORM));
    assert_ptr_equal(unit_format_for(p, UNIT_FORMAT("rails"),
                                     "application/json"),
                     UNIT_FORMAT("rails"));
}

/* --- parsing a JSON body --- */

static void test_vector_ops(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    size_t len;
    char *ops = unit_read_vector(p, "facebook.request.batch.json", &len);
    batch_t *batch;
    batch_op_t *op;

    if (!ops) {
        skip();
    }
    batch = parse_ok(p, apr_pstrcat(p, "{\"batch\": ", ops, "}", NULL));
    assert_int_equal(batch->ops->nelts, 2);
    op = unit_op_at(batch, 0);
    assert_string_equal(op->method, "GET");
    assert_string_equal(op->url, "/PAGE-A-ID");
    assert_string_equal(op->id, "batch[0]");
    assert_false(op->hide_headers);
    assert_false(op->silent);
    assert_string_equal(unit_op_at(batch, 1)->url, "/PAGE-B-ID");
}

static void test_relative_url_kept_under_base_url(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_input_t *in = input(p, "application/json",
                              "{\"batch\": [{\"relative_url\": \"me/feed\"}, "
                              "{\"relative_url\": \"/abs\"}]}");
    batch_t *batch;

    in->base_url = "/graph";
    batch = parse_in(in, p);
    assert_string_equal(unit_op_at(batch, 0)->url, "me/feed");
    assert_string_equal(unit_op_at(batch, 1)->url, "/abs");
}

static void test_method_defaults_to_get(void **state)
{
    batch_t *batch = parse_ok(UNIT_POOL(state),
                              "{\"batch\": [{\"relative_url\": \"x\"}]}");

    assert_string_equal(unit_op_at(batch, 0)->method, "GET");
}

static void test_include_headers_false(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *batch = parse_ok(p, "{\"batch\": [{\"relative_url\": \"a\"}, "
                              "{\"relative_url\": \"b\"}], "
                              "\"include_headers\": false}");

    assert_true(unit_op_at(batch, 0)->hide_headers);
    assert_true(unit_op_at(batch, 1)->hide_headers);
    batch = parse_ok(p, "{\"batch\": [{\"relative_url\": \"a\"}], "
                     "\"include_headers\": \"false\"}");
    assert_true(unit_op_at(batch, 0)->hide_headers);
    unit_assert_error(refused(p, "{\"batch\": [], \"include_headers\": 0}"),
                      400, BATCH_E_INVALID_REQUEST, NULL);
}

static void test_body_is_a_form(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *batch = parse_ok(p, "{\"batch\": ["
        "{\"method\": \"POST\", \"relative_url\": \"a\", \"body\": "
        "\"message=Hi&x=1\"}, "
        "{\"method\": \"POST\", \"relative_url\": \"b\", \"body\": \"{}\", "
        "\"headers\": [\"Content-Type: application/json\"]}, "
        "{\"method\": \"POST\", \"relative_url\": \"c\", \"body\": "
        "{\"n\": \"x y\"}}]}");
    batch_op_t *op = unit_op_at(batch, 0);

    assert_string_equal(op->body, "message=Hi&x=1");
    assert_int_equal(op->body_len, 14);
    assert_string_equal(apr_table_get(op->headers, "Content-Type"), FORM);
    op = unit_op_at(batch, 1);
    assert_string_equal(apr_table_get(op->headers, "Content-Type"),
                        "application/json");
    assert_int_equal(unit_header_count(op->headers, "Content-Type"), 1);
    assert_string_equal(unit_op_at(batch, 2)->body, "n=x+y");
    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": \"a\", "
                              "\"body\": 3}]}"),
                      400, BATCH_E_INVALID_BODY, "batch[0]");
}

static void test_absolute_relative_url_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": "
                              "\"https://example.com/me\"}]}"),
                      400, BATCH_E_INVALID_URL, "batch[0]");
    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": "
                              "\"//example.com/me\"}]}"),
                      400, BATCH_E_INVALID_URL, "batch[0]");
}

static void test_headers_both_spellings(void **state)
{
    batch_t *batch = parse_ok(UNIT_POOL(state), "{\"batch\": [{"
        "\"relative_url\": \"a\", \"headers\": [\"X-One:  1 \", "
        "{\"name\": \"X-Two\", \"value\": \"2\"}, \"X-Empty:\"]}]}");
    batch_op_t *op = unit_op_at(batch, 0);

    assert_string_equal(apr_table_get(op->headers, "X-One"), "1");
    assert_string_equal(apr_table_get(op->headers, "X-Two"), "2");
    assert_string_equal(apr_table_get(op->headers, "X-Empty"), "");
}

static void test_bad_headers(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    static const char *const bad[] = {
        "{\"batch\": [{\"relative_url\": \"a\", \"headers\": [\"X-One\"]}]}",
        "{\"batch\": [{\"relative_url\": \"a\", \"headers\": [\": v\"]}]}",
        "{\"batch\": [{\"relative_url\": \"a\", \"headers\": "
        "[\"A: 1\", \"a: 2\"]}]}",
        "{\"batch\": [{\"relative_url\": \"a\", \"headers\": "
        "[\"A: \\u0000\"]}]}",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unit_assert_error(refused(p, bad[i]), 400, BATCH_E_INVALID_HEADER,
                          "batch[0]");
    }
    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": \"a\", "
                              "\"headers\": {\"A\": \"1\"}}]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[0]");
    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": \"a\", "
                              "\"headers\": [{\"name\": \"A\"}]}]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[0]");
    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": \"a\", "
                              "\"headers\": [7]}]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[0]");
}

static void test_names_and_depends_on(void **state)
{
    batch_t *batch = parse_ok(UNIT_POOL(state), "{\"batch\": ["
        "{\"name\": \"first\", \"relative_url\": \"a\"}, "
        "{\"name\": \"kept\", \"relative_url\": \"b\", "
        "\"omit_response_on_success\": false}, "
        "{\"relative_url\": \"c\", \"depends_on\": \"first\"}, "
        "{\"relative_url\": \"d\", \"depends_on\": [\"kept\"], "
        "\"omit_response_on_success\": true}, "
        "{\"name\": \"alone\", \"relative_url\": \"e\"}]}");
    batch_op_t *op = unit_op_at(batch, 2);

    assert_string_equal(unit_op_at(batch, 0)->id, "first");
    assert_string_equal(op->id, "batch[2]");
    assert_int_equal(op->depends_on->nelts, 1);
    assert_string_equal(APR_ARRAY_IDX(op->depends_on, 0, const char *),
                        "first");
    /* depended on: omitted unless it says false; asked: omitted */
    assert_true(unit_op_at(batch, 0)->silent);
    assert_false(unit_op_at(batch, 1)->silent);
    assert_false(unit_op_at(batch, 2)->silent);
    assert_true(unit_op_at(batch, 3)->silent);
    assert_false(unit_op_at(batch, 4)->silent);
}

static void test_reference_is_a_dependency(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    size_t len;
    char *ops = unit_read_vector(p, "facebook-deps.request.batch.json", &len);
    batch_t *batch;

    if (!ops) {
        skip();
    }
    batch = parse_ok(p, apr_pstrcat(p, "{\"batch\": ", ops, "}", NULL));
    assert_string_equal(unit_op_at(batch, 0)->id, "create-ad");
    assert_true(unit_op_at(batch, 0)->silent);
    /* left for the reference engine, as written */
    assert_string_equal(unit_op_at(batch, 1)->url,
                        "/?ids={result=create-ad:$.data.*.id}");
    batch = parse_ok(p, "{\"batch\": [{\"name\": \"a\", \"relative_url\": "
                     "\"x\"}, {\"relative_url\": \"y\", \"headers\": "
                     "[\"X-Id: {result=a:$.id}\"]}]}");
    assert_true(unit_op_at(batch, 0)->silent);
}

static void test_unnamed_ops_cannot_be_reached(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": \"a\"}, "
                              "{\"relative_url\": \"b\", \"depends_on\": "
                              "\"batch[0]\"}]}"),
                      400, BATCH_E_DEPENDENCY, "batch[1]");
    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": \"a\"}, "
                              "{\"relative_url\": \"?id={result=batch[0]:"
                              "$.id}\"}]}"),
                      400, BATCH_E_DEPENDENCY, "batch[1]");
    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": \"a\"}, "
                              "{\"name\": \"batch[0]\", \"relative_url\": "
                              "\"b\"}]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[1]");
}

static void test_bad_names(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    unit_assert_error(refused(p, "{\"batch\": [{\"name\": \"\", "
                              "\"relative_url\": \"a\"}]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[0]");
    unit_assert_error(refused(p, "{\"batch\": [{\"name\": \"n\", "
                              "\"relative_url\": \"a\"}, {\"name\": \"n\", "
                              "\"relative_url\": \"b\"}]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[1]");
    unit_assert_error(refused(p, "{\"batch\": [{\"name\": 1, "
                              "\"relative_url\": \"a\"}]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[0]");
}

static void test_bad_depends_on(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": \"a\", "
                              "\"depends_on\": \"nobody\"}]}"),
                      400, BATCH_E_DEPENDENCY, "batch[0]");
    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": \"a\", "
                              "\"depends_on\": 1}]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[0]");
    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": \"a\", "
                              "\"depends_on\": [\"x\", 1]}]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[0]");
}

static void test_bad_ops(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    unit_assert_error(refused(p, "{\"batch\": [{\"method\": \"GET\"}]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[0]");
    unit_assert_error(refused(p, "{\"batch\": [\"GET /\"]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[0]");
    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": 3}]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[0]");
    unit_assert_error(refused(p, "{\"batch\": [{\"relative_url\": \"a\", "
                              "\"omit_response_on_success\": 1}]}"),
                      400, BATCH_E_INVALID_REQUEST, "batch[0]");
    unit_assert_error(refused(p, "{\"batch\": {}}"), 400,
                      BATCH_E_INVALID_REQUEST, NULL);
    unit_assert_error(refused(p, "[{\"relative_url\": \"a\"}]"), 400,
                      BATCH_E_INVALID_REQUEST, NULL);
    unit_assert_error(refused(p, "{\"batch\": ["), 400, BATCH_E_INVALID_JSON,
                      NULL);
}

/* --- parsing a form --- */

static void test_urlencoded_vector(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *batch = parse_in(vector_input(p, "facebook.request.txt"), p);

    assert_int_equal(batch->ops->nelts, 2);
    assert_string_equal(unit_op_at(batch, 0)->url, "/PAGE-A-ID");
    assert_string_equal(unit_op_at(batch, 1)->url, "/PAGE-B-ID");
    assert_true(unit_op_at(batch, 0)->hide_headers);
}

static void test_urlencoded_deps_vector(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *batch = parse_in(vector_input(p, "facebook-deps.request.txt"),
                              p);
    batch_op_t *op = unit_op_at(batch, 0);

    assert_string_equal(op->id, "create-ad");
    assert_string_equal(op->method, "POST");
    assert_string_equal(op->url, "/11077200629332/ads");
    assert_string_equal(op->body, "ads=%5B%7B%22name%22%3A%22test_ad%22%2C"
                        "%22billing_entity_id%22%3A111200774273%7D%5D");
    assert_true(op->silent);
    assert_false(op->hide_headers);
}

static void test_form_data_batch(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *batch = parse_in(input(p, "multipart/form-data; boundary=\"b\"",
        "--b\r\nContent-Disposition: form-data; name=\"access_token\"\r\n"
        "\r\nT\r\n"
        "--b\r\nContent-Disposition: form-data; name=\"batch\"\r\n\r\n"
        "[{\"method\": \"GET\", \"relative_url\": \"me\"}]\r\n"
        "--b\r\nContent-Disposition: form-data; name=include_headers\r\n"
        "\r\nfalse\r\n--b--\r\n"), p);

    assert_int_equal(batch->ops->nelts, 1);
    assert_string_equal(unit_op_at(batch, 0)->url, "/me");
    assert_true(unit_op_at(batch, 0)->hide_headers);
}

static void test_form_refusals(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err;

    err = unit_assert_error(refused_in(input(p, FORM, "access_token=x"), p),
                            400, BATCH_E_INVALID_REQUEST, NULL);
    assert_contains(err->message, "batch field");
    unit_assert_error(refused_in(input(p, FORM, "batch=%5B"), p),
                      400, BATCH_E_INVALID_JSON, NULL);
    unit_assert_error(refused_in(input(p, FORM, "batch=%7B%7D"), p),
                      400, BATCH_E_INVALID_JSON, NULL);
    err = unit_assert_error(refused_in(input(p, FORM, "batch=%ZZ"), p),
                            400, BATCH_E_INVALID_REQUEST, NULL);
    assert_contains(err->message, "escape");
    unit_assert_error(refused_in(input(p, FORM, "batch=%5B%5D&"
                                       "include_headers=maybe"), p),
                      400, BATCH_E_INVALID_REQUEST, NULL);
}

/* --- form decoding --- */

static void test_urlencoded_field(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *why;

    assert_string_equal(field(p, FORM, "a=1&b=x+y%21&c", "b", &why), "x y!");
    assert_string_equal(field(p, FORM, "a=1&b=x+y%21&c", "c", &why), "");
    assert_string_equal(field(p, FORM, "a%5Bb%5D=2", "a[b]", &why), "2");
    assert_null(field(p, FORM, "a=1&&", "b", &why));
    assert_null(why);
    assert_null(field(p, FORM, "", "b", &why));
    assert_null(why);
}

static void test_urlencoded_field_refusals(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *why;

    assert_null(field(p, FORM, "b=%4", "b", &why));
    assert_contains(why, "escape");
    assert_null(field(p, FORM, "b=a%00", "b", &why));
    assert_contains(why, "NUL");
    assert_null(field(p, FORM, "b=1&b=2", "b", &why));
    assert_contains(why, "twice");
    assert_null(field(p, FORM, "%G1=1", "b", &why));
    assert_contains(why, "field name");
    assert_null(batch_form_field(p, FORM, "b=\0", 3, "b", &(apr_size_t){0},
                                 &why));
    assert_contains(why, "NUL");
}

static void test_form_data_field(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *ctype = "multipart/form-data; boundary=XyZ";
    const char *why;

    assert_string_equal(field(p, ctype,
        "preamble\r\n--XyZ\r\ncontent-disposition: form-data; name=a\r\n"
        "Content-Type: text/plain\r\n\r\nline 1\r\nline 2\r\n--XyZ--\r\n",
        "a", &why), "line 1\r\nline 2");
    /* bare LF line ends, an empty value, no blank line in the last part */
    assert_string_equal(field(p, ctype,
        "--XyZ\nContent-Disposition: form-data; name=\"e\"\n\n\n"
        "--XyZ\nContent-Disposition: form-data; name=\"f\"\n--XyZ--",
        "e", &why), "");
    assert_null(field(p, ctype,
        "--XyZ\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\nv\r\n"
        "--XyZ--", "b", &why));
    assert_null(why);
}

static void test_form_data_field_refusals(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *why;

    assert_null(field(p, "multipart/form-data", "--x--", "b", &why));
    assert_contains(why, "boundary");
    assert_null(field(p, "multipart/form-data; boundary=x", "no parts",
                      "b", &why));
    assert_contains(why, "delimiter");
    assert_null(field(p, "multipart/form-data; boundary=x",
                      "--x\r\nContent-Disposition: form-data; name=b\r\n\r\n"
                      "1\r\n", "b", &why));
    assert_contains(why, "not closed");
    assert_null(field(p, "multipart/form-data; boundary=x",
                      "--x\r\nContent-Disposition: form-data; name=b\r\n\r\n"
                      "1\r\n--x\r\nContent-Disposition: form-data; name=b"
                      "\r\n\r\n2\r\n--x--", "b", &why));
    assert_contains(why, "twice");
}

/* A WAF reads form fields, not uploads: a field sent as a file is not. */
static void test_form_data_field_as_a_file(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *why;

    assert_null(field(p, "multipart/form-data; boundary=x",
                      "--x\r\nContent-Disposition: form-data; name=b; "
                      "filename=\"b.json\"\r\n\r\n[]\r\n--x--", "b", &why));
    assert_contains(why, "filename");
    assert_null(field(p, "multipart/form-data; boundary=x",
                      "--x\r\nContent-Disposition: form-data; name=b; "
                      "filename*=UTF-8''b\r\n\r\n[]\r\n--x--", "b", &why));
    assert_contains(why, "as a file");
    /* another field's upload is no concern of the one asked for */
    assert_string_equal(field(p, "multipart/form-data; boundary=x",
                              "--x\r\nContent-Disposition: form-data; "
                              "name=f; filename=a\r\n\r\nz\r\n--x\r\n"
                              "Content-Disposition: form-data; name=b\r\n"
                              "\r\n[]\r\n--x--", "b", &why), "[]");
}

/* --- emitting --- */

static void test_emit_entry(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = unit_result(p, 200, "application/json",
                                     "{\"id\": \"1\"}");

    apr_table_add(res->headers, "Set-Cookie", "a=1");
    apr_table_add(res->headers, "Set-Cookie", "b=2");
    assert_string_equal(emit_one(p, unit_op(p, "x"), res),
        "[{\"code\":200,\"headers\":["
        "{\"name\":\"Content-Type\",\"value\":\"application/json\"},"
        "{\"name\":\"Set-Cookie\",\"value\":\"a=1\"},"
        "{\"name\":\"Set-Cookie\",\"value\":\"b=2\"}],"
        "\"body\":\"{\\\"id\\\": \\\"1\\\"}\"}]");
}

static void test_emit_without_headers(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *op = unit_op(p, "x");

    op->hide_headers = 1;
    assert_string_equal(emit_one(p, op, unit_result(p, 404, "text/plain",
                                                   "nope")),
                        "[{\"code\":404,\"body\":\"nope\"}]");
}

static void test_emit_omitted_success_is_null(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_op_t *ops[3] = { unit_op(p, "a"), unit_op(p, "b"), unit_op(p, "c") };
    batch_result_t *res[3] = {
        unit_result(p, 201, "application/json", "{}"),
        unit_result(p, 424, "application/json", "{\"error\":{}}"),
        unit_result(p, 200, NULL, NULL),
    };
    int i;

    for (i = 0; i < 3; i++) {
        ops[i]->silent = 1;
        ops[i]->hide_headers = 1;
    }
    ops[2]->silent = 0;
    /* what could not run says why, never null */
    assert_string_equal(unit_emit_json(p, UNIT_FORMAT("facebook"), ops, res,
                                       3),
                        "[null,{\"code\":424,\"body\":\"{\\\"error\\\":{}}\"},"
                        "{\"code\":200,\"body\":\"\"}]");
}

static void test_emit_bytes_and_latin1_header(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_result_t *res = unit_result(p, 200, NULL, NULL);
    static const char bytes[] = { 'a', (char)0xff, 'b' };

    res->body = unit_exact(p, bytes, sizeof(bytes));
    res->body_len = sizeof(bytes);
    apr_table_setn(res->headers, "X-L", "caf\xe9");
    assert_string_equal(emit_one(p, unit_op(p, "x"), res),
                        "[{\"code\":200,\"headers\":[{\"name\":\"X-L\","
                        "\"value\":\"caf\xc3\xa9\"}],\"body\":\"Yf9i\"}]");
}

static void test_emit_empty_batch(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(
        unit_emit_json(p, UNIT_FORMAT("facebook"), NULL, NULL, 0), "[]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_detected),
        UNIT_TEST(test_named),
        UNIT_TEST(test_forced_refuses_graph),
        UNIT_TEST(test_form_media_types_are_facebook),
        UNIT_TEST(test_only_facebook_takes_forms),
        UNIT_TEST(test_vector_ops),
        UNIT_TEST(test_relative_url_kept_under_base_url),
        UNIT_TEST(test_method_defaults_to_get),
        UNIT_TEST(test_include_headers_false),
        UNIT_TEST(test_body_is_a_form),
        UNIT_TEST(test_absolute_relative_url_refused),
        UNIT_TEST(test_headers_both_spellings),
        UNIT_TEST(test_bad_headers),
        UNIT_TEST(test_names_and_depends_on),
        UNIT_TEST(test_reference_is_a_dependency),
        UNIT_TEST(test_unnamed_ops_cannot_be_reached),
        UNIT_TEST(test_bad_names),
        UNIT_TEST(test_bad_depends_on),
        UNIT_TEST(test_bad_ops),
        UNIT_TEST(test_urlencoded_vector),
        UNIT_TEST(test_urlencoded_deps_vector),
        UNIT_TEST(test_form_data_batch),
        UNIT_TEST(test_form_refusals),
        UNIT_TEST(test_urlencoded_field),
        UNIT_TEST(test_urlencoded_field_refusals),
        UNIT_TEST(test_form_data_field),
        UNIT_TEST(test_form_data_field_refusals),
        UNIT_TEST(test_form_data_field_as_a_file),
        UNIT_TEST(test_emit_entry),
        UNIT_TEST(test_emit_without_headers),
        UNIT_TEST(test_emit_omitted_success_is_null),
        UNIT_TEST(test_emit_bytes_and_latin1_header),
        UNIT_TEST(test_emit_empty_batch),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("facebook", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
