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
 * batch_validate() and its character checks (src/batch_validate.c), and
 * the execution order.
 */
#include <apr_strings.h>
#include <apr_tables.h>

#include "unit.h"
#include "batch.h"
#include "batch_error.h"
#include "batch_text.h"
#include "batch_validate.h"

/* Room for every test's operations, so pushing never moves them. */
#define MAX_TEST_OPS 64

static batch_t *new_batch(apr_pool_t *p)
{
    batch_t *b = apr_pcalloc(p, sizeof(*b));

    b->ops = apr_array_make(p, MAX_TEST_OPS, sizeof(batch_op_t));
    return b;
}

/* An operation as a parser leaves it: method and url as written. */
static batch_op_t *add_op(apr_pool_t *p, batch_t *b, const char *id,
                          const char *method, const char *url)
{
    batch_op_t *op;

    assert_true(b->ops->nelts < MAX_TEST_OPS);
    op = apr_array_push(b->ops);
    memset(op, 0, sizeof(*op));
    op->index = b->ops->nelts - 1;
    op->id = id;
    op->method = method;
    op->url = url;
    op->headers = apr_table_make(p, 2);
    return op;
}

static void depend(apr_pool_t *p, batch_op_t *op, const char *id)
{
    if (!op->depends_on) {
        op->depends_on = apr_array_make(p, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(op->depends_on, const char *) = id;
}

static batch_op_t *op_at(batch_t *b, int i)
{
    assert_in_range(i, 0, b->ops->nelts - 1);
    return &APR_ARRAY_IDX(b->ops, i, batch_op_t);
}

/* The directives' defaults: 100 operations, the default methods, no base. */
static batch_limits_t *limits(apr_pool_t *p)
{
    batch_limits_t *l = apr_pcalloc(p, sizeof(*l));

    l->max_operations = 100;
    l->allow_methods = batch_default_allow_methods(p);
    l->base_url = NULL;
    return l;
}

static void valid_with(apr_pool_t *p, batch_t *b, const batch_limits_t *l)
{
    batch_error_t *err = batch_validate(p, b, l);

    if (err) {
        fail_msg("refused: %d %s (%s): %s", err->status, err->code,
                 err->operation ? err->operation : "-", err->message);
    }
    assert_non_null(b->order);
}

static void valid(apr_pool_t *p, batch_t *b)
{
    valid_with(p, b, limits(p));
}

/* Asserts the refusal's status, code and operation (NULL: none). */
static batch_error_t *refused_with(apr_pool_t *p, batch_t *b,
                                   const batch_limits_t *l, int status,
                                   const char *code, const char *operation)
{
    batch_error_t *err = batch_validate(p, b, l);

    return unit_assert_error(err, status, code, operation);
}

static batch_error_t *refused(apr_pool_t *p, batch_t *b, const char *code,
                              const char *operation)
{
    return refused_with(p, b, limits(p), 400, code, operation);
}

/* Validates one GET of url, with base as BatchBaseURL (and
 * LeadingSlash=base if slash); the target. */
static const char *target_with(apr_pool_t *p, const char *url,
                               const char *base, int slash)
{
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);

    add_op(p, b, "a", "GET", url);
    l->base_url = base;
    l->base_slash = slash;
    valid_with(p, b, l);
    assert_non_null(op_at(b, 0)->target);
    return op_at(b, 0)->target;
}

static const char *target_of(apr_pool_t *p, const char *url,
                             const char *base)
{
    return target_with(p, url, base, 0);
}

static batch_error_t *url_refused(apr_pool_t *p, const char *url)
{
    batch_t *b = new_batch(p);

    add_op(p, b, "u1", "GET", url);
    return refused(p, b, BATCH_E_INVALID_URL, "u1");
}

/* One op with one header; whether validation refuses it. */
static batch_error_t *header_refused(apr_pool_t *p, const char *name,
                                     const char *value)
{
    batch_t *b = new_batch(p);
    batch_op_t *op = add_op(p, b, "h1", "GET", "/");

    apr_table_add(op->headers, "Accept", "*/*");
    apr_table_add(op->headers, name, value);
    return refused(p, b, BATCH_E_INVALID_HEADER, "h1");
}

static void header_accepted(apr_pool_t *p, const char *name,
                            const char *value)
{
    batch_t *b = new_batch(p);
    batch_op_t *op = add_op(p, b, "h1", "GET", "/");

    apr_table_add(op->headers, name, value);
    valid(p, b);
}

static void assert_order(batch_t *b, const int *want, int n)
{
    int i;

    assert_int_equal(b->ops->nelts, n);
    for (i = 0; i < n; i++) {
        assert_int_equal(b->order[i], want[i]);
    }
}

/* --- a good batch --- */

static void test_ok_order_is_request_order(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    static const int want[] = { 0, 1, 2, 3 };

    add_op(p, b, "1", "GET", "/a");
    add_op(p, b, "2", "POST", "/b");
    add_op(p, b, "3", "DELETE", "/c");
    add_op(p, b, "4", "GET", "/d");
    valid(p, b);
    assert_order(b, want, 4);
}

static void test_ok_sets_target_and_deps(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);

    add_op(p, b, "1", "GET", "/a?x=1");
    depend(p, add_op(p, b, "2", "GET", "/b"), "1");
    valid(p, b);
    assert_string_equal(op_at(b, 0)->target, "/a?x=1");
    assert_non_null(op_at(b, 0)->deps);
    assert_int_equal(op_at(b, 0)->deps->nelts, 0);
    assert_int_equal(op_at(b, 1)->deps->nelts, 1);
    assert_int_equal(APR_ARRAY_IDX(op_at(b, 1)->deps, 0, int), 0);
}

