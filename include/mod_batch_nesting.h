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
 * Nested batches (src/mod_batch_nesting.c): an operation that targets the
 * batch endpoint itself.
 */
#ifndef MOD_BATCH_NESTING_H
#define MOD_BATCH_NESTING_H

#include <httpd.h>
#include "batch.h"
#include "mod_batch_config.h"

/* A 400 refusal, made in p, when op targets the batch endpoint itself. */
batch_error_t *batch_check_nesting(request_rec *r, const batch_settings_t *s,
                                   const batch_op_t *op, apr_pool_t *p);

#endif /* MOD_BATCH_NESTING_H */
