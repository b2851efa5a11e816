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
 * The threads a child process runs parallel operations on
 * (BatchConcurrency N > 1), one pool per process as mod_http2 has one
 * (h2_workers.c), shared by every batch of every virtual host.
 *
 * Bounded: at most BatchMaxThreads threads (by default the MPM's
 * ThreadsPerChild), each made the first time every thread alive is busy,
 * then kept until the child exits: a thread costs its stack and nothing
 * else while idle, and the count stays flat however many batches run
 * (modules that keep a record per thread ever seen, as mod_wsgi does, see
 * at most the cap).
 *
 * No queue: a batch takes an idle thread or a new one, or is refused
 * with APR_EAGAIN, and then runs the operation in its own request
 * thread. So a batch never waits for a thread that other batches'
 * operations hold, and an operation that waits on this server (a
 * ProxyPass back to it) cannot hold up another batch: a full pool makes
 * batches slower, never stuck. A batch's BatchConcurrency still caps its
 * operations in flight (src/mod_batch_execute.c); the cap here bounds the
 * process.
 *
 * Memory: the pool has as many allocators as it may have threads, each
 * with a mutex; a batch's transit pools take their memory from one of
 * them, chosen by the batch's connection (made and destroyed by the
 * request thread, used by whichever thread runs the operation). What one
 * operation freed the next reuses, where an allocator per operation would
 * map and unmap memory each time (Debian's APR takes its memory with
 * mmap), and one allocator for the process would be contended by every
 * thread.
 *
 * Lifetime: made at child_init with a pool of its own under pchild, whose
 * allocator has a mutex (threads' own pools, children of it, go in the
 * thread that exits). A pre-cleanup of pchild tells every thread to quit
 * and joins it, before pchild's subpools go. The MPM destroys pchild only
 * after its request threads have returned (event.c child_main:
 * join_workers, then clean_child_exit), and a batch returns only once its
 * operations finished, so on a graceful restart or stop every thread is
 * idle by then and quits at once.
 */
#include <apr_atomic.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <ap_mpm.h>
#include <mpm_common.h>

#include "mod_batch_threads.h"
#include "mod_batch.h"
#include "mod_batch_config.h"

APLOG_USE_MODULE(batch);

#define THREADS_KEY "mod_batch.threads"

struct batch_thread_t {
    batch_threads_t *t;
    apr_thread_t *thread;
    apr_allocator_t *allocator; /* with a mutex */
    int id;                     /* 1..max */
    /* its own lock, so that handing over a job contends with nothing */
    apr_thread_mutex_t *lock;   /* guards the fields below */
    apr_thread_cond_t *wake;    /* a job, or quit */
    batch_job_fn *job;          /* NULL unless given and not yet begun */
    batch_job_fn *done;
    void *ctx;
    apr_time_t given;           /* when job was given */
    int quit;
};

struct batch_threads_t {
    apr_pool_t *pool;
    apr_thread_mutex_t *lock;   /* guards everything below */
    apr_threadattr_t *attr;
    apr_socket_t *dummy;
    batch_thread_t *slots;
    batch_thread_t **idle;      /* a stack: the last busy runs next */
    int max;
    int started;
    int nidle;
    int quit;
    /* running average of how long a job given took to begin, in
     * microseconds: written under lock, read without it on every
     * operation a batch starts */
    volatile apr_uint64_t wake;
};

batch_threads_t *batch_threads_of(const server_rec *s)
{
    void *t = NULL;

    apr_pool_userdata_get(&t, THREADS_KEY, s->process->pool);
    return t;
}

apr_socket_t *batch_threads_dummy_socket(batch_threads_t *t)
{
    return t->dummy;
}

apr_allocator_t *batch_threads_allocator(batch_threads_t *t, long key)
{
    return t->slots[(unsigned long)key % (unsigned long)t->max].allocator;
}

/* With slot->lock held: waits for a job; 0 once told to quit. */
static int wait_for_job(batch_thread_t *slot)
{
    while (!slot->job && !slot->quit) {
        apr_thread_cond_wait(slot->wake, slot->lock);
    }
    return slot->job != NULL;
}

apr_interval_time_t batch_threads_wake_time(batch_threads_t *t)
{
    return (apr_interval_time_t)apr_atomic_read64(&t->wake);
}

/* With t->lock held: a running average over about the last eight. */
static void update_wake_time(batch_threads_t *t, apr_interval_time_t woke)
{
    apr_interval_time_t wake = batch_threads_wake_time(t);

    apr_atomic_set64(&t->wake, (apr_uint64_t)(wake + (woke - wake) / 8));
}

