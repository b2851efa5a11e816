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
 * Every operation seen by the administrator like a request
 * (src/mod_batch_oplog.c): its access-log line and the variables that tie
 * it to its batch.
 */
#ifndef MOD_BATCH_OPLOG_H
#define MOD_BATCH_OPLOG_H

#include <httpd.h>
#include "batch.h"

/* Environment variables and notes (docs/operating.md) */
#define BATCH_ID_VAR              "BATCH_ID"
#define BATCH_OPERATION_VAR       "BATCH_OPERATION"
#define BATCH_OPERATION_INDEX_VAR "BATCH_OPERATION_INDEX"
/* notes of the batch request, for its own access-log line */
#define BATCH_OPS_RUN_NOTE        "BATCH_OPERATIONS_RUN"
#define BATCH_OPS_FAILED_NOTE     "BATCH_OPERATIONS_FAILED"
#define BATCH_OPS_NOT_RUN_NOTE    "BATCH_OPERATIONS_NOT_RUN"

/* The batch's id (its UNIQUE_ID, else one made here), put in the batch
 * request's environment and notes. */
const char *batch_oplog_batch_id(request_rec *r);

/* Gives an op's request (or one of its internal redirects) the batch's id,
 * its own id and its index. */
void batch_oplog_op_vars(request_rec *r, const char *batch_id,
                         const batch_op_t *op);

/* Writes the op's access-log line once its answer res is known: what
 * httpd's log_transaction hook does for a direct request. */
void batch_oplog_write(request_rec *rnew, const char *batch_id,
                       const batch_op_t *op, const batch_result_t *res,
                       apr_time_t started);

/* How many of the batch's n operations ran, failed (status >= 400) and
 * were not run, as notes of the batch request. */
void batch_oplog_batch_notes(request_rec *r, int n, int ran, int failed);

#endif /* MOD_BATCH_OPLOG_H */
