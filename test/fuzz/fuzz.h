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
 * What the libFuzzer harnesses share: APR set up once, the default limits,
 * and the round-trip checks: whatever a parser accepts, each emitter must
 * turn into a well-formed response. A failed check aborts, which libFuzzer
 * reports as a crash with the input that caused it.
 */
#ifndef BATCH_FUZZ_H
#define BATCH_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <apr_buckets.h>
#include <apr_base64.h>

#include "batch.h"
#include "batch_emit_json.h"
#include "batch_emit_multipart.h"
#include "batch_error.h"
#include "batch_format.h"
#include "batch_json.h"
#include "batch_text.h"
#include "batch_validate.h"

/* Aborts with a message; libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, what)                                          \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", (what),  \
                    __FILE__, __LINE__);                                \
            abort();                                                    \
        }                                                               \
    } while (0)

/* The directives' defaults, as the module configures them. */
static inline batch_limits_t *fuzz_limits(apr_pool_t *p)
{
    batch_limits_t *l = apr_pcalloc(p, sizeof(*l));

    l->max_operations = 100;
    l->allow_methods = batch_default_allow_methods(p);
    l->max_target = 8190;       /* httpd's LimitRequestLine and friends */
    l->max_headers = 100;
    l->max_header_size = 8190;
    return l;
}

/* A fresh pool per input; APR is initialised on the first call. */
static inline apr_pool_t *fuzz_pool(void)
{
    static int initialised;
    apr_pool_t *p;

    if (!initialised) {
        apr_initialize();
        initialised = 1;
    }
    FUZZ_CHECK(apr_pool_create(&p, NULL) == APR_SUCCESS, "pool");
    return p;
}

/* A copy of data in its own malloc'd block of exactly size bytes, so ASan
 * sees any read past the end; freed with p. */
static inline apr_status_t fuzz_free(void *mem)
{
    free(mem);
    return APR_SUCCESS;
}

static inline const char *fuzz_exact(apr_pool_t *p, const uint8_t *data,
                                     size_t size)
{
    char *copy = malloc(size ? size : 1);

    FUZZ_CHECK(copy != NULL, "malloc");
    if (size) {
        memcpy(copy, data, size);
    }
    apr_pool_cleanup_register(p, copy, fuzz_free, apr_pool_cleanup_null);
    return copy;
}

static inline batch_emit_t *fuzz_emitter(apr_pool_t *p)
{
    batch_emit_t *e = apr_pcalloc(p, sizeof(*e));

    e->pool = p;
    e->bb = apr_brigade_create(p, apr_bucket_alloc_create(p));
    return e;
}

static inline const char *fuzz_flatten(apr_pool_t *p, batch_emit_t *e,
                                       apr_size_t *len)
{
    char *flat;

    FUZZ_CHECK(apr_brigade_pflatten(e->bb, &flat, len, p) == APR_SUCCESS,
               "flatten");
    return flat;
}

/* Where `needle` first occurs in [s, s + len), or NULL. */
static inline const char *fuzz_find(const char *s, apr_size_t len,
                                    const char *needle)
{
    apr_size_t n = strlen(needle), i;

    for (i = 0; n <= len && i <= len - n; i++) {
        if (!memcmp(s + i, needle, n)) {
            return s + i;
        }
    }
    return NULL;
}

