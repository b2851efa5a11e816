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
 * Operations in parallel (BatchConcurrency N > 1): worker threads
 * that run one operation each, exactly as the sequential path runs it.
 *
 * Design. Subrequests of one request cannot run in threads side by side:
 * they share its pool, its connection (bucket allocator, filters, conn
 * config) and fields of r->main that modules write (docs/design.md). So
 * each operation gets what mod_http2 gives a stream (h2_mplx.c
 * c2_transit_create, h2_c2.c h2_c2_create), made in the request thread
 * before a worker sees it:
 *
 *  - a transit pool with its own allocator, a secondary connection and a
 *    "fake parent" request on it (src/mod_batch_secondary.c).
 *
 * A worker then calls batch_op_run() on the fake parent: the subrequest,
 * its hooks, per-op auth, filters, handler, error bodies and capture are
 * the sequential path's, line for line. The answer crosses back as a
 * finished batch_result_t, plain bytes in the transit pool; the request
 * thread writes it and destroys that pool. No bucket ever crosses threads.
 *
 * Why threads per batch rather than one pool of threads per process: the
 * limit N is then exact per batch, one batch cannot starve another (an
 * operation proxied back to this server's batch endpoint would deadlock a
 * shared, full pool), nothing global is needed, and the handler joins
 * every thread it made before it returns. A thread is made only when the
 * operations in flight outnumber the threads, so a batch makes at most
 * min(N, operations) threads; creating one costs microseconds next to a
 * subrequest.
 *
 * Running each operation as a main request instead was not taken: it needs a protocol filter of our own to
 * collect status and headers, gives operations access-log lines and
 * post_read_request hooks the sequential path does not have, and loses the
 * "authenticated like a direct request" semantics that the per-dir swap
 * gives the sequential path. The fake parent keeps both paths identical.
 */
#include <apr_ring.h>
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include <httpd.h>
#include <http_log.h>
#include <http_request.h>
#include <mpm_common.h>

#include "mod_batch_parallel.h"
#include "batch.h"
#include "mod_batch.h"
#include "mod_batch_engine.h"
#include "mod_batch_secondary.h"
#include "mod_batch_subreq.h"

APLOG_USE_MODULE(batch);

#if APR_HAS_THREADS

typedef struct op_task_t op_task_t;

struct op_task_t {
    APR_RING_ENTRY(op_task_t) link;
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
    apr_pool_t *pool;           /* own allocator, with a mutex */
    apr_threadattr_t *attr;
    apr_thread_mutex_t *lock;   /* guards everything below */
    apr_thread_cond_t *queued;  /* a task to run, or quit */
    apr_thread_cond_t *finished;
    task_queue_t todo;
    task_queue_t done;
    apr_thread_t **threads;
    int nthreads;
    int max;
    int in_flight;              /* started and not yet collected */
    int quit;
};

typedef struct worker_t {
    batch_workers_t *w;
    int slot;
} worker_t;

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
                            int index)
{
    apr_pool_t *pool = batch_transit_pool(w->pool, "batch_op_transit");
    op_task_t *t = apr_pcalloc(pool, sizeof(*t));

    t->index = index;
    t->op = op;
    t->pool = pool;
    t->c1_id = w->r->connection->id;
    t->c2 = batch_secondary_make(w->r->connection, pool);
    t->run = apr_pmemdup(pool, w->run, sizeof(*t->run));
    t->run->pending = NULL;
    t->run->capture = NULL;
    t->parent = batch_secondary_parent(w->r, t->c2, t->run);
    return t;
}

/* In a worker thread (or, failing any, the request thread): everything
 * touched here belongs to the task. */
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

/* With w->lock held: the next task, waiting for one; NULL once told to
 * quit and nothing is left. */
static op_task_t *next_task(batch_workers_t *w)
{
    while (APR_RING_EMPTY(&w->todo, op_task_t, link) && !w->quit) {
        apr_thread_cond_wait(w->queued, w->lock);
    }
    return queue_pop(&w->todo);
}

static void *APR_THREAD_FUNC worker_main(apr_thread_t *thread, void *data)
{
    worker_t *me = data;
    batch_workers_t *w = me->w;
    op_task_t *t;

    apr_thread_mutex_lock(w->lock);
    while ((t = next_task(w))) {
        apr_thread_mutex_unlock(w->lock);
        run_task(t, thread, me->slot);
        apr_thread_mutex_lock(w->lock);
        queue_push(&w->done, t);
        apr_thread_cond_signal(w->finished);
    }
    apr_thread_mutex_unlock(w->lock);
    /* destroys this thread's pool, a child of w->pool, under its mutex */
    apr_thread_exit(thread, APR_SUCCESS);
    return NULL;
}