static void *APR_THREAD_FUNC slot_main(apr_thread_t *thread, void *data)
{
    batch_thread_t *slot = data;
    batch_threads_t *t = slot->t;
    batch_job_fn *job, *done;
    void *ctx;
    apr_interval_time_t woke;

    apr_thread_mutex_lock(slot->lock);
    while (wait_for_job(slot)) {
        job = slot->job;
        done = slot->done;
        ctx = slot->ctx;
        slot->job = NULL;
        woke = apr_time_now() - slot->given;
        apr_thread_mutex_unlock(slot->lock);
        job(ctx, thread, slot->id);
        /* idle before the caller hears of it: a batch that starts its
         * next operation then finds this thread free, so the threads
         * taken never outnumber the operations in flight */
        apr_thread_mutex_lock(t->lock);
        t->idle[t->nidle++] = slot;
        update_wake_time(t, woke);
        apr_thread_mutex_unlock(t->lock);
        done(ctx, thread, slot->id);
        apr_thread_mutex_lock(slot->lock);
    }
    apr_thread_mutex_unlock(slot->lock);
    apr_thread_exit(thread, APR_SUCCESS);
    return NULL;
}

/* At child init: the allocator of a slot, kept (with what it holds)
 * until the pool stops. */
static apr_status_t make_allocator(batch_threads_t *t, batch_thread_t *slot)
{
    apr_thread_mutex_t *alloc_lock;
    apr_status_t rv;

    if ((rv = apr_allocator_create(&slot->allocator)) != APR_SUCCESS) {
        return rv;
    }
    if ((rv = apr_thread_mutex_create(&alloc_lock, APR_THREAD_MUTEX_DEFAULT,
                                      t->pool)) != APR_SUCCESS) {
        apr_allocator_destroy(slot->allocator);
        slot->allocator = NULL;
        return rv;
    }
    apr_allocator_mutex_set(slot->allocator, alloc_lock);
    apr_allocator_max_free_set(slot->allocator, ap_max_mem_free);
    return APR_SUCCESS;
}

/* With t->lock held: a new thread, idle until it is given a job. */
static apr_status_t start_slot(batch_threads_t *t, batch_thread_t **slotp)
{
    batch_thread_t *slot = &t->slots[t->started];
    apr_status_t rv;

    /* ap_thread_create (httpd 2.4.51) also gives the thread the
     * ap_thread_current() that httpd's own threads have */
#if AP_MODULE_MAGIC_AT_LEAST(20120211, 122)
    rv = ap_thread_create(&slot->thread, t->attr, slot_main, slot, t->pool);
#else
    rv = apr_thread_create(&slot->thread, t->attr, slot_main, slot, t->pool);
#endif
    if (rv == APR_SUCCESS) {
        t->started++;
        *slotp = slot;
    }
    return rv;
}

apr_status_t batch_threads_take(batch_threads_t *t, batch_thread_t **slotp)
{
    apr_status_t rv = APR_EAGAIN;

    apr_thread_mutex_lock(t->lock);
    if (t->nidle) {
        *slotp = t->idle[--t->nidle];
        rv = APR_SUCCESS;
    }
    else if (t->started < t->max && !t->quit) {
        rv = start_slot(t, slotp);
    }
    apr_thread_mutex_unlock(t->lock);
    return rv;
}

void batch_thread_run(batch_thread_t *slot, batch_job_fn *job,
                      batch_job_fn *done, void *ctx)
{
    apr_thread_mutex_lock(slot->lock);
    slot->job = job;
    slot->done = done;
    slot->ctx = ctx;
    slot->given = apr_time_now();
    apr_thread_mutex_unlock(slot->lock);
    /* after the unlock, so the thread woken does not wait for the lock;
     * slot lives as long as the pool */
    apr_thread_cond_signal(slot->wake);
}

void batch_threads_count(batch_threads_t *t, batch_threads_count_t *n)
{
    apr_thread_mutex_lock(t->lock);
    n->max = t->max;
    n->started = t->started;
    n->busy = t->started - t->nidle;
    apr_thread_mutex_unlock(t->lock);
}

static void destroy_allocators(batch_threads_t *t)
{
    int i;

    for (i = 0; i < t->max; i++) {
        if (t->slots[i].allocator) {
            apr_allocator_destroy(t->slots[i].allocator);
        }
    }
}

