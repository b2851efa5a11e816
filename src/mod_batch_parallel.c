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
 *    operations have waited stall_delay (STALL_DELAY, longer on busy
 *    CPUs) on busy threads that finished nothing meanwhile, and none
 *    given to it has yet to begin: operations that wait (on a backend)
 *    soon get a thread each, cheap ones keep one thread busy;
 *  - the request thread sleeps until half of the operations in flight
 *    have answered, or none is left ready, and then collects them all and
 *    starts as many;
 *  - an operation's cost is the time it took when it waited on something
 *    (its thread gave up the CPU), its CPU time when it did not: one
 *    preempted on busy CPUs does not look like one that waits;
 *  - once the batch's operations proved cheap (under CHEAP_COST on
 *    average), the request thread runs ready ones itself instead of
 *    sleeping, on the batch request, as the sequential path runs them;
 *  - and when, besides, the pool's threads lately took longer to begin a
 *    job than the operations take to run (the CPUs are busy: a thread
 *    would add switches, not speed), the batch settles (settles): its
 *    threads leave once their operation ends, and the request thread
 *    runs every operation, takes no thread and prepares none, and stops
 *    measuring them (two system calls each). It looks again only at one
 *    that took longer than SETTLED_SLOW: if its thread spent half of that
 *    waiting on something rather than on a CPU (the kernel's scheduler
 *    statistics), the batch's cost rises and it may unsettle; a cheap
 *    one that was preempted does not count. One that turns out slow
 *    delays the start of the next ones;
 *  - the next batch on the same connection, within SETTLED_LATELY of one
 *    that settled on its own, settles from its start (settled_lately):
 *    no thread is woken to learn what its first operation costs; the
 *    request thread runs and measures it, and the batch unsettles if it
 *    was not cheap.
 *
 * The secondary connection and fake parent of an operation are made when
 * a thread may take it (prepare_task), not for those the request thread
 * runs: until the batch's first operation has ended, only when a thread
 * asks for them, as the batch may settle then. When the pool has no free
 * thread, the request thread runs the operations no thread will take, as
 * it waits for answers: a batch never waits for a thread that another
 * batch holds, so batches that wait on one another (an operation proxied
 * back to this server) cannot deadlock, and nothing queues without bound.
 * The executor caps the operations in flight at N
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

#include <sys/resource.h>

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

/* What a thread has used so far: CPU time, and how often it gave up its
 * CPU to wait (voluntary context switches: on a backend, a file, a
 * lock), as opposed to being preempted. */
typedef struct thread_usage_t {
    apr_interval_time_t cpu;
    long waits;
    int known;
} thread_usage_t;

/* Where a thread's time went so far, from the kernel's scheduler
 * statistics (/proc/thread-self/schedstat, Linux): with the wall clock,
 * what was neither on a CPU nor waiting for one was spent waiting on
 * something (a backend, a file, a lock). */
typedef struct thread_clock_t {
    apr_time_t wall;
    apr_interval_time_t ran;    /* on a CPU */
    apr_interval_time_t queued; /* runnable, waiting for a CPU */
    int known;
} thread_clock_t;

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
    int starting;               /* of them, not yet begun serving it */
    int closing;                /* batch_workers_finish: none to come */
    int settled;                /* cheap, CPUs busy: run here (settles) */
    int inherited;              /* settled from the start (settled_lately) */
    thread_clock_t here;        /* the request thread's, settled */
    int told_settled;           /* settled, as last logged */
    int timed;                  /* operations whose time cost counts */
    apr_interval_time_t cost;   /* their running average time */
    apr_time_t progress;        /* an operation ended or a thread began */
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
/* How long an operation of a settled batch (settles) may take before the
 * request thread looks whether it waited on something (count_settled). */
#define SETTLED_SLOW STALL_DELAY
/* How long after a batch settled on its own (settles) the next batch on
 * the same connection starts settled (settled_lately). */
#define SETTLED_LATELY apr_time_from_sec(1)
/* The connection's userdata: when its last batch ended settled on its own
 * (apr_time_t), 0 when it ended unsettled. */