static void test_zero_ops_valid(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);

    valid(p, b);
}

static void test_missing_id_gets_index(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);

    /* formats without ids (multipart without Content-ID) leave it NULL */
    add_op(p, b, NULL, "GET", "/a");
    add_op(p, b, NULL, "GET", "/b");
    valid(p, b);
    assert_string_equal(op_at(b, 0)->id, "0");
    assert_string_equal(op_at(b, 1)->id, "1");
}

/* --- methods --- */

static void test_method_upper_cased(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);

    add_op(p, b, "1", "get", "/");
    add_op(p, b, "2", "pAtCh", "/");
    add_op(p, b, "3", "Delete", "/");
    valid(p, b);
    assert_string_equal(op_at(b, 0)->method, "GET");
    assert_string_equal(op_at(b, 1)->method, "PATCH");
    assert_string_equal(op_at(b, 2)->method, "DELETE");
}

static void test_method_not_token(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_error_t *err;

    add_op(p, b, "m1", "GE T", "/");
    err = refused(p, b, BATCH_E_METHOD, "m1");
    assert_contains(err->message, "GE T");
    assert_contains(err->message, "m1");
}

static void test_method_empty(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);

    add_op(p, b, "m1", "", "/");
    refused(p, b, BATCH_E_METHOD, "m1");
}

static void test_method_with_newline(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);

    add_op(p, b, "m1", "GET\r\nX-Evil: 1", "/");
    refused(p, b, BATCH_E_METHOD, "m1");
}

static void test_method_trace_not_allowed(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_error_t *err;

    add_op(p, b, "1", "GET", "/");
    add_op(p, b, "t", "trace", "/");
    err = refused(p, b, BATCH_E_METHOD, "t");
    assert_contains(err->message, "TRACE");
}

static void test_method_connect_not_allowed(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);

    add_op(p, b, "c", "CONNECT", "/");
    refused(p, b, BATCH_E_METHOD, "c");
}

static void test_method_outside_custom_list(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);
    apr_array_header_t *allow = apr_array_make(p, 1, sizeof(const char *));

    APR_ARRAY_PUSH(allow, const char *) = "GET";
    l->allow_methods = allow;
    add_op(p, b, "1", "get", "/");
    add_op(p, b, "2", "POST", "/");
    refused_with(p, b, l, 400, BATCH_E_METHOD, "2");
}

static void test_method_custom_token_allowed(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);
    apr_array_header_t *allow = apr_array_make(p, 1, sizeof(const char *));

    APR_ARRAY_PUSH(allow, const char *) = "PROPFIND";
    l->allow_methods = allow;
    add_op(p, b, "1", "propfind", "/");
    valid_with(p, b, l);
    assert_string_equal(op_at(b, 0)->method, "PROPFIND");
}

/* --- urls --- */

static void test_url_absolute_path_is_target(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(target_of(p, "/", NULL), "/");
    assert_string_equal(target_of(p, "/a/b?c=d&e=/f:g", NULL),
                        "/a/b?c=d&e=/f:g");
    assert_string_equal(target_of(p, "/a%20b", NULL), "/a%20b");
}

static void test_url_absolute_http(void **state)
{
    batch_error_t *err = url_refused(UNIT_POOL(state), "http://x/y");

    assert_contains(err->message, "u1");
    assert_contains(err->message, "absolute");
}

static void test_url_absolute_upper_case_scheme(void **state)
{
    url_refused(UNIT_POOL(state), "HTTPS://x");
}

static void test_url_other_scheme(void **state)
{
    url_refused(UNIT_POOL(state), "mailto:a@b");
    url_refused(UNIT_POOL(state), "a+b.c-d:x");
}

static void test_url_network_path(void **state)
{
    batch_error_t *err = url_refused(UNIT_POOL(state), "//host/x");

    assert_contains(err->message, "//host");
}

static void test_url_cr(void **state)
{
    batch_error_t *err = url_refused(UNIT_POOL(state), "/a\rb");

    assert_contains(err->message, "CR");
}

static void test_url_lf(void **state)
{
    url_refused(UNIT_POOL(state), "/a\n");
}

static void test_url_space_percent_encoded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(target_of(p, "/a b", NULL), "/a%20b");
}

static void test_url_tab(void **state)
{
    url_refused(UNIT_POOL(state), "/a\tb");
}

static void test_url_control_and_del(void **state)
{
    url_refused(UNIT_POOL(state), "/a\x01");
    url_refused(UNIT_POOL(state), "/a\x7f");
}

static void test_url_fragment(void **state)
{
    batch_error_t *err = url_refused(UNIT_POOL(state), "/a#frag");

    assert_contains(err->message, "fragment");
}

