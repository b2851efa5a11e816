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
 * of the process's pool (src/mod_batch_threads.c) or in the request's own
 * thread, exactly as the sequential path runs it.
 *
 * Design. Subrequests of one request cannot run in threads side by side:
 * they share its pool, its connection (bucket allocator, filters, conn
 * config) and fields of r->main that modules write (docs/design.md). So
 * each operation a pool thread runs gets what mod_http2 gives a stream
 * (h2_mplx.c c2_transit_create, h2_c2.c h2_c2_create), made in the
 * request thread before a thread sees it:
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
 * to the batch runs ready operations one after the other, so one that
 * finishes takes the next without being woken again; when none is ready
 * it lingers a moment (LINGER_DELAY) for the request thread to start
 * more, then goes back to the pool. Waking a thread is what a parallel
 * operation costs most (a context switch each way), so a batch wakes few:
 *
 *  - it takes its first thread at once, more only when its ready
 *    operations have waited STALL_DELAY on busy threads that finished
 *    nothing meanwhile: operations that wait (on a backend, a lock) soon
 *    get a thread each, cheap ones keep one thread busy;
 *  - the request thread sleeps until half of the operations in flight
 *    have answered, or none is left ready, and then collects them all and
 *    starts as many;
 *  - once the batch's operations proved cheap (under CHEAP_COST on
 *    average), the request thread runs ready ones itself instead of
 *    sleeping, on the batch request, as the sequential path runs them;
 *    and it takes no thread for them while the pool's threads lately
 *    took longer to begin a job than the operations take to run: the CPUs
 *    are busy, and a thread would add switches, not speed. One of them
 *    that turns out slow delays the start of the next ones (the threads
 *    serving the batch go on with those ready).
 *
 * The secondary connection and fake parent of an operation are made when
 * a thread may take it (prepare_task), not for those the request thread
 * runs. When the pool has no free thread, the request thread runs the
 * operations no thread will take, as it waits for answers: a batch never
 * waits for a thread that another batch holds, so batches that wait on
 * one another (an operation proxied back to this server) cannot deadlock,
 * and nothing queues without bound. The executor caps the operations in
 * flight at N (src/mod_batch_execute.c); batch_workers_finish waits for
 * every one started, so none outlives the handler.
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

APR_RING_HEAD(task_ring_t, op_task_t);

typedef struct task_queue_t {
    struct task_ring_t ring;
    int length;
} task_queue_t;

struct batch_workers_t {
    request_rec *r;
    batch_run_t *run;           /* the request's own */
    batch_threads_t *threads;
    apr_allocator_t *allocator; /* the transit pools' */
    apr_pool_t *pool;           /* the request thread's only */
    int max;                    /* BatchConcurrency */
    apr_thread_mutex_t *lock;   /* guards everything below */
    apr_thread_cond_t *finished;
    apr_thread_cond_t *more;    /* ready operations for a lingering thread */
    task_queue_t ready;         /* started, not yet taken by a thread */
    task_queue_t done;
    int running;                /* started, not yet done */
    int serving;                /* pool threads taking from ready */
    int busy;                   /* of them, running an operation */
    int lingering;              /* of them, waiting for one to be ready */
    int helpers;                /* pool threads given to this batch */
    int closing;                /* batch_workers_finish: none to come */
    int timed;                  /* operations whose time cost counts */
    apr_interval_time_t cost;   /* their running average time */
    apr_time_t progress;        /* an operation ended or a thread came */
};

/* How long ready operations wait for the batch's busy threads before it
 * takes another: cheap operations are over well before, so a batch of
 * them keeps one thread busy instead of waking a new one per operation;
 * operations that wait get a thread each after this delay. */
#define STALL_DELAY apr_time_from_msec(2)
/* How long a thread that found nothing ready waits for the request
 * thread to start more before it goes back to the pool. */
#define LINGER_DELAY apr_time_from_msec(1)
/* Operations that take less on average are run by the request thread
 * too, rather than waiting for the pool's threads to answer: handing
 * each over would cost more than it saves. */
#define CHEAP_COST apr_time_from_msec(1)

static void queue_init(task_queue_t *q)
{
    APR_RING_INIT(&q->ring, op_task_t, link);
    q->length = 0;
}

static void queue_push(task_queue_t *q, op_task_t *t)
{
    APR_RING_INSERT_TAIL(&q->ring, t, op_task_t, link);
    q->length++;
}

/* The first task of q, taken off it; NULL when q is empty. */
static op_task_t *queue_pop(task_queue_t *q)
{
    op_task_t *t;

    if (!q->length) {
        return NULL;
    }
    t = APR_RING_FIRST(&q->ring);
    APR_RING_REMOVE(t, link);
    q->length--;
    return t;
}

/* The task of an operation, in a transit pool of its own that will hold
 * its answer; what a pool thread needs to run it comes with
 * prepare_task. */
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
    return t;
}

