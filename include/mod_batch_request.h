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
 * BatchEngine request: an operation as a main request on a secondary
 * connection (src/mod_batch_request.c).
 */
#ifndef MOD_BATCH_REQUEST_H
#define MOD_BATCH_REQUEST_H

#include <httpd.h>
#include "batch.h"
#include "mod_batch_subreq.h"

/* Runs op as a main request on a secondary connection of r's. */
batch_result_t *batch_request_run(request_rec *r, batch_run_t *run,
                                  const batch_op_t *op, apr_pool_t *op_pool);

/* Hooks: create_request, post_read_request (first, and last),
 * log_transaction (first). */
int batch_request_create(request_rec *r);
int batch_request_post_read(request_rec *r);
int batch_request_client(request_rec *r);
int batch_request_log(request_rec *r);

/* r, an op run as a request, reached a batch endpoint: it is answered as
 * the subrequest engine answers it (508, loop_detected). */
void batch_request_note_nested(request_rec *r);

/* Registers the filters at the ends of an op's connection. */
void batch_request_register(void);

#endif /* MOD_BATCH_REQUEST_H */
