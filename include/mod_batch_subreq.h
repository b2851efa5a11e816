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
 * Running one operation as a subrequest (src/mod_batch_subreq.c).
 */
#ifndef MOD_BATCH_SUBREQ_H
#define MOD_BATCH_SUBREQ_H

#include <httpd.h>
#include <util_filter.h>
#include "batch.h"
#include "mod_batch_config.h"

/* The request header every op carries, as Via marks what went through a
 * proxy: a batch endpoint refuses a request that has it (508), so a batch
 * reaching a batch endpoint over HTTP (a ProxyPass back to this server) is
 * seen as nested. */
#define BATCH_DEPTH_HEADER "Batch-Depth"

/* the metric BatchServerTiming adds to an op's Server-Timing header */
#define BATCH_SERVER_TIMING_METRIC "batch-op"

/* Ops run and failed (status >= 400), counted by the threads that run
 * them (apr_atomic). */
typedef struct batch_op_counts_t {
    apr_uint32_t ran;
    apr_uint32_t failed;
} batch_op_counts_t;

typedef struct batch_run_t {
    const batch_op_t *pending;  /* the op whose subrequest is being made */
    const batch_settings_t *settings;
    ap_filter_t *capture;       /* the pending op's capture filter */
    ap_conf_vector_t *auth_dir_config;
    /* the batch's request headers an op inherits (docs/design.md), made
     * once per batch; the parent shows them while a subrequest is made */
    apr_table_t *inherited;
    const char *batch_id;       /* BATCH_ID (src/mod_batch_oplog.c) */
    /* shared with the copies parallel workers make (mod_batch_parallel.c) */
    batch_op_counts_t *counts;
} batch_run_t;

int batch_create_request(request_rec *r);
int batch_op_early(request_rec *r, int lookup);
int batch_op_perdir(request_rec *r);
int batch_op_handler_first(request_rec *r);
/* r is a subrequest or carries BATCH_DEPTH_HEADER: not a batch to run */
int batch_reached_from_operation(const request_rec *r);
batch_run_t *batch_run_begin(request_rec *r, const batch_settings_t *s);
/* Runs op as a subrequest of r (BatchEngine subrequest). */
batch_result_t *batch_op_run(request_rec *r, batch_run_t *run,
                             const batch_op_t *op, apr_pool_t *op_pool);

/* What every engine does around an op: the debug line and the status
 * page's count when it starts (returns when), and when it is answered its
 * elapsed time, Server-Timing, the debug line, the counts. */
apr_time_t batch_op_started(request_rec *r, const batch_run_t *run,
                            const batch_op_t *op);
void batch_op_finished(request_rec *r, const batch_run_t *run,
                       const batch_op_t *op, batch_result_t *res,
                       apr_time_t started, apr_pool_t *op_pool);

/* Sets op's own headers on headers (a copy of run->inherited), but those
 * the module sets itself, and the Content-Length of its body. */
void batch_op_set_headers(apr_table_t *headers, const batch_op_t *op,
                          apr_pool_t *p);

/* A response header that belongs to the hop, not to the answer
 * (Connection, Transfer-Encoding, Content-Length, Proxy-*...). */
int batch_is_hop_header(const char *name);

/* The module's 508 for an op that reaches a batch endpoint. */
batch_result_t *batch_result_loop(const batch_op_t *op, apr_pool_t *p);

/* The module's 502 for an answer over BatchMaxOperationResponseSize
 * (overflow) or cut off by its handler or backend; logged on r. */
batch_result_t *batch_op_cut_off(request_rec *r, const char *batch_id,
                                 const batch_op_t *op, int overflow,
                                 apr_size_t limit, apr_pool_t *p);

#endif /* MOD_BATCH_SUBREQ_H */
