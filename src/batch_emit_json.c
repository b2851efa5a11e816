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
 * The canonical JSON response: {"responses": [{"id", "status", "headers",
 * ["setCookies",] "body"[, "bodyEncoding"]}]}, one entry appended per
 * result.
 */
#include <string.h>
#include <apr_strings.h>
#include <apr_base64.h>

#include "batch_emit_json.h"
#include "batch.h"
#include "batch_format.h"
#include "batch_json.h"
#include "batch_text.h"

/* Header values are bytes; JSON needs UTF-8, so read others as Latin-1. */
const char *batch_emit_header_utf8(apr_pool_t *p, const char *v)
{
    apr_size_t n = strlen(v), i, o = 0;
    char *u;

    if (batch_utf8_valid(v, n)) {
        return v;
    }
    u = apr_palloc(p, 2 * n + 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c < 0x80) {
            u[o++] = (char)c;
        }
        else {
            u[o++] = (char)(0xc0 | (c >> 6));
            u[o++] = (char)(0x80 | (c & 0x3f));
        }
    }
    u[o] = '\0';
    return u;
}

typedef struct cookies_ctx_t {
    apr_pool_t *pool;
    json_object *list;
} cookies_ctx_t;

static int add_set_cookie(void *data, const char *name, const char *value)
{
    cookies_ctx_t *ctx = data;

    (void)name;
    if (!ctx->list) {
        ctx->list = json_object_new_array();
    }
    json_object_array_add(ctx->list, json_object_new_string(
        batch_emit_header_utf8(ctx->pool, value)));
    return 1;
}

json_object *batch_emit_set_cookies(apr_pool_t *p,
                                    const apr_table_t *headers)
{
    cookies_ctx_t ctx = { p, NULL };

    if (headers) {
        apr_table_do(add_set_cookie, &ctx, headers, "Set-Cookie", NULL);
    }
    return ctx.list;
}

void batch_emit_add_set_cookies(apr_pool_t *p, json_object *entry,
                                const apr_table_t *headers)
{
    json_object *cookies = batch_emit_set_cookies(p, headers);

    if (cookies) {
        json_object_object_add(entry, BATCH_SET_COOKIES, cookies);
    }
}

/* What JSON must escape in a string (RFC 8259 section 7), which json-c
 * does; most strings have none and are written as they are. */
static int needs_escape(const char *s, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    const unsigned char *end = u + len;

    for (; u < end; u++) {
        if (*u < 0x20 || *u == '"' || *u == '\\') {
            return 1;
        }
    }
    return 0;
}

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* json-c escapes a string a slice at a time, so that its escaped copy
 * never holds more than one slice of a long answer; it escapes ASCII
 * bytes only, so a slice may end anywhere. */
#define ESCAPE_SLICE 16384

/* s as a JSON string escaped by json-c; with e, long slices go on to the
 * client as they are made (batch_emit_bytes). */
static apr_status_t write_escaped(batch_emit_t *e, apr_bucket_brigade *bb,
                                  const char *s, apr_size_t len)
{
    json_object *str = json_object_new_string_len("", 0);
    apr_status_t rv = apr_brigade_putc(bb, NULL, NULL, '"');
    apr_size_t off = 0;

    while (rv == APR_SUCCESS && off < len) {
        apr_size_t n = len - off < ESCAPE_SLICE ? len - off : ESCAPE_SLICE;
        size_t tlen;
        const char *text;

        json_object_set_string_len(str, s + off, (int)n);
        text = json_object_to_json_string_length(str, JSON_FLAGS, &tlen);
        /* the slice without json-c's quotes */
        rv = e ? batch_emit_bytes(e, text + 1, tlen - 2)
               : apr_brigade_write(bb, NULL, NULL, text + 1, tlen - 2);
        off += n;
    }
    json_object_put(str);
    return rv == APR_SUCCESS ? apr_brigade_putc(bb, NULL, NULL, '"') : rv;
}

/* s as a JSON string; with e, a long one goes on to the client without a
 * copy (batch_emit_bytes). */
static apr_status_t write_string(batch_emit_t *e, apr_bucket_brigade *bb,
                                 const char *s, apr_size_t len)
{
    if (needs_escape(s, len)) {
        return write_escaped(e, bb, s, len);
    }
    apr_status_t rv = apr_brigade_putc(bb, NULL, NULL, '"');

    if (rv == APR_SUCCESS) {
        rv = e ? batch_emit_bytes(e, s, len)
               : apr_brigade_write(bb, NULL, NULL, s, len);
    }
    return rv == APR_SUCCESS ? apr_brigade_putc(bb, NULL, NULL, '"') : rv;
}

static int is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* How an answer's body goes into a JSON aggregate. */
typedef enum {
    BODY_EMPTY,
    BODY_JSON,      /* the answer's JSON itself */
    BODY_TEXT,      /* a JSON string */
    BODY_BYTES      /* the base64 text of bytes that are not UTF-8 */
} body_kind_e;

