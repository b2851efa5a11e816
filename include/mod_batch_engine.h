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
 * The one place an operation is run, with the location's BatchEngine
 * (src/mod_batch_engine.c).
 */
#ifndef MOD_BATCH_ENGINE_H
#define MOD_BATCH_ENGINE_H

#include <httpd.h>
#include "batch.h"
#include "mod_batch_subreq.h"

/* Runs op for the batch request r (or a worker's fake parent of it); the
 * answer is allocated in op_pool. */
batch_result_t *batch_engine_run(request_rec *r, batch_run_t *run,
                                 const batch_op_t *op, apr_pool_t *op_pool);

#endif /* MOD_BATCH_ENGINE_H */
