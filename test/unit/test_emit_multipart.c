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
 * The multipart/mixed emitter (src/batch_emit_multipart.c): the response of
 * the multipart/mixed format, written into an apr_bucket_brigade.
 *
 * The output is checked two ways: byte for byte against expected text (the
 * random boundaries replaced by BATCH, CS1, CS2... first), and by a strict
 * reader of its own below that accepts CRLF line ends only and takes each
 * body by its Content-Length, so a wrong length or a stray byte shows.
 */
#include <stdio.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <apr_buckets.h>

#include "unit.h"
#include "batch.h"
#include "batch_emit_multipart.h"
#include "batch_format.h"

#define HEX_LEN 32

/* --- building ops and results --- */

static batch_emit_t *new_emitter(apr_pool_t *p)
{
    batch_emit_t *e = apr_pcalloc(p, sizeof(*e));

    e->pool = p;
    e->bb = apr_brigade_create(p, apr_bucket_alloc_create(p));
    assert_int_equal(batch_emit_multipart_begin(e), APR_SUCCESS);
    assert_non_null(e->state);
    return e;
}

static batch_op_t *new_op(apr_pool_t *p, const char *method,
                          const char *content_id, const char *group)
{
    batch_op_t *op = apr_pcalloc(p, sizeof(*op));

    op->id = content_id ? content_id : "part";
    op->method = method;
    op->url = op->target = "/";
    op->headers = apr_table_make(p, 1);
    op->content_id = content_id;
    op->group = group;
    return op;
}

/* A result whose body is an exact-size copy: ASan sees reads past it. */
static batch_result_t *new_result(apr_pool_t *p, int status,
                                  const char *reason, const char *ctype,
                                  const char *body, apr_size_t len)
{
    batch_result_t *res = apr_pcalloc(p, sizeof(*res));

    res->status = status;
    res->reason = reason;
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

#define RESULT(p, status, reason, ctype, lit) \
    new_result((p), (status), (reason), (ctype), (lit), sizeof(lit) - 1)

static void emit(batch_emit_t *e, const batch_op_t *op,
                 const batch_result_t *res)
{
    int before = e->written;

    assert_int_equal(batch_emit_multipart_result(e, op, res), APR_SUCCESS);
    assert_int_equal(e->written, before + 1);
}

/* One op with no group and its result. */
static void emit_one(batch_emit_t *e, const char *method,
                     const char *content_id, const batch_result_t *res)
{
    emit(e, new_op(e->pool, method, content_id, NULL), res);
}

static void end(batch_emit_t *e)
{
    assert_int_equal(batch_emit_multipart_end(e), APR_SUCCESS);
}

/* --- reading the output --- */

static int is_hex32(const char *s, apr_size_t left)
{
    apr_size_t i;

    if (left < HEX_LEN) {
        return 0;
    }
    for (i = 0; i < HEX_LEN; i++) {
        if (!apr_isdigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f')) {
            return 0;
        }
    }
    return 1;
}

/* The batch boundary from the response type, checked for its form. */
static const char *boundary_of(batch_emit_t *e)
{
    static const char prefix[] = "multipart/mixed; boundary=batch_";
    const char *type = batch_emit_multipart_type(e);

    assert_non_null(type);
    assert_int_equal(strncmp(type, prefix, sizeof(prefix) - 1), 0);
    assert_int_equal(strlen(type), sizeof(prefix) - 1 + HEX_LEN);
    assert_true(is_hex32(type + sizeof(prefix) - 1, HEX_LEN));
    return type + strlen("multipart/mixed; boundary=");
}

/* The brigade's bytes, NUL-terminated for printing. */
static const char *flat(apr_pool_t *p, batch_emit_t *e, apr_size_t *len)
{
    char *buf;
    apr_size_t n;

    assert_int_equal(apr_brigade_pflatten(e->bb, &buf, &n, p), APR_SUCCESS);
    *len = n;
    return apr_pstrmemdup(p, buf, n);
}

/*
 * The output with the batch boundary made BATCH and each change set
 * boundary CS1, CS2... in order of appearance; each must be
 * changeset_<32 hex> and differ from every other.
 */
static const char *normalized(apr_pool_t *p, batch_emit_t *e,
                              apr_size_t *len)
{
    const char *batch = boundary_of(e);
    apr_size_t n, i, o = 0;
    const char *s = flat(p, e, &n);
    char *out = apr_palloc(p, n + 1);
    apr_array_header_t *cs = apr_array_make(p, 4, sizeof(const char *));

    for (i = 0; i < n; ) {
        if (n - i >= strlen(batch) && !memcmp(s + i, batch, strlen(batch))) {
            memcpy(out + o, "BATCH", 5);
            o += 5;
            i += strlen(batch);
        }
        else if (n - i >= 10 && !memcmp(s + i, "changeset_", 10)) {
            const char *b;
            int k;

            assert_true(is_hex32(s + i + 10, n - i - 10));
            b = apr_pstrmemdup(p, s + i, 10 + HEX_LEN);
            assert_string_not_equal(b + 10, batch + 6);
            for (k = 0; k < cs->nelts; k++) {
                if (!strcmp(APR_ARRAY_IDX(cs, k, const char *), b)) {
                    break;
                }
            }
            if (k == cs->nelts) {
                APR_ARRAY_PUSH(cs, const char *) = b;
            }
            o += (apr_size_t)sprintf(out + o, "CS%d", k + 1);
            i += 10 + HEX_LEN;
        }
        else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}

/* s with CR and LF and other control bytes visible, for messages. */
static const char *visible(apr_pool_t *p, const char *s, apr_size_t n)
{
    char *out = apr_palloc(p, 4 * n + 1), *o = out;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\r') {
            o += sprintf(o, "\\r");
        }
        else if (c == '\n') {
            o += sprintf(o, "\\n\n");
        }
        else if (c < 0x20 || c >= 0x7f) {
            o += sprintf(o, "\\x%02x", c);
        }
        else {
            *o++ = (char)c;
        }
    }
    *o = '\0';
    return out;
}