static void test_url_backslash(void **state)
{
    url_refused(UNIT_POOL(state), "/a\\..\\b");
}

/* a request line carries these bytes as they are: the target is the
 * direct request's, and so are QUERY_STRING and REQUEST_URI */
static void test_url_non_ascii_as_sent(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(target_of(p, "/caf\xc3\xa9?q=caf\xc3\xa9", NULL),
                        "/caf\xc3\xa9?q=caf\xc3\xa9");
    assert_string_equal(target_of(p, "/\xff?q=\x80", NULL), "/\xff?q=\x80");
}

static void test_url_other_ascii_as_sent(void **state)
{
    assert_string_equal(target_of(UNIT_POOL(state), "/a\"<>^`{|}", NULL),
                        "/a\"<>^`{|}");
}

static void test_url_reserved_and_percent_kept(void **state)
{
    /* no double encoding, and what delimits a target stays */
    assert_string_equal(target_of(UNIT_POOL(state),
                                  "/a%2Fb;p=1?x=/y:z&w=%25&v=$@!'()*+,", NULL),
                        "/a%2Fb;p=1?x=/y:z&w=%25&v=$@!'()*+,");
}

static void test_url_leading_slash_under_base(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(target_with(p, "/users/1", "/api/v1", 1),
                        "/api/v1/users/1");
    assert_string_equal(target_with(p, "/users?x=1", "/api/v1/", 1),
                        "/api/v1/users?x=1");
    assert_string_equal(target_with(p, "users", "/api/v1", 1),
                        "/api/v1/users");
    assert_string_equal(target_with(p, "/", "/api/v1", 1), "/api/v1/");
    /* without the flag a leading slash is from the root */
    assert_string_equal(target_of(p, "/users/1", "/api/v1"), "/users/1");
}

static void test_url_graph_filter_with_base(void **state)
{
    assert_string_equal(target_of(UNIT_POOL(state),
                                  "users?$filter=city eq null&$count=true",
                                  "/v1.0"),
                        "/v1.0/users?$filter=city%20eq%20null&$count=true");
}

static void test_url_kept_as_written_when_encoded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);

    add_op(p, b, "a", "GET", "/a b");
    valid(p, b);
    assert_string_equal(op_at(b, 0)->url, "/a b");
    assert_string_equal(op_at(b, 0)->target, "/a%20b");
}

static void test_url_empty(void **state)
{
    batch_error_t *err = url_refused(UNIT_POOL(state), "");

    assert_contains(err->message, "empty");
}

static void test_url_relative_without_base(void **state)
{
    batch_error_t *err = url_refused(UNIT_POOL(state), "me");

    assert_contains(err->message, "BatchBaseURL");
}

static void test_url_query_without_base(void **state)
{
    url_refused(UNIT_POOL(state), "?a=1");
}

static void test_url_relative_with_base(void **state)
{
    assert_string_equal(target_of(UNIT_POOL(state), "me", "/v1.0"),
                        "/v1.0/me");
}

static void test_url_relative_with_base_slash(void **state)
{
    assert_string_equal(target_of(UNIT_POOL(state), "x", "/api/"),
                        "/api/x");
}

static void test_url_query_with_base(void **state)
{
    assert_string_equal(target_of(UNIT_POOL(state), "?a=1", "/v1.0"),
                        "/v1.0?a=1");
}

static void test_url_absolute_path_ignores_base(void **state)
{
    assert_string_equal(target_of(UNIT_POOL(state), "/other/x", "/v1.0"),
                        "/other/x");
}

static void test_url_relative_with_base_still_checked(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);

    l->base_url = "/v1.0";
    add_op(p, b, "u1", "GET", "me#x");
    refused_with(p, b, l, 400, BATCH_E_INVALID_URL, "u1");
}

static void test_url_kept_after_validation(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);

    l->base_url = "/v1.0";
    add_op(p, b, "a", "GET", "me");
    valid_with(p, b, l);
    assert_string_equal(op_at(b, 0)->url, "me");
}

/* --- what a direct request may send: LimitRequestLine --- */

/* A url of n bytes: "/" and n - 1 times 'a'. */
static const char *long_url(apr_pool_t *p, apr_size_t n)
{
    char *url = apr_palloc(p, n + 1);

    memset(url, 'a', n);
    url[0] = '/';
    url[n] = '\0';
    return url;
}

static void test_url_at_max_target_ok(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);

    l->max_target = 8190;
    add_op(p, b, "a", "GET", long_url(p, 8190));
    valid_with(p, b, l);
}

static void test_url_over_max_target(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);
    batch_error_t *err;

    l->max_target = 8190;
    add_op(p, b, "a", "GET", "/ok");
    add_op(p, b, "b", "GET", long_url(p, 8191));
    err = refused_with(p, b, l, 400, BATCH_E_INVALID_URL, "b");
    assert_contains(err->message, "8191 bytes");
    assert_contains(err->message, "LimitRequestLine");
}

/* what counts is the target that runs: encoded, and under the base */
static void test_url_max_target_after_encoding_and_base(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);

    l->max_target = 12;
    add_op(p, b, "a", "GET", "/a b c d e");
    refused_with(p, b, l, 400, BATCH_E_INVALID_URL, "a");
    b = new_batch(p);
    l->base_url = "/v1.0";
    add_op(p, b, "a", "GET", "items/1");
    refused_with(p, b, l, 400, BATCH_E_INVALID_URL, "a");
}

