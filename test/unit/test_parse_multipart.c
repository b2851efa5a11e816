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
 * batch_parse_multipart() (src/batch_parse_multipart.c): the multipart/mixed
 * format, the refusals the parser makes
 * itself, and what batch_validate() (src/batch_validate.c) makes of its output.
 *
 * Every body is parsed from an exact-size malloc'd copy that is freed
 * before the result is looked at: ASan then reports a read past the end of
 * the body, and any field of the batch left pointing into it.
 */
#include <stdio.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "unit.h"
#include "batch.h"
#include "batch_format.h"
#include "batch_parse_multipart.h"
#include "batch_validate.h"

#define CT_B "multipart/mixed; boundary=b"
#define PART_HTTP "Content-Type: application/http\r\n"

/* --- helpers --- */

static batch_t *parse_self(apr_pool_t *p, const char *ctype,
                           const char *body, size_t len, const char *scheme,
                           const char *host, int port, batch_error_t **err)
{
    apr_pool_t *scratch;
    batch_input_t in;
    batch_t *batch;

    assert_int_equal(apr_pool_create(&scratch, p), APR_SUCCESS);
    memset(&in, 0, sizeof(in));
    in.body = unit_exact(scratch, body, len);
    in.len = len;
    in.content_type = ctype ? unit_exact(scratch, ctype, strlen(ctype) + 1)
                            : NULL;
    in.self_scheme = scheme;
    in.self_host = host;
    in.self_port = port;
    *err = NULL;
    batch = batch_parse_multipart(p, &in, err);
    apr_pool_destroy(scratch);
    return batch;
}

/* This server is http://localhost:5000 unless a test says otherwise. */
static batch_t *parse_len(apr_pool_t *p, const char *ctype,
                          const char *body, size_t len, batch_error_t **err)
{
    return parse_self(p, ctype, body, len, "http", "localhost", 5000, err);
}

/* err is read after batch is made: pass its address. */
static batch_t *accepted(batch_t *batch, batch_error_t *const *errp)
{
    const batch_error_t *err = *errp;

    if (!batch) {
        fail_msg("refused: %s: %s", err ? err->code : "(no error)",
                 err ? err->message : "");
    }
    assert_non_null(batch->ops);
    return batch;
}

static batch_t *parse_ct_len_ok(apr_pool_t *p, const char *ctype,
                                const char *body, size_t len)
{
    batch_error_t *err;

    return accepted(parse_len(p, ctype, body, len, &err), &err);
}

static batch_t *parse_ct_ok(apr_pool_t *p, const char *ctype,
                            const char *body)
{
    return parse_ct_len_ok(p, ctype, body, strlen(body));
}

static batch_t *parse_ok(apr_pool_t *p, const char *body)
{
    return parse_ct_ok(p, CT_B, body);
}

static batch_error_t *refused_ct_len(apr_pool_t *p, const char *ctype,
                                     const char *body, size_t len,
                                     const char *code, const char *operation)
{
    batch_error_t *err;
    batch_t *batch = parse_len(p, ctype, body, len, &err);

    if (batch) {
        fail_msg("accepted with %d operations, expected %s", batch->ops->nelts,
                 code);
    }
    return unit_assert_error(err, 400, code, operation);
}

static batch_error_t *refused_ct(apr_pool_t *p, const char *ctype,
                                 const char *body, const char *code,
                                 const char *operation)
{
    return refused_ct_len(p, ctype, body, strlen(body), code, operation);
}

static batch_error_t *refused(apr_pool_t *p, const char *body,
                              const char *code, const char *operation)
{
    return refused_ct(p, CT_B, body, code, operation);
}

/* An invalid_multipart refusal of body naming operation. */
static batch_error_t *bad_mp(apr_pool_t *p, const char *body,
                             const char *operation)
{
    return refused(p, body, BATCH_E_INVALID_MULTIPART, operation);
}

/* The message gives the byte offset of the first occurrence of marker. */
static void assert_offset_of(apr_pool_t *p, const batch_error_t *err,
                             const char *body, const char *marker)
{
    const char *at = strstr(body, marker);

    assert_non_null(at);
    assert_contains(err->message,
                    apr_psprintf(p, "(byte offset %d)", (int)(at - body)));
}

static void assert_offset(apr_pool_t *p, const batch_error_t *err, int at)
{
    assert_contains(err->message, apr_psprintf(p, "(byte offset %d)", at));
}

static int header_total(apr_table_t *t)
{
    return apr_table_elts(t)->nelts;
}

static void assert_header(batch_op_t *op, const char *name,
                          const char *value)
{
    assert_non_null(op->headers);
    assert_int_equal(unit_header_count(op->headers, name), 1);
    assert_string_equal(apr_table_get(op->headers, name), value);
}

static void assert_body(batch_op_t *op, const char *body, size_t len)
{
    assert_int_equal(op->body_len, len);
    assert_non_null(op->body);
    assert_memory_equal(op->body, body, len);
}

#define ASSERT_BODY(op, lit) assert_body((op), (lit), sizeof(lit) - 1)

static void assert_no_body(batch_op_t *op)
{
    assert_null(op->body);
    assert_int_equal(op->body_len, 0);
}

/* One part of the given part headers and inner request, then the close. */
static const char *one_part(apr_pool_t *p, const char *part_headers,
                            const char *inner)
{
    return apr_pstrcat(p, "--b\r\n", part_headers, "\r\n", inner,
                       "\r\n--b--\r\n", NULL);
}

static const char *http_part(apr_pool_t *p, const char *inner)
{
    return one_part(p, PART_HTTP, inner);
}

/* s with every CRLF made a bare LF. */
static const char *to_lf(apr_pool_t *p, const char *s, size_t len,
                         size_t *out_len)
{
    char *out = apr_palloc(p, len + 1);
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') {
            continue;
        }
        out[n++] = s[i];
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

static const char *lf(apr_pool_t *p, const char *s)
{
    size_t n;

    return to_lf(p, s, strlen(s), &n);
}

static batch_error_t *validate_with(apr_pool_t *p, batch_t *batch,
                                    int max_ops, const char *base_url)
{
    static const char *const methods[] = {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"
    };
    apr_array_header_t *allow = apr_array_make(p, 6, sizeof(const char *));
    batch_limits_t limits;
    size_t i;

    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        APR_ARRAY_PUSH(allow, const char *) = methods[i];
    }
    /* the request limits left at 0 (none): not what these tests are about */
    memset(&limits, 0, sizeof(limits));
    limits.max_operations = max_ops;
    limits.allow_methods = allow;
    limits.base_url = base_url;
    return batch_validate(p, batch, &limits);
}

static void validate_ok(apr_pool_t *p, batch_t *batch, const char *base_url)
{
    batch_error_t *err = validate_with(p, batch, 100, base_url);

    if (err) {
        fail_msg("validation refused: %s: %s (%s)", err->code, err->message,
                 err->operation ? err->operation : "-");
    }
}

/* Both batches hold the same operations. */
static void assert_same_ops(batch_t *a, batch_t *b)
{
    int i, j;

    assert_int_equal(a->ops->nelts, b->ops->nelts);
    for (i = 0; i < a->ops->nelts; i++) {
        batch_op_t *x = unit_op_at(a, i), *y = unit_op_at(b, i);
        const apr_array_header_t *hx = apr_table_elts(x->headers);
        const apr_array_header_t *hy = apr_table_elts(y->headers);

        assert_string_equal(x->method, y->method);
        assert_string_equal(x->url, y->url);
        assert_string_equal(x->id, y->id);
        assert_int_equal(x->index, y->index);
        assert_int_equal(!x->content_id, !y->content_id);
        if (x->content_id) {
            assert_string_equal(x->content_id, y->content_id);
        }
        assert_int_equal(!x->group, !y->group);
        if (x->group) {
            assert_string_equal(x->group, y->group);
        }
        assert_int_equal(x->body_len, y->body_len);
        if (x->body_len) {
            assert_memory_equal(x->body, y->body, x->body_len);
        }
        assert_int_equal(hx->nelts, hy->nelts);
        for (j = 0; j < hx->nelts; j++) {
            const apr_table_entry_t *ex = &APR_ARRAY_IDX(hx, j,
                                                         apr_table_entry_t);
            const apr_table_entry_t *ey = &APR_ARRAY_IDX(hy, j,
                                                         apr_table_entry_t);

            assert_string_equal(ex->key, ey->key);
            assert_string_equal(ex->val, ey->val);
        }
    }
}

/* --- the wire vectors (test/vectors) --- */

typedef struct vector_t {
    const char *ctype;          /* the Content-Type header's value */
    const char *body;           /* after the first CRLFCRLF */
    size_t len;
} vector_t;

