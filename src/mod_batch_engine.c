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
 * BatchEngine: which way an operation runs. The sequential executor and
 * the parallel workers both call batch_engine_run.
 */
#include <httpd.h>

#include "mod_batch_engine.h"
#include "mod_batch_config.h"
#include "mod_batch_request.h"

batch_result_t *batch_engine_run(request_rec *r, batch_run_t *run,
                                 const batch_op_t *op, apr_pool_t *op_pool)
{
    if (run->settings->engine == BATCH_ENGINE_REQUEST) {
        return batch_request_run(r, run, op, op_pool);
    }
    return batch_op_run(r, run, op, op_pool);
}