static void test_url_no_max_target(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);

    add_op(p, b, "a", "GET", long_url(p, 100000));
    valid(p, b);
}

/* --- headers --- */

static void test_header_name_with_space(void **state)
{
    batch_error_t *err = header_refused(UNIT_POOL(state), "X Y", "1");

    assert_contains(err->message, "X Y");
    assert_contains(err->message, "h1");
}

static void test_header_name_with_colon(void **state)
{
    header_refused(UNIT_POOL(state), "X:Y", "1");
}

static void test_header_name_empty(void **state)
{
    header_refused(UNIT_POOL(state), "", "1");
}

static void test_header_name_non_ascii(void **state)
{
    header_refused(UNIT_POOL(state), "X-Caf\xc3\xa9", "1");
}

static void test_header_name_with_newline(void **state)
{
    header_refused(UNIT_POOL(state), "X-A\r\nX-B", "1");
}

static void test_header_value_cr(void **state)
{
    batch_error_t *err = header_refused(UNIT_POOL(state), "X-A", "a\rb");

    assert_contains(err->message, "X-A");
}

static void test_header_value_lf(void **state)
{
    header_refused(UNIT_POOL(state), "X-A", "a\nX-Evil: 1");
}

static void test_header_value_control(void **state)
{
    header_refused(UNIT_POOL(state), "X-A", "a\x01");
    header_refused(UNIT_POOL(state), "X-A", "\x1f");
    header_refused(UNIT_POOL(state), "X-A", "a\x7f");
}

static void test_header_value_tab_ok(void **state)
{
    header_accepted(UNIT_POOL(state), "X-A", "a\tb");
}

static void test_header_value_obs_text_ok(void **state)
{
    header_accepted(UNIT_POOL(state), "X-A", "caf\xe9 \x80\xff");
}

static void test_header_value_empty_ok(void **state)
{
    header_accepted(UNIT_POOL(state), "X-A", "");
}

static void test_header_name_all_tchars_ok(void **state)
{
    header_accepted(UNIT_POOL(state), "!#$%&'*+-.^_`|~09AZaz", "v");
}

/* --- what a direct request may send: LimitRequestFields and
 * LimitRequestFieldSize --- */

static batch_op_t *op_with_headers(apr_pool_t *p, batch_t *b, int n)
{
    batch_op_t *op = add_op(p, b, "h", "GET", "/");
    int i;

    for (i = 0; i < n; i++) {
        apr_table_add(op->headers, apr_psprintf(p, "X-H%d", i), "v");
    }
    return op;
}

static void test_headers_at_max_ok(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);

    l->max_headers = 100;
    op_with_headers(p, b, 100);
    valid_with(p, b, l);
}

static void test_too_many_headers(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);
    batch_error_t *err;

    l->max_headers = 100;
    op_with_headers(p, b, 10000);
    err = refused_with(p, b, l, 400, BATCH_E_INVALID_HEADER, "h");
    assert_contains(err->message, "10000 headers");
    assert_contains(err->message, "LimitRequestFields");
}

static void test_header_at_max_size_ok(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);
    batch_op_t *op = add_op(p, b, "h", "GET", "/");

    /* "X-A: " and 15 bytes of value */
    l->max_header_size = 20;
    apr_table_set(op->headers, "X-A", "123456789012345");
    valid_with(p, b, l);
}

static void test_header_over_max_size(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);
    batch_op_t *op = add_op(p, b, "h", "GET", "/");
    batch_error_t *err;

    l->max_header_size = 20;
    apr_table_set(op->headers, "X-A", "1234567890123456");
    err = refused_with(p, b, l, 400, BATCH_E_INVALID_HEADER, "h");
    assert_contains(err->message, "X-A");
    assert_contains(err->message, "LimitRequestFieldSize");
}

static void test_no_header_limits(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_op_t *op = op_with_headers(p, b, 1000);

    apr_table_set(op->headers, "X-Big", long_url(p, 100000));
    valid(p, b);
}

/* --- ids and limits --- */

static void test_duplicate_id(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_error_t *err;

    add_op(p, b, "dup", "GET", "/a");
    add_op(p, b, "x", "GET", "/b");
    add_op(p, b, "dup", "GET", "/c");
    err = refused(p, b, BATCH_E_INVALID_REQUEST, "dup");
    assert_contains(err->message, "\"dup\"");
    assert_contains(err->message, "requests[2]");
}

static void test_empty_id(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_error_t *err;

    add_op(p, b, "a", "GET", "/a");
    add_op(p, b, "", "GET", "/b");
    err = batch_validate(p, b, limits(p));
    assert_non_null(err);
    assert_int_equal(err->status, 400);
    assert_string_equal(err->code, BATCH_E_INVALID_REQUEST);
    assert_contains(err->message, "requests[1]");
}

static void test_empty_id_operation_names_index(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);

    add_op(p, b, "a", "GET", "/a");
    add_op(p, b, "", "GET", "/b");
    refused(p, b, BATCH_E_INVALID_REQUEST, "requests[1]");
}

