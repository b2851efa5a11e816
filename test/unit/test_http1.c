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
 * Reading back an HTTP/1.1 response (src/batch_http1.c), as httpd's
 * HTTP/1.1 filters write an operation's answer under BatchEngine request:
 * each input is also fed one byte at a time, which must read the same.
 */
#include "unit.h"
#include "batch_http1.h"

#define NO_LIMIT 0

/* Reads s whole, then again byte by byte; both must agree (on the
 * body only once complete: a refusal may come after more or fewer bytes). */
static batch_http1_t *read_all(apr_pool_t *p, const char *s,
                               apr_size_t max_head, apr_size_t max_body,
                               int head_request)
{
    apr_size_t n = strlen(s), i;
    char *copy = malloc(n ? n : 1);
    batch_http1_t *whole = batch_http1_make(p, max_head, max_body,
                                            head_request);
    batch_http1_t *bytes = batch_http1_make(p, max_head, max_body,
                                            head_request);

    memcpy(copy, s, n);
    batch_http1_feed(whole, copy, n);
    batch_http1_end(whole);
    for (i = 0; i < n; i++) {
        batch_http1_feed(bytes, copy + i, 1);
    }
    batch_http1_end(bytes);
    free(copy);
    assert_int_equal(batch_http1_state(whole), batch_http1_state(bytes));
    assert_int_equal(batch_http1_status(whole), batch_http1_status(bytes));
    if (batch_http1_state(whole) == BATCH_HTTP1_DONE) {
        assert_int_equal(batch_http1_body(whole)->len,
                         batch_http1_body(bytes)->len);
    }
    return whole;
}

static void assert_body(const batch_http1_t *h, const char *expected)
{
    const batch_buf_t *b = batch_http1_body(h);

    assert_int_equal(b->len, strlen(expected));
    if (b->len) {
        assert_memory_equal(b->data, expected, b->len);
    }
}

static void content_length_body(void **state)
{
    batch_http1_t *h = read_all(UNIT_POOL(state),
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
        "Content-Length: 5\r\n\r\nhello", NO_LIMIT, NO_LIMIT, 0);

    assert_int_equal(batch_http1_state(h), BATCH_HTTP1_DONE);
    assert_int_equal(batch_http1_status(h), 200);
    assert_string_equal(batch_http1_reason(h), "OK");
    assert_string_equal(apr_table_get(batch_http1_headers(h),
                                      "content-type"), "text/plain");
    assert_body(h, "hello");
}

static void chunked_body_with_extensions_and_trailers(void **state)
{
    batch_http1_t *h = read_all(UNIT_POOL(state),
        "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;name=x\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Sum: 1\r\n\r\n",
        NO_LIMIT, NO_LIMIT, 0);

    assert_int_equal(batch_http1_state(h), BATCH_HTTP1_DONE);
    assert_int_equal(batch_http1_status(h), 201);
    assert_body(h, "hello, world!!!");
    assert_string_equal(apr_table_get(batch_http1_headers(h), "X-Sum"),
                        "1");
}

static void body_to_end_of_input(void **state)
{
    batch_http1_t *h = read_all(UNIT_POOL(state),
        "HTTP/1.0 200 OK\r\n\r\nall of it", NO_LIMIT, NO_LIMIT, 0);

    assert_int_equal(batch_http1_state(h), BATCH_HTTP1_DONE);
    assert_body(h, "all of it");
}

static void no_body_for_head_204_and_304(void **state)
{
    const char *const answers[] = {
        "HTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
    };
    batch_http1_t *h;
    int i;

    for (i = 0; i < 2; i++) {
        h = read_all(UNIT_POOL(state), answers[i], NO_LIMIT, NO_LIMIT, 0);
        assert_int_equal(batch_http1_state(h), BATCH_HTTP1_DONE);
        assert_body(h, "");
    }
    h = read_all(UNIT_POOL(state),
                 "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", NO_LIMIT,
                 NO_LIMIT, 1);
    assert_int_equal(batch_http1_state(h), BATCH_HTTP1_DONE);
    assert_string_equal(apr_table_get(batch_http1_headers(h),
                                      "Content-Length"), "9");
}

static void interim_responses_are_skipped(void **state)
{
    batch_http1_t *h = read_all(UNIT_POOL(state),
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
        "Link: </a>\r\n\r\nHTTP/1.1 404 Not Found\r\n"
        "Content-Length: 0\r\n\r\n", NO_LIMIT, NO_LIMIT, 0);

    assert_int_equal(batch_http1_state(h), BATCH_HTTP1_DONE);
    assert_int_equal(batch_http1_status(h), 404);
    assert_null(apr_table_get(batch_http1_headers(h), "Link"));
}