static void assert_bytes(apr_pool_t *p, const char *got, apr_size_t glen,
                         const char *want, apr_size_t wlen)
{
    if (glen != wlen || memcmp(got, want, glen)) {
        fail_msg("output differs.\n--- got (%d bytes):\n%s\n"
                 "--- expected (%d bytes):\n%s", (int)glen,
                 visible(p, got, glen), (int)wlen, visible(p, want, wlen));
    }
}

/* The whole normalized output is exactly lit. */
#define ASSERT_OUTPUT(p, e, lit)                                     \
    do {                                                             \
        apr_size_t n_;                                               \
        const char *got_ = normalized((p), (e), &n_);                \
        assert_bytes((p), got_, n_, (lit), sizeof(lit) - 1);         \
    } while (0)

/* --- a strict reader of the output --- */

typedef struct rpart_t {
    const char *content_id;     /* NULL: the part had none */
    const char *group;          /* change set boundary, or NULL */
    int status;
    const char *reason;
    apr_table_t *headers;       /* of the response message */
    const char *body;
    apr_size_t body_len;
} rpart_t;

typedef struct reader_t {
    apr_pool_t *p;
    const char *start;
    const char *s;
    const char *end;
} reader_t;

/* A line ending in CRLF, without it; no bare CR or LF inside. */
static const char *read_line(reader_t *r)
{
    const char *line = r->s;
    const char *crlf = memmem(line, (apr_size_t)(r->end - line), "\r\n", 2);

    if (!crlf) {
        fail_msg("no CRLF after offset %d", (int)(line - r->start));
    }
    if (memchr(line, '\n', (apr_size_t)(crlf - line))
        || memchr(line, '\r', (apr_size_t)(crlf - line))) {
        fail_msg("bare CR or LF in the line at offset %d",
                 (int)(line - r->start));
    }
    r->s = crlf + 2;
    return apr_pstrmemdup(r->p, line, (apr_size_t)(crlf - line));
}

/* Header lines "Name: value" up to the blank line, in order. */
static apr_table_t *read_headers(reader_t *r)
{
    apr_table_t *t = apr_table_make(r->p, 4);
    const char *line;

    while (*(line = read_line(r))) {
        const char *colon = strstr(line, ": ");

        if (!colon || colon == line) {
            fail_msg("not a 'Name: value' line: %s", line);
        }
        apr_table_add(t, apr_pstrmemdup(r->p, line,
                                        (apr_size_t)(colon - line)),
                      colon + 2);
    }
    return t;
}

static const char *first_header_name(apr_table_t *t)
{
    const apr_array_header_t *arr = apr_table_elts(t);

    assert_true(arr->nelts > 0);
    return APR_ARRAY_IDX(arr, 0, apr_table_entry_t).key;
}

/* One application/http part's response message and the CRLF after it. */
static void read_response(reader_t *r, rpart_t *rp)
{
    const char *line = read_line(r);
    const char *clen;
    char *stop;

    if (strncmp(line, "HTTP/1.1 ", 9) || !apr_isdigit(line[9])
        || !apr_isdigit(line[10]) || !apr_isdigit(line[11])
        || line[12] != ' ' || !line[13]) {
        fail_msg("not a status line: %s", line);
    }
    rp->status = atoi(line + 9);
    rp->reason = line + 13;
    rp->headers = read_headers(r);
    clen = apr_table_get(rp->headers, "Content-Length");
    if (clen) {
        assert_int_equal(unit_header_count(rp->headers, "Content-Length"), 1);
        rp->body_len = (apr_size_t)strtoul(clen, &stop, 10);
        assert_true(apr_isdigit(*clen) && !*stop);
        assert_true(rp->body_len <= (apr_size_t)(r->end - r->s));
        rp->body = r->s;
        r->s += rp->body_len;
    }
    if (r->end - r->s < 2 || memcmp(r->s, "\r\n", 2)) {
        fail_msg("no CRLF after the body at offset %d",
                 (int)(r->s - r->start));
    }
    r->s += 2;
}

