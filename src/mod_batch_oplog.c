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
 * An operation's access-log line and correlation variables
 * (docs/operating.md, docs/design.md). httpd runs the log_transaction hook
 * only for a main request, when its EOR bucket is destroyed
 * (server/eor_bucket.c eor_bucket_cleanup); an op is a subrequest, so the
 * module runs mod_log_config's hook for it once its answer is captured, after putting
 * on it what a direct request's line reads: the status answered, the body
 * bytes, its own start time.
 */
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>

#include "mod_batch_oplog.h"
#include "mod_batch.h"
#include "mod_batch_hooks.h"

/* mod_unique_id's variable (modules/metadata/mod_unique_id.c
 * set_unique_id), set for a main request in post_read_request */
#define UNIQUE_ID_VAR "UNIQUE_ID"

/* Room for mod_logio's per-connection counters (logio_config_t in
 * modules/loggers/mod_logio.c: three apr_off_t), with some to spare. */
#define LOGIO_SCRATCH_SLOTS 16

#define LOG_CONFIG_MODULE "mod_log_config.c"

static void set_var(request_rec *r, const char *name, const char *value)
{
    apr_table_setn(r->subprocess_env, name, value);
    apr_table_setn(r->notes, name, value);
}

/* Without mod_unique_id: the start of the batch in microseconds and the
 * connection's id, which no other connection of the server holds at the
 * same time (the MPM's scoreboard slot). */
static const char *made_batch_id(request_rec *r)
{
    return apr_psprintf(r->pool, "%" APR_UINT64_T_HEX_FMT "-%lx",
                        (apr_uint64_t)r->request_time,
                        (unsigned long)r->connection->id);
}

const char *batch_oplog_batch_id(request_rec *r)
{
    const char *id = apr_table_get(r->subprocess_env, UNIQUE_ID_VAR);

    if (!id) {
        id = made_batch_id(r);
    }
    set_var(r, BATCH_ID_VAR, id);
    return id;
}

void batch_oplog_op_vars(request_rec *r, const char *batch_id,
                         const batch_op_t *op)
{
    set_var(r, BATCH_ID_VAR, batch_id);
    set_var(r, BATCH_OPERATION_VAR, op->id);
    set_var(r, BATCH_OPERATION_INDEX_VAR,
            apr_itoa(r->pool, op->index));
}

/* What a direct request's line shows, put on the op's requests: its own
 * start (a subrequest has its parent's request_time, server/request.c
 * make_sub_request, so %D, %T and %t would measure the whole batch so
 * far); on the final one of an internal redirect (what %>s, %b and %D
 * read, mod_log_config.c config_log_transaction) the status the op
 * answered, which the module may have made up (413, 502, 508), and the
 * body bytes it answered (a subrequest has no content-length filter to
 * count them, http_core.c http_create_request). */
static void set_line_figures(request_rec *rnew, const char *batch_id,
                             const batch_op_t *op, const batch_result_t *res,
                             apr_time_t started)
{
    request_rec *r;

    for (r = rnew; ; r = r->next) {
        r->request_time = started;
        batch_oplog_op_vars(r, batch_id, op);
        if (!r->next) {
            break;
        }
    }
    r->status = res->status;
    r->bytes_sent = (apr_off_t)res->body_len;
    r->sent_bodyct = res->body_len > 0;
}

/* Only mod_log_config's log_transaction hooks run for an op, as
 * batch_op_early runs only some modules' post_read_request hooks: the
 * others' would act on the batch, not on the op. mod_logio's
 * (modules/loggers/mod_logio.c logio_transaction, ordered after
 * mod_log_config's) moves the connection's byte counters into its "last
 * request" figure and zeroes them: on the batch's connection it would take
 * the bytes read and written so far from the batch's own %I, %O and %S.
 * ModSecurity 2's (mod_security2.c hook_log_transaction) finds the
 * batch's transaction from a subrequest and would run its logging phase
 * on it before the batch's answer is inspected.
 *
 * mod_logio's format items read the connection's counters
 * (mod_logio.c log_bytes_in, log_bytes_out): while an op's line is
 * written, mod_logio's slot in the connection's conn_config points to
 * zeroed scratch counters, so an op's %I, %O and %S show 0 rather than the
 * batch's bytes so far, and a sum over the log counts each byte once. Only
 * the thread running the op uses that connection meanwhile: the batch's
 * own when ops run one at a time, the op's secondary one in parallel. */
void batch_oplog_write(request_rec *rnew, const char *batch_id,
                       const batch_op_t *op, const batch_result_t *res,
                       apr_time_t started)
{
    apr_off_t scratch[LOGIO_SCRATCH_SLOTS] = { 0 };
    module *logio = ap_find_linked_module("mod_logio.c");
    ap_conf_vector_t *cc = rnew->connection->conn_config;
    void *kept = logio ? ap_get_module_config(cc, logio) : NULL;

    set_line_figures(rnew, batch_id, op, res, started);
    if (kept) {
        ap_set_module_config(cc, logio, scratch);
    }
    batch_run_module_hooks(ap_hook_get_log_transaction(), LOG_CONFIG_MODULE,
                           rnew);
    if (kept) {
        ap_set_module_config(cc, logio, kept);
    }
}

void batch_oplog_batch_notes(request_rec *r, int n, int ran, int failed)
{
    apr_table_setn(r->notes, BATCH_OPS_RUN_NOTE, apr_itoa(r->pool, ran));
    apr_table_setn(r->notes, BATCH_OPS_FAILED_NOTE,
                   apr_itoa(r->pool, failed));
    apr_table_setn(r->notes, BATCH_OPS_NOT_RUN_NOTE,
                   apr_itoa(r->pool, n - ran));
}
