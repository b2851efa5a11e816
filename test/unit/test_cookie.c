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
 * The batch cookie jar (src/batch_cookie.c): Set-Cookie parsing and
 * storage by RFC 6265, and the Cookie header an operation is sent.
 */
#include "unit.h"
#include "batch_cookie.h"

#define HOST "wiki.example.org"
/* 2026-01-01T00:00:00Z */
#define NOW (apr_time_from_sec(1767225600))

static const batch_cookie_origin_t plain = { HOST, "/w/api.php?a=1", 0, NOW };
static const batch_cookie_origin_t tls = { HOST, "/w/api.php", 1, NOW };

static batch_cookie_t *parse(apr_pool_t *p, const char *s,
                             const batch_cookie_origin_t *from)
{
    const char *why = NULL;
    batch_cookie_t *c = batch_cookie_parse(p, unit_exact(p, s, strlen(s) + 1),
                                           from, &why);

    if (!c) {
        assert_non_null(why);
    }
    return c;
}

static const char *ignored_because(apr_pool_t *p, const char *s,
                                   const batch_cookie_origin_t *from)
{
    const char *why = NULL;

    assert_null(batch_cookie_parse(p, s, from, &why));
    assert_non_null(why);
    return why;
}

/* A jar of HOST with each Set-Cookie stored as received over plain. */
static batch_cookie_jar_t *jar_of(apr_pool_t *p, const char *const *set)
{
    batch_cookie_jar_t *jar = batch_cookie_jar_make(p, HOST);

    for (; *set; set++) {
        batch_cookie_t *c = parse(p, *set, &plain);

        assert_non_null(c);
        batch_cookie_jar_store(jar, c);
    }
    return jar;
}

static void name_value_and_defaults(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_cookie_t *c = parse(p, " sid = abc def ;Path=/;HttpOnly;"
                              "SameSite=Strict", &plain);

    assert_non_null(c);
    assert_string_equal(c->name, "sid");
    assert_string_equal(c->value, "abc def");
    assert_string_equal(c->path, "/");
    assert_string_equal(c->domain, HOST);
    assert_true(c->host_only);
    assert_true(c->http_only);
    assert_false(c->secure);
    assert_false(c->expired);
    c = parse(p, "empty=", &plain);
    assert_string_equal(c->value, "");
    assert_string_equal(c->path, "/w");
}

static void without_name_value_is_ignored(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_contains(ignored_because(p, "novalue; Path=/", &plain),
                    "name=value");
    assert_contains(ignored_because(p, "=v", &plain), "name");
    assert_contains(ignored_because(p, "a\tb=v", &plain), "control");
    assert_contains(ignored_because(p, "a=\x01", &plain), "control");
}