/* The parts from the first delimiter through the close delimiter line. */
static void read_parts(reader_t *r, const char *boundary, const char *group,
                       apr_array_header_t *out)
{
    const char *dash = apr_pstrcat(r->p, "--", boundary, NULL);
    const char *close = apr_pstrcat(r->p, dash, "--", NULL);
    const char *line = read_line(r);

    /* no preamble, and at least one part */
    assert_string_equal(line, dash);
    for (;;) {
        apr_table_t *h = read_headers(r);
        const char *ctype = apr_table_get(h, "Content-Type");

        assert_non_null(ctype);
        assert_string_equal(first_header_name(h), "Content-Type");
        assert_int_equal(unit_header_count(h, "Content-Type"), 1);
        if (!strncmp(ctype, "multipart/mixed; boundary=", 26)) {
            assert_null(group);
            assert_int_equal(apr_table_elts(h)->nelts, 1);
            read_parts(r, ctype + 26, ctype + 26, out);
        }
        else {
            rpart_t *rp = apr_array_push(out);

            memset(rp, 0, sizeof(*rp));
            assert_string_equal(ctype, "application/http");
            assert_true(unit_header_count(h, "Content-ID") <= 1);
            assert_int_equal(apr_table_elts(h)->nelts,
                             1 + unit_header_count(h, "Content-ID"));
            rp->content_id = apr_table_get(h, "Content-ID");
            rp->group = group;
            read_response(r, rp);
        }
        line = read_line(r);
        if (!strcmp(line, close)) {
            return;
        }
        assert_string_equal(line, dash);
    }
}

/* The emitted response, read strictly; nothing may follow its close. */
static apr_array_header_t *read_output(apr_pool_t *p, batch_emit_t *e)
{
    apr_array_header_t *out = apr_array_make(p, 8, sizeof(rpart_t));
    reader_t r;
    apr_size_t n;

    r.p = p;
    r.start = r.s = flat(p, e, &n);
    r.end = r.s + n;
    read_parts(&r, boundary_of(e), NULL, out);
    if (r.s != r.end) {
        fail_msg("%d bytes after the close delimiter", (int)(r.end - r.s));
    }
    return out;
}

static rpart_t *part_at(apr_array_header_t *parts, int i)
{
    assert_in_range(i, 0, parts->nelts - 1);
    return &APR_ARRAY_IDX(parts, i, rpart_t);
}

static void assert_part_body(rpart_t *rp, const char *body, apr_size_t len)
{
    assert_int_equal(rp->body_len, len);
    if (len) {
        assert_memory_equal(rp->body, body, len);
    }
}

/* --- the response type and its boundary --- */

static void test_type_after_begin(void **state)
{
    batch_emit_t *e = new_emitter(UNIT_POOL(state));
    const char *b = boundary_of(e);

    /* the same boundary each time it is asked for */
    assert_string_equal(b, boundary_of(e));
    assert_int_equal(e->written, 0);
}

static void test_boundaries_differ(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    const char *a = boundary_of(new_emitter(p));
    const char *b = boundary_of(new_emitter(p));

    assert_string_not_equal(a, b);
}

/* Nothing is written before the first result or end. */
static void test_begin_writes_nothing(void **state)
{
    batch_emit_t *e = new_emitter(UNIT_POOL(state));
    apr_off_t n;

    assert_int_equal(apr_brigade_length(e->bb, 1, &n), APR_SUCCESS);
    assert_int_equal(n, 0);
}

static void test_empty_batch(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);

    end(e);
    ASSERT_OUTPUT(p, e, "--BATCH--\r\n");
}

/* --- one part --- */

static void test_one_part_exact(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);

    emit_one(e, "GET", "<item1:x@example.com>",
             RESULT(p, 200, "OK", "application/json", "{\"a\": 1}"));
    end(e);
    ASSERT_OUTPUT(p, e,
                  "--BATCH\r\n"
                  "Content-Type: application/http\r\n"
                  "Content-ID: <response-item1:x@example.com>\r\n"
                  "\r\n"
                  "HTTP/1.1 200 OK\r\n"
                  "Content-Type: application/json\r\n"
                  "Content-Length: 8\r\n"
                  "\r\n"
                  "{\"a\": 1}\r\n"
                  "--BATCH--\r\n");
}

static void test_content_id_bare(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);

    emit_one(e, "GET", "1", RESULT(p, 200, "OK", NULL, "x"));
    end(e);
    ASSERT_OUTPUT(p, e,
                  "--BATCH\r\n"
                  "Content-Type: application/http\r\n"
                  "Content-ID: 1\r\n"
                  "\r\n"
                  "HTTP/1.1 200 OK\r\n"
                  "Content-Length: 1\r\n"
                  "\r\n"
                  "x\r\n"
                  "--BATCH--\r\n");
}