/*
 * A vector of test/vectors split into the Content-Type of its header block
 * and its body; 0 when the file is not there.
 */
static int load_vector(apr_pool_t *p, const char *name, vector_t *v)
{
    const char *sep, *line, *clen = NULL;
    size_t n;
    char *buf = unit_read_vector(p, name, &n);

    if (!buf) {
        return 0;
    }
    sep = strstr(buf, "\r\n\r\n");
    assert_non_null(sep);
    v->ctype = NULL;
    for (line = buf; line < sep; ) {
        const char *eol = strstr(line, "\r\n");

        if (!strncasecmp(line, "Content-Type:", 13)) {
            const char *val = line + 13 + strspn(line + 13, " \t");

            v->ctype = apr_pstrmemdup(p, val, (apr_size_t)(eol - val));
        }
        else if (!strncasecmp(line, "Content-Length:", 15)) {
            clen = line + 15;
        }
        line = eol + 2;
    }
    assert_non_null(v->ctype);
    v->body = sep + 4;
    v->len = (size_t)(buf + n - v->body);
    /* the vectors' own promise: the outer Content-Length is exact */
    assert_non_null(clen);
    assert_int_equal(atol(clen), (long)v->len);
    return 1;
}

static batch_t *parse_vector_self(apr_pool_t *p, const vector_t *v,
                                  const char *scheme, const char *host,
                                  int port, batch_error_t **err)
{
    return parse_self(p, v->ctype, v->body, v->len, scheme, host, port,
                      err);
}

static batch_t *parse_vector(apr_pool_t *p, const vector_t *v)
{
    batch_error_t *err;

    return accepted(parse_vector_self(p, v, "http", "localhost", 5000,
                                      &err), &err);
}

#define LOAD_VECTOR(p, name, v)         \
    do {                                \
        if (!load_vector(p, name, v)) { \
            skip();                     \
        }                               \
    } while (0)

static void test_vector_google(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    vector_t v;
    batch_t *b;
    batch_op_t *op;

    LOAD_VECTOR(p, "google.request.txt", &v);
    assert_string_equal(v.ctype, "multipart/mixed; boundary=batch_foobarbaz");
    b = parse_vector(p, &v);
    assert_int_equal(b->ops->nelts, 3);

    /* request line without HTTP/1.1, no blank line before the delimiter */
    op = unit_op_at(b, 0);
    assert_int_equal(op->index, 0);
    assert_string_equal(op->method, "GET");
    assert_string_equal(op->url, "/farm/v1/animals/pony");
    assert_string_equal(op->content_id,
                        "<item1:12930812@barnyard.example.com>");
    assert_string_equal(op->id, op->content_id);
    assert_null(op->group);
    assert_int_equal(header_total(op->headers), 0);
    assert_no_body(op);

    /* the body is its Content-Length, without the extra CRLF after it */
    op = unit_op_at(b, 1);
    assert_int_equal(op->index, 1);
    assert_string_equal(op->method, "PUT");
    assert_string_equal(op->url, "/farm/v1/animals/sheep");
    assert_string_equal(op->content_id,
                        "<item2:12930812@barnyard.example.com>");
    assert_header(op, "Content-Type", "application/json");
    assert_header(op, "Content-Length", "75");
    assert_header(op, "If-Match", "\"etag/sheep\"");
    assert_int_equal(header_total(op->headers), 3);
    ASSERT_BODY(op, "{\r\n"
                "  \"animalName\": \"sheep\",\r\n"
                "  \"animalAge\": \"5\",\r\n"
                "  \"peltColor\": \"green\"\r\n"
                "}");
    assert_null(op->group);

    op = unit_op_at(b, 2);
    assert_string_equal(op->method, "GET");
    assert_string_equal(op->url, "/farm/v1/animals");
    assert_string_equal(op->content_id,
                        "<item3:12930812@barnyard.example.com>");
    assert_header(op, "If-None-Match", "\"etag/animals\"");
    assert_int_equal(header_total(op->headers), 1);
    assert_no_body(op);

    validate_ok(p, b, NULL);
    assert_string_equal(unit_op_at(b, 1)->target, "/farm/v1/animals/sheep");
}

static void test_vector_googleapiclient(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    vector_t v;
    batch_t *b;
    batch_op_t *op;

    LOAD_VECTOR(p, "googleapiclient.request.txt", &v);
    /* the boundary is quoted; the body has bare LF line ends */
    assert_contains(v.ctype, "\"===============0123456789012345678==\"");
    assert_null(memchr(v.body, '\r', v.len));
    b = parse_vector(p, &v);
    assert_int_equal(b->ops->nelts, 2);

    op = unit_op_at(b, 0);
    assert_string_equal(op->method, "GET");
    assert_string_equal(op->url, "/farm/v1/animals/pony?alt=json");
    assert_string_equal(op->content_id,
                        "<b29c5de2-0db4-490b-b421-6a51b598bd22 + 1>");
    assert_string_equal(op->id, op->content_id);
    assert_int_equal(header_total(op->headers), 8);
    assert_header(op, "accept", "application/json");
    assert_header(op, "x-goog-api-client",
                  "gdcl/2.100.0 gl-python/3.11.7");
    assert_header(op, "Host", "www.googleapis.com");
    assert_no_body(op);

    op = unit_op_at(b, 1);
    assert_string_equal(op->method, "PUT");
    assert_string_equal(op->url, "/farm/v1/animals/sheep?alt=json");
    assert_string_equal(op->content_id,
                        "<b29c5de2-0db4-490b-b421-6a51b598bd22 + 2>");
    assert_header(op, "content-length", "63");
    assert_int_equal(header_total(op->headers), 9);
    ASSERT_BODY(op, "{\"animalName\": \"sheep\", \"animalAge\": \"5\", "
                "\"peltColor\": \"green\"}");

    validate_ok(p, b, NULL);
}

static void test_vector_odata(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    vector_t v;
    batch_t *b;
    batch_op_t *op;

    LOAD_VECTOR(p, "odata-multipart.request.txt", &v);
    b = parse_vector(p, &v);
    assert_int_equal(b->ops->nelts, 4);

    op = unit_op_at(b, 0);
    assert_string_equal(op->method, "GET");
    assert_string_equal(op->url, "/service/Customers('ALFKI')");
    assert_null(op->content_id);
    assert_string_equal(op->id, "part 1");
    assert_null(op->group);
    assert_header(op, "Host", "host");
    assert_no_body(op);

    /* the change set: two operations of one group */
    op = unit_op_at(b, 1);
    assert_int_equal(op->index, 1);
    assert_string_equal(op->method, "POST");
    assert_string_equal(op->url, "/service/Customers");
    assert_string_equal(op->content_id, "1");
    assert_string_equal(op->id, "1");
    assert_non_null(op->group);
    assert_header(op, "Content-Type", "application/json");
    ASSERT_BODY(op, "{\"CustomerID\": \"POIUY\", "
                "\"CompanyName\": \"Poiuy Traders\"}");

    op = unit_op_at(b, 2);
    assert_int_equal(op->index, 2);
    assert_string_equal(op->method, "PATCH");
    assert_string_equal(op->url, "/service/Customers('ALFKI')");
    assert_string_equal(op->content_id, "2");
    assert_string_equal(op->id, "2");
    assert_non_null(op->group);
    assert_string_equal(op->group, unit_op_at(b, 1)->group);
    assert_header(op, "If-Match", "W/\"1\"");
    assert_header(op, "Prefer", "return=minimal");
    ASSERT_BODY(op, "{\"CompanyName\": \"Alfreds Futterkiste GmbH\"}");

    op = unit_op_at(b, 3);
    assert_int_equal(op->index, 3);
    assert_string_equal(op->method, "GET");
    assert_string_equal(op->url, "/service/Products");
    assert_null(op->content_id);
    /* parts are counted in the outer batch: the change set was part 2 */
    assert_string_equal(op->id, "part 3");
    assert_null(op->group);
    assert_no_body(op);

    /* the group runs in order: its second member waits for the first */
    validate_ok(p, b, NULL);
    assert_int_equal(unit_op_at(b, 2)->deps->nelts, 1);
    assert_int_equal(APR_ARRAY_IDX(unit_op_at(b, 2)->deps, 0, int), 1);
    assert_int_equal(unit_op_at(b, 1)->deps->nelts, 0);
    assert_int_equal(b->order[0], 0);
    assert_int_equal(b->order[1], 1);
    assert_int_equal(b->order[2], 2);
    assert_int_equal(b->order[3], 3);
}