static body_kind_e body_kind(const batch_result_t *res)
{
    if (!res->body_len) {
        return BODY_EMPTY;
    }
    if (batch_media_type_is_json(res->content_type)
        && batch_json_valid(res->body, res->body_len)) {
        return BODY_JSON;
    }
    return batch_utf8_valid(res->body, res->body_len) ? BODY_TEXT
                                                       : BODY_BYTES;
}

static const char *base64_text(apr_pool_t *p, const batch_result_t *res,
                               apr_size_t *len)
{
    char *b64 = apr_palloc(p, apr_base64_encode_len((int)res->body_len));

    *len = (apr_size_t)apr_base64_encode_binary(
        b64, (const unsigned char *)res->body, (int)res->body_len) - 1;
    return b64;
}

static apr_status_t write_json_body(batch_emit_t *e, apr_bucket_brigade *bb,
                                    const batch_result_t *res)
{
    const char *body = res->body;
    apr_size_t n = res->body_len;

    while (n && is_json_space(*body)) {
        body++;
        n--;
    }
    while (n && is_json_space(body[n - 1])) {
        n--;
    }
    if (e) {
        return batch_emit_bytes(e, body, n);
    }
    return apr_brigade_write(bb, NULL, NULL, body, n);
}

/* The body as a JSON value of the given kind; null when empty. */
static apr_status_t write_body_value(batch_emit_t *e, apr_bucket_brigade *bb,
                                     apr_pool_t *p, const batch_result_t *res,
                                     body_kind_e kind)
{
    const char *b64;
    apr_size_t n;

    switch (kind) {
    case BODY_EMPTY:
        return apr_brigade_puts(bb, NULL, NULL, "null");
    case BODY_JSON:
        return write_json_body(e, bb, res);
    case BODY_TEXT:
        return write_string(e, bb, res->body, res->body_len);
    default:
        b64 = base64_text(p, res, &n);
        return write_string(NULL, bb, b64, n);
    }
}

apr_status_t batch_emit_body_string(batch_emit_t *e, apr_pool_t *p,
                                    const batch_result_t *res)
{
    body_kind_e kind = body_kind(res);

    if (kind == BODY_JSON) {
        kind = BODY_TEXT;
    }
    if (kind == BODY_EMPTY) {
        return apr_brigade_puts(e->bb, NULL, NULL, "\"\"");
    }
    return write_body_value(e, e->bb, p, res, kind);
}