static void test_content_id_none(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);

    emit_one(e, "GET", NULL, RESULT(p, 200, "OK", NULL, "x"));
    end(e);
    ASSERT_OUTPUT(p, e,
                  "--BATCH\r\n"
                  "Content-Type: application/http\r\n"
                  "\r\n"
                  "HTTP/1.1 200 OK\r\n"
                  "Content-Length: 1\r\n"
                  "\r\n"
                  "x\r\n"
                  "--BATCH--\r\n");
}

/* Google: <X> is answered <response-X>, whatever X holds. */
static void test_content_id_google_forms(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    apr_array_header_t *parts;

    emit_one(e, "GET", "<b29c5de2-0db4-490b-b421-6a51b598bd22 + 1>",
             RESULT(p, 200, "OK", NULL, ""));
    emit_one(e, "GET", "<item2:12930812@barnyard.example.com>",
             RESULT(p, 200, "OK", NULL, ""));
    emit_one(e, "GET", "id-3", RESULT(p, 200, "OK", NULL, ""));
    end(e);
    parts = read_output(p, e);
    assert_int_equal(parts->nelts, 3);
    assert_string_equal(part_at(parts, 0)->content_id,
                        "<response-b29c5de2-0db4-490b-b421-6a51b598bd22 + 1>");
    assert_string_equal(part_at(parts, 1)->content_id,
                        "<response-item2:12930812@barnyard.example.com>");
    assert_string_equal(part_at(parts, 2)->content_id, "id-3");
}

/* --- status lines --- */

static const char *status_line_of(void **state, int status,
                                  const char *reason)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    rpart_t *rp;

    emit_one(e, "GET", NULL, RESULT(p, status, reason, NULL, "x"));
    end(e);
    rp = part_at(read_output(p, e), 0);
    assert_int_equal(rp->status, status);
    return apr_psprintf(p, "HTTP/1.1 %d %s", rp->status, rp->reason);
}

static void test_status_line_reason(void **state)
{
    assert_string_equal(status_line_of(state, 404, "Not Found"),
                        "HTTP/1.1 404 Not Found");
    assert_string_equal(status_line_of(state, 200, "OK"), "HTTP/1.1 200 OK");
    assert_string_equal(status_line_of(state, 424, "Failed Dependency"),
                        "HTTP/1.1 424 Failed Dependency");
    assert_string_equal(status_line_of(state, 599, "Custom Reason"),
                        "HTTP/1.1 599 Custom Reason");
}

static void test_status_line_without_reason(void **state)
{
    assert_string_equal(status_line_of(state, 299, ""),
                        "HTTP/1.1 299 Unknown");
    assert_string_equal(status_line_of(state, 299, NULL),
                        "HTTP/1.1 299 Unknown");
}

/* --- headers and Content-Length --- */

static void test_headers_in_order(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    batch_result_t *res = RESULT(p, 201, "Created", "text/plain; charset=x",
                                 "made");

    apr_table_addn(res->headers, "Location", "/items/7");
    apr_table_addn(res->headers, "Set-Cookie", "a=1");
    apr_table_addn(res->headers, "Set-Cookie", "b=2");
    apr_table_addn(res->headers, "X-Empty", "");
    emit_one(e, "POST", "7", res);
    end(e);
    ASSERT_OUTPUT(p, e,
                  "--BATCH\r\n"
                  "Content-Type: application/http\r\n"
                  "Content-ID: 7\r\n"
                  "\r\n"
                  "HTTP/1.1 201 Created\r\n"
                  "Content-Type: text/plain; charset=x\r\n"
                  "Location: /items/7\r\n"
                  "Set-Cookie: a=1\r\n"
                  "Set-Cookie: b=2\r\n"
                  "X-Empty: \r\n"
                  "Content-Length: 4\r\n"
                  "\r\n"
                  "made\r\n"
                  "--BATCH--\r\n");
}

/* A result without a header table is written with none. */
static void test_headers_null(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    batch_result_t *res = RESULT(p, 200, "OK", NULL, "x");

    res->headers = NULL;
    emit_one(e, "GET", NULL, res);
    end(e);
    ASSERT_OUTPUT(p, e,
                  "--BATCH\r\n"
                  "Content-Type: application/http\r\n"
                  "\r\n"
                  "HTTP/1.1 200 OK\r\n"
                  "Content-Length: 1\r\n"
                  "\r\n"
                  "x\r\n"
                  "--BATCH--\r\n");
}