/* The OData vector with every CRLF made LF parses to the same operations. */
static void test_vector_odata_lf(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    vector_t v, w;

    LOAD_VECTOR(p, "odata-multipart.request.txt", &v);
    w = v;
    w.body = to_lf(p, v.body, v.len, &w.len);
    assert_true(w.len < v.len);
    assert_same_ops(parse_vector(p, &v), parse_vector(p, &w));
}

static void test_vector_flask(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    vector_t v;
    batch_t *b;
    batch_op_t *op;

    LOAD_VECTOR(p, "flask-batch.request.txt", &v);
    b = parse_vector(p, &v);
    assert_int_equal(b->ops->nelts, 2);

    /* http://localhost:5000/cat/alice names this server: reduced */
    op = unit_op_at(b, 0);
    assert_string_equal(op->method, "PATCH");
    assert_string_equal(op->url, "/cat/alice");
    assert_null(op->content_id);
    assert_string_equal(op->id, "part 1");
    assert_header(op, "Content-Type", "application/json");
    assert_header(op, "Connection", "keep-alive");
    assert_int_equal(header_total(op->headers), 6);
    ASSERT_BODY(op, "{\"name\": \"fance\"}");

    op = unit_op_at(b, 1);
    assert_string_equal(op->url, "/cat/bob");
    assert_string_equal(op->id, "part 2");
    ASSERT_BODY(op, "{\"name\": \"duhbob\"}");

    validate_ok(p, b, NULL);
    assert_string_equal(unit_op_at(b, 0)->target, "/cat/alice");
}

static void flask_refused(void **state, const char *scheme,
                          const char *host, int port)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err;
    vector_t v;

    LOAD_VECTOR(p, "flask-batch.request.txt", &v);
    assert_null(parse_vector_self(p, &v, scheme, host, port, &err));
    unit_assert_error(err, 400, BATCH_E_INVALID_URL, "part 1");
    assert_contains(err->message, "http://localhost:5000/cat/alice");
}

static void test_vector_flask_other_port(void **state)
{
    flask_refused(state, "http", "localhost", 8080);
}

static void test_vector_flask_other_host(void **state)
{
    flask_refused(state, "http", "example.com", 5000);
}

static void test_vector_flask_other_scheme(void **state)
{
    flask_refused(state, "https", "localhost", 5000);
}

static void test_vector_flask_self_unknown(void **state)
{
    flask_refused(state, NULL, NULL, 0);
}

/* --- line ends --- */

static const char two_parts_crlf[] =
    "--b\r\n"
    "Content-Type: application/http\r\n"
    "Content-ID: <a>\r\n"
    "\r\n"
    "POST /x HTTP/1.1\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "line 1\r\n"
    "line 2\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: application/http\r\n"
    "\r\n"
    "GET /y?q=1 HTTP/1.1\r\n"
    "Accept: */*\r\n"
    "\r\n"
    "--b--\r\n";

static void check_two_parts(batch_t *b, const char *body1)
{
    batch_op_t *op;

    assert_int_equal(b->ops->nelts, 2);
    op = unit_op_at(b, 0);
    assert_string_equal(op->method, "POST");
    assert_string_equal(op->url, "/x");
    assert_string_equal(op->content_id, "<a>");
    assert_header(op, "Content-Type", "text/plain");
    /* no Content-Length: the rest of the part less its trailing blank
     * lines */
    assert_body(op, body1, strlen(body1));
    op = unit_op_at(b, 1);
    assert_string_equal(op->method, "GET");
    assert_string_equal(op->url, "/y?q=1");
    assert_null(op->content_id);
    assert_header(op, "Accept", "*/*");
    assert_no_body(op);
}

static void test_crlf(void **state)
{
    check_two_parts(parse_ok(UNIT_POOL(state), two_parts_crlf),
                    "line 1\r\nline 2");
}

static void test_lf_everywhere(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = lf(p, two_parts_crlf);

    assert_null(strchr(body, '\r'));
    check_two_parts(parse_ok(p, body), "line 1\nline 2");
}

static void test_mixed_line_ends(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state),
                          "--b\n"
                          "Content-Type: application/http\r\n"
                          "Content-ID: <a>\n"
                          "\r\n"
                          "POST /x HTTP/1.1\n"
                          "Content-Type: text/plain\r\n"
                          "\n"
                          "line 1\r\n"
                          "line 2\n"
                          "\r\n"
                          "--b\r\n"
                          "Content-Type: application/http\n"
                          "\n"
                          "GET /y?q=1 HTTP/1.1\r\n"
                          "Accept: */*\n"
                          "\n"
                          "--b--\n");
    batch_op_t *op;

    assert_int_equal(b->ops->nelts, 2);
    op = unit_op_at(b, 0);
    assert_string_equal(op->content_id, "<a>");
    assert_header(op, "Content-Type", "text/plain");
    ASSERT_BODY(op, "line 1\r\nline 2");
    op = unit_op_at(b, 1);
    assert_string_equal(op->url, "/y?q=1");
    assert_header(op, "Accept", "*/*");
}

/* Google style: the inner header block ends at the delimiter. */
static void test_no_blank_line_after_headers(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char crlf[] = "--b\r\n" PART_HTTP "\r\n"
                        "GET /a\r\n"
                        "--b\r\n" PART_HTTP "\r\n"
                        "GET /b HTTP/1.1\r\n"
                        "X-A: 1\r\n"
                        "--b--";
    batch_t *b = parse_ok(p, crlf);

    assert_int_equal(b->ops->nelts, 2);
    assert_string_equal(unit_op_at(b, 0)->url, "/a");
    assert_int_equal(header_total(unit_op_at(b, 0)->headers), 0);
    assert_no_body(unit_op_at(b, 0));
    assert_header(unit_op_at(b, 1), "X-A", "1");
    assert_no_body(unit_op_at(b, 1));
    assert_same_ops(b, parse_ok(p, lf(p, crlf)));
}

static void test_blank_lines_before_request_line(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), http_part(
        UNIT_POOL(state), "\r\n\n\r\nDELETE /x HTTP/1.1\r\n\r\n"));

    assert_int_equal(b->ops->nelts, 1);
    assert_string_equal(unit_op_at(b, 0)->method, "DELETE");
}

static void test_extra_blank_lines_after_body(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), http_part(
        UNIT_POOL(state), "POST /x\r\nContent-Length: 2\r\n\r\nhi\r\n\r\n"
        "\n\r\n"));

    ASSERT_BODY(unit_op_at(b, 0), "hi");
}

/* --- preamble, epilogue, transport padding --- */

static void test_preamble_and_epilogue_ignored(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state),
                          "This is a preamble mentioning --b and b.\r\n"
                          "--bx not a delimiter\r\n"
                          "\r\n"
                          "--b\r\n" PART_HTTP "\r\n"
                          "GET /one HTTP/1.1\r\n"
                          "\r\n"
                          "--b--\r\n"
                          "An epilogue.\r\n"
                          "--b\r\n"
                          "Content-Type: text/plain\r\n"
                          "\r\n"
                          "junk that is never read\r\n");

    assert_int_equal(b->ops->nelts, 1);
    assert_string_equal(unit_op_at(b, 0)->url, "/one");
}

static void test_transport_padding(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char crlf[] = "--b  \t\r\n" PART_HTTP "\r\n"
                        "GET /one HTTP/1.1\r\n\r\n"
                        "--b \r\n" PART_HTTP "\r\n"
                        "GET /two HTTP/1.1\r\n\r\n"
                        "--b-- \t \r\n";
    batch_t *b = parse_ok(p, crlf);

    assert_int_equal(b->ops->nelts, 2);
    assert_string_equal(unit_op_at(b, 0)->url, "/one");
    assert_string_equal(unit_op_at(b, 1)->url, "/two");
    assert_same_ops(b, parse_ok(p, lf(p, crlf)));
}

/* The close delimiter may end the body without a line end. */
static void test_close_at_end_without_line_end(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state),
                          "--b\r\n" PART_HTTP "\r\nGET /x\r\n--b--");

    assert_int_equal(b->ops->nelts, 1);
}

/* RFC 2046 asks for at least one part */
static void test_no_parts(void **state)
{
    batch_error_t *err = refused_ct(UNIT_POOL(state), CT_B, "--b--\r\n",
                                    BATCH_E_INVALID_MULTIPART, NULL);

    assert_contains(err->message, "no parts");
}

/* --- the boundary parameter --- */

static void test_boundary_quoted(void **state)
{
    batch_t *b = parse_ct_ok(UNIT_POOL(state),
                             "multipart/mixed; boundary=\"b\"",
                             http_part(UNIT_POOL(state), "GET /x\r\n"));

    assert_int_equal(b->ops->nelts, 1);
}

