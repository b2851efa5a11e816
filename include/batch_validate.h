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
 * Validation (src/batch_validate.c): the whole batch is checked before
 * anything runs.
 */
#ifndef BATCH_VALIDATE_H
#define BATCH_VALIDATE_H

#include "batch.h"

/* BatchAllowMethods' default, a fresh array in p. */
apr_array_header_t *batch_default_allow_methods(apr_pool_t *p);

/* Checks the whole batch against the limits; resolves targets, upper-cases
 * methods and computes the execution order. NULL when the batch is good. */
batch_error_t *batch_validate(apr_pool_t *p, batch_t *batch,
                              const batch_limits_t *limits);

/* Checks op's url and headers as batch_validate does and sets op->target:
 * for an operation whose result references were just substituted. */
batch_error_t *batch_validate_target(apr_pool_t *p, batch_op_t *op,
                                     const batch_limits_t *limits);

/* What makes url unusable as an operation's URL (an absolute or
 * network-path URL, a fragment, a control character...), or NULL. */
const char *batch_url_problem(const char *url);

#endif /* BATCH_VALIDATE_H */
