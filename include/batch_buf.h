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
 * A growing byte buffer (src/batch_buf.c): what an operation answered, the
 * batch body as it is read.
 */
#ifndef BATCH_BUF_H
#define BATCH_BUF_H

#include <apr_pools.h>

typedef struct batch_buf_t {
    char *data;         /* NUL-terminated; NULL until the first append */
    apr_size_t len;
    apr_size_t cap;     /* bytes data holds, its NUL included */
    apr_size_t first;   /* the size of the first block */
} batch_buf_t;

/* An empty buffer in p whose first block holds first bytes (its NUL
 * too); its memory is freed when p is cleared or destroyed. */
batch_buf_t *batch_buf_make(apr_pool_t *p, apr_size_t first);

/* Appends n bytes; APR_ENOMEM when no larger block can be had. */
apr_status_t batch_buf_append(batch_buf_t *b, const char *data, apr_size_t n);

#endif /* BATCH_BUF_H */