/* In the request thread, before a pool thread may take t: the secondary
 * connection and the fake parent t runs on there. */
static void prepare_task(batch_workers_t *w, op_task_t *t)
{
    t->c1_id = w->r->connection->id;
    t->c2 = batch_secondary_make(w->r->connection, t->pool,
                                 batch_threads_dummy_socket(w->threads));
    t->run = apr_pmemdup(t->pool, w->run, sizeof(*t->run));
    t->run->pending = NULL;
    t->run->capture = NULL;
    t->parent = batch_secondary_parent(w->r, t->c2, t->run);
}

/* With w->lock held, so no pool thread takes one meanwhile: prepares the
 * ready tasks that are not, for the threads about to serve them. */
static void prepare_ready(batch_workers_t *w)
{
    op_task_t *t;

    for (t = APR_RING_FIRST(&w->ready.ring);
         t != APR_RING_SENTINEL(&w->ready.ring, op_task_t, link);
         t = APR_RING_NEXT(t, link)) {
        if (!t->parent) {
            prepare_task(w, t);
        }
    }
}

/* In a pool thread (slot >= 1): everything touched here belongs to the
 * task. */
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

/* In the request thread (slot 0): t runs on the batch request itself,
 * exactly as the sequential path runs an operation; while it does, no
 * other operation of the batch uses the request or its connection. */
static void run_task_here(batch_workers_t *w, op_task_t *t)
{
    t->result = batch_engine_run(w->r, w->run, t->op, t->pool);
}

/* With w->lock held: whether to wake the request thread, to collect
 * answers and start more: once half of the batch's operations in flight
 * have answered, or none is left ready; so one wake serves several
 * answers. */
static int answers_wait(const batch_workers_t *w)
{
    return w->done.length
           && (!w->ready.length || w->done.length * 2 >= w->max);
}

/* With w->lock held, which it releases while t runs: t is not touched
 * once it is in w->done, where the request thread may take it and free
 * it. The request thread is woken first when wake is set: unlocked, so
 * that it does not wake only to wait for the lock. */
static void run_and_hand_back(batch_workers_t *w, op_task_t *t,
                              apr_thread_t *thread, int slot, int wake)
{
    apr_time_t started;
    apr_interval_time_t took;

    apr_thread_mutex_unlock(w->lock);
    if (wake) {
        apr_thread_cond_signal(w->finished);
    }
    started = apr_time_now();
    if (slot) {
        run_task(t, thread, slot);
    }
    else {
        run_task_here(w, t);
    }
    apr_thread_mutex_lock(w->lock);
    queue_push(&w->done, t);
    w->running--;
    w->progress = apr_time_now();
    took = w->progress - started;
    /* a running average over about the last eight */
    w->cost = w->timed++ ? w->cost + (took - w->cost) / 8 : took;
}

/* With w->lock held: whether the batch's operations proved cheap so far. */
static int cheap(const batch_workers_t *w)
{
    return w->timed && w->cost < CHEAP_COST;
}

/* With w->lock held: whether a pool thread is worth having for n of the
 * batch's operations: unless they are cheap and a thread given a job
 * lately took longer to begin it than half their time here (the CPUs are
 * busy: the request thread runs them itself). */
static int thread_pays(const batch_workers_t *w, int n)
{
    return !cheap(w)
           || batch_threads_wake_time(w->threads) < n * w->cost / 2;
}

/* With w->lock held: with nothing ready, wakes the request thread for
 * the answers there are, then waits up to LINGER_DELAY for it to start
 * more; whether one is ready. */
static int linger(batch_workers_t *w)
{
    apr_time_t until = apr_time_now() + LINGER_DELAY;
    apr_time_t now;

    if (w->done.length) {
        apr_thread_mutex_unlock(w->lock);
        apr_thread_cond_signal(w->finished);
        apr_thread_mutex_lock(w->lock);
    }
    if (!thread_pays(w, w->max)) {
        return w->ready.length;
    }
    w->lingering++;
    while (!w->ready.length && !w->closing
           && (now = apr_time_now()) < until) {
        apr_thread_cond_timedwait(w->more, w->lock, until - now);
    }
    w->lingering--;
    return w->ready.length;
}

/* batch_job_fn: a pool thread runs the batch's ready operations one
 * after the other, so one that finishes takes the next without going idle
 * and being woken again; it leaves when none is ready, after lingering a
 * little for the request thread to start more. */
