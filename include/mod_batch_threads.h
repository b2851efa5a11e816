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
 * (src/mod_batch_threads.c): one pool per process, shared by every batch.
 */
#ifndef MOD_BATCH_THREADS_H
#define MOD_BATCH_THREADS_H

#include <apr_network_io.h>
#include <apr_thread_proc.h>
#include <httpd.h>

typedef struct batch_threads_t batch_threads_t;
/* one thread of the pool */
typedef struct batch_thread_t batch_thread_t;

/* What a pool thread runs: slot is its number, from 1 to the cap. */
typedef void batch_job_fn(void *ctx, apr_thread_t *thread, int slot);

/* the child_init hook that makes the process's pool */
void batch_threads_register(void);

/* The pool of the process s runs in; NULL if it could not be made. */
batch_threads_t *batch_threads_of(const server_rec *s);

/* An idle thread of the pool, started while fewer than the cap run,
 * kept for the caller until it gives it a job; never waits for one to
 * become free: APR_EAGAIN when every thread is busy (the caller then runs
 * the job itself). */
apr_status_t batch_threads_take(batch_threads_t *t, batch_thread_t **th);

/* One of the process's allocators (each with a mutex, one per thread
 * the pool may have), chosen by key: the memory of jobs, which any
 * thread may use and free. */
apr_allocator_t *batch_threads_allocator(batch_threads_t *t, long key);

/* Gives th, taken before, its job: th runs job, is idle again, then runs
 * done (which tells the caller). */
void batch_thread_run(batch_thread_t *th, batch_job_fn *job,
                      batch_job_fn *done, void *ctx);

/* How long the pool's threads took lately from being given a job to
 * beginning it (a running average): short while the CPUs have time to
 * spare, long when every one is busy. */
apr_interval_time_t batch_threads_wake_time(batch_threads_t *t);

/* The process's dummy socket (in core's conn config of secondary
 * connections); never read or written. */
apr_socket_t *batch_threads_dummy_socket(batch_threads_t *t);

typedef struct batch_threads_count_t {
    int max;                    /* BatchMaxThreads */
    int started;                /* threads alive */
    int busy;                   /* of them, running an operation */
} batch_threads_count_t;

void batch_threads_count(batch_threads_t *t, batch_threads_count_t *n);

#endif /* MOD_BATCH_THREADS_H */
