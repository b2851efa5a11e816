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
#include "batch.h"
#include "mod_batch_config.h"

/* The request header every op carries, as Via marks what went through a
 * proxy: a batch endpoint refuses a request that has it (508), so a batch
 * reaching a batch endpoint over HTTP (a ProxyPass back to this server) is
 * seen as nested. */
#define BATCH_DEPTH_HEADER "Batch-Depth"

typedef struct batch_run_t {
    const batch_op_t *pending;  /* the op whose subrequest is being made */
    const batch_settings_t *settings;
    ap_filter_t *capture;       /* the pending op's capture filter */
    ap_conf_vector_t *auth_dir_config;
    /* the batch's request headers an op inherits (docs/design.md), made
     * once per batch; the parent shows them while a subrequest is made */
    apr_table_t *inherited;
} batch_run_t;

int batch_create_request(request_rec *r);
int batch_op_early(request_rec *r, int lookup);
int batch_op_perdir(request_rec *r);
int batch_op_handler_first(request_rec *r);
/* r is a subrequest or carries BATCH_DEPTH_HEADER: not a batch to run */
int batch_reached_from_operation(const request_rec *r);
batch_run_t *batch_run_begin(request_rec *r, const batch_settings_t *s);
batch_result_t *batch_op_run(request_rec *r, batch_run_t *run,
                             const batch_op_t *op, apr_pool_t *op_pool);

#endif /* MOD_BATCH_SUBREQ_H */