static void serve_batch(void *ctx, apr_thread_t *thread, int slot)
{
    batch_workers_t *w = ctx;
    op_task_t *t;

    apr_thread_mutex_lock(w->lock);
    while ((t = queue_pop(&w->ready)) != NULL || linger(w)) {
        if (!t) {
            continue;
        }
        w->busy++;
        run_and_hand_back(w, t, thread, slot, answers_wait(w));
        w->busy--;
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

apr_status_t batch_workers_make(request_rec *r, batch_run_t *run,
                                int max, batch_workers_t **wp)
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
    w->max = max;
    w->progress = apr_time_now();
    queue_init(&w->ready);
    queue_init(&w->done);
    if ((rv = apr_thread_mutex_create(&w->lock, APR_THREAD_MUTEX_DEFAULT,
                                      pool)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&w->finished, pool))
           != APR_SUCCESS
        || (rv = apr_thread_cond_create(&w->more, pool)) != APR_SUCCESS) {
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
    return w->ready.length > w->serving - w->busy;
}

/* With w->lock held: whether the batch takes another pool thread for its
 * uncovered operations: when it has none, or when its busy ones have not
 * finished an operation for STALL_DELAY (they wait on something). */
static int wants_helper(batch_workers_t *w, apr_time_t now)
{
    return uncovered(w)
           && (w->serving == 0 || now - w->progress >= STALL_DELAY);
}

/* With w->lock held, which it releases meanwhile: a pool thread for the
 * ready operations; APR_EAGAIN when the pool has none free. */
static apr_status_t add_helper(batch_workers_t *w)
{
    batch_thread_t *th = NULL;
    apr_status_t rv;

    prepare_ready(w);
    w->serving++;
    w->helpers++;
    w->progress = apr_time_now();
    apr_thread_mutex_unlock(w->lock);
    rv = batch_threads_take(w->threads, &th);
    if (rv == APR_SUCCESS) {
        batch_thread_run(th, serve_batch, helper_left, w);
    }
    apr_thread_mutex_lock(w->lock);
    if (rv != APR_SUCCESS) {
        w->serving--;
        w->helpers--;
    }
    return rv;
}

void batch_workers_start(batch_workers_t *w, const batch_op_t *op, int index)
{
    op_task_t *t = make_task(w, op, index);

    apr_thread_mutex_lock(w->lock);
    /* with no pool thread serving the batch, none can come but from here
     * (add_helper, which prepares the tasks it will find ready) */
    if (w->serving) {
        apr_thread_mutex_unlock(w->lock);
        prepare_task(w, t);
        apr_thread_mutex_lock(w->lock);
    }
    queue_push(&w->ready, t);
    w->running++;
    if (w->serving == 0 && thread_pays(w, w->ready.length)) {
        /* the first at once; when the pool is full, batch_workers_wait
         * runs the operation */
        add_helper(w);
    }
    apr_thread_mutex_unlock(w->lock);
}

/* With w->lock held: the first ready operation, run here because the pool
 * gave no thread (rv), as the sequential path would run it. */
static void run_here(batch_workers_t *w, apr_status_t rv)
{
    op_task_t *t = queue_pop(&w->ready);

    if (rv == APR_EAGAIN) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, w->r, BATCH_LOGNO(1404)
                      "every thread of the pool is busy; operation %s runs "
                      "in the request's own thread", t->op->id);
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, w->r, BATCH_LOGNO(1402)
                      "could not start a thread; operation %s runs in the "
                      "request's own thread", t->op->id);
    }
    run_and_hand_back(w, t, NULL, 0, 0);
}

/* With w->lock held: a thread for each uncovered operation, or, when the
 * pool has none free, one of them run here. */
static void serve_uncovered(batch_workers_t *w)
{
    apr_status_t rv;

    while (uncovered(w)) {
        /* add_helper unlocks: a thread of the batch may take what it
         * failed to cover meanwhile */
        if ((rv = add_helper(w)) != APR_SUCCESS) {
            if (uncovered(w)) {
                run_here(w, rv);
            }
            return;
        }
    }
}

int batch_workers_wait(batch_workers_t *w, batch_result_t **res,
                       apr_pool_t **pool)
{
    apr_time_t now;
    op_task_t *t;

    apr_thread_mutex_lock(w->lock);
    while (!w->done.length) {
        /* lingering threads are woken only now, once every operation
         * that may start has: one wake for all of them */
        if (w->lingering && w->ready.length) {
            apr_thread_cond_broadcast(w->more);
        }
        now = apr_time_now();
        if (w->ready.length && cheap(w)) {
            /* instead of sleeping until a thread answers */
            t = queue_pop(&w->ready);
            run_and_hand_back(w, t, NULL, 0, 0);
        }
        else if (wants_helper(w, now)) {
            serve_uncovered(w);
        }
        else if (uncovered(w)) {
            apr_thread_cond_timedwait(w->finished, w->lock,
                                      w->progress + STALL_DELAY - now);
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
    w->closing = 1;
    apr_thread_cond_broadcast(w->more);
    while (w->running || w->helpers) {
        apr_thread_cond_wait(w->finished, w->lock);
    }
    apr_thread_mutex_unlock(w->lock);
    apr_pool_destroy(w->pool);
}

#endif /* APR_HAS_THREADS */
