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
 * The multipart/mixed emitter (src/batch_emit_multipart.c).
 */
#ifndef BATCH_EMIT_MULTIPART_H
#define BATCH_EMIT_MULTIPART_H

#include "batch.h"
#include "batch_format.h"

const char *batch_emit_multipart_type(batch_emit_t *e);
apr_status_t batch_emit_multipart_begin(batch_emit_t *e);
apr_status_t batch_emit_multipart_result(batch_emit_t *e,
                                         const batch_op_t *op,
                                         const batch_result_t *res);
apr_status_t batch_emit_multipart_end(batch_emit_t *e);

#endif /* BATCH_EMIT_MULTIPART_H */