static void test_content_length_zero(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);

    emit_one(e, "DELETE", NULL, new_result(p, 200, "OK", NULL, NULL, 0));
    end(e);
    ASSERT_OUTPUT(p, e,
                  "--BATCH\r\n"
                  "Content-Type: application/http\r\n"
                  "\r\n"
                  "HTTP/1.1 200 OK\r\n"
                  "Content-Length: 0\r\n"
                  "\r\n"
                  "\r\n"
                  "--BATCH--\r\n");
}

static void test_no_content_length_204_304_head(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    batch_result_t *not_modified = new_result(p, 304, "Not Modified", NULL,
                                              NULL, 0);
    batch_result_t *head = new_result(p, 200, "OK", "text/html", NULL, 0);

    apr_table_setn(not_modified->headers, "ETag", "\"etag/animals\"");
    emit_one(e, "PATCH", "2", new_result(p, 204, "No Content", NULL, NULL,
                                         0));
    emit_one(e, "GET", "<item3>", not_modified);
    emit_one(e, "HEAD", NULL, head);
    end(e);
    ASSERT_OUTPUT(p, e,
                  "--BATCH\r\n"
                  "Content-Type: application/http\r\n"
                  "Content-ID: 2\r\n"
                  "\r\n"
                  "HTTP/1.1 204 No Content\r\n"
                  "\r\n"
                  "\r\n"
                  "--BATCH\r\n"
                  "Content-Type: application/http\r\n"
                  "Content-ID: <response-item3>\r\n"
                  "\r\n"
                  "HTTP/1.1 304 Not Modified\r\n"
                  "ETag: \"etag/animals\"\r\n"
                  "\r\n"
                  "\r\n"
                  "--BATCH\r\n"
                  "Content-Type: application/http\r\n"
                  "\r\n"
                  "HTTP/1.1 200 OK\r\n"
                  "Content-Type: text/html\r\n"
                  "\r\n"
                  "\r\n"
                  "--BATCH--\r\n");
}

/* Content-Length is the body's length in bytes, whatever they are. */
static void test_content_length_matches_body(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    apr_array_header_t *parts;
    char *big = apr_palloc(p, 100000);
    int i;

    for (i = 0; i < 100000; i++) {
        big[i] = (char)('a' + i % 26);
    }
    emit_one(e, "GET", NULL, new_result(p, 200, "OK", NULL, big, 100000));
    emit_one(e, "GET", NULL, RESULT(p, 500, "Internal Server Error", NULL,
                                    "caf\xc3\xa9"));
    end(e);
    parts = read_output(p, e);
    assert_int_equal(parts->nelts, 2);
    assert_part_body(part_at(parts, 0), big, 100000);
    assert_string_equal(apr_table_get(part_at(parts, 0)->headers,
                                      "Content-Length"), "100000");
    assert_part_body(part_at(parts, 1), "caf\xc3\xa9", 5);
}

/* NUL, CR, LF, a lookalike of a delimiter: all pass through. */
static void test_binary_body(void **state)
{
    static const char body[] = "\0\r\n--batch_\r\n--\xff\x80\0\n\r";
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    apr_array_header_t *parts;

    emit_one(e, "GET", "<bin>", RESULT(p, 200, "OK",
                                       "application/octet-stream", body));
    emit_one(e, "GET", NULL, RESULT(p, 200, "OK", NULL, "after"));
    end(e);
    parts = read_output(p, e);
    assert_int_equal(parts->nelts, 2);
    assert_part_body(part_at(parts, 0), body, sizeof(body) - 1);
    assert_part_body(part_at(parts, 1), "after", 5);
}

/* --- line ends --- */

/* Outside bodies, every line ends in CRLF and there is no bare CR or LF. */
static void test_crlf_everywhere(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    batch_result_t *res = RESULT(p, 200, "OK", "text/plain", "no line ends");
    const char *s;
    apr_size_t n, i;

    apr_table_setn(res->headers, "ETag", "\"e\"");
    emit_one(e, "GET", "<a>", res);
    emit(e, new_op(p, "POST", "1", "g"), RESULT(p, 201, "Created", NULL,
                                               "made"));
    emit(e, new_op(p, "DELETE", "2", "g"),
         new_result(p, 204, "No Content", NULL, NULL, 0));
    emit_one(e, "HEAD", NULL, new_result(p, 200, "OK", NULL, NULL, 0));
    end(e);
    s = flat(p, e, &n);
    for (i = 0; i < n; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) {
            fail_msg("bare LF at offset %d", (int)i);
        }
        if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')) {
            fail_msg("bare CR at offset %d", (int)i);
        }
    }
    assert_true(n >= 2 && s[n - 2] == '\r' && s[n - 1] == '\n');
    assert_int_equal(read_output(p, e)->nelts, 4);
}

/* --- change sets --- */