static void values_trimmed_repeats_kept_bare_lf_read(void **state)
{
    batch_http1_t *h = read_all(UNIT_POOL(state),
        "HTTP/1.1 200 \nSet-Cookie:  a=1 \t\nSet-Cookie: b=2\nX-Empty:\n"
        "Content-Length: 0\n\n", NO_LIMIT, NO_LIMIT, 0);
    const apr_array_header_t *arr = apr_table_elts(batch_http1_headers(h));
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;

    assert_int_equal(batch_http1_state(h), BATCH_HTTP1_DONE);
    assert_string_equal(batch_http1_reason(h), "");
    assert_int_equal(arr->nelts, 4);
    assert_string_equal(e[0].val, "a=1");
    assert_string_equal(e[1].val, "b=2");
    assert_string_equal(e[2].val, "");
}

static void malformed_responses_are_invalid(void **state)
{
    const char *const answers[] = {
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZ\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "1\r\nab\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "fffffffffffffffff\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        "HTTP/1.1 200 OK\r\nContent-",
        "",
    };
    apr_size_t i;

    for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
        batch_http1_t *h = read_all(UNIT_POOL(state), answers[i], NO_LIMIT,
                                    NO_LIMIT, 0);

        if (batch_http1_state(h) != BATCH_HTTP1_INVALID) {
            fail_msg("accepted: %s", answers[i]);
        }
        assert_non_null(batch_http1_error(h));
    }
}

static void nul_in_a_header_is_invalid(void **state)
{
    static const char answer[] = "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n";
    batch_http1_t *h = batch_http1_make(UNIT_POOL(state), NO_LIMIT,
                                        NO_LIMIT, 0);

    batch_http1_feed(h, answer, sizeof(answer) - 1);
    assert_int_equal(batch_http1_state(h), BATCH_HTTP1_INVALID);
}

/* however the input is cut, the first byte at fault decides: here the
 * NUL, before the line runs over the head limit */
static void nul_before_the_head_limit_decides(void **state)
{
    static const char answer[] =
        "HTTP/1.1 200 OK\r\nX: a\0bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    apr_size_t n = sizeof(answer) - 1, i;
    batch_http1_t *whole = batch_http1_make(UNIT_POOL(state), 32, NO_LIMIT,
                                            0);
    batch_http1_t *bytes = batch_http1_make(UNIT_POOL(state), 32, NO_LIMIT,
                                            0);

    batch_http1_feed(whole, answer, n);
    for (i = 0; i < n; i++) {
        batch_http1_feed(bytes, answer + i, 1);
    }
    assert_int_equal(batch_http1_state(whole), BATCH_HTTP1_INVALID);
    assert_int_equal(batch_http1_state(bytes), BATCH_HTTP1_INVALID);
}

static void head_over_its_limit(void **state)
{
    batch_http1_t *h = read_all(UNIT_POOL(state),
        "HTTP/1.1 200 OK\r\nX-Long: 0123456789012345678901234567890\r\n\r\n",
        32, NO_LIMIT, 0);

    assert_int_equal(batch_http1_state(h), BATCH_HTTP1_HEAD_TOO_LARGE);
}

static void body_over_its_limit_in_each_framing(void **state)
{
    const char *const answers[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\nhello world",
    };
    apr_size_t i;

    for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
        batch_http1_t *h = read_all(UNIT_POOL(state), answers[i], NO_LIMIT,
                                    10, 0);

        assert_int_equal(batch_http1_state(h), BATCH_HTTP1_BODY_TOO_LARGE);
        assert_true(batch_http1_body(h)->len <= 10);
    }
}

static void body_exactly_at_its_limit(void **state)
{
    batch_http1_t *h = read_all(UNIT_POOL(state),
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", NO_LIMIT, 10, 0);

    assert_int_equal(batch_http1_state(h), BATCH_HTTP1_DONE);
    assert_body(h, "helloworld");
}

static void bytes_after_the_response_are_invalid(void **state)
{
    batch_http1_t *h = read_all(UNIT_POOL(state),
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nextra", NO_LIMIT,
        NO_LIMIT, 0);

    assert_int_equal(batch_http1_state(h), BATCH_HTTP1_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(content_length_body),
        UNIT_TEST(chunked_body_with_extensions_and_trailers),
        UNIT_TEST(body_to_end_of_input),
        UNIT_TEST(no_body_for_head_204_and_304),
        UNIT_TEST(interim_responses_are_skipped),
        UNIT_TEST(values_trimmed_repeats_kept_bare_lf_read),
        UNIT_TEST(malformed_responses_are_invalid),
        UNIT_TEST(nul_in_a_header_is_invalid),
        UNIT_TEST(nul_before_the_head_limit_decides),
        UNIT_TEST(head_over_its_limit),
        UNIT_TEST(body_over_its_limit_in_each_framing),
        UNIT_TEST(body_exactly_at_its_limit),
        UNIT_TEST(bytes_after_the_response_are_invalid),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("http1", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
