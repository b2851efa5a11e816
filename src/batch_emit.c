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

/* What every emitter writes through. */
#include "batch_emit.h"

apr_status_t batch_emit_bytes(batch_emit_t *e, const char *data,
                              apr_size_t len)
{
    return apr_brigade_write(e->bb, e->flush, e->flush_ctx, data, len);
}

apr_status_t batch_emit_separator(batch_emit_t *e, const char *sep)
{
    return e->written++ ? apr_brigade_puts(e->bb, NULL, NULL, sep)
                        : APR_SUCCESS;
}