static void test_boundary_quoted_with_escape(void **state)
{
    batch_t *b = parse_ct_ok(UNIT_POOL(state),
                             "multipart/mixed; boundary=\"a\\\"b\"",
                             "--a\"b\r\n" PART_HTTP "\r\nGET /x\r\n"
                             "--a\"b--\r\n");

    assert_int_equal(b->ops->nelts, 1);
}

/* Every bchar of RFC 2046, space included, in a quoted boundary. */
static void test_boundary_quoted_bchars(void **state)
{
    batch_t *b = parse_ct_ok(UNIT_POOL(state),
                             "multipart/mixed; "
                             "boundary=\"0aZ'()+_,-./:=? x\"",
                             "--0aZ'()+_,-./:=? x\r\n" PART_HTTP "\r\n"
                             "GET /x\r\n--0aZ'()+_,-./:=? x--\r\n");

    assert_int_equal(b->ops->nelts, 1);
}

static void test_boundary_not_first_parameter(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = http_part(p, "GET /x\r\n");

    assert_int_equal(parse_ct_ok(p, "multipart/mixed; charset=x; boundary=b",
                                 body)->ops->nelts, 1);
    assert_int_equal(parse_ct_ok(p, "multipart/mixed;charset=x;boundary=b",
                                 body)->ops->nelts, 1);
    assert_int_equal(parse_ct_ok(p, "multipart/mixed; boundary=b; "
                                 "charset=x", body)->ops->nelts, 1);
    assert_int_equal(parse_ct_ok(p, "Multipart/Mixed; BOUNDARY=b",
                                 body)->ops->nelts, 1);
}

static void test_boundary_70_accepted(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    char bnd[71];
    batch_t *b;

    memset(bnd, 'x', 70);
    bnd[70] = '\0';
    b = parse_ct_ok(p, apr_pstrcat(p, "multipart/mixed; boundary=", bnd,
                                   NULL),
                    apr_pstrcat(p, "--", bnd, "\r\n" PART_HTTP "\r\n"
                                "GET /x\r\n--", bnd, "--\r\n", NULL));
    assert_int_equal(b->ops->nelts, 1);
}

static void test_boundary_71_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    char bnd[72];
    batch_error_t *err;

    memset(bnd, 'x', 71);
    bnd[71] = '\0';
    err = refused_ct(p, apr_pstrcat(p, "multipart/mixed; boundary=", bnd,
                                    NULL),
                     apr_pstrcat(p, "--", bnd, "\r\n" PART_HTTP "\r\n"
                                 "GET /x\r\n--", bnd, "--\r\n", NULL),
                     BATCH_E_INVALID_MULTIPART, NULL);
    assert_contains(err->message, "boundary");
}

static void test_no_boundary_parameter(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = http_part(p, "GET /x\r\n");
    batch_error_t *err;

    err = refused_ct(p, "multipart/mixed", body, BATCH_E_INVALID_MULTIPART,
                     NULL);
    assert_contains(err->message, "boundary");
    refused_ct(p, "multipart/mixed; charset=b", body,
               BATCH_E_INVALID_MULTIPART, NULL);
    refused_ct(p, "multipart/mixed; boundary=", body,
               BATCH_E_INVALID_MULTIPART, NULL);
    refused_ct(p, "multipart/mixed; boundary=\"\"", body,
               BATCH_E_INVALID_MULTIPART, NULL);
    /* an unterminated quoted string */
    refused_ct(p, "multipart/mixed; boundary=\"b", body,
               BATCH_E_INVALID_MULTIPART, NULL);
    refused_ct(p, NULL, body, BATCH_E_INVALID_MULTIPART, NULL);
}

/* --- what is a delimiter and what is not --- */

static void test_boundary_inside_line_is_body(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), http_part(
        UNIT_POOL(state), "POST /x\r\n\r\nsee --b here\r\nx--b--\r\n"
        " --b\r\n"));

    assert_int_equal(b->ops->nelts, 1);
    ASSERT_BODY(unit_op_at(b, 0), "see --b here\r\nx--b--\r\n --b");
}

static void test_longer_boundary_line_is_body(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char crlf[] = "--bx\r\n"
                        "--b\r\n" PART_HTTP "\r\n"
                        "POST /x\r\n\r\n"
                        "--bx\r\n"
                        "--b-\r\n"
                        "--b--x\r\n"
                        "--b -\r\n"
                        "--b\rx\r\n"
                        "--b--\r\n";
    batch_t *b = parse_ok(p, crlf);

    assert_int_equal(b->ops->nelts, 1);
    ASSERT_BODY(unit_op_at(b, 0), "--bx\r\n--b-\r\n--b--x\r\n--b -\r\n--b\rx");
    b = parse_ok(p, lf(p, crlf));
    ASSERT_BODY(unit_op_at(b, 0), "--bx\n--b-\n--b--x\n--b -\n--b\rx");
}

/*
 * The boundary must not occur in a body (RFC 2046): a delimiter line ends
 * the part even inside the Content-Length, which is then too long.
 */
static void test_delimiter_inside_content_length(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = http_part(p, "POST /x\r\nContent-Length: 12\r\n\r\n"
                                 "a\r\n--b\r\nzzzzz");
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_contains(err->message, "shorter than its Content-Length");
}

/* Content-Length is taken inside the part: a body ending in CRLF keeps it,
 * the delimiter's own CRLF is not body. */
static void test_content_length_body_ends_in_crlf(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), http_part(
        UNIT_POOL(state), "POST /x\r\nContent-Length: 5\r\n\r\nabc\r\n"));

    ASSERT_BODY(unit_op_at(b, 0), "abc\r\n");
}

/* Line ends after Content-Length bytes are left out (Google sends a CRLF
 * there); anything else would be read one way by this parser and another
 * by a filter in front of httpd, so the batch is refused. */
static void test_content_length_line_ends_after_body(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), http_part(
        UNIT_POOL(state), "POST /x\r\nContent-Length: 3\r\n\r\nabc\r\n\n\r\n"));

    ASSERT_BODY(unit_op_at(b, 0), "abc");
}

static void test_content_length_data_after_body_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = http_part(p, "POST /x\r\nContent-Length: 3\r\n\r\n"
                                    "abcdef\r\n");
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_contains(err->message, "after the body");
    assert_offset_of(p, err, body, "def");
}

static void test_content_length_smuggled_request_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    bad_mp(p, http_part(p, "GET /a\r\nContent-Length: 0\r\n\r\n"
                           "DELETE /b HTTP/1.1\r\n\r\n"), "part 1");
}

static void test_content_length_zero(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), http_part(
        UNIT_POOL(state), "POST /x\r\nContent-Length: 0\r\n\r\n\r\n"));

    assert_no_body(unit_op_at(b, 0));
}

static void test_binary_body(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    static const char body[] =
        "--b\r\n" PART_HTTP "\r\n"
        "PUT /bin HTTP/1.1\r\n"
        "Content-Length: 9\r\n"
        "\r\n"
        "\0\r\n\xff\n\r\0\x80z"
        "\r\n--b--\r\n";
    batch_t *b = parse_ct_len_ok(p, CT_B, body, sizeof(body) - 1);

    ASSERT_BODY(unit_op_at(b, 0), "\0\r\n\xff\n\r\0\x80z");
}

/* --- part headers --- */

static void test_part_headers_any_case(void **state)
{
    batch_t *b = parse_ok(UNIT_POOL(state), one_part(
        UNIT_POOL(state), "content-type: Application/HTTP; msgtype=request\r\n"
        "content-id:   <x>  \r\n", "GET /x\r\n"));

    assert_string_equal(unit_op_at(b, 0)->content_id, "<x>");
}

static void test_transfer_encoding_identity_accepted(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    parse_ok(p, one_part(p, PART_HTTP "Content-Transfer-Encoding: binary\r\n",
                         "GET /x\r\n"));
    parse_ok(p, one_part(p, PART_HTTP "Content-Transfer-Encoding: 8bit\r\n",
                         "GET /x\r\n"));
    parse_ok(p, one_part(p, PART_HTTP "Content-Transfer-Encoding: 7BIT\r\n",
                         "GET /x\r\n"));
}

static void test_transfer_encoding_base64_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err;

    err = bad_mp(p, one_part(p, PART_HTTP
                             "Content-Transfer-Encoding: base64\r\n",
                             "R0VUIC94DQo=\r\n"), "part 1");
    assert_contains(err->message, "base64");
    assert_offset(p, err, 5);
    bad_mp(p, one_part(p, PART_HTTP "Content-Transfer-Encoding: "
                       "quoted-printable\r\n", "GET /x\r\n"), "part 1");
}