static void test_too_many_operations(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);
    batch_error_t *err;

    l->max_operations = 2;
    add_op(p, b, "1", "GET", "/");
    add_op(p, b, "2", "GET", "/");
    add_op(p, b, "3", "GET", "/");
    err = refused_with(p, b, l, 413, BATCH_E_TOO_MANY, NULL);
    assert_contains(err->message, "3 operations");
    assert_contains(err->message, "at most 2");
}

static void test_exactly_max_operations(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);

    l->max_operations = 2;
    add_op(p, b, "1", "GET", "/");
    add_op(p, b, "2", "GET", "/");
    valid_with(p, b, l);
}

static void test_too_many_checked_before_ops(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_limits_t *l = limits(p);

    l->max_operations = 1;
    add_op(p, b, "1", "TRACE", "http://x/");
    add_op(p, b, "1", "GET", "/");
    refused_with(p, b, l, 413, BATCH_E_TOO_MANY, NULL);
}

/* --- dependencies --- */

static void test_depends_on_unknown_id(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_error_t *err;

    add_op(p, b, "1", "GET", "/");
    depend(p, add_op(p, b, "2", "GET", "/"), "nope");
    err = refused(p, b, BATCH_E_DEPENDENCY, "2");
    assert_contains(err->message, "\"nope\"");
}

static void test_self_dependency(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_error_t *err;

    add_op(p, b, "1", "GET", "/");
    depend(p, add_op(p, b, "me", "GET", "/"), "me");
    err = refused(p, b, BATCH_E_DEPENDENCY, "me");
    assert_contains(err->message, "\"me\" depends on itself");
    assert_true(strstr(err->message, "\"1\"") == NULL);
}

/* the operation named is on the cycle, not one that only waits for it */
static void test_cycle_names_a_member(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_error_t *err;

    depend(p, add_op(p, b, "waits", "GET", "/"), "x");
    depend(p, add_op(p, b, "x", "GET", "/"), "y");
    depend(p, add_op(p, b, "y", "GET", "/"), "x");
    err = refused(p, b, BATCH_E_DEPENDENCY, "x");
    assert_true(strstr(err->message, "\"waits\"") == NULL);
}

static void test_three_cycle(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_error_t *err;

    add_op(p, b, "free", "GET", "/");
    depend(p, add_op(p, b, "a", "GET", "/"), "c");
    depend(p, add_op(p, b, "b", "GET", "/"), "a");
    depend(p, add_op(p, b, "c", "GET", "/"), "b");
    err = refused(p, b, BATCH_E_DEPENDENCY, "c");
    assert_contains(err->message, "cycle");
    assert_contains(err->message, "\"c\" -> \"b\" -> \"a\" -> \"c\"");
    assert_contains(err->message, "\"a\"");
    assert_contains(err->message, "\"b\"");
    assert_contains(err->message, "\"c\"");
    assert_true(strstr(err->message, "\"free\"") == NULL);
}

static void test_forward_dependency_order(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    static const int want[] = { 1, 2, 0, 3 };

    depend(p, add_op(p, b, "a", "GET", "/"), "c");
    add_op(p, b, "b", "GET", "/");
    add_op(p, b, "c", "GET", "/");
    add_op(p, b, "d", "GET", "/");
    valid(p, b);
    assert_order(b, want, 4);
    assert_int_equal(APR_ARRAY_IDX(op_at(b, 0)->deps, 0, int), 2);
}

static void test_reverse_chain_order(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    static const int want[] = { 2, 1, 0 };

    depend(p, add_op(p, b, "a", "GET", "/"), "b");
    depend(p, add_op(p, b, "b", "GET", "/"), "c");
    add_op(p, b, "c", "GET", "/");
    valid(p, b);
    assert_order(b, want, 3);
}

static void test_diamond_order(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_op_t *op;
    static const int want[] = { 0, 1, 2, 3 };

    add_op(p, b, "root", "GET", "/");
    depend(p, add_op(p, b, "l", "GET", "/"), "root");
    depend(p, add_op(p, b, "r", "GET", "/"), "root");
    op = add_op(p, b, "join", "GET", "/");
    depend(p, op, "l");
    depend(p, op, "r");
    valid(p, b);
    assert_order(b, want, 4);
    assert_int_equal(op_at(b, 3)->deps->nelts, 2);
}

static void test_repeated_dependency(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_op_t *op;
    static const int want[] = { 1, 0 };

    op = add_op(p, b, "a", "GET", "/");
    depend(p, op, "b");
    depend(p, op, "b");
    add_op(p, b, "b", "GET", "/");
    valid(p, b);
    assert_order(b, want, 2);
}

/* --- OData atomicity groups --- */

static batch_op_t *add_member(apr_pool_t *p, batch_t *b, const char *id,
                              const char *group)
{
    batch_op_t *op = add_op(p, b, id, "POST", "/");

    op->group = group;
    return op;
}

static int dep_at(batch_op_t *op, int i)
{
    assert_in_range(i, 0, op->deps->nelts - 1);
    return APR_ARRAY_IDX(op->deps, i, int);
}