/* pre-cleanup of pchild: every thread is idle by now (see above); one
 * still running an operation (a hard stop) is waited for */
static apr_status_t stop_threads(void *data)
{
    batch_threads_t *t = data;
    apr_status_t exit_rv;
    int i;

    apr_thread_mutex_lock(t->lock);
    t->quit = 1;
    apr_thread_mutex_unlock(t->lock);
    for (i = 0; i < t->started; i++) {
        apr_thread_mutex_lock(t->slots[i].lock);
        t->slots[i].quit = 1;
        apr_thread_cond_signal(t->slots[i].wake);
        apr_thread_mutex_unlock(t->slots[i].lock);
    }
    for (i = 0; i < t->started; i++) {
        apr_thread_join(&exit_rv, t->slots[i].thread);
    }
    /* every transit pool is gone: the batches have ended */
    destroy_allocators(t);
    return APR_SUCCESS;
}

/* BatchMaxThreads, or the MPM's ThreadsPerChild */
static int cap_of(server_rec *s)
{
    int max = batch_max_threads(s);

    if (!max && (ap_mpm_query(AP_MPMQ_MAX_THREADS, &max) != APR_SUCCESS
                 || max < 1)) {
        max = 1;
    }
    return max;
}

static apr_status_t make_threads(apr_pool_t *pchild, server_rec *s,
                                 batch_threads_t **tp)
{
    apr_allocator_t *allocator;
    apr_thread_mutex_t *alloc_lock;
    batch_threads_t *t;
    apr_pool_t *pool;
    apr_status_t rv;
    int i;

    if ((rv = apr_allocator_create(&allocator)) != APR_SUCCESS) {
        return rv;
    }
    if ((rv = apr_pool_create_ex(&pool, pchild, NULL, allocator))
        != APR_SUCCESS) {
        apr_allocator_destroy(allocator);
        return rv;
    }
    apr_allocator_owner_set(allocator, pool);
    apr_pool_tag(pool, "batch_threads");
    t = apr_pcalloc(pool, sizeof(*t));
    t->pool = pool;
    t->max = cap_of(s);
    t->slots = apr_pcalloc(pool, sizeof(*t->slots) * t->max);
    t->idle = apr_pcalloc(pool, sizeof(*t->idle) * t->max);
    if ((rv = apr_thread_mutex_create(&alloc_lock, APR_THREAD_MUTEX_DEFAULT,
                                      pool)) != APR_SUCCESS
        || (rv = apr_thread_mutex_create(&t->lock, APR_THREAD_MUTEX_DEFAULT,
                                         pool)) != APR_SUCCESS
        || (rv = apr_threadattr_create(&t->attr, pool)) != APR_SUCCESS
        || (rv = apr_socket_create(&t->dummy, APR_INET, SOCK_STREAM,
                                   APR_PROTO_TCP, pool)) != APR_SUCCESS) {
        apr_pool_destroy(pool);
        return rv;
    }
    apr_allocator_mutex_set(allocator, alloc_lock);
    if (ap_thread_stacksize) {
        apr_threadattr_stacksize_set(t->attr, ap_thread_stacksize);
    }
    for (i = 0; i < t->max; i++) {
        t->slots[i].t = t;
        t->slots[i].id = i + 1;
        if ((rv = apr_thread_mutex_create(&t->slots[i].lock,
                                          APR_THREAD_MUTEX_DEFAULT, pool))
            != APR_SUCCESS
            || (rv = apr_thread_cond_create(&t->slots[i].wake, pool))
               != APR_SUCCESS
            || (rv = make_allocator(t, &t->slots[i])) != APR_SUCCESS) {
            destroy_allocators(t);
            apr_pool_destroy(pool);
            return rv;
        }
    }
    *tp = t;
    return APR_SUCCESS;
}

/* child_init, before the child's threads start: the only write to the
 * userdata. */
static void threads_child_init(apr_pool_t *pchild, server_rec *s)
{
    batch_threads_t *t = NULL;
    apr_status_t rv = make_threads(pchild, s, &t);

    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, BATCH_LOGNO(1401)
                     "cannot make the threads for parallel operations; "
                     "operations run one at a time");
        return;
    }
    apr_pool_pre_cleanup_register(pchild, t, stop_threads);
    apr_pool_userdata_setn(t, THREADS_KEY, NULL, s->process->pool);
}

void batch_threads_register(void)
{
    ap_hook_child_init(threads_child_init, NULL, NULL, APR_HOOK_MIDDLE);
}