static void test_part_content_type_unknown(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = "--b\r\n" PART_HTTP "\r\nGET /a\r\n"
                       "--b\r\nContent-Type: text/plain\r\n\r\nGET /b\r\n"
                       "--b--\r\n";
    batch_error_t *err = bad_mp(p, body, "part 2");

    assert_contains(err->message, "text/plain");
    assert_contains(err->message, "application/http");
    assert_offset_of(p, err, body, "Content-Type: text/plain");
}

static void test_part_content_type_missing(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = bad_mp(p, one_part(p, "Content-ID: 1\r\n",
                                            "GET /x\r\n"), "part 1");

    assert_contains(err->message, "missing");
    assert_offset(p, err, 5);
}

static void test_part_empty(void **state)
{
    bad_mp(UNIT_POOL(state), "--b\r\n--b--\r\n", "part 1");
}

static void test_part_header_without_colon(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = one_part(p, PART_HTTP "Content-ID 1\r\n", "GET /x\r\n");
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_offset_of(p, err, body, "Content-ID 1");
}

static void test_part_header_space_before_colon(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    bad_mp(p, one_part(p, "Content-Type : application/http\r\n",
                       "GET /x\r\n"), "part 1");
}

/* --- the inner request line --- */

static void test_request_line_versions(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(unit_op_at(parse_ok(p, http_part(p, "GET /x HTTP/1.1\r\n")),
                              0)->url, "/x");
    assert_string_equal(unit_op_at(parse_ok(p, http_part(p, "GET /x HTTP/1.0\r\n")),
                              0)->url, "/x");
    assert_string_equal(unit_op_at(parse_ok(p, http_part(p, "GET /x\r\n")),
                              0)->url, "/x");
}

/* The method is kept as written; validation upper-cases it. */
static void test_request_line_method_case(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, http_part(p, "patch /x\r\n"));

    assert_string_equal(unit_op_at(b, 0)->method, "patch");
    validate_ok(p, b, NULL);
    assert_string_equal(unit_op_at(b, 0)->method, "PATCH");
}

static void test_request_line_bad_version(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = http_part(p, "GET /x HTTP/2\r\n\r\n");
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_contains(err->message, "request line");
    assert_offset_of(p, err, body, "GET /x HTTP/2");
    bad_mp(p, http_part(p, "GET /x HTTP/1.1 more\r\n"), "part 1");
    bad_mp(p, http_part(p, "GET /x http/1.1\r\n"), "part 1");
}

static void test_request_line_double_space(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = http_part(p, "GET  /x\r\n");
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_offset_of(p, err, body, "GET  /x");
    bad_mp(p, http_part(p, "GET  /x HTTP/1.1\r\n"), "part 1");
}

static void test_no_request_line(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err;

    err = bad_mp(p, "--b\r\n" PART_HTTP "\r\n--b--\r\n", "part 1");
    assert_contains(err->message, "request line");
    bad_mp(p, "--b\r\n" PART_HTTP "\r\n\r\n\r\n--b--\r\n", "part 1");
    bad_mp(p, http_part(p, "GET\r\n"), "part 1");
    bad_mp(p, http_part(p, " /x HTTP/1.1\r\n"), "part 1");
    /* a part header block without its blank line swallows the request */
    bad_mp(p, "--b\r\n" PART_HTTP "GET /x\r\n--b--\r\n", "part 1");
}

static void test_request_line_nul(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    static const char body[] = "--b\r\n" PART_HTTP "\r\n"
                               "GET /a\0b HTTP/1.1\r\n\r\n--b--\r\n";
    static const char in_version[] = "--b\r\n" PART_HTTP "\r\n"
                                     "GET /a HTTP/1.1\0\r\n\r\n--b--\r\n";
    batch_error_t *err;

    err = refused_ct_len(p, CT_B, body, sizeof(body) - 1,
                         BATCH_E_INVALID_MULTIPART, "part 1");
    assert_contains(err->message, "NUL byte in the request line");
    err = refused_ct_len(p, CT_B, in_version, sizeof(in_version) - 1,
                         BATCH_E_INVALID_MULTIPART, "part 1");
    assert_contains(err->message, "NUL byte in the request line");
}

/* --- absolute URLs naming this server --- */

static batch_op_t *one_url(void **state, const char *url, const char *scheme,
                           const char *host, int port)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err;
    batch_t *b;
    const char *body = http_part(p, apr_pstrcat(p, "GET ", url,
                                                " HTTP/1.1\r\n", NULL));

    b = accepted(parse_self(p, CT_B, body, strlen(body), scheme, host, port,
                            &err), &err);
    return unit_op_at(b, 0);
}

static batch_error_t *url_refused(void **state, const char *url,
                                  const char *scheme, const char *host,
                                  int port, const char *code)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err;
    const char *body = http_part(p, apr_pstrcat(p, "GET ", url,
                                                " HTTP/1.1\r\n", NULL));

    assert_null(parse_self(p, CT_B, body, strlen(body), scheme, host, port,
                           &err));
    return unit_assert_error(err, 400, code, "part 1");
}

static void test_absolute_url_self(void **state)
{
    assert_string_equal(one_url(state, "http://localhost:5000/a/b?c=d&e",
                                "http", "localhost", 5000)->url,
                        "/a/b?c=d&e");
    assert_string_equal(one_url(state, "HTTP://LocalHost:5000/a", "http",
                                "localhost", 5000)->url, "/a");
    assert_string_equal(one_url(state, "http://localhost:5000", "http",
                                "localhost", 5000)->url, "/");
    assert_string_equal(one_url(state, "http://localhost:5000?q", "http",
                                "localhost", 5000)->url, "/?q");
    /* the scheme's default port */
    assert_string_equal(one_url(state, "http://example.com/a", "http",
                                "example.com", 80)->url, "/a");
    assert_string_equal(one_url(state, "https://example.com/a", "https",
                                "example.com", 443)->url, "/a");
    assert_string_equal(one_url(state, "https://example.com:443/a", "https",
                                "example.com", 443)->url, "/a");
    /* httpd's r->hostname holds an IPv6 literal without its brackets */
    assert_string_equal(one_url(state, "http://[::1]:5000/a", "http",
                                "::1", 5000)->url, "/a");
}

static void test_absolute_url_other_server(void **state)
{
    url_refused(state, "http://localhost/a", "http", "localhost", 5000,
                BATCH_E_INVALID_URL);
    url_refused(state, "http://localhost:5000/a", "http", "localhost", 80,
                BATCH_E_INVALID_URL);
    url_refused(state, "http://localhost:5001/a", "http", "localhost", 5000,
                BATCH_E_INVALID_URL);
    url_refused(state, "http://evil.example:5000/a", "http", "localhost",
                5000, BATCH_E_INVALID_URL);
    url_refused(state, "https://localhost:5000/a", "http", "localhost", 5000,
                BATCH_E_INVALID_URL);
    url_refused(state, "http://localhost.evil:5000/a", "http", "localhost",
                5000, BATCH_E_INVALID_URL);
    url_refused(state, "http://user:pw@localhost:5000/a", "http",
                "localhost", 5000, BATCH_E_INVALID_URL);
    url_refused(state, "http://user@localhost:5000/a", "http",
                "localhost", 5000, BATCH_E_INVALID_URL);
}

/* The server at http://127.0.0.1:8080 (the client's view) is also
 * api.example and *.alias.example, and answers https on 443 (a reverse
 * proxy's public side); the url is op 1's url, or NULL if refused. */
static const char *url_by_other_name(apr_pool_t *p, const char *url)
{
    apr_array_header_t *names = apr_array_make(p, 2, sizeof(const char *));
    apr_array_header_t *origins = apr_array_make(p, 1,
                                                 sizeof(batch_origin_t));
    batch_origin_t *o = apr_array_push(origins);
    const char *body = http_part(p, apr_pstrcat(p, "GET ", url,
                                                " HTTP/1.1\r\n", NULL));
    batch_error_t *err = NULL;
    batch_input_t in;
    batch_t *b;

    APR_ARRAY_PUSH(names, const char *) = "api.example";
    APR_ARRAY_PUSH(names, const char *) = "*.alias.example";
    o->scheme = "https";
    o->port = 443;
    memset(&in, 0, sizeof(in));
    in.body = body;
    in.len = strlen(body);
    in.content_type = CT_B;
    in.self_scheme = "http";
    in.self_host = "127.0.0.1";
    in.self_port = 8080;
    in.self_names = names;
    in.self_origins = origins;
    b = batch_parse_multipart(p, &in, &err);
    return b ? unit_op_at(b, 0)->url : NULL;
}

