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
 * Refusals of whole batches, and the answers the module makes for an
 * operation itself (src/batch_error.c).
 */
#ifndef BATCH_ERROR_H
#define BATCH_ERROR_H

#include "batch.h"

/* Builds a refusal; the message is formatted into pool p. */
batch_error_t *batch_error_make(apr_pool_t *p, int status, const char *code,
                                const char *operation, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Where an operation is, for messages: its id if it has one. */
const char *batch_op_where(apr_pool_t *p, const batch_op_t *op);

/* An answer the module makes itself (424, 502, 508...) with a JSON body. */
batch_result_t *batch_result_error(apr_pool_t *p, int status,
                                   const char *reason, const char *code,
                                   const char *message);

/* The JSON text {"error": {...}} describing a refusal. */
const char *batch_error_json(apr_pool_t *p, const batch_error_t *err);

#endif /* BATCH_ERROR_H */