static void test_change_set_exact(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);

    emit(e, new_op(p, "GET", NULL, NULL), RESULT(p, 200, "OK", NULL, "a"));
    emit(e, new_op(p, "POST", "1", "changeset1"),
         RESULT(p, 201, "Created", NULL, "b"));
    emit(e, new_op(p, "PATCH", "2", "changeset1"),
         new_result(p, 204, "No Content", NULL, NULL, 0));
    emit(e, new_op(p, "GET", NULL, NULL), RESULT(p, 404, "Not Found", NULL,
                                                 "d"));
    end(e);
    ASSERT_OUTPUT(p, e,
                  "--BATCH\r\n"
                  "Content-Type: application/http\r\n"
                  "\r\n"
                  "HTTP/1.1 200 OK\r\n"
                  "Content-Length: 1\r\n"
                  "\r\n"
                  "a\r\n"
                  "--BATCH\r\n"
                  "Content-Type: multipart/mixed; boundary=CS1\r\n"
                  "\r\n"
                  "--CS1\r\n"
                  "Content-Type: application/http\r\n"
                  "Content-ID: 1\r\n"
                  "\r\n"
                  "HTTP/1.1 201 Created\r\n"
                  "Content-Length: 1\r\n"
                  "\r\n"
                  "b\r\n"
                  "--CS1\r\n"
                  "Content-Type: application/http\r\n"
                  "Content-ID: 2\r\n"
                  "\r\n"
                  "HTTP/1.1 204 No Content\r\n"
                  "\r\n"
                  "\r\n"
                  "--CS1--\r\n"
                  "--BATCH\r\n"
                  "Content-Type: application/http\r\n"
                  "\r\n"
                  "HTTP/1.1 404 Not Found\r\n"
                  "Content-Length: 1\r\n"
                  "\r\n"
                  "d\r\n"
                  "--BATCH--\r\n");
}

static void test_change_set_closed_at_end(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);

    emit(e, new_op(p, "POST", "1", "g"), RESULT(p, 201, "Created", NULL,
                                               "b"));
    end(e);
    ASSERT_OUTPUT(p, e,
                  "--BATCH\r\n"
                  "Content-Type: multipart/mixed; boundary=CS1\r\n"
                  "\r\n"
                  "--CS1\r\n"
                  "Content-Type: application/http\r\n"
                  "Content-ID: 1\r\n"
                  "\r\n"
                  "HTTP/1.1 201 Created\r\n"
                  "Content-Length: 1\r\n"
                  "\r\n"
                  "b\r\n"
                  "--CS1--\r\n"
                  "--BATCH--\r\n");
}

static void test_change_sets_back_to_back(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);

    emit(e, new_op(p, "POST", "1", "changeset1"),
         RESULT(p, 201, "Created", NULL, "b"));
    emit(e, new_op(p, "POST", "2", "changeset1"),
         RESULT(p, 201, "Created", NULL, "c"));
    emit(e, new_op(p, "POST", "3", "changeset2"),
         RESULT(p, 400, "Bad Request", NULL, "d"));
    end(e);
    ASSERT_OUTPUT(p, e,
                  "--BATCH\r\n"
                  "Content-Type: multipart/mixed; boundary=CS1\r\n"
                  "\r\n"
                  "--CS1\r\n"
                  "Content-Type: application/http\r\n"
                  "Content-ID: 1\r\n"
                  "\r\n"
                  "HTTP/1.1 201 Created\r\n"
                  "Content-Length: 1\r\n"
                  "\r\n"
                  "b\r\n"
                  "--CS1\r\n"
                  "Content-Type: application/http\r\n"
                  "Content-ID: 2\r\n"
                  "\r\n"
                  "HTTP/1.1 201 Created\r\n"
                  "Content-Length: 1\r\n"
                  "\r\n"
                  "c\r\n"
                  "--CS1--\r\n"
                  "--BATCH\r\n"
                  "Content-Type: multipart/mixed; boundary=CS2\r\n"
                  "\r\n"
                  "--CS2\r\n"
                  "Content-Type: application/http\r\n"
                  "Content-ID: 3\r\n"
                  "\r\n"
                  "HTTP/1.1 400 Bad Request\r\n"
                  "Content-Length: 1\r\n"
                  "\r\n"
                  "d\r\n"
                  "--CS2--\r\n"
                  "--BATCH--\r\n");
}

/* The group is compared by name, not by pointer. */
static void test_change_set_group_by_name(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    apr_array_header_t *parts;

    emit(e, new_op(p, "POST", "1", apr_pstrdup(p, "cs")),
         RESULT(p, 201, "Created", NULL, "b"));
    emit(e, new_op(p, "POST", "2", apr_pstrdup(p, "cs")),
         RESULT(p, 201, "Created", NULL, "c"));
    end(e);
    parts = read_output(p, e);
    assert_int_equal(parts->nelts, 2);
    assert_non_null(part_at(parts, 0)->group);
    assert_ptr_equal(part_at(parts, 0)->group, part_at(parts, 1)->group);
}