/* With w->lock held. */
static apr_status_t add_thread(batch_workers_t *w)
{
    worker_t *me = apr_pcalloc(w->pool, sizeof(*me));
    apr_status_t rv;

    me->w = w;
    me->slot = w->nthreads;
    /* ap_thread_create (httpd 2.4.51) also gives the thread the
     * ap_thread_current() that httpd's own threads have */
#if AP_MODULE_MAGIC_AT_LEAST(20120211, 122)
    rv = ap_thread_create(&w->threads[w->nthreads], w->attr, worker_main, me,
                          w->pool);
#else
    rv = apr_thread_create(&w->threads[w->nthreads], w->attr, worker_main,
                           me, w->pool);
#endif
    if (rv == APR_SUCCESS) {
        w->nthreads++;
    }
    return rv;
}

apr_status_t batch_workers_make(request_rec *r, const batch_run_t *run,
                                int max, batch_workers_t **wp)
{
    batch_workers_t *w;
    apr_pool_t *pool = batch_transit_pool(r->pool, "batch_workers");
    apr_thread_mutex_t *alloc_lock;
    apr_status_t rv;

    w = apr_pcalloc(pool, sizeof(*w));
    w->r = r;
    w->run = run;
    w->pool = pool;
    w->max = max;
    w->threads = apr_pcalloc(pool, sizeof(*w->threads) * max);
    APR_RING_INIT(&w->todo, op_task_t, link);
    APR_RING_INIT(&w->done, op_task_t, link);
    if ((rv = apr_thread_mutex_create(&alloc_lock, APR_THREAD_MUTEX_DEFAULT,
                                      pool)) != APR_SUCCESS
        || (rv = apr_thread_mutex_create(&w->lock, APR_THREAD_MUTEX_DEFAULT,
                                         pool)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&w->queued, pool)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&w->finished, pool)) != APR_SUCCESS
        || (rv = apr_threadattr_create(&w->attr, pool)) != APR_SUCCESS) {
        apr_pool_destroy(pool);
        return rv;
    }
    apr_allocator_mutex_set(apr_pool_allocator_get(pool), alloc_lock);
    if (ap_thread_stacksize) {
        apr_threadattr_stacksize_set(w->attr, ap_thread_stacksize);
    }
    *wp = w;
    return APR_SUCCESS;
}

void batch_workers_start(batch_workers_t *w, const batch_op_t *op, int index)
{
    op_task_t *t = make_task(w, op, index);
    apr_status_t rv = APR_SUCCESS;

    apr_thread_mutex_lock(w->lock);
    queue_push(&w->todo, t);
    w->in_flight++;
    /* one thread per operation in flight, made when first needed */
    if (w->nthreads < w->in_flight && w->nthreads < w->max) {
        rv = add_thread(w);
    }
    apr_thread_cond_signal(w->queued);
    if (w->nthreads) {
        apr_thread_mutex_unlock(w->lock);
        if (rv != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, w->r,
                          BATCH_LOGNO(1401) "could not start another "
                          "thread; %d operations run at once", w->nthreads);
        }
        return;
    }
    /* no thread at all: run it here, the sequential way */
    queue_pop(&w->todo);
    apr_thread_mutex_unlock(w->lock);
    ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, w->r, BATCH_LOGNO(1402)
                  "could not start a thread; operation %s runs in the "
                  "request's own thread", op->id);
    run_task(t, NULL, 0);
    apr_thread_mutex_lock(w->lock);
    queue_push(&w->done, t);
    apr_thread_mutex_unlock(w->lock);
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
    w->in_flight--;
    apr_thread_mutex_unlock(w->lock);
    *res = t->result;
    *pool = t->pool;
    return t->index;
}

void batch_workers_finish(batch_workers_t *w)
{
    apr_status_t exit_rv;
    int i;

    apr_thread_mutex_lock(w->lock);
    w->quit = 1;
    apr_thread_cond_broadcast(w->queued);
    apr_thread_mutex_unlock(w->lock);
    /* a worker leaves only once the queue is empty: every operation
     * started has finished when the last join returns */
    for (i = 0; i < w->nthreads; i++) {
        apr_thread_join(&exit_rv, w->threads[i]);
    }
    apr_pool_destroy(w->pool);
}

#endif /* APR_HAS_THREADS */