/* Checks one emitted JSON entry against the result it was made from. */
static inline void fuzz_check_json_entry(json_object *entry,
                                         const batch_op_t *op,
                                         const batch_result_t *res)
{
    json_object *v, *body;
    const char *enc = NULL;

    FUZZ_CHECK(json_object_object_get_ex(entry, "id", &v)
               && !strcmp(json_object_get_string(v), op->id), "entry id");
    FUZZ_CHECK(json_object_object_get_ex(entry, "status", &v)
               && json_object_get_int(v) == res->status, "entry status");
    FUZZ_CHECK(json_object_object_get_ex(entry, "headers", &v)
               && json_object_is_type(v, json_type_object), "headers");
    if (json_object_object_get_ex(entry, "bodyEncoding", &v)) {
        enc = json_object_get_string(v);
        FUZZ_CHECK(!strcmp(enc, "base64"), "bodyEncoding");
    }
    if (!json_object_object_get_ex(entry, "body", &body)) {
        FUZZ_CHECK(res->body_len == 0, "body missing");
        return;
    }
    if (enc) {
        const char *b64 = json_object_get_string(body);
        char *raw = malloc(apr_base64_decode_len(b64) + 1);
        int n;

        FUZZ_CHECK(raw != NULL, "malloc");
        n = apr_base64_decode_binary((unsigned char *)raw, b64);
        FUZZ_CHECK((apr_size_t)n == res->body_len
                   && !memcmp(raw, res->body, res->body_len), "base64 body");
        free(raw);
    }
    else if (json_object_is_type(body, json_type_string)
             && !batch_media_type_is_json(res->content_type)) {
        FUZZ_CHECK((apr_size_t)json_object_get_string_len(body)
                   == res->body_len
                   && !memcmp(json_object_get_string(body), res->body,
                              res->body_len), "string body");
    }
}

/* json-c's parser, deep enough for embedded answers. */
static inline json_object *fuzz_json_parse(const char *text, apr_size_t len)
{
    json_tokener *tok = json_tokener_new_ex(BATCH_JSON_EMBED_DEPTH + 8);
    json_object *obj;

    FUZZ_CHECK(tok != NULL, "tokener");
    obj = json_tokener_parse_ex(tok, text, (int)len);
    json_tokener_free(tok);
    return obj;
}

/* Emits every operation of batch with its result (results[i] for the
 * i-th), and checks the aggregate is strict JSON whose entries say what
 * the results said, in request order. */
static inline void fuzz_check_json_emitter(apr_pool_t *p,
                                           const batch_t *batch,
                                           batch_result_t *const *results)
{
    batch_emit_t *e = fuzz_emitter(p);
    json_object *doc, *list;
    const char *text, *why = NULL;
    apr_size_t len, where = 0;
    int i;

    FUZZ_CHECK(!strcmp(batch_emit_json_type(e), "application/json"),
               "json type");
    batch_emit_json_begin(e);
    for (i = 0; i < batch->ops->nelts; i++) {
        const batch_op_t *op = &APR_ARRAY_IDX(batch->ops, i, batch_op_t);

        batch_emit_json_result(e, op, results[i]);
    }
    batch_emit_json_end(e);
    text = fuzz_flatten(p, e, &len);
    if (!batch_json_check(text, len, BATCH_JSON_EMBED_DEPTH + 8, 0, &where,
                          &why)) {
        fprintf(stderr, "emitted JSON invalid at %lu: %s\n",
                (unsigned long)where, why);
        FUZZ_CHECK(0, "emitted JSON is strict JSON");
    }
    doc = batch_json_own(p, fuzz_json_parse(text, len));
    FUZZ_CHECK(doc && json_object_object_get_ex(doc, "responses", &list),
               "responses");
    FUZZ_CHECK((int)json_object_array_length(list) == batch->ops->nelts,
               "one entry per operation");
    for (i = 0; i < batch->ops->nelts; i++) {
        fuzz_check_json_entry(json_object_array_get_idx(list, (size_t)i),
                              &APR_ARRAY_IDX(batch->ops, i, batch_op_t),
                              results[i]);
    }
}

/* Reads one line ending in CRLF at *pos; no bare CR or LF inside. */
static inline const char *fuzz_mp_line(apr_pool_t *p, const char *s,
                                       apr_size_t len, apr_size_t *pos)
{
    const char *end = fuzz_find(s + *pos, len - *pos, "\r\n");
    const char *line;

    FUZZ_CHECK(end != NULL, "multipart line ends in CRLF");
    line = apr_pstrmemdup(p, s + *pos, (apr_size_t)(end - (s + *pos)));
    FUZZ_CHECK(!strchr(line, '\r') && !strchr(line, '\n')
               && strlen(line) == (apr_size_t)(end - (s + *pos)),
               "no bare CR, LF or NUL in a header line");
    *pos = (apr_size_t)(end - s) + 2;
    return line;
}

