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
 * A byte buffer that grows by doubling in malloc'd memory, freed when its
 * pool goes: an answer or a body of many megabytes is not left behind in a
 * pool each time it outgrows its block.
 */
#include <stdlib.h>
#include <string.h>

#include "batch_buf.h"

static apr_status_t buf_free(void *data)
{
    batch_buf_t *b = data;

    free(b->data);
    b->data = NULL;
    return APR_SUCCESS;
}

batch_buf_t *batch_buf_make(apr_pool_t *p, apr_size_t first)
{
    batch_buf_t *b = apr_pcalloc(p, sizeof(*b));

    b->first = first ? first : 1;
    apr_pool_cleanup_register(p, b, buf_free, apr_pool_cleanup_null);
    return b;
}

apr_status_t batch_buf_append(batch_buf_t *b, const char *data, apr_size_t n)
{
    if (b->len + n >= b->cap) {
        apr_size_t cap = b->cap ? b->cap : b->first;
        char *grown;

        /* one more byte than asked for: data stays NUL-terminated */
        while (cap <= b->len + n) {
            cap *= 2;
        }
        if (!(grown = realloc(b->data, cap))) {
            return APR_ENOMEM;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return APR_SUCCESS;
}
