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
 * Operations in parallel (BatchConcurrency N > 1): each runs on a thread
 * of the process's pool (src/mod_batch_threads.c), exactly as the
 * sequential path runs it.
 *
 * Design. Subrequests of one request cannot run in threads side by side:
 * they share its pool, its connection (bucket allocator, filters, conn
 * config) and fields of r->main that modules write (docs/design.md). So
 * each operation gets what mod_http2 gives a stream (h2_mplx.c
 * c2_transit_create, h2_c2.c h2_c2_create), made in the request thread
 * before a thread sees it:
 *
 *  - a transit pool (on the allocator of the pool thread that runs it, or
 *    the request's when it runs in the request thread), a secondary
 *    connection and a "fake parent" request on it
 *    (src/mod_batch_secondary.c).
 *
 * A pool thread then calls batch_op_run() on the fake parent: the
 * subrequest, its hooks, per-op auth, filters, handler, error bodies and
 * capture are the sequential path's, line for line. The answer crosses
 * back as a finished batch_result_t, plain bytes in the transit pool; the
 * request thread writes it and destroys that pool. No bucket ever crosses
 * threads.
 *
 * When the pool has no free thread the operation runs in the request's
 * own thread, the sequential way, right away: a batch never waits for a
 * thread that another batch holds, so batches that wait on one another
 * (an operation proxied back to this server) cannot deadlock, and nothing
 * queues without bound. The executor caps the operations in flight at N
 * (src/mod_batch_execute.c); batch_workers_finish waits for every one
 * started, so none outlives the handler.
 *
 * Running each operation as a main request instead was not taken: it
 * needs a protocol filter of our own to collect status and headers, gives
 * operations access-log lines and post_read_request hooks the sequential
 * path does not have, and loses the "authenticated like a direct request"
 * semantics that the per-dir swap gives the sequential path. The fake
 * parent keeps both paths identical.
 */
#include <apr_ring.h>
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>

#include <httpd.h>
#include <http_log.h>
#include <http_request.h>

#include "mod_batch_parallel.h"
#include "batch.h"
#include "mod_batch.h"
#include "mod_batch_engine.h"
#include "mod_batch_secondary.h"
#include "mod_batch_subreq.h"
#include "mod_batch_threads.h"

APLOG_USE_MODULE(batch);

#if APR_HAS_THREADS

typedef struct op_task_t op_task_t;

struct op_task_t {
    APR_RING_ENTRY(op_task_t) link;
    batch_workers_t *w;
    int index;
    const batch_op_t *op;
    apr_pool_t *pool;           /* transit: own allocator, the answer's */
    conn_rec *c2;
    long c1_id;
    request_rec *parent;
    batch_run_t *run;
    batch_result_t *result;
};

APR_RING_HEAD(task_queue_t, op_task_t);
typedef struct task_queue_t task_queue_t;

struct batch_workers_t {
    request_rec *r;
    const batch_run_t *run;
    batch_threads_t *threads;
    apr_pool_t *pool;           /* the request thread's only */
    apr_thread_mutex_t *lock;   /* guards everything below */
    apr_thread_cond_t *finished;
    task_queue_t done;
    int running;                /* on pool threads, not yet done */
};

static void queue_push(task_queue_t *q, op_task_t *t)
{
    APR_RING_INSERT_TAIL(q, t, op_task_t, link);
}

/* The first task of q, taken off it; NULL when q is empty. */
static op_task_t *queue_pop(task_queue_t *q)
{
    op_task_t *t;

    if (APR_RING_EMPTY(q, op_task_t, link)) {
        return NULL;
    }
    t = APR_RING_FIRST(q);
    APR_RING_REMOVE(t, link);
    return t;
}

static op_task_t *make_task(batch_workers_t *w, const batch_op_t *op,
                            int index, apr_allocator_t *allocator)
{
    apr_pool_t *pool = batch_transit_pool(w->pool, allocator,
                                          "batch_op_transit");
    op_task_t *t = apr_pcalloc(pool, sizeof(*t));

    t->w = w;
    t->index = index;
    t->op = op;
    t->pool = pool;
    t->c1_id = w->r->connection->id;
    t->c2 = batch_secondary_make(w->r->connection, pool,
                                 batch_threads_dummy_socket(w->threads));
    t->run = apr_pmemdup(pool, w->run, sizeof(*t->run));
    t->run->pending = NULL;
    t->run->capture = NULL;
    t->parent = batch_secondary_parent(w->r, t->c2, t->run);
    return t;
}

/* In a pool thread (slot >= 1) or the request thread (slot 0):
 * everything touched here belongs to the task. */
static void run_task(op_task_t *t, apr_thread_t *thread, int slot)
{
    t->c2->current_thread = thread;
    t->c2->id = batch_secondary_id(t->c1_id, slot);
    t->result = batch_engine_run(t->parent, t->run, t->op, t->pool);
    /* here, not in the request thread: mod_cgi's process cleanups may
     * wait for a script (mod_cgi.c notes them on r->main->pool) */
    apr_pool_destroy(t->parent->pool);
    t->parent = NULL;
}

/* batch_job_fn: the job a pool thread runs */
static void run_on_thread(void *ctx, apr_thread_t *thread, int slot)
{
    run_task(ctx, thread, slot);
}

/* batch_job_fn, or in the request thread: t is not touched once it is in
 * w->done, where the request thread may take it and free it. */
static void hand_back(void *ctx, apr_thread_t *thread, int slot)
{
    op_task_t *t = ctx;
    batch_workers_t *w = t->w;

    (void)thread;
    (void)slot;
    apr_thread_mutex_lock(w->lock);
    queue_push(&w->done, t);
    w->running--;
    apr_thread_cond_signal(w->finished);
    apr_thread_mutex_unlock(w->lock);
}

apr_status_t batch_workers_make(request_rec *r, const batch_run_t *run,
                                batch_workers_t **wp)
{
    batch_threads_t *threads = batch_threads_of(r->server);
    batch_workers_t *w;
    apr_pool_t *pool;
    apr_status_t rv;

    if (!threads) {
        return APR_ENOTIMPL;
    }
    apr_pool_create(&pool, r->pool);
    apr_pool_tag(pool, "batch_workers");
    w = apr_pcalloc(pool, sizeof(*w));
    w->r = r;
    w->run = run;
    w->threads = threads;
    w->pool = pool;
    APR_RING_INIT(&w->done, op_task_t, link);
    if ((rv = apr_thread_mutex_create(&w->lock, APR_THREAD_MUTEX_DEFAULT,
                                      pool)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&w->finished, pool))
           != APR_SUCCESS) {
        apr_pool_destroy(pool);
        return rv;
    }
    *wp = w;
    return APR_SUCCESS;
}

