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
 * What the server-status page (mod_status, ExtendedStatus On) shows of
 * mod_batch: batches and operations in flight, operations running on
 * worker threads now, the threads the module runs (its pool: the cap,
 * those alive, busy and idle) and totals since the child started.
 *
 * The figures are those of the child process that answers the status
 * request: one set of counters per process, made at child_init from the
 * child's pool and kept as userdata of the process pool, where every
 * request finds it (server_rec's process). Threads of the process update
 * them with apr_atomic only, so no lock is taken on a request's path and
 * no static variable of the module changes. Sums over all children would
 * need shared memory (a slotmem or the scoreboard), which the module does
 * not take.
 */
#include <apr_atomic.h>

#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <mod_status.h>
#include <scoreboard.h>

#include "mod_batch_status.h"
#include "mod_batch.h"
#include "mod_batch_threads.h"

#define STATS_KEY "mod_batch.status"

typedef struct batch_stats_t {
    volatile apr_uint32_t batches_now;
    volatile apr_uint32_t ops_now;
    volatile apr_uint32_t parallel_now;
    volatile apr_uint32_t batches;
    volatile apr_uint32_t ops;
    volatile apr_uint32_t failed;
    volatile apr_uint32_t refused;
} batch_stats_t;

static batch_stats_t *stats_of(const server_rec *s)
{
    void *stats = NULL;

    apr_pool_userdata_get(&stats, STATS_KEY, s->process->pool);
    return stats;
}

/* before the child's threads start: the only write to the userdata */
static void make_stats(apr_pool_t *pchild, server_rec *s)
{
    batch_stats_t *stats = apr_pcalloc(pchild, sizeof(*stats));

    apr_pool_userdata_setn(stats, STATS_KEY, NULL, s->process->pool);
}

void batch_status_batch_begin(const server_rec *s)
{
    batch_stats_t *stats = stats_of(s);

    if (stats) {
        apr_atomic_inc32(&stats->batches_now);
        apr_atomic_inc32(&stats->batches);
    }
}

void batch_status_batch_end(const server_rec *s)
{
    batch_stats_t *stats = stats_of(s);

    if (stats) {
        apr_atomic_dec32(&stats->batches_now);
    }
}

void batch_status_refused(const server_rec *s)
{
    batch_stats_t *stats = stats_of(s);

    if (stats) {
        apr_atomic_inc32(&stats->refused);
    }
}

void batch_status_op_begin(const server_rec *s, int parallel)
{
    batch_stats_t *stats = stats_of(s);

    if (stats) {
        apr_atomic_inc32(&stats->ops_now);
        apr_atomic_inc32(&stats->ops);
        if (parallel) {
            apr_atomic_inc32(&stats->parallel_now);
        }
    }
}

void batch_status_op_end(const server_rec *s, int parallel, int status)
{
    batch_stats_t *stats = stats_of(s);

    if (stats) {
        apr_atomic_dec32(&stats->ops_now);
        if (parallel) {
            apr_atomic_dec32(&stats->parallel_now);
        }
        if (status >= 400) {
            apr_atomic_inc32(&stats->failed);
        }
    }
}

/* The request a worker's scoreboard slot shows (scoreboard.c
 * ap_update_child_status: its request line, client and virtual host under
 * ExtendedStatus), its status kept. Only on the batch's own connection: a
 * secondary connection's thread has no slot of its own. */
void batch_status_show_request(request_rec *shown)
{
    batch_status_show_on(shown->connection, shown);
}

void batch_status_show_on(conn_rec *c, request_rec *shown)
{
    worker_score *ws;

    if (c->master || !(ws = ap_get_scoreboard_worker(c->sbh))) {
        return;
    }
    ap_update_child_status(c->sbh, ws->status, shown);
}

typedef struct figure_t {
    const char *key;            /* ?auto */
    const char *label;          /* HTML */
    apr_uint32_t value;
} figure_t;

static void show_figures(request_rec *r, int flags, const figure_t *f,
                         int n)
{
    int i;

    if (flags & AP_STATUS_SHORT) {
        for (i = 0; i < n; i++) {
            ap_rprintf(r, "%s: %u\n", f[i].key, (unsigned)f[i].value);
        }
        return;
    }
    ap_rputs("<hr />\n<h2>" BATCH_PRODUCT " (this child process)</h2>\n"
             "<dl>\n", r);
    for (i = 0; i < n; i++) {
        ap_rprintf(r, "<dt>%s: %u</dt>\n", f[i].label,
                   (unsigned)f[i].value);
    }
    ap_rputs("</dl>\n", r);
}

/* the process's pool of threads; all 0 without one */
static batch_threads_count_t threads_count(const server_rec *s)
{
    batch_threads_t *threads = batch_threads_of(s);
    batch_threads_count_t n = { 0, 0, 0 };

    if (threads) {
        batch_threads_count(threads, &n);
    }
    return n;
}

static void show_stats(request_rec *r, int flags, batch_stats_t *st)
{
    const batch_threads_count_t n = threads_count(r->server);
    const figure_t f[] = {
        { "BatchBatchesInFlight", "Batches in flight",
          apr_atomic_read32(&st->batches_now) },
        { "BatchOperationsInFlight", "Operations in flight",
          apr_atomic_read32(&st->ops_now) },
        { "BatchOperationsInParallel",
          "Operations running on worker threads now",
          apr_atomic_read32(&st->parallel_now) },
        { "BatchBatchesTotal", "Batches run since start",
          apr_atomic_read32(&st->batches) },
        { "BatchOperationsTotal", "Operations run since start",
          apr_atomic_read32(&st->ops) },
        { "BatchOperationsFailedTotal",
          "Operations answering 400 or more since start",
          apr_atomic_read32(&st->failed) },
        { "BatchRefusedTotal", "Batches refused since start",
          apr_atomic_read32(&st->refused) },
        { "BatchThreadsMax", "Threads for parallel operations at most "
          "(BatchMaxThreads)", (apr_uint32_t)n.max },
        { "BatchThreads", "Threads for parallel operations alive",
          (apr_uint32_t)n.started },
        { "BatchThreadsBusy", "Threads running an operation now",
          (apr_uint32_t)n.busy },
        { "BatchThreadsIdle", "Threads idle now",
          (apr_uint32_t)(n.started - n.busy) },
    };

    show_figures(r, flags, f, (int)(sizeof(f) / sizeof(f[0])));
}

/* mod_status.h status_hook: run for every status page; the figures are
 * shown with ExtendedStatus On, as mod_status shows its own details. */
static int batch_status_hook(request_rec *r, int flags)
{
    batch_stats_t *st = stats_of(r->server);

    if (st && (flags & AP_STATUS_EXTENDED)) {
        show_stats(r, flags, st);
    }
    return OK;
}

void batch_status_register(void)
{
    ap_hook_child_init(make_stats, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, batch_status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