static void test_group_members_chained(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    static const int want[] = { 0, 1, 2, 3 };

    add_member(p, b, "g1", "g");
    add_op(p, b, "other", "GET", "/");
    add_member(p, b, "g2", "g");
    add_member(p, b, "g3", "g");
    valid(p, b);
    assert_order(b, want, 4);
    assert_int_equal(op_at(b, 0)->deps->nelts, 0);
    assert_int_equal(op_at(b, 1)->deps->nelts, 0);
    assert_int_equal(op_at(b, 2)->deps->nelts, 1);
    assert_int_equal(dep_at(op_at(b, 2), 0), 0);
    assert_int_equal(op_at(b, 3)->deps->nelts, 1);
    assert_int_equal(dep_at(op_at(b, 3), 0), 2);
}

static void test_groups_independent(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);

    add_member(p, b, "a1", "a");
    add_member(p, b, "b1", "b");
    add_member(p, b, "a2", "a");
    add_member(p, b, "b2", "b");
    valid(p, b);
    assert_int_equal(dep_at(op_at(b, 2), 0), 0);
    assert_int_equal(dep_at(op_at(b, 3), 0), 1);
    assert_int_equal(op_at(b, 1)->deps->nelts, 0);
}

/* The OData vector: 1 and 2 form group1; 3 depends on the group. */
static void test_depends_on_group(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_op_t *op;
    static const int want[] = { 0, 1, 2, 3 };

    add_op(p, b, "0", "get", "/service/Customers('ALFKI')");
    depend(p, add_member(p, b, "1", "group1"), "0");
    add_member(p, b, "2", "group1");
    op = add_op(p, b, "3", "get", "/service/Products");
    depend(p, op, "group1");
    valid(p, b);
    assert_order(b, want, 4);
    assert_int_equal(op_at(b, 1)->deps->nelts, 1);
    assert_int_equal(dep_at(op_at(b, 1), 0), 0);
    assert_int_equal(op_at(b, 2)->deps->nelts, 1);
    assert_int_equal(dep_at(op_at(b, 2), 0), 1);
    assert_int_equal(op->deps->nelts, 2);
    assert_int_equal(dep_at(op, 0), 1);
    assert_int_equal(dep_at(op, 1), 2);
}

static void test_depends_on_later_group(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    static const int want[] = { 1, 2, 0 };

    depend(p, add_op(p, b, "first", "GET", "/"), "g");
    add_member(p, b, "m1", "g");
    add_member(p, b, "m2", "g");
    valid(p, b);
    assert_order(b, want, 3);
}

static void test_member_depends_on_own_group(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_error_t *err;

    add_member(p, b, "m1", "g");
    depend(p, add_member(p, b, "m2", "g"), "g");
    err = refused(p, b, BATCH_E_DEPENDENCY, "m2");
    assert_contains(err->message, "\"m2\"");
}

static void test_depends_on_unknown_group(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);

    add_member(p, b, "m1", "g");
    depend(p, add_op(p, b, "x", "GET", "/"), "h");
    refused(p, b, BATCH_E_DEPENDENCY, "x");
}

/* --- batch_is_token, batch_is_header_value --- */

static void test_is_token(void **state)
{
    (void)state;
    assert_true(batch_is_token("GET"));
    assert_true(batch_is_token("X-Custom_1.0"));
    assert_true(batch_is_token("!#$%&'*+-.^_`|~"));
    assert_false(batch_is_token(""));
    assert_false(batch_is_token(NULL));
    assert_false(batch_is_token("GE T"));
    assert_false(batch_is_token("a:b"));
    assert_false(batch_is_token("a\tb"));
    assert_false(batch_is_token("\"q\""));
    assert_false(batch_is_token("(x)"));
    assert_false(batch_is_token("a/b"));
    assert_false(batch_is_token("a@b"));
    assert_false(batch_is_token("{}"));
    assert_false(batch_is_token("caf\xc3\xa9"));
    assert_false(batch_is_token("\x7f"));
}

static void test_is_header_value(void **state)
{
    (void)state;
    assert_true(batch_is_header_value(""));
    assert_true(batch_is_header_value("text/html; q=0.9, */*"));
    assert_true(batch_is_header_value("a\tb"));
    assert_true(batch_is_header_value(" leading and trailing "));
    assert_true(batch_is_header_value("\x80\xfe\xff"));
    assert_false(batch_is_header_value("a\rb"));
    assert_false(batch_is_header_value("a\nb"));
    assert_false(batch_is_header_value("\x01"));
    assert_false(batch_is_header_value("\x1b[0m"));
    assert_false(batch_is_header_value("\x7f"));
}

/* --- batch_utf8_valid --- */

/* From a copy of exactly len bytes, so a read past the end shows. */
static int utf8(apr_pool_t *p, const char *s, size_t len)
{
    return batch_utf8_valid(unit_exact(p, s, len), len);
}

#define UTF8(p, lit) utf8((p), (lit), sizeof(lit) - 1)

static void test_utf8_ascii_and_empty(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_true(utf8(p, "", 0));
    assert_true(UTF8(p, "plain ascii ~\x7f"));
    assert_true(UTF8(p, "nul \0 inside"));
}

