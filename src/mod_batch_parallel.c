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
 *  - a transit pool (on one of the pool's allocators, each with a mutex:
 *    src/mod_batch_threads.c), a secondary connection and a "fake parent"
 *    request on it (src/mod_batch_secondary.c).
 *
 * A pool thread then calls batch_op_run() on the fake parent: the
 * subrequest, its hooks, per-op auth, filters, handler, error bodies and
 * capture are the sequential path's, line for line. The answer crosses
 * back as a finished batch_result_t, plain bytes in the transit pool; the
 * request thread writes it and destroys that pool. No bucket ever crosses
 * threads.
 *
 * A started operation goes on the batch's ready list. A pool thread given
 * to the batch runs ready operations one after the other until none is
 * left, then goes idle: a thread that finishes an operation takes the
 * next without being woken again. The batch takes another pool thread
 * only when more operations are ready than its threads about to take one.
 * When the pool has no free thread, the request thread runs the
 * operations no thread will take, the sequential way, as it waits for
 * answers: a batch never waits for a thread that another batch holds, so
 * batches that wait on one another
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
    apr_allocator_t *allocator; /* the transit pools' */
    apr_pool_t *pool;           /* the request thread's only */
    apr_thread_mutex_t *lock;   /* guards everything below */
    apr_thread_cond_t *finished;
    task_queue_t ready;         /* started, not yet taken by a thread */
    task_queue_t done;
    int running;                /* started, not yet done */
    int serving;                /* pool threads taking from ready */
    int busy;                   /* of them, running an operation */
    int helpers;                /* pool threads given to this batch */
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

static int queue_length(task_queue_t *q)
{
    op_task_t *t;
    int n = 0;

    for (t = APR_RING_FIRST(q); t != APR_RING_SENTINEL(q, op_task_t, link);
         t = APR_RING_NEXT(t, link)) {
        n++;
    }
    return n;
}

static op_task_t *make_task(batch_workers_t *w, const batch_op_t *op,
                            int index)
{
    apr_pool_t *pool = batch_transit_pool(w->pool, w->allocator,
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

/* With w->lock held, which it releases while t runs: t is not touched
 * once it is in w->done, where the request thread may take it and free
 * it. */
static void run_and_hand_back(batch_workers_t *w, op_task_t *t,
                              apr_thread_t *thread, int slot)
{
    apr_thread_mutex_unlock(w->lock);
    run_task(t, thread, slot);
    apr_thread_mutex_lock(w->lock);
    queue_push(&w->done, t);
    w->running--;
}

/* batch_job_fn: a pool thread runs the batch's ready operations one
 * after the other, so one that finishes takes the next without going idle
 * and being woken again; it leaves when none is ready. */
static void serve_batch(void *ctx, apr_thread_t *thread, int slot)
{
    batch_workers_t *w = ctx;
    op_task_t *t;

    apr_thread_mutex_lock(w->lock);
    while ((t = queue_pop(&w->ready)) != NULL) {
        w->busy++;
        run_and_hand_back(w, t, thread, slot);
        w->busy--;
        apr_thread_cond_signal(w->finished);
    }
    w->serving--;
    apr_thread_mutex_unlock(w->lock);
}

/* batch_job_fn, once the thread is idle again: w is not touched after
 * the unlock, as batch_workers_finish may then destroy it. */
static void helper_left(void *ctx, apr_thread_t *thread, int slot)
{
    batch_workers_t *w = ctx;

    (void)thread;
    (void)slot;
    apr_thread_mutex_lock(w->lock);
    w->helpers--;
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
    /* by the batch's connection: request threads of the MPM spread over
     * the allocators, and a batch's operations reuse what its last freed */
    w->allocator = batch_threads_allocator(threads, r->connection->id);
    w->pool = pool;
    APR_RING_INIT(&w->ready, op_task_t, link);
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

/* With w->lock held: whether more operations are ready than the batch's
 * pool threads about to take one (given one, not yet running it). */
static int uncovered(batch_workers_t *w)
{
    return queue_length(&w->ready) > w->serving - w->busy;
}

/* A pool thread for the ready operations that no thread serves yet; when
 * the pool has none, the request thread runs them as it waits
 * (batch_workers_wait). */
static void add_helper(batch_workers_t *w, const batch_op_t *op)
{
    batch_thread_t *th = NULL;
    apr_status_t rv = batch_threads_take(w->threads, &th);

    if (rv == APR_SUCCESS) {
        batch_thread_run(th, serve_batch, helper_left, w);
        return;
    }
    apr_thread_mutex_lock(w->lock);
    w->serving--;
    w->helpers--;
    apr_thread_mutex_unlock(w->lock);
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
}

void batch_workers_start(batch_workers_t *w, const batch_op_t *op, int index)
{
    op_task_t *t = make_task(w, op, index);
    int more;

    apr_thread_mutex_lock(w->lock);
    queue_push(&w->ready, t);
    w->running++;
    more = uncovered(w);
    if (more) {
        w->serving++;
        w->helpers++;
    }
    apr_thread_mutex_unlock(w->lock);
    if (more) {
        add_helper(w, op);
    }
}

int batch_workers_wait(batch_workers_t *w, batch_result_t **res,
                       apr_pool_t **pool)
{
    op_task_t *t;

    apr_thread_mutex_lock(w->lock);
    while (APR_RING_EMPTY(&w->done, op_task_t, link)) {
        /* an operation no pool thread will take (the pool is full) runs
         * here, as the sequential path would run it */
        t = uncovered(w) ? queue_pop(&w->ready) : NULL;
        if (t) {
            run_and_hand_back(w, t, w->r->connection->current_thread, 0);
        }
        else {
            apr_thread_cond_wait(w->finished, w->lock);
        }
    }
    t = queue_pop(&w->done);
    apr_thread_mutex_unlock(w->lock);
    *res = t->result;
    *pool = t->pool;
    return t->index;
}

void batch_workers_finish(batch_workers_t *w)
{
    /* every operation started has finished and every pool thread given
     * to the batch is idle again: none touches anything of it any more */
    apr_thread_mutex_lock(w->lock);
    while (w->running || w->helpers) {
        apr_thread_cond_wait(w->finished, w->lock);
    }
    apr_thread_mutex_unlock(w->lock);
    apr_pool_destroy(w->pool);
}

#endif /* APR_HAS_THREADS */