static void test_absolute_url_other_names_and_origins(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    assert_string_equal(url_by_other_name(p, "http://127.0.0.1:8080/a"),
                        "/a");
    assert_string_equal(url_by_other_name(p, "http://API.example:8080/a"),
                        "/a");
    assert_string_equal(url_by_other_name(p, "https://api.example/a?b"),
                        "/a?b");
    assert_string_equal(url_by_other_name(p, "https://x.alias.example/a"),
                        "/a");
    assert_null(url_by_other_name(p, "https://alias.example/a"));
    assert_null(url_by_other_name(p, "https://other.example/a"));
    assert_null(url_by_other_name(p, "http://api.example/a"));
    assert_null(url_by_other_name(p, "https://api.example:8443/a"));
    assert_null(url_by_other_name(p, "https://u@api.example/a"));
}

static void test_absolute_url_fragment(void **state)
{
    batch_error_t *err = url_refused(state, "http://localhost:5000/a#f",
                                     "http", "localhost", 5000,
                                     BATCH_E_INVALID_MULTIPART);

    assert_contains(err->message, "fragment");
}

/* Other schemes stay as written; validation refuses them. */
static void test_absolute_url_other_scheme(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, http_part(p, "GET ftp://localhost:5000/a\r\n"));
    batch_error_t *err;

    assert_string_equal(unit_op_at(b, 0)->url, "ftp://localhost:5000/a");
    err = validate_with(p, b, 100, NULL);
    unit_assert_error(err, 400, BATCH_E_INVALID_URL, "part 1");
}

/* --- header lines of the inner request --- */

static void test_inner_headers(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, http_part(p, "GET /x HTTP/1.1\r\n"
                                       "Accept: a\r\n"
                                       "accept: b\r\n"
                                       "X-Empty:\r\n"
                                       "X-Ows: \t v  w \t\r\n"
                                       "X-Colon:a:b\r\n"
                                       "\r\n"));
    batch_op_t *op = unit_op_at(b, 0);

    assert_int_equal(header_total(op->headers), 5);
    assert_int_equal(unit_header_count(op->headers, "Accept"), 2);
    assert_header(op, "X-Empty", "");
    assert_header(op, "X-Ows", "v  w");
    assert_header(op, "X-Colon", "a:b");
}

static void test_header_without_colon(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = http_part(p, "GET /x\r\nX-A: 1\r\nNoColon\r\n\r\n");
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_contains(err->message, "header line");
    assert_offset_of(p, err, body, "NoColon");
    bad_mp(p, http_part(p, "GET /x\r\n: v\r\n\r\n"), "part 1");
}

static void test_header_folded(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = http_part(p, "GET /x\r\nX-A: 1\r\n  2\r\n\r\n");
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_contains(err->message, "folded");
    assert_offset_of(p, err, body, "  2");
    bad_mp(p, http_part(p, "GET /x\r\nX-A: 1\r\n\t2\r\n\r\n"), "part 1");
    bad_mp(p, one_part(p, PART_HTTP " x\r\n", "GET /x\r\n"), "part 1");
}

static void test_header_space_before_colon(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = http_part(p, "GET /x\r\nX-A : 1\r\n\r\n");
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_offset_of(p, err, body, "X-A : 1");
    bad_mp(p, http_part(p, "GET /x\r\nX-A\t: 1\r\n\r\n"), "part 1");
}

static const char *long_header_part(apr_pool_t *p, size_t line_len)
{
    char *line = apr_palloc(p, line_len + 1);

    memcpy(line, "X-Long: ", 8);
    memset(line + 8, 'v', line_len - 8);
    line[line_len] = '\0';
    return http_part(p, apr_pstrcat(p, "GET /x\r\n", line, "\r\n\r\n",
                                    NULL));
}

static void test_header_line_8190_accepted(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, long_header_part(p, 8190));

    assert_int_equal(strlen(apr_table_get(unit_op_at(b, 0)->headers, "X-Long")),
                     8190 - 8);
}

static void test_header_line_8191_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = long_header_part(p, 8191);
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_contains(err->message, "too long");
    assert_offset_of(p, err, body, "X-Long");
    /* the part's own header block has the same limit */
    body = apr_pstrcat(p, "--b\r\n" PART_HTTP,
                       strstr(long_header_part(p, 8191), "X-Long"), NULL);
    bad_mp(p, body, "part 1");
}

static const char *many_headers_part(apr_pool_t *p, int n)
{
    const char *h = "";
    int i;

    for (i = 0; i < n; i++) {
        h = apr_psprintf(p, "%sX-H%d: %d\r\n", h, i, i);
    }
    return http_part(p, apr_pstrcat(p, "GET /x\r\n", h, "\r\n", NULL));
}

static void test_100_headers_accepted(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, many_headers_part(p, 100));

    assert_int_equal(header_total(unit_op_at(b, 0)->headers), 100);
}

static void test_101_headers_refused(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = many_headers_part(p, 101);
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_contains(err->message, "too many header lines");
    assert_offset_of(p, err, body, "X-H100:");
}

static void test_header_nul(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    static const char body[] = "--b\r\n" PART_HTTP "\r\n"
                               "GET /x\r\nX-A: a\0b\r\n\r\n--b--\r\n";
    static const char part_body[] = "--b\r\n" PART_HTTP "X-A: a\0b\r\n\r\n"
                                    "GET /x\r\n--b--\r\n";
    batch_error_t *err;

    err = refused_ct_len(p, CT_B, body, sizeof(body) - 1,
                         BATCH_E_INVALID_MULTIPART, "part 1");
    assert_contains(err->message, "NUL");
    assert_offset_of(p, err, body, "X-A");
    refused_ct_len(p, CT_B, part_body, sizeof(part_body) - 1,
                   BATCH_E_INVALID_MULTIPART, "part 1");
}

/* --- the inner body --- */

static void test_body_shorter_than_content_length(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = http_part(p, "POST /x\r\nContent-Length: 10\r\n\r\n"
                                 "123456789");
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_contains(err->message, "shorter");
    assert_offset_of(p, err, body, "123456789");
}

static void test_content_length_invalid(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err;

    err = bad_mp(p, http_part(p, "POST /x\r\nContent-Length: -1\r\n\r\nab"),
                 "part 1");
    assert_contains(err->message, "Content-Length");
    bad_mp(p, http_part(p, "POST /x\r\nContent-Length: 12x\r\n\r\nab"),
           "part 1");
    bad_mp(p, http_part(p, "POST /x\r\nContent-Length: +2\r\n\r\nab"),
           "part 1");
    bad_mp(p, http_part(p, "POST /x\r\nContent-Length: 0x2\r\n\r\nab"),
           "part 1");
    bad_mp(p, http_part(p, "POST /x\r\nContent-Length:\r\n\r\nab"),
           "part 1");
    bad_mp(p, http_part(p, "POST /x\r\nContent-Length: 1 2\r\n\r\nab"),
           "part 1");
    bad_mp(p, http_part(p, "POST /x\r\nContent-Length: "
                        "99999999999999999999999\r\n\r\nab"), "part 1");
}

/* Lines that disagree make the framing invalid (RFC 9112 section 6.3), as
 * httpd itself refuses them; the same value twice is harmless. */
static void test_content_length_conflicting(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = http_part(p, "POST /x\r\nContent-Length: 2\r\n"
                                 "Content-Length: 5\r\n\r\nabcde");
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_contains(err->message, "Content-Length");
    assert_offset_of(p, err, body, "abcde");
    ASSERT_BODY(unit_op_at(parse_ok(p, http_part(p, "POST /x\r\n"
                                            "Content-Length: 2\r\n"
                                            "content-length: 2\r\n\r\n"
                                            "ab")), 0), "ab");
}

static void test_transfer_encoding_chunked(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = bad_mp(p, http_part(p, "POST /x\r\n"
                                             "Transfer-Encoding: chunked\r\n"
                                             "\r\n2\r\nab\r\n0\r\n\r\n"),
                                "part 1");

    assert_contains(err->message, "Transfer-Encoding");
}

/* --- bad framing --- */

static void test_empty_body(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = refused_ct_len(p, CT_B, "", 0,
                                        BATCH_E_INVALID_MULTIPART, NULL);

    assert_contains(err->message, "--b");
    assert_offset(p, err, 0);
}