static void test_utf8_multibyte(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_true(UTF8(p, "caf\xc3\xa9"));                /* U+00E9 */
    assert_true(UTF8(p, "\xc2\x80"));                   /* U+0080 */
    assert_true(UTF8(p, "\xdf\xbf"));                   /* U+07FF */
    assert_true(UTF8(p, "\xe0\xa0\x80"));               /* U+0800 */
    assert_true(UTF8(p, "\xe2\x82\xac"));               /* U+20AC */
    assert_true(UTF8(p, "\xed\x9f\xbf"));               /* U+D7FF */
    assert_true(UTF8(p, "\xee\x80\x80"));               /* U+E000 */
    assert_true(UTF8(p, "\xef\xbf\xbf"));               /* U+FFFF */
    assert_true(UTF8(p, "\xf0\x90\x80\x80"));           /* U+10000 */
    assert_true(UTF8(p, "\xf0\x9f\x98\x80"));           /* U+1F600 */
    assert_true(UTF8(p, "\xf4\x8f\xbf\xbf"));           /* U+10FFFF */
}

static void test_utf8_overlong(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_false(UTF8(p, "\xc0\x80"));
    assert_false(UTF8(p, "\xc0\xaf"));
    assert_false(UTF8(p, "\xc1\xbf"));
    assert_false(UTF8(p, "\xe0\x80\x80"));
    assert_false(UTF8(p, "\xe0\x9f\xbf"));
    assert_false(UTF8(p, "\xf0\x80\x80\x80"));
    assert_false(UTF8(p, "\xf0\x8f\xbf\xbf"));
}

static void test_utf8_surrogates(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_false(UTF8(p, "\xed\xa0\x80"));              /* U+D800 */
    assert_false(UTF8(p, "\xed\xbf\xbf"));              /* U+DFFF */
    assert_false(UTF8(p, "\xed\xa0\xbd\xed\xb8\x80"));  /* CESU-8 pair */
}

static void test_utf8_beyond_max(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_false(UTF8(p, "\xf4\x90\x80\x80"));          /* U+110000 */
    assert_false(UTF8(p, "\xf5\x80\x80\x80"));
    assert_false(UTF8(p, "\xf7\xbf\xbf\xbf"));
    assert_false(UTF8(p, "\xf8\x88\x80\x80\x80"));
    assert_false(UTF8(p, "\xfe"));
    assert_false(UTF8(p, "\xff"));
}

static void test_utf8_truncated(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_false(UTF8(p, "\xc3"));
    assert_false(UTF8(p, "a\xe2\x82"));
    assert_false(UTF8(p, "\xf0\x9f\x98"));
    /* a whole character, but the length given stops inside it */
    assert_false(utf8(p, "\xc3\xa9", 1));
    assert_false(utf8(p, "\xf0\x9f\x98\x80", 3));
}

static void test_utf8_bad_continuation(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_false(UTF8(p, "\x80"));
    assert_false(UTF8(p, "a\xbf"));
    assert_false(UTF8(p, "\xc3\xa9\xa9"));
    assert_false(UTF8(p, "\xc3("));
    assert_false(UTF8(p, "\xe2\x28\xa1"));
    assert_false(UTF8(p, "\xf0\x9f\x98("));
}

/* Found by fuzz_validate: a refusal quoting bytes that are not UTF-8 must
 * still be a JSON answer (test/fuzz/regressions/validate/): U+FFFD. */
static void test_refusal_quotes_bad_utf8_as_replacement(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_error_t *err;
    const char *json;

    add_op(p, b, "m1", "\xed", "/");
    err = refused(p, b, BATCH_E_METHOD, "m1");
    json = batch_error_json(p, err);
    assert_true(batch_utf8_valid(json, strlen(json)));
    assert_contains(json, "method \\\"\xef\xbf\xbd\\\"");
}

/* Found by fuzz_parse_multipart: a Content-ID that is not UTF-8 became an
 * id no JSON answer can carry; it is refused, named by position. */
static void test_id_not_utf8(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p);
    batch_error_t *err;

    add_op(p, b, "ok", "GET", "/");
    add_op(p, b, "<item\x96\x8f>", "GET", "/");
    err = refused(p, b, BATCH_E_INVALID_REQUEST, "requests[1]");
    assert_contains(err->message, "not valid UTF-8");
}

