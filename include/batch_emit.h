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
 * An emitter's state and output (src/batch_emit.c), shared by every
 * format's emitter.
 */
#ifndef BATCH_EMIT_H
#define BATCH_EMIT_H

#include <apr_buckets.h>

/* The emitter's state for one batch response. */
typedef struct batch_emit_t {
    apr_pool_t *pool;           /* lives as long as the batch */
    apr_bucket_brigade *bb;     /* where the emitter appends output */
    int written;                /* results written so far */
    void *state;                /* the format's own, made by begin */
    /* passes bb on to the client; NULL: bb only grows */
    apr_brigade_flush flush;
    void *flush_ctx;
} batch_emit_t;

/* Appends a result's bytes to e->bb: a short run is copied, a long one is
 * passed on at once without a copy (apr_brigade_write with e->flush), so
 * an answer of many megabytes is never held twice. */
apr_status_t batch_emit_bytes(batch_emit_t *e, const char *data,
                              apr_size_t len);

/* Appends sep before every entry but the first (counted in e->written). */
apr_status_t batch_emit_separator(batch_emit_t *e, const char *sep);

#endif /* BATCH_EMIT_H */