#define SETTLED_AT_KEY "mod_batch.settled_at"

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

static int settles(const batch_workers_t *w);

static void thread_usage(thread_usage_t *u)
{
#ifdef RUSAGE_THREAD
    struct rusage ru;

    if (getrusage(RUSAGE_THREAD, &ru) == 0) {
        u->cpu = apr_time_from_sec(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
                 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
        u->waits = ru.ru_nvcsw;
        u->known = 1;
        return;
    }
#endif
    u->known = 0;
}

/* With w->lock held: an operation's cost, in the batch's running average
 * over about the last eight. */
static void count_cost(batch_workers_t *w, apr_interval_time_t cost)
{
    w->cost = w->timed++ ? w->cost + (cost - w->cost) / 8 : cost;
}

/* In the request thread, which owns w->pool. */
static void thread_clock(batch_workers_t *w, thread_clock_t *c)
{
    char buf[128];
    apr_size_t len = sizeof(buf) - 1;
    apr_file_t *f;
    char *end;

    c->known = 0;
    c->wall = apr_time_now();
    if (apr_file_open(&f, "/proc/thread-self/schedstat", APR_FOPEN_READ,
                      APR_OS_DEFAULT, w->pool) != APR_SUCCESS) {
        return;
    }
    if (apr_file_read(f, buf, &len) == APR_SUCCESS) {
        buf[len] = '\0';
        /* nanoseconds: on a CPU, then waiting for one */
        c->ran = apr_strtoi64(buf, &end, 10) / 1000;
        c->queued = apr_strtoi64(end, &end, 10) / 1000;
        c->known = end != buf && c->ran >= 0 && c->queued >= 0;
    }
    apr_file_close(f);
}

/* With w->lock held, in the request thread: an operation of a settled
 * batch counts when it took long (SETTLED_SLOW, more on busy CPUs) and
 * the thread spent at least half that time waiting on something since
 * it last looked. A cheap one that was preempted, or that waited a
 * moment for a lock (another thread writing the same log), does not: it
 * would hand the next ones to threads again. */
static void count_settled(batch_workers_t *w, apr_interval_time_t took)
{
    thread_clock_t now;
    apr_interval_time_t waited;

    if (took < SETTLED_SLOW + 4 * batch_threads_wake_time(w->threads)) {
        return;
    }
    thread_clock(w, &now);
    if (now.known && w->here.known) {
        waited = (now.wall - w->here.wall) - (now.ran - w->here.ran)
                 - (now.queued - w->here.queued);
    }
    else {
        /* unknown: as if it waited */
        waited = took;
    }
    if (waited >= took / 2) {
        count_cost(w, took);
    }
    w->here = now;
}

/* What an operation that took so long costs the batch: the time it took
 * when it waited on something, which another thread could have spent
 * running the next one; only its CPU time when it did not, so operations
 * that are cheap but were preempted on busy CPUs (their time spent
 * waiting for a CPU, not on something) do not look like ones that wait. */
static apr_interval_time_t op_cost(const thread_usage_t *before,
                                   const thread_usage_t *after,
                                   apr_interval_time_t took)
{
    if (!before->known || !after->known || after->waits > before->waits) {
        return took;
    }
    return after->cpu - before->cpu;
}

/* With w->lock held, which it releases while t runs: t is not touched
 * once it is in w->done, where the request thread may take it and free
 * it. The request thread is woken first when wake is set: unlocked, so
 * that it does not wake only to wait for the lock. */
static void run_and_hand_back(batch_workers_t *w, op_task_t *t,
                              apr_thread_t *thread, int slot, int wake)
{
    /* a settled batch's operations, which the request thread runs, are
     * not measured (two system calls each; one that started settled
     * measures its first): see count_settled */
    int measured = !w->settled || !w->timed;
    thread_usage_t before, after;
    apr_time_t started;
    apr_interval_time_t took;

    if (!measured && !w->here.known) {
        thread_clock(w, &w->here);
    }
    apr_thread_mutex_unlock(w->lock);
    if (wake) {
        apr_thread_cond_signal(w->finished);
    }
    if (measured) {
        thread_usage(&before);
    }
    started = apr_time_now();
    if (slot) {
        run_task(t, thread, slot);
    }
    else {
        run_task_here(w, t);
    }
    if (measured) {
        thread_usage(&after);
    }
    apr_thread_mutex_lock(w->lock);
    queue_push(&w->done, t);
    w->running--;
    w->progress = apr_time_now();
    took = w->progress - started;
    if (measured) {
        count_cost(w, op_cost(&before, &after, took));
    }
    else {
        count_settled(w, took);
    }
    if (!(w->settled = settles(w))) {
        w->here.known = 0;
        w->inherited = 0;
    }
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

/* With w->lock held: whether a pool thread may take the first ready
 * operation (take_prepared). */
static int prepared_ready(const batch_workers_t *w)
{
    return w->ready.length && APR_RING_FIRST(&w->ready.ring)->parent;
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
        return prepared_ready(w);
    }
    w->lingering++;
    while (!prepared_ready(w) && !w->closing && !w->settled
           && (now = apr_time_now()) < until) {
        apr_thread_cond_timedwait(w->more, w->lock, until - now);
    }
    w->lingering--;
    return prepared_ready(w);
}

/* With w->lock held: whether the request thread had better run all the
 * batch's operations itself, as the sequential path does: they are cheap
 * and the CPUs busy (thread_pays), so its pool threads leave them to it
 * and it prepares none for them; it lasts until one proves costly. */
static int settles(const batch_workers_t *w)
{
    return cheap(w) && !thread_pays(w, w->max);
}

/* With w->lock held: the first ready task, taken off the queue, if a pool
 * thread may run it (prepared); NULL if not. */
static op_task_t *take_prepared(batch_workers_t *w)
{
    return prepared_ready(w) ? queue_pop(&w->ready) : NULL;
}

/* batch_job_fn: a pool thread runs the batch's ready operations one
 * after the other, so one that finishes takes the next without going idle
 * and being woken again; it leaves when none is ready, after lingering a
 * little for the request thread to start more, or when the request thread
 * had better run them. */
static void serve_batch(void *ctx, apr_thread_t *thread, int slot)
{
    batch_workers_t *w = ctx;
    op_task_t *t;

    apr_thread_mutex_lock(w->lock);
    w->starting--;
    w->progress = apr_time_now();
    while (!w->settled
           && ((t = take_prepared(w)) != NULL || linger(w))) {
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

/* When c's last batch ended settled on its own; NULL if none did. */
static apr_time_t *settled_at(conn_rec *c)
{
    void *at = NULL;

    apr_pool_userdata_get(&at, SETTLED_AT_KEY, c->pool);
    return at;
}

/* Whether c's last batch settled on its own (settles) less than
 * SETTLED_LATELY ago: its client likely sends the same kind of batch
 * again, and the next one had better settle at once than hand its first
 * operation to a thread to find out (two context switches each way).
 * Its first operation is measured: it unsettles the batch if costly. */
static int settled_lately(conn_rec *c)
{
    apr_time_t *at = settled_at(c);

    return at && *at && apr_time_now() - *at < SETTLED_LATELY;
}

/* In the request thread, as the batch ends: what its connection's next
 * batch learns from it (settled_lately). One that started settled and
 * stayed so proves nothing of the CPUs being busy, and leaves it. */
static void tell_connection(batch_workers_t *w)
{
    conn_rec *c = w->r->connection;
    apr_time_t *at = settled_at(c);

    if ((w->settled && w->inherited) || (!at && !w->settled)) {
        return;
    }
    if (!at) {
        at = apr_palloc(c->pool, sizeof(*at));
        apr_pool_userdata_setn(at, SETTLED_AT_KEY, NULL, c->pool);
    }
    *at = w->settled ? apr_time_now() : 0;
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
    w->settled = w->inherited = settled_lately(r->connection);
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

/* STALL_DELAY, and twice the pool's wake time on top: on busy CPUs an
 * operation takes longer though it waits on nothing. */
static apr_interval_time_t stall_delay(const batch_workers_t *w)
{
    return STALL_DELAY + 2 * batch_threads_wake_time(w->threads);
}

/* With w->lock held: whether the batch takes another pool thread for its
 * uncovered operations: when it has none, or when its busy ones have not
 * finished an operation for stall_delay (they wait on something). Not
 * while a thread it was given has yet to begin: the CPUs are busy, and
 * another would begin no sooner. */
static int wants_helper(batch_workers_t *w, apr_time_t now)
{
    return uncovered(w) && !w->settled
           && (w->serving == 0
               || (!w->starting && now - w->progress >= stall_delay(w)));
}

/* With w->lock held: how long the request thread sleeps before it asks
 * wants_helper again, unless an answer comes first. */
static apr_interval_time_t until_stall(const batch_workers_t *w,
                                       apr_time_t now)
{
    return w->starting ? stall_delay(w) : w->progress + stall_delay(w) - now;
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
    w->starting++;
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
        w->starting--;
    }
    return rv;
}

void batch_workers_start(batch_workers_t *w, const batch_op_t *op, int index)
{
    op_task_t *t = make_task(w, op, index);

    apr_thread_mutex_lock(w->lock);
    /* with no pool thread serving the batch, none can come but from here
     * (add_helper, which prepares the tasks it will find ready); a
     * settled batch leaves its threads none, and until the first
     * operation ends, those ready are prepared only for a thread asking
     * (batch_workers_wait): the batch may settle then */
    if (w->serving && !w->settled && w->timed) {
        apr_thread_mutex_unlock(w->lock);
        prepare_task(w, t);
        apr_thread_mutex_lock(w->lock);
    }
    queue_push(&w->ready, t);
    w->running++;
    if (w->serving == 0 && !w->settled && thread_pays(w, w->ready.length)) {
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

/* With w->lock held, in the request thread (a pool thread may settle or
 * unsettle the batch, but must not log on its request): a debug line
 * when the batch settled or unsettled since the last. */
static void tell_settled(batch_workers_t *w)
{
    if (w->settled == w->told_settled) {
        return;
    }
    w->told_settled = w->settled;
    if (w->inherited) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, w->r, BATCH_LOGNO(1407)
                      "batch %s settles at once: the last batch on its "
                      "connection ran cheap operations with every CPU busy; "
                      "the request thread runs its operations itself",
                      w->run->batch_id);
    }
    else if (w->settled) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, w->r, BATCH_LOGNO(1405)
                      "batch %s settles: its operations are cheap and every "
                      "CPU is busy; the request thread runs the rest itself",
                      w->run->batch_id);
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, w->r, BATCH_LOGNO(1406)
                      "batch %s unsettles: an operation waited on something, "
                      "or a thread would begin one sooner than it runs "
                      "(average %" APR_TIME_T_FMT " us, threads begin in %"
                      APR_TIME_T_FMT " us); the pool's threads take its "
                      "operations again", w->run->batch_id, w->cost,
                      batch_threads_wake_time(w->threads));
    }
}

int batch_workers_wait(batch_workers_t *w, batch_result_t **res,
                       apr_pool_t **pool)
{
    apr_time_t now;
    op_task_t *t;

    apr_thread_mutex_lock(w->lock);
    tell_settled(w);
    while (!w->done.length) {
        /* lingering threads are woken only now, once every operation
         * that may start has: one wake for all of them */
        if (w->lingering && w->ready.length && !w->settled) {
            prepare_ready(w);
            apr_thread_cond_broadcast(w->more);
        }
        now = apr_time_now();
        if (w->ready.length && (cheap(w) || w->settled)) {
            /* instead of sleeping until a thread answers */
            t = queue_pop(&w->ready);
            run_and_hand_back(w, t, NULL, 0, 0);
        }
        else if (wants_helper(w, now)) {
            serve_uncovered(w);
        }
        else if (uncovered(w)) {
            apr_thread_cond_timedwait(w->finished, w->lock,
                                      until_stall(w, now));
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
    tell_connection(w);
    apr_thread_mutex_unlock(w->lock);
    apr_pool_destroy(w->pool);
}

#endif /* APR_HAS_THREADS */
