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
 * What the cmocka unit tests share: a fresh APR pool per test, inputs
 * copied into buffers of exactly their length (so ASan sees any read past
 * the end, which a string literal's NUL would hide).
 */
#ifndef BATCH_UNIT_H
#define BATCH_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "batch.h"
#include "batch_format.h"
#include "batch_json.h"

/* The test's pool, made by unit_setup. */
/* A format of the registry (src/batch_format.c) by its name. */
#define UNIT_FORMAT(name) batch_format_named(name)

#define UNIT_POOL(state) ((apr_pool_t *)*(state))

/* Fails with both strings shown unless sub occurs in s. */
#define assert_contains(s, sub)                                     \
    do {                                                            \
        const char *s_ = (s);                                       \
        const char *sub_ = (sub);                                   \
        if (!s_ || !strstr(s_, sub_)) {                             \
            fail_msg("\"%s\" does not contain \"%s\"",              \
                     s_ ? s_ : "(null)", sub_);                     \
        }                                                           \
    } while (0)

static inline int unit_setup(void **state)
{
    apr_pool_t *p;

    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        return -1;
    }
    *state = p;
    return 0;
}

static inline int unit_teardown(void **state)
{
    apr_pool_destroy(UNIT_POOL(state));
    return 0;
}

static inline apr_status_t unit_free(void *mem)
{
    free(mem);
    return APR_SUCCESS;
}

/* len bytes of s in a malloc'd block of exactly that size, freed with p. */
static inline const char *unit_exact(apr_pool_t *p, const char *s,
                                     size_t len)
{
    char *copy = malloc(len ? len : 1);

    assert_non_null(copy);
    if (len) {
        memcpy(copy, s, len);
    }
    apr_pool_cleanup_register(p, copy, unit_free, apr_pool_cleanup_null);
    return copy;
}

/* A GET operation with no headers, for emitters. */
static inline batch_op_t *unit_op(apr_pool_t *p, const char *id)
{
    batch_op_t *op = apr_pcalloc(p, sizeof(*op));

    op->id = id;
    op->method = "GET";
    op->headers = apr_table_make(p, 1);
    return op;
}

/* An answer with an exact-size body (ASan sees reads past it). */
static inline batch_result_t *unit_result(apr_pool_t *p, int status,
                                          const char *ctype,
                                          const char *body)
{
    batch_result_t *res = apr_pcalloc(p, sizeof(*res));

    res->status = status;
    res->headers = apr_table_make(p, 2);
    if (ctype) {
        res->content_type = ctype;
        apr_table_setn(res->headers, "Content-Type", ctype);
    }
    if (body) {
        res->body_len = strlen(body);
        res->body = unit_exact(p, body, res->body_len);
    }
    return res;
}

/* Emits the results with a JSON dialect's emitter and returns the whole
 * document, which must be JSON. */
static inline const char *unit_emit_json(apr_pool_t *p,
                                         const batch_format_t *fmt,
                                         batch_op_t **ops,
                                         batch_result_t **results, int n)
{
    batch_emit_t e = { p, apr_brigade_create(p, apr_bucket_alloc_create(p)),
                       0, NULL, NULL, NULL };
    char *flat;
    apr_size_t len;
    int i;

    fmt->begin(&e);
    for (i = 0; i < n; i++) {
        assert_int_equal(fmt->result(&e, ops[i], results[i]), APR_SUCCESS);
    }
    fmt->end(&e);
    assert_int_equal(apr_brigade_pflatten(e.bb, &flat, &len, p),
                     APR_SUCCESS);
    assert_true(batch_json_valid(flat, len));
    assert_string_equal(fmt->response_type(&e), "application/json");
    return apr_pstrmemdup(p, flat, len);
}

/* Asserts a refusal's status, code and operation (NULL: none). */
/* The format the registry reads a Content-Type in at a location forcing
 * forced (NULL: auto); NULL when it refuses it. */
static inline const batch_format_t *unit_format_for(
    apr_pool_t *p, const batch_format_t *forced, const char *ctype)
{
    batch_error_t *err = NULL;
    int by_shape;

    return batch_format_for(p, forced, ctype, &by_shape, &err);
}

static inline batch_error_t *unit_assert_error(batch_error_t *err,
                                               int status, const char *code,
                                               const char *operation)
{
    assert_non_null(err);
    assert_int_equal(err->status, status);
    assert_string_equal(err->code, code);
    assert_non_null(err->message);
    if (operation) {
        assert_non_null(err->operation);
        assert_string_equal(err->operation, operation);
    }
    else {
        assert_null(err->operation);
    }
    return err;
}

static inline batch_op_t *unit_op_at(batch_t *batch, int i)
{
    assert_in_range(i, 0, batch->ops->nelts - 1);
    return &APR_ARRAY_IDX(batch->ops, i, batch_op_t);
}

/* How many headers named name (any case) the table holds. */
static inline int unit_header_count(apr_table_t *t, const char *name)
{
    const apr_array_header_t *arr = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int i, n = 0;

    for (i = 0; i < arr->nelts; i++) {
        n += !strcasecmp(e[i].key, name);
    }
    return n;
}

/*
 * A file of test/vectors (the batch dialects' wire examples), found from
 * this header's place, NUL-terminated; NULL when it is not there.
 */
static inline char *unit_read_vector(apr_pool_t *p, const char *name,
                                     size_t *len)
{
    const char *slash = strrchr(__FILE__, '/');
    const char *dir = slash ? apr_pstrmemdup(p, __FILE__, slash - __FILE__)
                            : ".";
    const char *path = apr_pstrcat(p, dir, "/../vectors/", name, NULL);
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f) {
        print_message("vector %s not found; skipping\n", path);
        return NULL;
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = apr_palloc(p, (apr_size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

#define UNIT_TEST(f) \
    cmocka_unit_test_setup_teardown(f, unit_setup, unit_teardown)

#endif /* BATCH_UNIT_H */