/* The strict reader gives back what went in, change sets included. */
static void test_output_reads_back(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    apr_array_header_t *parts;
    batch_result_t *r0 = RESULT(p, 200, "OK", "application/json", "[1]");
    rpart_t *rp;

    apr_table_setn(r0->headers, "ETag", "\"e0\"");
    emit(e, new_op(p, "GET", "<a>", NULL), r0);
    emit(e, new_op(p, "POST", "1", "g1"), RESULT(p, 201, "Created",
                                                 "application/json", "{}"));
    emit(e, new_op(p, "PUT", "2", "g1"),
         RESULT(p, 424, "Failed Dependency", "application/json", "{\"e\":1}"));
    emit(e, new_op(p, "GET", NULL, NULL),
         new_result(p, 304, "Not Modified", NULL, NULL, 0));
    emit(e, new_op(p, "DELETE", "3", "g2"),
         new_result(p, 204, "No Content", NULL, NULL, 0));
    end(e);
    parts = read_output(p, e);
    assert_int_equal(parts->nelts, 5);

    rp = part_at(parts, 0);
    assert_string_equal(rp->content_id, "<response-a>");
    assert_null(rp->group);
    assert_int_equal(rp->status, 200);
    assert_string_equal(rp->reason, "OK");
    assert_string_equal(apr_table_get(rp->headers, "ETag"), "\"e0\"");
    assert_string_equal(apr_table_get(rp->headers, "Content-Type"),
                        "application/json");
    assert_part_body(rp, "[1]", 3);

    rp = part_at(parts, 1);
    assert_string_equal(rp->content_id, "1");
    assert_non_null(rp->group);
    assert_int_equal(rp->status, 201);
    assert_part_body(rp, "{}", 2);

    rp = part_at(parts, 2);
    assert_string_equal(rp->content_id, "2");
    assert_ptr_equal(rp->group, part_at(parts, 1)->group);
    assert_int_equal(rp->status, 424);
    assert_string_equal(rp->reason, "Failed Dependency");
    assert_part_body(rp, "{\"e\":1}", 7);

    rp = part_at(parts, 3);
    assert_null(rp->content_id);
    assert_null(rp->group);
    assert_int_equal(rp->status, 304);
    assert_null(apr_table_get(rp->headers, "Content-Length"));
    assert_part_body(rp, "", 0);

    rp = part_at(parts, 4);
    assert_non_null(rp->group);
    assert_string_not_equal(rp->group, part_at(parts, 1)->group);
    assert_int_equal(rp->status, 204);
    assert_null(apr_table_get(rp->headers, "Content-Length"));
}

/* --- the response vectors (test/vectors) --- */

/* A response vector's body, with its boundaries replaced; NULL when the
 * file is not there. */
static const char *response_vector(apr_pool_t *p, const char *name,
                                   const char *const *from,
                                   const char *const *to, apr_size_t *len)
{
    const char *body;
    size_t n;
    char *buf = unit_read_vector(p, name, &n);
    int i;

    if (!buf) {
        return NULL;
    }
    assert_null(memchr(buf, '\0', (size_t)n));
    body = strstr(buf, "\r\n\r\n");
    assert_non_null(body);
    body += 4;
    for (i = 0; from[i]; i++) {
        const char *at;

        while ((at = strstr(body, from[i]))) {
            body = apr_pstrcat(p, apr_pstrmemdup(p, body,
                                                 (apr_size_t)(at - body)),
                               to[i], at + strlen(from[i]), NULL);
        }
    }
    *len = strlen(body);
    return body;
}

static batch_result_t *json_result(apr_pool_t *p, int status,
                                   const char *reason, const char *ctype,
                                   const char *body)
{
    return new_result(p, status, reason, ctype, body, strlen(body));
}

/* The OData vector's response, byte for byte: nested change set, bare
 * Content-IDs, a 204 without Content-Length, header order kept. */
static void test_vector_odata_response(void **state)
{
    static const char *const from[] = {
        "b_243234_25424_ef_892u748", "cs_12u7hdkin252452345eknd_383673037",
        NULL
    };
    static const char *const to[] = { "BATCH", "CS1", NULL };
    apr_pool_t *p = UNIT_POOL(state);
    apr_size_t wlen, glen;
    const char *want = response_vector(p, "odata-multipart.response.txt",
                                       from, to, &wlen);
    batch_emit_t *e;
    batch_result_t *res;
    const char *got;

    if (!want) {
        skip();
    }
    e = new_emitter(p);
    emit(e, new_op(p, "GET", NULL, NULL), json_result(
        p, 200, "OK", "application/json",
        "{\"@odata.context\": \"http://host/service/$metadata#Customers/"
        "$entity\", \"CustomerID\": \"ALFKI\", \"CompanyName\": "
        "\"Alfreds Futterkiste\"}"));
    res = json_result(
        p, 201, "Created", "application/json",
        "{\"@odata.context\": \"http://host/service/$metadata#Customers/"
        "$entity\", \"CustomerID\": \"POIUY\", \"CompanyName\": "
        "\"Poiuy Traders\"}");
    apr_table_setn(res->headers, "Location",
                   "http://host/service.svc/Customer('POIUY')");
    emit(e, new_op(p, "POST", "1", "changeset1"), res);
    emit(e, new_op(p, "PATCH", "2", "changeset1"),
         new_result(p, 204, "No Content", NULL, NULL, 0));
    emit(e, new_op(p, "GET", NULL, NULL), json_result(
        p, 404, "Not Found", "application/json",
        "{\"error\": {\"code\": \"\", \"message\": \"Resource not found for "
        "the segment 'Products'.\"}}"));
    end(e);
    got = normalized(p, e, &glen);
    assert_bytes(p, got, glen, want, wlen);
}