static void test_no_delimiter(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err;

    err = bad_mp(p, "GET /x HTTP/1.1\r\n\r\n", NULL);
    assert_contains(err->message, "delimiter");
    assert_offset(p, err, 0);
    /* the boundary of another body */
    bad_mp(p, "--c\r\n" PART_HTTP "\r\nGET /x\r\n--c--\r\n", NULL);
    /* not at a line start */
    bad_mp(p, " --b\r\n" PART_HTTP "\r\nGET /x\r\n --b--\r\n", NULL);
}

static void test_not_closed(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = "--b\r\n" PART_HTTP "\r\nGET /x\r\n";
    batch_error_t *err = bad_mp(p, body, "part 1");

    assert_contains(err->message, "--b--");
    assert_offset(p, err, 5);
    bad_mp(p, "--b\r\n" PART_HTTP "\r\nGET /x\r\n--b-", "part 1");
    bad_mp(p, "--b\r\n" PART_HTTP "\r\nGET /x\r\n--b\r\n", "part 2");
    bad_mp(p, "--b\r\n" PART_HTTP "\r\nGET /x\r\n--b", "part 2");
    bad_mp(p, "--b\r\n" PART_HTTP "\r\nGET /x\r\n--b\r\n" PART_HTTP
           "\r\nGET /y\r\n", "part 2");
}

/* The first bad part is named, with the offset of its problem. */
static void test_error_names_part(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = "--b\r\n" PART_HTTP "\r\nGET /a\r\n"
                       "--b\r\n" PART_HTTP "\r\nGET /b\r\n"
                       "--b\r\n" PART_HTTP "\r\nGET /c HTTP/9\r\n"
                       "--b\r\n" PART_HTTP "\r\nGET /d HTTP/9\r\n"
                       "--b--\r\n";
    batch_error_t *err = bad_mp(p, body, "part 3");

    assert_offset_of(p, err, body, "GET /c");
    assert_contains(err->message, "part 3");
}

/* --- change sets --- */

static const char change_set_body[] =
    "--b\r\n" PART_HTTP "\r\n"
    "GET /before\r\n"
    "--b\r\n"
    "Content-Type: multipart/mixed; boundary=cs1\r\n"
    "\r\n"
    "preamble of the change set\r\n"
    "--cs1\r\n" PART_HTTP "Content-ID: 1\r\n\r\n"
    "POST /items HTTP/1.1\r\nContent-Length: 2\r\n\r\nab\r\n"
    "--cs1\r\n" PART_HTTP "Content-ID: 2\r\n\r\n"
    "DELETE /items/1 HTTP/1.1\r\n\r\n"
    "--cs1--\r\n"
    "epilogue of the change set\r\n"
    "--b\r\n"
    "Content-Type: multipart/mixed; boundary=\"cs2\"\r\n"
    "\r\n"
    "--cs2\r\n" PART_HTTP "\r\n"
    "PUT /other\r\n"
    "--cs2--\r\n"
    "--b\r\n" PART_HTTP "\r\n"
    "GET /after\r\n"
    "--b--\r\n";

static void check_change_sets(batch_t *b)
{
    assert_int_equal(b->ops->nelts, 5);
    assert_null(unit_op_at(b, 0)->group);
    assert_string_equal(unit_op_at(b, 0)->id, "part 1");
    assert_non_null(unit_op_at(b, 1)->group);
    assert_string_equal(unit_op_at(b, 1)->id, "1");
    ASSERT_BODY(unit_op_at(b, 1), "ab");
    assert_non_null(unit_op_at(b, 2)->group);
    assert_string_equal(unit_op_at(b, 2)->group, unit_op_at(b, 1)->group);
    assert_string_equal(unit_op_at(b, 2)->method, "DELETE");
    assert_string_equal(unit_op_at(b, 2)->id, "2");
    /* another change set is another group; its part is named inside its
     * change set */
    assert_non_null(unit_op_at(b, 3)->group);
    assert_string_not_equal(unit_op_at(b, 3)->group, unit_op_at(b, 1)->group);
    assert_string_equal(unit_op_at(b, 3)->id, "part 3.1");
    assert_string_equal(unit_op_at(b, 3)->url, "/other");
    assert_null(unit_op_at(b, 4)->group);
    assert_string_equal(unit_op_at(b, 4)->id, "part 4");
    assert_string_equal(unit_op_at(b, 4)->url, "/after");
}

static void test_change_sets(void **state)
{
    check_change_sets(parse_ok(UNIT_POOL(state), change_set_body));
}

static void test_change_sets_lf(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, lf(p, change_set_body));

    check_change_sets(b);
    assert_same_ops(b, parse_ok(p, change_set_body));
}

static void test_change_set_empty(void **state)
{
    batch_error_t *err = refused_ct(UNIT_POOL(state), CT_B, one_part(
        UNIT_POOL(state), "Content-Type: multipart/mixed; boundary=cs\r\n",
        "--cs--\r\n"), BATCH_E_INVALID_MULTIPART, "part 1");

    assert_contains(err->message, "no parts");
}

static void test_change_set_bad_member_named(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = one_part(
        p, "Content-Type: multipart/mixed; boundary=cs\r\n",
        "--cs\r\n" PART_HTTP "\r\nGET /ok\r\n"
        "--cs\r\n" PART_HTTP "\r\nGET /x HTTP/3\r\n"
        "--cs--\r\n");
    batch_error_t *err = bad_mp(p, body, "part 1.2");

    assert_offset_of(p, err, body, "GET /x HTTP/3");
    bad_mp(p, one_part(p, "Content-Type: multipart/mixed; boundary=cs\r\n",
                       "--cs\r\nContent-Type: text/plain\r\n\r\nx\r\n"
                       "--cs--\r\n"), "part 1.1");
}

static void test_change_set_not_closed(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);

    bad_mp(p, one_part(p, "Content-Type: multipart/mixed; boundary=cs\r\n",
                       "--cs\r\n" PART_HTTP "\r\nGET /x\r\n"), "part 1.1");
    bad_mp(p, one_part(p, "Content-Type: multipart/mixed; boundary=cs\r\n",
                       "GET /x\r\n"), "part 1");
}

static void test_change_set_nested(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = one_part(
        p, "Content-Type: multipart/mixed; boundary=cs\r\n",
        "--cs\r\n"
        "Content-Type: multipart/mixed; boundary=inner\r\n\r\n"
        "--inner\r\n" PART_HTTP "\r\nGET /x\r\n--inner--\r\n"
        "--cs--\r\n");
    batch_error_t *err = bad_mp(p, body, "part 1.1");

    assert_contains(err->message, "change set inside a change set");
}

static void test_change_set_reuses_boundary(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err = bad_mp(p, one_part(
        p, "Content-Type: multipart/mixed; boundary=b\r\n",
        "--b\r\n" PART_HTTP "\r\nGET /x\r\n--b--\r\n"), "part 1");

    assert_contains(err->message, "boundary");
}

static void test_change_set_without_boundary(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_error_t *err;
    char bnd[72];

    err = bad_mp(p, one_part(p, "Content-Type: multipart/mixed\r\n",
                             "--cs\r\n" PART_HTTP "\r\nGET /x\r\n--cs--\r\n"),
                 "part 1");
    assert_contains(err->message, "boundary");
    bad_mp(p, one_part(p, "Content-Type: multipart/mixed; boundary=\r\n",
                       "--\r\n" PART_HTTP "\r\nGET /x\r\n----\r\n"),
           "part 1");
    memset(bnd, 'c', 71);
    bnd[71] = '\0';
    bad_mp(p, one_part(p, apr_pstrcat(p, "Content-Type: multipart/mixed; "
                                      "boundary=", bnd, "\r\n", NULL),
                       apr_pstrcat(p, "--", bnd, "\r\n" PART_HTTP "\r\n"
                                   "GET /x\r\n--", bnd, "--\r\n", NULL)),
           "part 1");
}

/* --- through batch_validate --- */

static void test_validate_cr_in_header_value(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, http_part(p, "GET /x\r\nX: a\rb\r\n\r\n"));
    batch_error_t *err;

    /* a bare CR is not a line end: it stays in the value */
    assert_header(unit_op_at(b, 0), "X", "a\rb");
    err = validate_with(p, b, 100, NULL);
    unit_assert_error(err, 400, BATCH_E_INVALID_HEADER, "part 1");
}

static void test_validate_bad_header_name(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, http_part(p, "GET /x\r\nX Y: a\r\n\r\n"));

    unit_assert_error(validate_with(p, b, 100, NULL), 400,
                      BATCH_E_INVALID_HEADER, "part 1");
}

static void test_validate_method_not_allowed(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, one_part(p, PART_HTTP "Content-ID: <m>\r\n",
                                      "TRACE /x HTTP/1.1\r\n"));
    batch_error_t *err = validate_with(p, b, 100, NULL);

    unit_assert_error(err, 400, BATCH_E_METHOD, "<m>");
    assert_contains(err->message, "TRACE");
}

