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
 * libFuzzer: the JSON dialects. The first byte picks what
 * BatchDialect forces (its value % 6: auto, then the registry's JSON
 * dialects in order), the body's media type (/ 6 % 3: JSON, an urlencoded form, a
 * multipart/form-data form with the boundary "b") and BatchBaseURL
 * (/ 18 % 2: none, /base); the rest is the body, posted under the batch
 * location at /users. Whatever a dialect accepts is validated and emitted
 * by the canonical emitters and by the dialect's own, which must write
 * strict JSON.
 */
#include "fuzz.h"
#include "batch.h"
#include "batch_error.h"
#include "batch_format.h"
#include "batch_json.h"
#include "batch_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const batch_format_t *forced_dialect(uint8_t pick)
{
    const batch_format_t *fmt;
    int want = pick % 6, seen = 0, i;

    for (i = 0; want && (fmt = batch_format_at(i)); i++) {
        if (fmt->fits && ++seen == want) {
            return fmt;
        }
    }
    return NULL;
}

static const char *media_type(uint8_t pick)
{
    static const char *const types[] = {
        "application/json", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=b"
    };

    return types[pick / 6 % 3];
}

/* The format mod_batch_serve.c reads the body with, as it chooses it. */
static const batch_format_t *format_of(apr_pool_t *p, batch_input_t *in,
                                       const batch_format_t *forced,
                                       batch_error_t **err)
{
    int by_shape;
    const batch_format_t *fmt = batch_format_for(p, forced, in->content_type,
                                                 &by_shape, err);

    if (!fmt || !by_shape) {
        return fmt;
    }
    return batch_format_by_shape(p, forced, in->body, in->len, p, &in->json,
                                 err);
}

/* The dialect's aggregate of echo answers is one strict JSON document. */
static void check_dialect_emitter(apr_pool_t *p, const batch_format_t *fmt,
                                  const batch_t *batch)
{
    batch_emit_t *e = fuzz_emitter(p);
    const char *text, *why = NULL;
    apr_size_t len, where = 0;
    int i;

    fmt->begin(e);
    for (i = 0; i < batch->ops->nelts; i++) {
        const batch_op_t *op = &APR_ARRAY_IDX(batch->ops, i, batch_op_t);
        batch_result_t *res = fuzz_echo_result(p, op);

        res->elapsed = op->index;
        fmt->result(e, op, res);
    }
    fmt->end(e);
    text = fuzz_flatten(p, e, &len);
    if (!batch_json_check(text, len, BATCH_JSON_EMBED_DEPTH + 8, 0, &where,
                          &why)) {
        fprintf(stderr, "%s aggregate invalid at %lu: %s\n", fmt->name,
                (unsigned long)where, why);
        FUZZ_CHECK(0, "a dialect's aggregate is strict JSON");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    batch_input_t in = { NULL, 0, NULL, "http", "127.0.0.1", 80, "/users",
                         NULL, NULL, NULL, NULL };
    const batch_format_t *fmt;
    batch_error_t *err = NULL;
    batch_t *batch = NULL;

    if (size < 1) {
        return 0;
    }
    p = fuzz_pool();
    in.body = fuzz_exact(p, data + 1, size - 1);
    in.len = size - 1;
    in.content_type = media_type(data[0]);
    in.base_url = data[0] / 18 % 2 ? "/base" : NULL;
    fmt = format_of(p, &in, forced_dialect(data[0]), &err);
    if (fmt) {
        batch = fmt->parse(p, &in, &err);
    }
    if (batch && fmt != batch_format_at(0)
        && !batch_validate(p, batch, fuzz_limits(p))) {
        check_dialect_emitter(p, fmt, batch);
    }
    fuzz_check_parsed(p, batch, err);
    return 0;
}
