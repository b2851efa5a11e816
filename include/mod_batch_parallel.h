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
 * Operations in parallel on secondary connections (src/mod_batch_parallel.c).
 */
#ifndef MOD_BATCH_PARALLEL_H
#define MOD_BATCH_PARALLEL_H

#include <httpd.h>
#include "batch.h"
#include "mod_batch_subreq.h"

/* One batch's parallel operations and everything they use; made and used
 * by the request thread only. */
typedef struct batch_workers_t batch_workers_t;

/* For operations at most max at once (the caller's cap); APR_ENOTIMPL
 * when the process has no pool of threads. */
apr_status_t batch_workers_make(request_rec *r, batch_run_t *run,
                                int max, batch_workers_t **w);
/* Runs op on a secondary connection on a thread of the process's pool, or
 * right here when none is free; its answer comes back through
 * batch_workers_wait. The caller caps how many run at once. */
void batch_workers_start(batch_workers_t *w, const batch_op_t *op,
                         int index);
/* Waits for an operation started before to finish: its index, its answer
 * and the pool holding it, which the caller destroys once it is written. */
int batch_workers_wait(batch_workers_t *w, batch_result_t **res,
                       apr_pool_t **pool);
/* Waits for every operation started to finish, then frees everything,
 * answers not collected included. */
void batch_workers_finish(batch_workers_t *w);

#endif /* MOD_BATCH_PARALLEL_H */