static void default_path_is_the_targets_directory(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    static const char *const cases[][2] = {
        { "/", "/" }, { "/login", "/" }, { "/a/b/c?x=/y/z", "/a/b" },
        { "", "/" }, { "?q=/a/b", "/" }, { "/a/", "/a" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        batch_cookie_origin_t from = plain;

        from.target = cases[i][0];
        assert_string_equal(parse(p, "a=b", &from)->path, cases[i][1]);
        assert_string_equal(parse(p, "a=b; Path=rel", &from)->path,
                            cases[i][1]);
        assert_string_equal(parse(p, "a=b; Path=", &from)->path,
                            cases[i][1]);
    }
    assert_string_equal(parse(p, "a=b; path=/x; Path=/y", &plain)->path,
                        "/y");
}

static void domain_must_be_the_hosts(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_cookie_origin_t ip = plain;
    batch_cookie_t *c = parse(p, "a=b; Domain=.Example.ORG", &plain);

    assert_string_equal(c->domain, "example.org");
    assert_false(c->host_only);
    c = parse(p, "a=b; Domain=" HOST, &plain);
    assert_string_equal(c->domain, HOST);
    assert_false(c->host_only);
    assert_true(parse(p, "a=b; Domain=", &plain)->host_only);
    assert_contains(ignored_because(p, "a=b; Domain=other.org", &plain),
                    "Domain");
    assert_contains(ignored_because(p, "a=b; Domain=ample.org", &plain),
                    "Domain");
    assert_contains(ignored_because(p, "a=b; Domain=x." HOST, &plain),
                    "Domain");
    ip.host = "127.0.0.1";
    assert_non_null(parse(p, "a=b; Domain=127.0.0.1", &ip));
    assert_contains(ignored_because(p, "a=b; Domain=0.0.1", &ip), "Domain");
}

static void expiry_by_max_age_then_expires(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_true(parse(p, "a=b; Max-Age=0", &plain)->expired);
    assert_true(parse(p, "a=b; Max-Age=-5", &plain)->expired);
    assert_false(parse(p, "a=b; Max-Age=60", &plain)->expired);
    assert_false(parse(p, "a=b; Max-Age=0x; Max-Age=", &plain)->expired);
    assert_true(parse(p, "a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                      &plain)->expired);
    assert_true(parse(p, "a=b; expires=Thursday, 01-Jan-70 00:00:01 GMT",
                      &plain)->expired);
    assert_false(parse(p, "a=b; Expires=Fri, 01 Jan 2100 00:00:00 GMT",
                       &plain)->expired);
    assert_false(parse(p, "a=b; Expires=not a date", &plain)->expired);
    /* Max-Age wins over Expires, wherever it is */
    assert_false(parse(p, "a=b; Max-Age=60; Expires=Thu, 01 Jan 1970 "
                       "00:00:00 GMT", &plain)->expired);
    assert_true(parse(p, "a=b; Max-Age=0; Expires=Fri, 01 Jan 2100 "
                      "00:00:00 GMT", &plain)->expired);
}

static void secure_only_over_tls(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_cookie_jar_t *jar = batch_cookie_jar_make(p, HOST);

    assert_contains(ignored_because(p, "s=1; Secure", &plain), "Secure");
    batch_cookie_jar_store(jar, parse(p, "s=1; Secure; Path=/", &tls));
    batch_cookie_jar_store(jar, parse(p, "n=2; Path=/", &tls));
    assert_string_equal(batch_cookie_jar_header(p, jar, "/", 1, NULL),
                        "s=1; n=2");
    assert_string_equal(batch_cookie_jar_header(p, jar, "/", 0, NULL),
                        "n=2");
}

static void size_limit_of_a_browser(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    char *big = apr_palloc(p, BATCH_COOKIE_MAX_BYTES + 3);

    memset(big, 'v', BATCH_COOKIE_MAX_BYTES + 2);
    big[0] = 'n';
    big[1] = '=';
    big[BATCH_COOKIE_MAX_BYTES + 1] = '\0';
    assert_non_null(parse(p, big, &plain));
    big[BATCH_COOKIE_MAX_BYTES + 1] = 'v';
    big[BATCH_COOKIE_MAX_BYTES + 2] = '\0';
    assert_contains(ignored_because(p, big, &plain), "4096");
    /* a longer attribute is ignored, the cookie kept */
    big[0] = '/';
    assert_string_equal(parse(p, apr_pstrcat(p, "a=b; Path=", big, NULL),
                              &plain)->path, "/w");
}

static void replaced_by_name_domain_and_path(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    static const char *const set[] = {
        "a=1; Path=/", "b=2; Path=/", "a=3; Path=/", "a=4; Path=/w",
        "a=5; Path=/; Domain=example.org", NULL,
    };
    batch_cookie_jar_t *jar = jar_of(p, set);

    assert_int_equal(batch_cookie_jar_count(jar), 4);
    /* a=3 kept a=1's creation, so it comes before b */
    assert_string_equal(batch_cookie_jar_header(p, jar, "/w/x", 0, NULL),
                        "a=4; a=3; b=2; a=5");
}

static void deleted_by_max_age_or_past_expires(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    static const char *const set[] = {
        "a=1; Path=/", "b=2; Path=/", "c=3; Path=/",
        "a=; Path=/; Max-Age=0",
        "b=x; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        "c=gone; Path=/other; Max-Age=0", NULL,
    };
    batch_cookie_jar_t *jar = jar_of(p, set);

    assert_string_equal(batch_cookie_jar_header(p, jar, "/", 0, NULL),
                        "c=3");
}

static void sent_where_the_path_matches(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    static const char *const set[] = {
        "root=1; Path=/", "app=2; Path=/app", "dir=3; Path=/app/", NULL,
    };
    batch_cookie_jar_t *jar = jar_of(p, set);

    assert_string_equal(batch_cookie_jar_header(p, jar, "/apple", 0, NULL),
                        "root=1");
    assert_string_equal(batch_cookie_jar_header(p, jar, "/app", 0, NULL),
                        "app=2; root=1");
    assert_string_equal(batch_cookie_jar_header(p, jar, "/app?x=1", 0,
                                                NULL), "app=2; root=1");
    assert_string_equal(batch_cookie_jar_header(p, jar, "/app/x", 0, NULL),
                        "dir=3; app=2; root=1");
    assert_string_equal(batch_cookie_jar_header(p, jar, "", 0, NULL),
                        "root=1");
}

static void own_cookies_win_by_name(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    static const char *const set[] = { "sid=jar; Path=/", "t=1", NULL };
    batch_cookie_jar_t *jar = jar_of(p, set);

    assert_string_equal(batch_cookie_jar_header(p, jar, "/w/", 0,
                                                " sid=mine; x=y "),
                        "sid=mine; x=y; t=1");
    assert_string_equal(batch_cookie_jar_header(p, jar, "/w/", 0, ""),
                        "t=1; sid=jar");
}

static void loaded_from_the_batchs_cookie_header(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_cookie_jar_t *jar = batch_cookie_jar_make(p, "Wiki.Example.ORG");

    batch_cookie_jar_load(jar, "sid=old; lang=en;;junk; =x");
    assert_int_equal(batch_cookie_jar_count(jar), 2);
    batch_cookie_jar_store(jar, parse(p, "sid=new; Path=/", &plain));
    assert_string_equal(batch_cookie_jar_header(p, jar, "/x", 0, NULL),
                        "sid=new; lang=en");
    batch_cookie_jar_load(jar, NULL);
    assert_int_equal(batch_cookie_jar_count(jar), 2);
    assert_string_equal(batch_cookie_jar_header(
        p, batch_cookie_jar_make(p, HOST), "/", 0, NULL), "");
}

static void earliest_goes_past_fifty_per_domain(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_cookie_jar_t *jar = batch_cookie_jar_make(p, HOST);
    const char *header;
    int i;

    for (i = 0; i <= BATCH_COOKIE_MAX_PER_DOMAIN; i++) {
        batch_cookie_jar_store(jar, parse(p, apr_psprintf(
            p, "c%d=%d; Path=/", i, i), &plain));
    }
    batch_cookie_jar_store(jar, parse(p, "d=1; Domain=example.org; Path=/",
                                      &plain));
    assert_int_equal(batch_cookie_jar_count(jar),
                     BATCH_COOKIE_MAX_PER_DOMAIN + 1);
    header = batch_cookie_jar_header(p, jar, "/", 0, NULL);
    assert_null(strstr(header, "c0="));
    assert_contains(header, "c1=1; ");
    assert_contains(header, "c50=50");
    assert_contains(header, "d=1");
}

static void earliest_goes_past_the_total(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    int labels = BATCH_COOKIE_MAX_COOKIES / BATCH_COOKIE_MAX_PER_DOMAIN + 1;
    const char *host = "example.org";
    batch_cookie_origin_t from = plain;
    batch_cookie_jar_t *jar;
    int i, k;

    for (i = 1; i < labels; i++) {
        host = apr_pstrcat(p, "a.", host, NULL);
    }
    from.host = host;
    jar = batch_cookie_jar_make(p, host);
    for (i = 0; i < labels; i++) {
        const char *domain = host + 2 * i;

        for (k = 0; k < BATCH_COOKIE_MAX_PER_DOMAIN; k++) {
            batch_cookie_jar_store(jar, parse(p, apr_psprintf(
                p, "c%d_%d=1; Domain=%s", i, k, domain), &from));
        }
    }
    assert_int_equal(batch_cookie_jar_count(jar), BATCH_COOKIE_MAX_COOKIES);
    assert_null(strstr(batch_cookie_jar_header(p, jar, "/", 0, NULL),
                       "c0_0="));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(name_value_and_defaults),
        UNIT_TEST(without_name_value_is_ignored),
        UNIT_TEST(default_path_is_the_targets_directory),
        UNIT_TEST(domain_must_be_the_hosts),
        UNIT_TEST(expiry_by_max_age_then_expires),
        UNIT_TEST(secure_only_over_tls),
        UNIT_TEST(size_limit_of_a_browser),
        UNIT_TEST(replaced_by_name_domain_and_path),
        UNIT_TEST(deleted_by_max_age_or_past_expires),
        UNIT_TEST(sent_where_the_path_matches),
        UNIT_TEST(own_cookies_win_by_name),
        UNIT_TEST(loaded_from_the_batchs_cookie_header),
        UNIT_TEST(earliest_goes_past_fifty_per_domain),
        UNIT_TEST(earliest_goes_past_the_total),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("cookie", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
