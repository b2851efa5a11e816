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
 * Reading back one HTTP/1.1 response (RFC 9112) as httpd's HTTP/1.1
 * filters write it: a status line, header fields, then a body framed by
 * chunked coding, by Content-Length, or by the end of input; interim 1xx
 * responses are skipped. Lines may end in CRLF or a bare LF (RFC 9112 2.2).
 */
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "batch_http1.h"
#include "batch_text.h"

/* Longer chunk-size lines are refused: no sender pads one this much. */
#define MAX_CHUNK_LINE 1024
#define LINE_MIN_CAPACITY 256

typedef enum {
    ST_STATUS_LINE,
    ST_HEADER_LINE,
    ST_BODY_LENGTH,
    ST_BODY_TO_END,
    ST_CHUNK_SIZE,
    ST_CHUNK_DATA,
    ST_CHUNK_END,
    ST_TRAILER_LINE,
    ST_FINISHED
} stage_e;

struct batch_http1_t {
    apr_pool_t *pool;
    apr_size_t max_head;
    apr_size_t max_body;
    int head_request;
    stage_e stage;
    batch_http1_state_e state;
    const char *error;
    apr_size_t head_used;
    batch_buf_t *line;          /* the line being read, without its LF */
    int status;
    const char *reason;
    apr_table_t *headers;
    batch_buf_t *body;
    apr_uint64_t left;          /* of the body or of the current chunk */
};

batch_http1_t *batch_http1_make(apr_pool_t *p, apr_size_t max_head,
                                apr_size_t max_body, int head_request)
{
    batch_http1_t *h = apr_pcalloc(p, sizeof(*h));

    h->pool = p;
    h->max_head = max_head;
    h->max_body = max_body;
    h->head_request = head_request;
    h->stage = ST_STATUS_LINE;
    h->state = BATCH_HTTP1_MORE;
    h->line = batch_buf_make(p, LINE_MIN_CAPACITY);
    h->reason = "";
    h->headers = apr_table_make(p, 12);
    h->body = batch_buf_make(p, LINE_MIN_CAPACITY);
    return h;
}

static batch_http1_state_e fail(batch_http1_t *h, batch_http1_state_e state,
                                const char *why)
{
    h->state = state;
    h->error = why;
    h->stage = ST_FINISHED;
    return state;
}

static batch_http1_state_e finished(batch_http1_t *h)
{
    h->stage = ST_FINISHED;
    h->state = BATCH_HTTP1_DONE;
    return h->state;
}