static void test_validate_too_many_parts(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, "--b\r\n" PART_HTTP "\r\nGET /1\r\n"
                          "--b\r\n" PART_HTTP "\r\nGET /2\r\n"
                          "--b\r\n" PART_HTTP "\r\nGET /3\r\n"
                          "--b--\r\n");

    assert_null(validate_with(p, b, 3, NULL));
    unit_assert_error(validate_with(p, b, 2, NULL), 413, BATCH_E_TOO_MANY,
                      NULL);
}

/* Change set members count as operations. */
static void test_validate_too_many_with_change_set(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, change_set_body);

    unit_assert_error(validate_with(p, b, 4, NULL), 413, BATCH_E_TOO_MANY,
                      NULL);
}

static void test_validate_relative_odata_url(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = http_part(p, "GET Customers('ALFKI') HTTP/1.1\r\n");
    batch_t *b = parse_ok(p, body);

    assert_string_equal(unit_op_at(b, 0)->url, "Customers('ALFKI')");
    validate_ok(p, b, "/service");
    assert_string_equal(unit_op_at(b, 0)->target, "/service/Customers('ALFKI')");
    /* without BatchBaseURL it is refused */
    unit_assert_error(validate_with(p, parse_ok(p, body), 100, NULL), 400,
                      BATCH_E_INVALID_URL, "part 1");
}

static void test_validate_duplicate_content_id(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, "--b\r\n" PART_HTTP "Content-ID: 1\r\n\r\n"
                          "GET /1\r\n"
                          "--b\r\n" PART_HTTP "Content-ID: 1\r\n\r\n"
                          "GET /2\r\n"
                          "--b--\r\n");
    batch_error_t *err = validate_with(p, b, 100, NULL);

    unit_assert_error(err, 400, BATCH_E_INVALID_REQUEST, "1");
    assert_contains(err->message, "\"1\"");
}

/* Parts without Content-ID are "part N": never a duplicate. */
static void test_validate_ids_without_content_id(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, "--b\r\n" PART_HTTP "\r\nGET /1\r\n"
                          "--b\r\n" PART_HTTP "\r\nGET /2\r\n"
                          "--b--\r\n");

    validate_ok(p, b, NULL);
    assert_string_equal(unit_op_at(b, 0)->id, "part 1");
    assert_string_equal(unit_op_at(b, 1)->id, "part 2");
}

static void test_validate_network_path(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ok(p, http_part(p, "GET //evil.example/x\r\n"));

    unit_assert_error(validate_with(p, b, 100, NULL), 400,
                      BATCH_E_INVALID_URL, "part 1");
}

/* --- Content-ID and parameter syntax --- */

/* A Content-ID is written back into the response's part headers, where a
 * bare CR would end the line for many MIME readers. */
static void test_content_id_control_byte(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *body = one_part(p, PART_HTTP "Content-ID: <a\rb>\r\n",
                                "GET /x\r\n");
    batch_error_t *err = refused_ct(p, CT_B, body, BATCH_E_INVALID_MULTIPART,
                                    "part 1");

    assert_contains(err->message, "Content-ID");
}

/* RFC 2045: a quoted-string is one value, whatever it holds. */
static void test_boundary_inside_quoted_parameter(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = parse_ct_ok(p, "multipart/mixed; x=\"y; boundary=evil\"; "
                             "boundary=b", http_part(p, "GET /x\r\n"));

    assert_int_equal(b->ops->nelts, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_vector_google),
        UNIT_TEST(test_vector_googleapiclient),
        UNIT_TEST(test_vector_odata),
        UNIT_TEST(test_vector_odata_lf),
        UNIT_TEST(test_vector_flask),
        UNIT_TEST(test_vector_flask_other_port),
        UNIT_TEST(test_vector_flask_other_host),
        UNIT_TEST(test_vector_flask_other_scheme),
        UNIT_TEST(test_vector_flask_self_unknown),
        UNIT_TEST(test_crlf),
        UNIT_TEST(test_lf_everywhere),
        UNIT_TEST(test_mixed_line_ends),
        UNIT_TEST(test_no_blank_line_after_headers),
        UNIT_TEST(test_blank_lines_before_request_line),
        UNIT_TEST(test_extra_blank_lines_after_body),
        UNIT_TEST(test_preamble_and_epilogue_ignored),
        UNIT_TEST(test_transport_padding),
        UNIT_TEST(test_close_at_end_without_line_end),
        UNIT_TEST(test_no_parts),
        UNIT_TEST(test_boundary_quoted),
        UNIT_TEST(test_boundary_quoted_with_escape),
        UNIT_TEST(test_boundary_quoted_bchars),
        UNIT_TEST(test_boundary_not_first_parameter),
        UNIT_TEST(test_boundary_70_accepted),
        UNIT_TEST(test_boundary_71_refused),
        UNIT_TEST(test_no_boundary_parameter),
        UNIT_TEST(test_boundary_inside_line_is_body),
        UNIT_TEST(test_longer_boundary_line_is_body),
        UNIT_TEST(test_delimiter_inside_content_length),
        UNIT_TEST(test_content_length_body_ends_in_crlf),
        UNIT_TEST(test_content_length_line_ends_after_body),
        UNIT_TEST(test_content_length_data_after_body_refused),
        UNIT_TEST(test_content_length_smuggled_request_refused),
        UNIT_TEST(test_content_length_zero),
        UNIT_TEST(test_binary_body),
        UNIT_TEST(test_part_headers_any_case),
        UNIT_TEST(test_transfer_encoding_identity_accepted),
        UNIT_TEST(test_transfer_encoding_base64_refused),
        UNIT_TEST(test_part_content_type_unknown),
        UNIT_TEST(test_part_content_type_missing),
        UNIT_TEST(test_part_empty),
        UNIT_TEST(test_part_header_without_colon),
        UNIT_TEST(test_part_header_space_before_colon),
        UNIT_TEST(test_request_line_versions),
        UNIT_TEST(test_request_line_method_case),
        UNIT_TEST(test_request_line_bad_version),
        UNIT_TEST(test_request_line_double_space),
        UNIT_TEST(test_no_request_line),
        UNIT_TEST(test_request_line_nul),
        UNIT_TEST(test_absolute_url_self),
        UNIT_TEST(test_absolute_url_other_server),
        UNIT_TEST(test_absolute_url_other_names_and_origins),
        UNIT_TEST(test_absolute_url_fragment),
        UNIT_TEST(test_absolute_url_other_scheme),
        UNIT_TEST(test_inner_headers),
        UNIT_TEST(test_header_without_colon),
        UNIT_TEST(test_header_folded),
        UNIT_TEST(test_header_space_before_colon),
        UNIT_TEST(test_header_line_8190_accepted),
        UNIT_TEST(test_header_line_8191_refused),
        UNIT_TEST(test_100_headers_accepted),
        UNIT_TEST(test_101_headers_refused),
        UNIT_TEST(test_header_nul),
        UNIT_TEST(test_body_shorter_than_content_length),
        UNIT_TEST(test_content_length_invalid),
        UNIT_TEST(test_content_length_conflicting),
        UNIT_TEST(test_transfer_encoding_chunked),
        UNIT_TEST(test_empty_body),
        UNIT_TEST(test_no_delimiter),
        UNIT_TEST(test_not_closed),
        UNIT_TEST(test_error_names_part),
        UNIT_TEST(test_change_sets),
        UNIT_TEST(test_change_sets_lf),
        UNIT_TEST(test_change_set_empty),
        UNIT_TEST(test_change_set_bad_member_named),
        UNIT_TEST(test_change_set_not_closed),
        UNIT_TEST(test_change_set_nested),
        UNIT_TEST(test_change_set_reuses_boundary),
        UNIT_TEST(test_change_set_without_boundary),
        UNIT_TEST(test_validate_cr_in_header_value),
        UNIT_TEST(test_validate_bad_header_name),
        UNIT_TEST(test_validate_method_not_allowed),
        UNIT_TEST(test_validate_too_many_parts),
        UNIT_TEST(test_validate_too_many_with_change_set),
        UNIT_TEST(test_validate_relative_odata_url),
        UNIT_TEST(test_validate_duplicate_content_id),
        UNIT_TEST(test_validate_ids_without_content_id),
        UNIT_TEST(test_validate_network_path),
        UNIT_TEST(test_content_id_control_byte),
        UNIT_TEST(test_boundary_inside_quoted_parameter),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("parse_multipart", tests, NULL,
                                         NULL);
    apr_terminate();
    return failed;
}