/* Checks one application/http part: its headers, the status line, the
 * response headers and a body of exactly Content-Length bytes. */
static inline void fuzz_check_mp_part(apr_pool_t *p, const char *s,
                                      apr_size_t len, apr_size_t *pos,
                                      const batch_op_t *op,
                                      const batch_result_t *res)
{
    const char *line, *colon;
    char status[32];
    long clen = -1;

    line = fuzz_mp_line(p, s, len, pos);
    FUZZ_CHECK(!strcmp(line, "Content-Type: application/http"), "part type");
    while (*(line = fuzz_mp_line(p, s, len, pos))) {
        FUZZ_CHECK(!strncmp(line, "Content-ID: ", 12) && op->content_id,
                   "part header");
    }
    line = fuzz_mp_line(p, s, len, pos);
    apr_snprintf(status, sizeof(status), "HTTP/1.1 %d ", res->status);
    FUZZ_CHECK(!strncmp(line, status, strlen(status)), "status line");
    while (*(line = fuzz_mp_line(p, s, len, pos))) {
        colon = strchr(line, ':');
        FUZZ_CHECK(colon && colon > line, "header line has a name");
        FUZZ_CHECK(batch_is_token(apr_pstrmemdup(
                       p, line, (apr_size_t)(colon - line))),
                   "header name is a token");
        if (!strncasecmp(line, "Content-Length:", 15)) {
            clen = atol(colon + 1);
        }
    }
    if (clen >= 0) {
        FUZZ_CHECK((apr_size_t)clen == res->body_len, "Content-Length");
    }
    FUZZ_CHECK(len - *pos >= res->body_len + 2
               && !memcmp(s + *pos, res->body, res->body_len)
               && !memcmp(s + *pos + res->body_len, "\r\n", 2), "part body");
    *pos += res->body_len + 2;
}

/* Emits every operation as multipart/mixed and reads the aggregate back:
 * delimiters, change sets, parts and bodies byte for byte. */
static inline void fuzz_check_multipart_emitter(apr_pool_t *p,
                                                const batch_t *batch,
                                                batch_result_t *const *results)
{
    batch_emit_t *e = fuzz_emitter(p);
    const char *text, *type, *boundary, *group = NULL, *inner = NULL;
    apr_size_t len, pos = 0;
    int i;

    batch_emit_multipart_begin(e);
    type = batch_emit_multipart_type(e);
    FUZZ_CHECK(!strncmp(type, "multipart/mixed; boundary=", 26), "type");
    boundary = type + 26;
    for (i = 0; i < batch->ops->nelts; i++) {
        const batch_op_t *op = &APR_ARRAY_IDX(batch->ops, i, batch_op_t);

        batch_emit_multipart_result(e, op, results[i]);
    }
    batch_emit_multipart_end(e);
    text = fuzz_flatten(p, e, &len);
    for (i = 0; i < batch->ops->nelts; i++) {
        const batch_op_t *op = &APR_ARRAY_IDX(batch->ops, i, batch_op_t);
        const char *line;

        if (group && (!op->group || strcmp(op->group, group))) {
            line = fuzz_mp_line(p, text, len, &pos);
            FUZZ_CHECK(!strcmp(line, apr_pstrcat(p, "--", inner, "--",
                                                 NULL)), "change set end");
            group = NULL;
        }
        if (op->group && !group) {
            line = fuzz_mp_line(p, text, len, &pos);
            FUZZ_CHECK(!strcmp(line, apr_pstrcat(p, "--", boundary, NULL)),
                       "delimiter before change set");
            line = fuzz_mp_line(p, text, len, &pos);
            FUZZ_CHECK(!strncmp(line, "Content-Type: multipart/mixed; "
                                "boundary=", 40), "change set type");
            inner = line + 40;
            FUZZ_CHECK(!*fuzz_mp_line(p, text, len, &pos), "blank line");
            group = op->group;
        }
        line = fuzz_mp_line(p, text, len, &pos);
        FUZZ_CHECK(!strcmp(line, apr_pstrcat(p, "--", group ? inner
                                             : boundary, NULL)),
                   "part delimiter");
        fuzz_check_mp_part(p, text, len, &pos, op, results[i]);
    }
    if (group) {
        FUZZ_CHECK(!strcmp(fuzz_mp_line(p, text, len, &pos),
                           apr_pstrcat(p, "--", inner, "--", NULL)),
                   "last change set end");
    }
    FUZZ_CHECK(!strcmp(fuzz_mp_line(p, text, len, &pos),
                       apr_pstrcat(p, "--", boundary, "--", NULL)),
               "close delimiter");
    FUZZ_CHECK(pos == len, "nothing after the close delimiter");
}