apr_status_t batch_emit_entry(apr_bucket_brigade *bb, apr_pool_t *p,
                              json_object *entry, const char *name,
                              const batch_result_t *res)
{
    size_t n;
    const char *text = json_object_to_json_string_length(
        entry, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    apr_status_t rv;

    if (!name) {
        return apr_brigade_write(bb, NULL, NULL, text, n);
    }
    /* the entry without its closing brace, then the body, then '}' */
    rv = apr_brigade_write(bb, NULL, NULL, text, n - 1);
    if (rv == APR_SUCCESS && n > 2) {
        rv = apr_brigade_puts(bb, NULL, NULL, ",");
    }
    if (rv == APR_SUCCESS) {
        rv = write_string(NULL, bb, name, strlen(name));
    }
    if (rv == APR_SUCCESS) {
        rv = apr_brigade_puts(bb, NULL, NULL, ":");
    }
    if (rv == APR_SUCCESS) {
        rv = write_body_value(NULL, bb, p, res, body_kind(res));
    }
    return rv == APR_SUCCESS ? apr_brigade_puts(bb, NULL, NULL, "}") : rv;
}

/* Whether entry i repeats the name of an earlier one. */
static int named_before(const apr_table_entry_t *h, int i)
{
    int j;

    for (j = 0; j < i; j++) {
        if (!strcasecmp(h[j].key, h[i].key)) {
            return 1;
        }
    }
    return 0;
}

/* Entry i's value joined with those of later entries of the same name,
 * as apr_table_merge would. */
static const char *merged_value(apr_pool_t *p, const apr_table_entry_t *h,
                                int i, int n)
{
    const char *v = batch_emit_header_utf8(p, h[i].val);
    int j;

    for (j = i + 1; j < n; j++) {
        if (!strcasecmp(h[j].key, h[i].key)) {
            v = apr_pstrcat(p, v, ", ", batch_emit_header_utf8(p, h[j].val),
                            NULL);
        }
    }
    return v;
}

/* Repeated headers, whatever their case, become one list value, as HTTP
 * allows, under the name's first spelling. */
json_object *batch_emit_headers_object(apr_pool_t *p,
                                       const apr_table_t *headers)
{
    const apr_array_header_t *arr = headers ? apr_table_elts(headers) : NULL;
    const apr_table_entry_t *h;
    json_object *obj = json_object_new_object();
    int i;

    for (i = 0; arr && i < arr->nelts; i++) {
        h = (const apr_table_entry_t *)arr->elts;
        if (!named_before(h, i)) {
            json_object_object_add(obj, h[i].key, json_object_new_string(
                merged_value(p, h, i, arr->nelts)));
        }
    }
    return obj;
}

/* An entry's text gathered as pieces, written to the brigade at once. */
typedef struct pieces_t {
    apr_pool_t *pool;
    apr_array_header_t *vec;    /* struct iovec */
} pieces_t;

static void piece(pieces_t *t, const char *s, apr_size_t len)
{
    struct iovec *v = apr_array_push(t->vec);

    v->iov_base = (void *)s;
    v->iov_len = len;
}

static void piece_str(pieces_t *t, const char *s)
{
    piece(t, s, strlen(s));
}

static void piece_string(pieces_t *t, const char *s)
{
    apr_size_t len = strlen(s);
    json_object *str;
    size_t n;
    const char *text;

    if (!needs_escape(s, len)) {
        piece(t, "\"", 1);
        piece(t, s, len);
        piece(t, "\"", 1);
        return;
    }
    str = json_object_new_string_len(s, (int)len);
    text = json_object_to_json_string_length(str, JSON_FLAGS, &n);
    piece(t, apr_pstrmemdup(t->pool, text, n), n);
    json_object_put(str);
}

/* The headers as a JSON object, one member per name (the JSON of
 * batch_emit_headers_object, without building it). */
static void piece_headers(pieces_t *t, const apr_table_t *headers)
{
    const apr_array_header_t *arr = headers ? apr_table_elts(headers) : NULL;
    const apr_table_entry_t *h;
    int i, first = 1;

    piece(t, "{", 1);
    for (i = 0; arr && i < arr->nelts; i++) {
        h = (const apr_table_entry_t *)arr->elts;
        if (named_before(h, i)) {
            continue;
        }
        if (!first) {
            piece(t, ",", 1);
        }
        first = 0;
        piece_string(t, h[i].key);
        piece(t, ":", 1);
        piece_string(t, merged_value(t->pool, h, i, arr->nelts));
    }
    piece(t, "}", 1);
}

/* The BATCH_SET_COOKIES member (the JSON of batch_emit_set_cookies). */
static void piece_set_cookies(pieces_t *t, const apr_table_t *headers)
{
    json_object *cookies = batch_emit_set_cookies(t->pool, headers);
    size_t n;
    const char *text;

    if (!cookies) {
        return;
    }
    piece_str(t, ",\"" BATCH_SET_COOKIES "\":");
    text = json_object_to_json_string_length(cookies, JSON_FLAGS, &n);
    piece(t, apr_pstrmemdup(t->pool, text, n), n);
    json_object_put(cookies);
}

/* Graph's body member: the answer as JSON or a string when it can be,
 * else base64 with bodyEncoding; none when the answer has no body. */
static apr_status_t write_body(batch_emit_t *e, apr_pool_t *p,
                               const batch_result_t *res)
{
    body_kind_e kind = body_kind(res);
    apr_status_t rv;

    if (kind == BODY_EMPTY) {
        return APR_SUCCESS;
    }
    rv = apr_brigade_puts(e->bb, NULL, NULL, kind == BODY_BYTES
                          ? ",\"bodyEncoding\":\"base64\",\"body\":"
                          : ",\"body\":");
    return rv == APR_SUCCESS ? write_body_value(e, e->bb, p, res, kind)
                             : rv;
}

const char *batch_emit_json_type(batch_emit_t *e)
{
    (void)e;
    return "application/json";
}

apr_status_t batch_emit_json_begin(batch_emit_t *e)
{
    return apr_brigade_puts(e->bb, NULL, NULL, "{\"responses\":[");
}

apr_status_t batch_emit_json_result(batch_emit_t *e, const batch_op_t *op,
                                    const batch_result_t *res)
{
    pieces_t t;
    apr_status_t rv;

    apr_pool_create(&t.pool, e->pool);
    t.vec = apr_array_make(t.pool, 48, sizeof(struct iovec));
    piece_str(&t, e->written++ ? ",{\"id\":" : "{\"id\":");
    piece_string(&t, op->id);
    if (op->group) {
        piece_str(&t, ",\"atomicityGroup\":");
        piece_string(&t, op->group);
    }
    piece_str(&t, ",\"status\":");
    piece_str(&t, apr_itoa(t.pool, res->status));
    piece_str(&t, ",\"headers\":");
    piece_headers(&t, res->headers);
    piece_set_cookies(&t, res->headers);
    rv = apr_brigade_writev(e->bb, NULL, NULL,
                            (const struct iovec *)t.vec->elts,
                            (apr_size_t)t.vec->nelts);
    if (rv == APR_SUCCESS) {
        rv = write_body(e, t.pool, res);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_brigade_putc(e->bb, NULL, NULL, '}');
    }
    apr_pool_destroy(t.pool);
    return rv;
}

apr_status_t batch_emit_json_end(batch_emit_t *e)
{
    return apr_brigade_puts(e->bb, NULL, NULL, "]}");
}