/* The googleapiclient vector's response, byte for byte. */
static void test_vector_googleapiclient_response(void **state)
{
    static const char *const from[] = { "batch_Ab3dEf", NULL };
    static const char *const to[] = { "BATCH", NULL };
    apr_pool_t *p = UNIT_POOL(state);
    apr_size_t wlen, glen;
    const char *want = response_vector(p, "googleapiclient.response.txt",
                                       from, to, &wlen);
    batch_emit_t *e;
    const char *got;

    if (!want) {
        skip();
    }
    e = new_emitter(p);
    emit(e, new_op(p, "GET", "<b29c5de2-0db4-490b-b421-6a51b598bd22 + 1>",
                   NULL), json_result(
        p, 200, "OK", "application/json; charset=UTF-8",
        "{\"kind\": \"farm#animal\", \"animalName\": \"pony\", "
        "\"animalAge\": 34, \"peltColor\": \"white\"}"));
    emit(e, new_op(p, "PUT", "<b29c5de2-0db4-490b-b421-6a51b598bd22 + 2>",
                   NULL), json_result(
        p, 412, "Precondition Failed", "application/json; charset=UTF-8",
        "{\"error\": {\"code\": 412, \"message\": \"Precondition "
        "Failed\"}}"));
    end(e);
    got = normalized(p, e, &glen);
    assert_bytes(p, got, glen, want, wlen);
}

/* The Google vector's answers: Content-IDs and the 304 without a body. */
static void test_vector_google_response(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_emit_t *e = new_emitter(p);
    batch_result_t *res = new_result(p, 304, "Not Modified", NULL, NULL, 0);
    apr_array_header_t *parts;
    rpart_t *rp;

    apr_table_setn(res->headers, "ETag", "\"etag/animals\"");
    emit_one(e, "GET", "<item1:12930812@barnyard.example.com>",
             RESULT(p, 200, "OK", "application/json", "{}"));
    emit_one(e, "GET", "<item3:12930812@barnyard.example.com>", res);
    end(e);
    parts = read_output(p, e);
    assert_int_equal(parts->nelts, 2);
    assert_string_equal(part_at(parts, 0)->content_id,
                        "<response-item1:12930812@barnyard.example.com>");
    rp = part_at(parts, 1);
    assert_string_equal(rp->content_id,
                        "<response-item3:12930812@barnyard.example.com>");
    assert_int_equal(rp->status, 304);
    assert_string_equal(rp->reason, "Not Modified");
    assert_string_equal(apr_table_get(rp->headers, "ETag"),
                        "\"etag/animals\"");
    assert_int_equal(apr_table_elts(rp->headers)->nelts, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_type_after_begin),
        UNIT_TEST(test_boundaries_differ),
        UNIT_TEST(test_begin_writes_nothing),
        UNIT_TEST(test_empty_batch),
        UNIT_TEST(test_one_part_exact),
        UNIT_TEST(test_content_id_bare),
        UNIT_TEST(test_content_id_none),
        UNIT_TEST(test_content_id_google_forms),
        UNIT_TEST(test_status_line_reason),
        UNIT_TEST(test_status_line_without_reason),
        UNIT_TEST(test_headers_in_order),
        UNIT_TEST(test_headers_null),
        UNIT_TEST(test_content_length_zero),
        UNIT_TEST(test_no_content_length_204_304_head),
        UNIT_TEST(test_content_length_matches_body),
        UNIT_TEST(test_binary_body),
        UNIT_TEST(test_crlf_everywhere),
        UNIT_TEST(test_change_set_exact),
        UNIT_TEST(test_change_set_closed_at_end),
        UNIT_TEST(test_change_sets_back_to_back),
        UNIT_TEST(test_change_set_group_by_name),
        UNIT_TEST(test_output_reads_back),
        UNIT_TEST(test_vector_odata_response),
        UNIT_TEST(test_vector_googleapiclient_response),
        UNIT_TEST(test_vector_google_response),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("emit_multipart", tests, NULL,
                                         NULL);
    apr_terminate();
    return failed;
}