/* "HTTP/1.x SP 3DIGIT [SP reason]" */
static batch_http1_state_e read_status_line(batch_http1_t *h,
                                            const char *line)
{
    if (strncmp(line, "HTTP/1.", 7) || !apr_isdigit(line[7])
        || line[8] != ' ' || !apr_isdigit(line[9])
        || !apr_isdigit(line[10]) || !apr_isdigit(line[11])
        || (line[12] != ' ' && line[12] != '\0') || line[9] == '0') {
        return fail(h, BATCH_HTTP1_INVALID, "malformed status line");
    }
    h->status = (line[9] - '0') * 100 + (line[10] - '0') * 10
                + (line[11] - '0');
    h->reason = apr_pstrdup(h->pool, line[12] ? line + 13 : "");
    apr_table_clear(h->headers);
    h->stage = ST_HEADER_LINE;
    return BATCH_HTTP1_MORE;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* "name: value", the value without the whitespace around it. */
static batch_http1_state_e read_field_line(batch_http1_t *h,
                                           const char *line)
{
    const char *colon = strchr(line, ':');
    const char *value, *end;
    char *name;

    if (!colon || colon == line) {
        return fail(h, BATCH_HTTP1_INVALID, "malformed header line");
    }
    name = apr_pstrmemdup(h->pool, line, (apr_size_t)(colon - line));
    if (!batch_is_token(name)) {
        return fail(h, BATCH_HTTP1_INVALID, "malformed header name");
    }
    for (value = colon + 1; is_ows(*value); value++) {
    }
    for (end = value + strlen(value); end > value && is_ows(end[-1]);
         end--) {
    }
    apr_table_addn(h->headers, name,
                   apr_pstrmemdup(h->pool, value, (apr_size_t)(end - value)));
    return BATCH_HTTP1_MORE;
}

/* 1*DIGIT, no sign, no overflow. */
static int parse_length(const char *s, apr_uint64_t *n)
{
    apr_uint64_t v = 0;

    if (!*s) {
        return 0;
    }
    for (; *s; s++) {
        if (!apr_isdigit(*s) || v > (APR_UINT64_MAX - 9) / 10) {
            return 0;
        }
        v = v * 10 + (apr_uint64_t)(*s - '0');
    }
    *n = v;
    return 1;
}

typedef struct length_ctx_t {
    int count;
    int valid;
    apr_uint64_t value;
} length_ctx_t;

/* Every Content-Length field must hold one and the same length. */
static int check_length(void *data, const char *name, const char *value)
{
    length_ctx_t *ctx = data;
    apr_uint64_t n;

    (void)name;
    if (!parse_length(value, &n) || (ctx->count && n != ctx->value)) {
        ctx->valid = 0;
        return 0;
    }
    ctx->value = n;
    ctx->count++;
    return 1;
}

/* Whether the last coding of Transfer-Encoding is chunked. */
static int chunked_last(apr_pool_t *p, const char *te)
{
    const char *last = strrchr(te, ',');
    char *coding = apr_pstrdup(p, last ? last + 1 : te);

    apr_collapse_spaces(coding, coding);
    return !strcasecmp(coding, "chunked");
}

static batch_http1_state_e start_body(batch_http1_t *h)
{
    const char *te = apr_table_get(h->headers, "Transfer-Encoding");
    length_ctx_t len = { 0, 1, 0 };

    if (h->status == 101 || h->head_request || h->status == 204
        || h->status == 304) {
        return finished(h);
    }
    if (te) {
        h->stage = chunked_last(h->pool, te) ? ST_CHUNK_SIZE
                                             : ST_BODY_TO_END;
        return BATCH_HTTP1_MORE;
    }
    apr_table_do(check_length, &len, h->headers, "Content-Length", NULL);
    if (!len.valid) {
        return fail(h, BATCH_HTTP1_INVALID, "invalid Content-Length");
    }
    if (!len.count) {
        h->stage = ST_BODY_TO_END;
        return BATCH_HTTP1_MORE;
    }
    if (h->max_body && len.value > h->max_body) {
        return fail(h, BATCH_HTTP1_BODY_TOO_LARGE,
                    "Content-Length over the body limit");
    }
    h->left = len.value;
    h->stage = ST_BODY_LENGTH;
    return h->left ? BATCH_HTTP1_MORE : finished(h);
}

/* The empty line that ends the header fields. */
static batch_http1_state_e end_of_head(batch_http1_t *h)
{
    if (h->status >= 100 && h->status < 200 && h->status != 101) {
        h->stage = ST_STATUS_LINE;
        return BATCH_HTTP1_MORE;
    }
    return start_body(h);
}

/* chunk-size [; extensions] */
static batch_http1_state_e read_chunk_size(batch_http1_t *h,
                                           const char *line)
{
    apr_uint64_t size = 0;
    const char *s = line;

    if (!apr_isxdigit(*s)) {
        return fail(h, BATCH_HTTP1_INVALID, "malformed chunk size");
    }
    for (; apr_isxdigit(*s); s++) {
        if (size > (APR_UINT64_MAX >> 4)) {
            return fail(h, BATCH_HTTP1_INVALID, "chunk size overflows");
        }
        size = (size << 4) | (apr_uint64_t)(apr_isdigit(*s)
            ? *s - '0' : apr_tolower(*s) - 'a' + 10);
    }
    while (is_ows(*s)) {
        s++;
    }
    if (*s && *s != ';') {
        return fail(h, BATCH_HTTP1_INVALID, "malformed chunk size");
    }
    if (size == 0) {
        h->stage = ST_TRAILER_LINE;
        return BATCH_HTTP1_MORE;
    }
    if (h->max_body && size > h->max_body - h->body->len) {
        return fail(h, BATCH_HTTP1_BODY_TOO_LARGE,
                    "chunked body over the body limit");
    }
    h->left = size;
    h->stage = ST_CHUNK_DATA;
    return BATCH_HTTP1_MORE;
}

static batch_http1_state_e read_line(batch_http1_t *h, const char *line)
{
    switch (h->stage) {
    case ST_STATUS_LINE:
        return read_status_line(h, line);
    case ST_HEADER_LINE:
        return *line ? read_field_line(h, line) : end_of_head(h);
    case ST_CHUNK_SIZE:
        return read_chunk_size(h, line);
    case ST_CHUNK_END:
        if (*line) {
            return fail(h, BATCH_HTTP1_INVALID, "chunk not ended by CRLF");
        }
        h->stage = ST_CHUNK_SIZE;
        return BATCH_HTTP1_MORE;
    default:
        return *line ? read_field_line(h, line) : finished(h);
    }
}

static int is_head_line(stage_e stage)
{
    return stage == ST_STATUS_LINE || stage == ST_HEADER_LINE
           || stage == ST_TRAILER_LINE;
}

/* How many more bytes, its LF included, the line being read may take. */
static apr_size_t line_room(const batch_http1_t *h)
{
    if (!is_head_line(h->stage)) {
        return MAX_CHUNK_LINE + 1 - h->line->len;
    }
    if (!h->max_head) {
        return APR_SIZE_MAX;
    }
    return h->max_head - h->head_used;
}

/* Up to the end of a line: how many bytes were taken, the line handed to
 * read_line once complete. The first byte at fault decides, however the
 * input was cut: a NUL before the limit, or the limit. */
static apr_size_t take_line(batch_http1_t *h, const char *data, apr_size_t n)
{
    const char *lf = memchr(data, '\n', n);
    apr_size_t take = lf ? (apr_size_t)(lf - data) + 1 : n;
    apr_size_t part = lf ? take - 1 : take;
    apr_size_t room = line_room(h);

    if (memchr(data, '\0', part < room ? part : room)) {
        fail(h, BATCH_HTTP1_INVALID, "NUL in a header line");
        return take;
    }
    if (take > room) {
        fail(h, is_head_line(h->stage) ? BATCH_HTTP1_HEAD_TOO_LARGE
                                       : BATCH_HTTP1_INVALID,
             "line over its limit");
        return take;
    }
    if (is_head_line(h->stage)) {
        h->head_used += take;
    }
    if (part && batch_buf_append(h->line, data, part) != APR_SUCCESS) {
        fail(h, BATCH_HTTP1_HEAD_TOO_LARGE, "out of memory");
        return take;
    }
    if (lf) {
        if (h->line->len && h->line->data[h->line->len - 1] == '\r') {
            h->line->data[--h->line->len] = '\0';
        }
        read_line(h, h->line->len ? h->line->data : "");
        h->line->len = 0;
    }
    return take;
}

static apr_size_t take_body(batch_http1_t *h, const char *data, apr_size_t n)
{
    apr_size_t take = n;

    if (h->stage != ST_BODY_TO_END && (apr_uint64_t)take > h->left) {
        take = (apr_size_t)h->left;
    }
    if (h->max_body && take > h->max_body - h->body->len) {
        fail(h, BATCH_HTTP1_BODY_TOO_LARGE, "body over its limit");
        return take;
    }
    if (batch_buf_append(h->body, data, take) != APR_SUCCESS) {
        fail(h, BATCH_HTTP1_BODY_TOO_LARGE, "out of memory");
        return take;
    }
    if (h->stage == ST_BODY_TO_END) {
        return take;
    }
    h->left -= take;
    if (!h->left) {
        if (h->stage == ST_CHUNK_DATA) {
            h->stage = ST_CHUNK_END;
        }
        else {
            finished(h);
        }
    }
    return take;
}

batch_http1_state_e batch_http1_feed(batch_http1_t *h, const char *data,
                                     apr_size_t n)
{
    while (h->state == BATCH_HTTP1_MORE && n) {
        apr_size_t took;

        if (h->stage == ST_BODY_LENGTH || h->stage == ST_BODY_TO_END
            || h->stage == ST_CHUNK_DATA) {
            took = take_body(h, data, n);
        }
        else {
            took = take_line(h, data, n);
        }
        data += took;
        n -= took;
    }
    if (h->state == BATCH_HTTP1_DONE && n) {
        return fail(h, BATCH_HTTP1_INVALID, "bytes after the response");
    }
    return h->state;
}

batch_http1_state_e batch_http1_end(batch_http1_t *h)
{
    if (h->state != BATCH_HTTP1_MORE) {
        return h->state;
    }
    if (h->stage == ST_BODY_TO_END) {
        return finished(h);
    }
    return fail(h, BATCH_HTTP1_INVALID, "response cut short");
}

batch_http1_state_e batch_http1_state(const batch_http1_t *h)
{
    return h->state;
}

const char *batch_http1_error(const batch_http1_t *h)
{
    return h->error;
}

int batch_http1_status(const batch_http1_t *h)
{
    return h->status;
}

const char *batch_http1_reason(const batch_http1_t *h)
{
    return h->reason;
}

apr_table_t *batch_http1_headers(const batch_http1_t *h)
{
    return h->headers;
}

const batch_buf_t *batch_http1_body(const batch_http1_t *h)
{
    return h->body;
}