/* What httpd refuses to send (http_filters.c check_headers). */
static void test_first_bad_header(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    apr_table_t *t = apr_table_make(p, 4);

    apr_table_add(t, "Content-Type", "text/plain; charset=\"x\"");
    apr_table_add(t, "X-Latin1", "caf\xe9\tok");
    assert_null(batch_first_bad_header(t));
    apr_table_add(t, "X-Split", "a\rSet-Cookie: b");
    assert_string_equal(batch_first_bad_header(t), "X-Split");
    t = apr_table_make(p, 1);
    apr_table_add(t, "Bad Name", "v");
    assert_string_equal(batch_first_bad_header(t), "Bad Name");
    t = apr_table_make(p, 1);
    apr_table_add(t, "X-Nl", "a\nb");
    assert_string_equal(batch_first_bad_header(t), "X-Nl");
    t = apr_table_make(p, 1);
    apr_table_add(t, "", "v");
    assert_string_equal(batch_first_bad_header(t), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_ok_order_is_request_order),
        UNIT_TEST(test_ok_sets_target_and_deps),
        UNIT_TEST(test_zero_ops_valid),
        UNIT_TEST(test_missing_id_gets_index),
        UNIT_TEST(test_method_upper_cased),
        UNIT_TEST(test_method_not_token),
        UNIT_TEST(test_method_empty),
        UNIT_TEST(test_method_with_newline),
        UNIT_TEST(test_method_trace_not_allowed),
        UNIT_TEST(test_method_connect_not_allowed),
        UNIT_TEST(test_method_outside_custom_list),
        UNIT_TEST(test_method_custom_token_allowed),
        UNIT_TEST(test_url_absolute_path_is_target),
        UNIT_TEST(test_url_absolute_http),
        UNIT_TEST(test_url_absolute_upper_case_scheme),
        UNIT_TEST(test_url_other_scheme),
        UNIT_TEST(test_url_network_path),
        UNIT_TEST(test_url_cr),
        UNIT_TEST(test_url_lf),
        UNIT_TEST(test_url_space_percent_encoded),
        UNIT_TEST(test_url_tab),
        UNIT_TEST(test_url_control_and_del),
        UNIT_TEST(test_url_fragment),
        UNIT_TEST(test_url_backslash),
        UNIT_TEST(test_url_non_ascii_as_sent),
        UNIT_TEST(test_url_other_ascii_as_sent),
        UNIT_TEST(test_url_reserved_and_percent_kept),
        UNIT_TEST(test_url_leading_slash_under_base),
        UNIT_TEST(test_url_graph_filter_with_base),
        UNIT_TEST(test_url_kept_as_written_when_encoded),
        UNIT_TEST(test_url_empty),
        UNIT_TEST(test_url_relative_without_base),
        UNIT_TEST(test_url_query_without_base),
        UNIT_TEST(test_url_relative_with_base),
        UNIT_TEST(test_url_relative_with_base_slash),
        UNIT_TEST(test_url_query_with_base),
        UNIT_TEST(test_url_absolute_path_ignores_base),
        UNIT_TEST(test_url_relative_with_base_still_checked),
        UNIT_TEST(test_url_kept_after_validation),
        UNIT_TEST(test_url_at_max_target_ok),
        UNIT_TEST(test_url_over_max_target),
        UNIT_TEST(test_url_max_target_after_encoding_and_base),
        UNIT_TEST(test_url_no_max_target),
        UNIT_TEST(test_header_name_with_space),
        UNIT_TEST(test_header_name_with_colon),
        UNIT_TEST(test_header_name_empty),
        UNIT_TEST(test_header_name_non_ascii),
        UNIT_TEST(test_header_name_with_newline),
        UNIT_TEST(test_header_value_cr),
        UNIT_TEST(test_header_value_lf),
        UNIT_TEST(test_header_value_control),
        UNIT_TEST(test_header_value_tab_ok),
        UNIT_TEST(test_header_value_obs_text_ok),
        UNIT_TEST(test_header_value_empty_ok),
        UNIT_TEST(test_header_name_all_tchars_ok),
        UNIT_TEST(test_headers_at_max_ok),
        UNIT_TEST(test_too_many_headers),
        UNIT_TEST(test_header_at_max_size_ok),
        UNIT_TEST(test_header_over_max_size),
        UNIT_TEST(test_no_header_limits),
        UNIT_TEST(test_duplicate_id),
        UNIT_TEST(test_empty_id),
        UNIT_TEST(test_empty_id_operation_names_index),
        UNIT_TEST(test_too_many_operations),
        UNIT_TEST(test_exactly_max_operations),
        UNIT_TEST(test_too_many_checked_before_ops),
        UNIT_TEST(test_depends_on_unknown_id),
        UNIT_TEST(test_self_dependency),
        UNIT_TEST(test_three_cycle),
        UNIT_TEST(test_cycle_names_a_member),
        UNIT_TEST(test_forward_dependency_order),
        UNIT_TEST(test_reverse_chain_order),
        UNIT_TEST(test_diamond_order),
        UNIT_TEST(test_repeated_dependency),
        UNIT_TEST(test_group_members_chained),
        UNIT_TEST(test_groups_independent),
        UNIT_TEST(test_depends_on_group),
        UNIT_TEST(test_depends_on_later_group),
        UNIT_TEST(test_member_depends_on_own_group),
        UNIT_TEST(test_depends_on_unknown_group),
        UNIT_TEST(test_is_token),
        UNIT_TEST(test_is_header_value),
        UNIT_TEST(test_utf8_ascii_and_empty),
        UNIT_TEST(test_utf8_multibyte),
        UNIT_TEST(test_utf8_overlong),
        UNIT_TEST(test_utf8_surrogates),
        UNIT_TEST(test_utf8_beyond_max),
        UNIT_TEST(test_utf8_truncated),
        UNIT_TEST(test_utf8_bad_continuation),
        UNIT_TEST(test_refusal_quotes_bad_utf8_as_replacement),
        UNIT_TEST(test_id_not_utf8),
        UNIT_TEST(test_first_bad_header),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("validate", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