/* The answer a server might give to op: its own headers and body sent back
 * (an echo), so whatever the parser let through reaches the emitters. */
static inline batch_result_t *fuzz_echo_result(apr_pool_t *p,
                                               const batch_op_t *op)
{
    batch_result_t *res = apr_pcalloc(p, sizeof(*res));

    res->status = op->body_len % 2 ? 201 : 200;
    res->reason = res->status == 201 ? "Created" : "OK";
    res->headers = apr_table_copy(p, op->headers);
    apr_table_unset(res->headers, "Content-Length");
    res->content_type = apr_table_get(op->headers, "Content-Type");
    res->body = op->body ? op->body : "";
    res->body_len = op->body_len;
    return res;
}

/* A refusal names its code and says why, in a strict JSON body. */
static inline void fuzz_check_refusal(apr_pool_t *p, const batch_error_t *err)
{
    const char *body, *why = NULL;
    apr_size_t where = 0;

    FUZZ_CHECK(err && err->status >= 400 && err->status < 500 && err->code
               && err->message && *err->message, "a refusal says why");
    body = batch_error_json(p, err);
    if (!batch_json_check(body, strlen(body), BATCH_JSON_MAX_DEPTH, 0,
                          &where, &why)) {
        fprintf(stderr, "refusal %s invalid at %lu: %s\n", err->code,
                (unsigned long)where, why);
        FUZZ_CHECK(0, "a refusal is strict JSON");
    }
}

/* Validates an accepted batch, then checks both emitters with it. */
static inline void fuzz_validate_and_emit(apr_pool_t *p, batch_t *batch)
{
    batch_error_t *err = batch_validate(p, batch, fuzz_limits(p));
    batch_result_t **results;
    int i;

    if (err) {
        fuzz_check_refusal(p, err);
        return;
    }
    for (i = 0; i < batch->ops->nelts; i++) {
        const batch_op_t *op = &APR_ARRAY_IDX(batch->ops, i, batch_op_t);

        FUZZ_CHECK(op->id && op->method && op->target
                   && op->target[0] == '/', "validated operation");
        FUZZ_CHECK(batch_is_token(op->method), "method is a token");
    }
    results = apr_palloc(p, sizeof(*results) * (apr_size_t)batch->ops->nelts);
    for (i = 0; i < batch->ops->nelts; i++) {
        results[i] = fuzz_echo_result(
            p, &APR_ARRAY_IDX(batch->ops, i, batch_op_t));
    }
    fuzz_check_json_emitter(p, batch, results);
    fuzz_check_multipart_emitter(p, batch, results);
}

/* What the parser harnesses do with the parser's verdict: check a refusal,
 * or validate and emit what was accepted; then free the input's pool. */
static inline void fuzz_check_parsed(apr_pool_t *p, batch_t *batch,
                                     const batch_error_t *err)
{
    if (batch) {
        fuzz_validate_and_emit(p, batch);
    }
    else {
        fuzz_check_refusal(p, err);
    }
    apr_pool_destroy(p);
}

#endif /* BATCH_FUZZ_H */