void batch_workers_start(batch_workers_t *w, const batch_op_t *op, int index)
{
    batch_thread_t *th = NULL;
    apr_status_t rv = batch_threads_take(w->threads, &th);
    op_task_t *t = make_task(w, op, index,
                             th ? batch_thread_allocator(th)
                                : apr_pool_allocator_get(w->pool));

    apr_thread_mutex_lock(w->lock);
    w->running++;
    apr_thread_mutex_unlock(w->lock);
    if (th) {
        batch_thread_run(th, run_on_thread, hand_back, t);
        return;
    }
    if (rv == APR_EAGAIN) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, w->r, BATCH_LOGNO(1404)
                      "every thread of the pool is busy; operation %s runs "
                      "in the request's own thread", op->id);
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, w->r, BATCH_LOGNO(1402)
                      "could not start a thread; operation %s runs in the "
                      "request's own thread", op->id);
    }
    run_task(t, w->r->connection->current_thread, 0);
    hand_back(t, NULL, 0);
}

int batch_workers_wait(batch_workers_t *w, batch_result_t **res,
                       apr_pool_t **pool)
{
    op_task_t *t;

    apr_thread_mutex_lock(w->lock);
    while (APR_RING_EMPTY(&w->done, op_task_t, link)) {
        apr_thread_cond_wait(w->finished, w->lock);
    }
    t = queue_pop(&w->done);
    apr_thread_mutex_unlock(w->lock);
    *res = t->result;
    *pool = t->pool;
    return t->index;
}

void batch_workers_finish(batch_workers_t *w)
{
    /* every operation started has finished once none runs: the pool
     * threads no longer touch anything of this batch */
    apr_thread_mutex_lock(w->lock);
    while (w->running) {
        apr_thread_cond_wait(w->finished, w->lock);
    }
    apr_thread_mutex_unlock(w->lock);
    apr_pool_destroy(w->pool);
}

#endif /* APR_HAS_THREADS */
