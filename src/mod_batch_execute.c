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
 * The executor: runs the operations in dependency order and streams the
 * aggregate in request order, each entry as soon as it and every entry
 * before it are done. It knows no format. With
 * BatchConcurrency 1 operations run one at a time in this thread; above,
 * this thread schedules them onto worker threads (src/mod_batch_parallel.c) and
 * writes their answers as they come back.
 */
#include <string.h>
#include <apr_atomic.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>

#include "mod_batch_execute.h"
#include "batch.h"
#include "batch_error.h"
#include "batch_format.h"
#include "batch_reference.h"
#include "batch_schedule.h"
#include "batch_validate.h"
#include "mod_batch.h"
#include "mod_batch_config.h"
#include "mod_batch_cookie.h"
#include "mod_batch_engine.h"
#include "mod_batch_nesting.h"
#include "mod_batch_oplog.h"
#include "mod_batch_parallel.h"
#include "mod_batch_status.h"
#include "mod_batch_subreq.h"

APLOG_USE_MODULE(batch);

/* Flush the aggregate when this long has passed since the last flush, so a
 * client sees slow batches progress without a write per fast operation. */
#define FLUSH_INTERVAL apr_time_from_msec(10)
/* Pass the aggregate on once this much of it is waiting. */
#define PASS_MIN 16384

/* What the batch keeps of a referenced operation's answer: the values its
 * readers' references need, read when it finishes (the answer is parsed
 * once), until its last reader has been resolved. */
typedef struct kept_t {
    apr_array_header_t *paths;  /* distinct paths read in its answer */
    int readers_left;           /* operations still to be resolved */
    apr_pool_t *pool;
    apr_hash_t *values;         /* path -> batch_ref_value_t; NULL: none */
    apr_size_t bytes;
} kept_t;

typedef struct exec_t {
    request_rec *r;
    const batch_settings_t *settings;
    batch_t *batch;
    const batch_format_t *fmt;
    batch_emit_t emit;
    batch_run_t *run;
    batch_result_t **results;   /* finished, not yet written */
    int *status;                /* of every finished operation */
    apr_pool_t **pools;
    kept_t *kept;               /* per operation */
    /* what counts towards BatchMaxMemory: bytes of answers finished and
     * not yet written and of substituted copies (held_bytes), and of
     * values kept for references (kept_bytes) */
    apr_size_t held_bytes;
    apr_size_t kept_bytes;
    /* the copies of operations with result references, until written */
    apr_pool_t **resolved;
    apr_size_t *resolved_bytes; /* their bodies, counted in held_bytes */
    int held;                   /* finished, waiting for an earlier one */
    int next_emit;
    int stopped;                /* onError stop after a failure */
    batch_cookies_t *cookies;   /* BatchCookieJar; NULL: off */
    apr_time_t deadline;        /* BatchTimeout; 0: none */
    apr_time_t last_flush;
    apr_status_t write_rv;
} exec_t;

static const batch_op_t *op_at(const exec_t *x, int i)
{
    return &APR_ARRAY_IDX(x->batch->ops, i, batch_op_t);
}


/* An answer the module makes for operation-level errors, with httpd's
 * reason phrase for status. */
static batch_result_t *op_error(apr_pool_t *p, int status, const char *code,
                                const char *message)
{
    return batch_result_error(p, status, ap_get_status_line(status) + 4,
                              code, message);
}

/* Whether the answers the batch holds leave no room to start another
 * operation (BatchMaxMemory). */
static int over_budget(const exec_t *x)
{
    return x->held_bytes + x->kept_bytes
           > (apr_size_t)x->settings->max_memory;
}

static batch_result_t *not_run(exec_t *x, int i, apr_pool_t *p)
{
    const batch_op_t *op = op_at(x, i);
    int d;

    if (x->deadline && apr_time_now() >= x->deadline) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, x->r, BATCH_LOGNO(2451)
                      "operation %s of batch %s not started: the batch ran "
                      "longer than BatchTimeout; answered 504", op->id,
                      x->run->batch_id);
        return batch_result_error(p, HTTP_GATEWAY_TIME_OUT,
                                  "Gateway Timeout", BATCH_E_TIMEOUT,
                                  apr_psprintf(p, "operation %s was not "
                                  "started: the batch ran longer than "
                                  "BatchTimeout", op->id));
    }
    if (x->stopped) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, x->r, BATCH_LOGNO(2452)
                      "operation %s of batch %s not run: an earlier "
                      "operation failed and onError is stop; answered 424",
                      op->id, x->run->batch_id);
        return batch_result_error(p, HTTP_FAILED_DEPENDENCY,
                                  "Failed Dependency", BATCH_E_NOT_RUN,
                                  apr_psprintf(p, "operation %s was not run: "
                                  "an earlier operation failed and onError "
                                  "is stop", op->id));
    }
    for (d = 0; d < op->deps->nelts; d++) {
        int dep = APR_ARRAY_IDX(op->deps, d, int);

        if (x->status[dep] >= 400) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, x->r, BATCH_LOGNO(2453)
                          "operation %s of batch %s not run: its dependency "
                          "%s failed with status %d; answered 424", op->id,
                          x->run->batch_id, op_at(x, dep)->id,
                          x->status[dep]);
            return batch_result_error(p, HTTP_FAILED_DEPENDENCY,
                                      "Failed Dependency",
                                      BATCH_E_FAILED_DEP, apr_psprintf(
                p, "operation %s was not run: its dependency %s failed "
                "with status %d", op->id, op_at(x, dep)->id,
                x->status[dep]));
        }
    }
    if (over_budget(x)) {
        /* a limit of the server, as BatchTimeout's 504 */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, x->r, BATCH_LOGNO(2002)
                      "operation %s of batch %s not run: the batch holds %"
                      APR_SIZE_T_FMT " bytes of answers (BatchMaxMemory %"
                      APR_OFF_T_FMT "); answered 503", op->id,
                      x->run->batch_id, x->held_bytes + x->kept_bytes,
                      x->settings->max_memory);
        return op_error(p, HTTP_SERVICE_UNAVAILABLE, BATCH_E_MEMORY,
                        apr_psprintf(p, "operation %s was not run: the batch "
                        "already holds more answers than BatchMaxMemory "
                        "allows (%" APR_OFF_T_FMT " bytes); send it in a "
                        "batch of its own", op->id,
                        x->settings->max_memory));
    }
    return NULL;
}

static apr_status_t pass(exec_t *x, int flush)
{
    request_rec *r = x->r;
    apr_status_t rv;

    if (flush) {
        APR_BRIGADE_INSERT_TAIL(x->emit.bb, apr_bucket_flush_create(
            r->connection->bucket_alloc));
        x->last_flush = apr_time_now();
    }
    rv = ap_pass_brigade(r->output_filters, x->emit.bb);
    apr_brigade_cleanup(x->emit.bb);
    return rv;
}

/* Keeps the first failure of writing the aggregate: the emitter's, or
 * passing it on; nothing more is written or started after it. */
static void wrote(exec_t *x, apr_status_t rv)
{
    if (x->write_rv == APR_SUCCESS) {
        x->write_rv = rv;
    }
}

/* The emitter's flush: a long answer goes on as it is written. */
static apr_status_t pass_on(apr_bucket_brigade *bb, void *ctx)
{
    exec_t *x = ctx;

    (void)bb;
    if (x->write_rv == APR_SUCCESS) {
        x->write_rv = pass(x, 0);
    }
    return x->write_rv;
}

/* Whether the aggregate written so far should go on now: it is big, or
 * the client has waited long enough. Otherwise entries gather, and are
 * passed on once for many. */
static int pass_due(exec_t *x, int *flush)
{
    apr_off_t held = 0;

    *flush = apr_time_now() - x->last_flush >= FLUSH_INTERVAL;
    if (*flush) {
        return 1;
    }
    apr_brigade_length(x->emit.bb, 0, &held);
    return held >= PASS_MIN;
}

static void drop_resolved(exec_t *x, int i)
{
    if (x->resolved[i]) {
        x->held_bytes -= x->resolved_bytes[i];
        x->resolved_bytes[i] = 0;
        apr_pool_destroy(x->resolved[i]);
        x->resolved[i] = NULL;
    }
}

/* Writes every finished entry that has no unfinished one before it, then
 * releases its memory. */
static void emit_ready(exec_t *x)
{
    int n = x->batch->ops->nelts;
    int flush;

    while (x->next_emit < n && x->results[x->next_emit]) {
        int i = x->next_emit++;

        if (x->write_rv == APR_SUCCESS) {
            wrote(x, x->fmt->result(&x->emit, op_at(x, i), x->results[i]));
            if (x->write_rv == APR_SUCCESS && pass_due(x, &flush)) {
                x->write_rv = pass(x, flush);
            }
        }
        x->held_bytes -= x->results[i]->body_len;
        x->results[i] = NULL;
        x->held--;
        apr_pool_destroy(x->pools[i]);
        x->pools[i] = NULL;
        drop_resolved(x, i);
    }
}

/* The most a kept value may take: the largest field it could go into. */
static apr_size_t value_cap(const exec_t *x)
{
    const batch_limits_t *l = &x->settings->limits;
    apr_size_t cap = l->max_body;

    cap = l->max_target > 0 && (apr_size_t)l->max_target > cap
          ? (apr_size_t)l->max_target : cap;
    return l->max_header_size > 0 && (apr_size_t)l->max_header_size > cap
           ? (apr_size_t)l->max_header_size : cap;
}

static apr_size_t budget_left(const exec_t *x)
{
    apr_size_t used = x->held_bytes + x->kept_bytes;
    apr_size_t budget = (apr_size_t)x->settings->max_memory;

    return used < budget ? budget - used : 0;
}

/* Reads, once, the values the references to operation i need in its
 * answer; the answer itself goes once it is written. */
static void keep_values(exec_t *x, int i, const batch_result_t *res)
{
    kept_t *kept = &x->kept[i];

    apr_pool_create(&kept->pool, x->r->pool);
    apr_pool_tag(kept->pool, "batch_kept");
    kept->values = batch_ref_read_answer(kept->pool, res->body,
                                         res->body_len, kept->paths,
                                         value_cap(x), budget_left(x),
                                         &kept->bytes);
    x->kept_bytes += kept->bytes;
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, x->r, BATCH_LOGNO(2001)
                  "answer of operation %s read once for %d paths: %"
                  APR_SIZE_T_FMT " bytes of values kept for %d readers",
                  op_at(x, i)->id, kept->paths->nelts, kept->bytes,
                  kept->readers_left);
}

/* Operation i has its answer, in pool, which goes once it is written. */
static void finish(exec_t *x, int i, batch_result_t *res, apr_pool_t *pool)
{
    if (res->status >= 400 && x->batch->on_error == BATCH_ON_ERROR_STOP) {
        x->stopped = 1;
    }
    x->pools[i] = pool;
    x->results[i] = res;
    x->status[i] = res->status;
    x->held++;
    x->held_bytes += res->body_len;
    batch_cookies_collect(x->cookies, i, res);
    if (x->kept[i].readers_left && res->status < 400) {
        keep_values(x, i, res);
    }
}

static apr_pool_t *op_pool(exec_t *x)
{
    apr_pool_t *p;

    apr_pool_create(&p, x->r->pool);
    apr_pool_tag(p, "batch_op");
    return p;
}

typedef struct answers_t {
    const exec_t *x;
    const batch_op_t *op;
} answers_t;

/* The kept value one of op's references reads. */
static const batch_ref_value_t *kept_value(void *baton,
                                           const batch_ref_t *ref)
{
    const answers_t *a = baton;
    int k;

    for (k = 0; k < a->op->refers_to->nelts; k++) {
        int dep = APR_ARRAY_IDX(a->op->refers_to, k, int);
        const kept_t *kept = &a->x->kept[dep];

        if (!strcmp(op_at(a->x, dep)->id, ref->name)) {
            return kept->values ? apr_hash_get(kept->values, ref->path,
                                               APR_HASH_KEY_STRING) : NULL;
        }
    }
    return NULL;
}

/* Operation i has been resolved or answered without running: the values
 * it read go once no other operation reads them. */
static void release_references(exec_t *x, int i)
{
    const apr_array_header_t *deps = op_at(x, i)->refers_to;
    int k;

    for (k = 0; deps && k < deps->nelts; k++) {
        kept_t *kept = &x->kept[APR_ARRAY_IDX(deps, k, int)];

        if (--kept->readers_left == 0 && kept->pool) {
            x->kept_bytes -= kept->bytes;
            apr_pool_destroy(kept->pool);
            kept->pool = NULL;
            kept->values = NULL;
        }
    }
}

/* Adds the paths the references in s (a field of op) read to the kept_t
 * of the operations they name, each path once. */
static void plan_field(exec_t *x, apr_pool_t *tmp, apr_hash_t *seen,
                       const batch_op_t *op, const char *s)
{
    const char *why = NULL;
    apr_array_header_t *refs;
    int r, k;

    if (!batch_ref_any(s) || !(refs = batch_ref_find(tmp, s, &why))) {
        return;
    }
    for (r = 0; r < refs->nelts; r++) {
        const batch_ref_t *ref = &APR_ARRAY_IDX(refs, r, batch_ref_t);

        for (k = 0; k < op->refers_to->nelts; k++) {
            int dep = APR_ARRAY_IDX(op->refers_to, k, int);
            const char *key;

            if (strcmp(op_at(x, dep)->id, ref->name)) {
                continue;
            }
            key = apr_psprintf(tmp, "%d:%s", dep, ref->path);
            if (!apr_hash_get(seen, key, APR_HASH_KEY_STRING)) {
                apr_hash_set(seen, key, APR_HASH_KEY_STRING, key);
                APR_ARRAY_PUSH(x->kept[dep].paths, const char *) =
                    apr_pstrdup(x->r->pool, ref->path);
            }
            break;
        }
    }
}

/* The paths each referenced operation's answer is read for, and how many
 * operations read it. */
static void plan_references(exec_t *x)
{
    apr_pool_t *tmp;
    apr_hash_t *seen;
    int i, k;

    apr_pool_create(&tmp, x->r->pool);
    seen = apr_hash_make(tmp);
    for (i = 0; i < x->batch->ops->nelts; i++) {
        const batch_op_t *op = op_at(x, i);
        const apr_array_header_t *h;
        const apr_table_entry_t *e;

        if (!op->refers_to) {
            continue;
        }
        for (k = 0; k < op->refers_to->nelts; k++) {
            kept_t *kept = &x->kept[APR_ARRAY_IDX(op->refers_to, k, int)];

            if (!kept->readers_left++) {
                kept->paths = apr_array_make(x->r->pool, 2,
                                             sizeof(const char *));
            }
        }
        plan_field(x, tmp, seen, op, op->url);
        h = apr_table_elts(op->headers);
        e = (const apr_table_entry_t *)h->elts;
        for (k = 0; k < h->nelts; k++) {
            plan_field(x, tmp, seen, op, e[k].val);
        }
        if (batch_ref_body_substitutable(op)) {
            plan_field(x, tmp, seen, op, op->body);
        }
    }
    apr_pool_destroy(tmp);
}

/* The pool of the copy run as operation i, until its answer is written. */
static apr_pool_t *copy_pool(exec_t *x, int i)
{
    if (!x->resolved[i]) {
        apr_pool_create(&x->resolved[i], x->r->pool);
        apr_pool_tag(x->resolved[i], "batch_resolved_op");
    }
    return x->resolved[i];
}

/* A substituted url or header must pass what validation checked. The
 * target it sets lives in the copy's pool: the operation's own pool p
 * may go before the operation runs (parallel operations). */
static batch_error_t *check_resolved(exec_t *x, int i, batch_op_t *copy,
                                     apr_pool_t *p)
{
    batch_error_t *err = batch_validate_target(copy_pool(x, i), copy,
                                               &x->settings->limits);

    return err ? err : batch_check_nesting(x->r, x->settings, copy, p);
}

/* The operation to run as i: itself, or a copy with its result references
 * substituted, which lives until its answer is written. NULL and *res, in
 * p, when they cannot be. */
static const batch_op_t *resolved_op(exec_t *x, int i, apr_pool_t *p,
                                     batch_result_t **res)
{
    const batch_op_t *op = op_at(x, i);
    answers_t answers = { x, op };
    batch_error_t *err = NULL;
    batch_op_t *copy;

    if (!op->refers_to) {
        return op;
    }
    copy = batch_ref_resolve_op(copy_pool(x, i), op, &x->settings->limits,
                                kept_value, &answers, &err);
    if (!copy) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, x->r, BATCH_LOGNO(1600)
                      "operation %s of batch %s not run: %s; answered %d",
                      op->id, x->run->batch_id, err->message, err->status);
        *res = op_error(p, err->status, err->code, apr_psprintf(
            p, "operation %s was not run: %s", op->id, err->message));
        return NULL;
    }
    if ((err = check_resolved(x, i, copy, p))) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, x->r, BATCH_LOGNO(1601)
                      "operation %s of batch %s not run: %s; answered %d",
                      op->id, x->run->batch_id, err->message, err->status);
        *res = op_error(p, err->status, err->code, apr_psprintf(
            p, "with its result references substituted, %s",
            err->message));
        return NULL;
    }
    x->resolved_bytes[i] = copy->body_len;
    x->held_bytes += copy->body_len;
    return copy;
}

/* The operation to run as i: with its result references substituted and
 * the cookies of its dependencies (BatchCookieJar). NULL and *res, in p,
 * when it is not to run. */
static const batch_op_t *op_to_run(exec_t *x, int i, apr_pool_t *p,
                                   batch_result_t **res)
{
    const batch_op_t *op = resolved_op(x, i, p, res);

    return op && x->cookies ? batch_cookies_apply(x->cookies, i, op,
                                                  copy_pool(x, i), p, res)
                            : op;
}

static void run_one(exec_t *x, int i)
{
    apr_pool_t *p = op_pool(x);
    batch_result_t *res = not_run(x, i, p);
    const batch_op_t *op = res ? NULL : op_to_run(x, i, p, &res);

    release_references(x, i);
    if (op) {
        res = batch_engine_run(x->r, x->run, op, p);
    }
    finish(x, i, res, p);
}

static int client_gone(const exec_t *x)
{
    return x->r->connection->aborted || x->write_rv != APR_SUCCESS;
}

/* Runs the operations one at a time, in batch->order; returns how many
 * were started. */
static int run_sequential(exec_t *x)
{
    int n = x->batch->ops->nelts;
    int k;

    for (k = 0; k < n && !client_gone(x); k++) {
        run_one(x, x->batch->order[k]);
        emit_ready(x);
    }
    return k;
}

#if APR_HAS_THREADS

typedef struct parallel_t {
    batch_schedule_t *schedule;
    batch_workers_t *workers;
    int max;                    /* BatchConcurrency */
    int running;
    int started;
} parallel_t;

/* At most max operations run at once. Finished answers waiting for an
 * earlier one are held in memory, so none starts while max of them wait,
 * unless nothing runs at all (an operation may depend on a later one). */
static int may_start(const exec_t *x, const parallel_t *par)
{
    return !client_gone(x) && par->running < par->max
           && (par->running == 0
               || (x->held < par->max && !over_budget(x)));
}

/* Starts every ready operation that may start; those that must not run
 * (BatchTimeout, onError stop, a failed dependency) are answered here. */
static void start_ready(exec_t *x, parallel_t *par)
{
    while (may_start(x, par) && batch_schedule_has_ready(par->schedule)) {
        int i = batch_schedule_take(par->schedule);
        apr_pool_t *p = op_pool(x);
        batch_result_t *res = not_run(x, i, p);
        const batch_op_t *op = res ? NULL : op_to_run(x, i, p, &res);

        release_references(x, i);
        par->started++;
        if (!op) {
            finish(x, i, res, p);
            batch_schedule_done(par->schedule, i);
            continue;
        }
        apr_pool_destroy(p);
        batch_workers_start(par->workers, op, i);
        par->running++;
    }
}

static void collect_one(exec_t *x, parallel_t *par)
{
    batch_result_t *res;
    apr_pool_t *pool;
    int i = batch_workers_wait(par->workers, &res, &pool);

    par->running--;
    finish(x, i, res, pool);
    batch_schedule_done(par->schedule, i);
}

/* Answers never written (the client went away): their pools go now,
 * before the workers' pool that holds those of parallel operations. */
static void drop_unwritten(exec_t *x)
{
    int i;

    for (i = x->next_emit; i < x->batch->ops->nelts; i++) {
        if (x->pools[i]) {
            apr_pool_destroy(x->pools[i]);
            x->pools[i] = NULL;
            x->results[i] = NULL;
        }
        drop_resolved(x, i);
    }
}

/* Runs the operations at most max at once; returns how many were started,
 * or -1 when no worker could be set up (the caller runs them in turn). */
static int run_parallel(exec_t *x, int max)
{
    parallel_t par = { 0 };
    apr_status_t rv;

    par.max = max;
    par.schedule = batch_schedule_make(x->r->pool, x->batch);
    rv = batch_workers_make(x->r, x->run, max, &par.workers);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, x->r, BATCH_LOGNO(1403)
                      "cannot run operations in parallel; running them "
                      "one at a time");
        return -1;
    }
    for (;;) {
        start_ready(x, &par);
        emit_ready(x);
        if (!par.running) {
            break;
        }
        collect_one(x, &par);
        emit_ready(x);
    }
    drop_unwritten(x);
    batch_workers_finish(par.workers);
    return par.started;
}

#endif /* APR_HAS_THREADS */

int batch_execute(request_rec *r, const batch_settings_t *s, batch_t *batch,
                  const batch_format_t *fmt)
{
    int n = batch->ops->nelts;
    exec_t x = { 0 };
    int started = -1;

    batch_status_batch_begin(r->server);
    x.r = r;
    x.settings = s;
    x.batch = batch;
    x.fmt = fmt;
    x.run = batch_run_begin(r, s);
    x.results = apr_pcalloc(r->pool, sizeof(*x.results) * (n ? n : 1));
    x.status = apr_pcalloc(r->pool, sizeof(*x.status) * (n ? n : 1));
    x.pools = apr_pcalloc(r->pool, sizeof(*x.pools) * (n ? n : 1));
    x.kept = apr_pcalloc(r->pool, sizeof(*x.kept) * (n ? n : 1));
    plan_references(&x);
    x.resolved = apr_pcalloc(r->pool, sizeof(*x.resolved) * (n ? n : 1));
    x.resolved_bytes = apr_pcalloc(r->pool,
                                   sizeof(*x.resolved_bytes) * (n ? n : 1));
    x.cookies = batch_cookies_begin(r, s, batch, apr_table_get(
        x.run->inherited, "Cookie"), x.run->batch_id);
    x.emit.pool = r->pool;
    x.emit.bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    x.emit.flush = pass_on;
    x.emit.flush_ctx = &x;
    x.last_flush = apr_time_now();
    x.deadline = s->timeout ? x.last_flush + s->timeout : 0;

    x.write_rv = fmt->begin(&x.emit);
    ap_set_content_type(r, fmt->response_type(&x.emit));
    if (x.write_rv == APR_SUCCESS) {
        x.write_rv = pass(&x, 1);
    }
#if APR_HAS_THREADS
    if (s->concurrency > 1) {
        started = run_parallel(&x, s->concurrency);
    }
#endif
    if (started < 0) {
        started = run_sequential(&x);
    }
    if (!client_gone(&x)) {
        wrote(&x, fmt->end(&x.emit));
        if (x.write_rv == APR_SUCCESS) {
            x.write_rv = pass(&x, 0);
        }
    }
    batch_oplog_batch_notes(r, n, (int)apr_atomic_read32(&x.run->counts->ran),
                            (int)apr_atomic_read32(&x.run->counts->failed));
    if (client_gone(&x)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, x.write_rv, r,
                      BATCH_LOGNO(1101) "client went away; %d of %d "
                      "operations were started", started, n);
    }
    batch_status_batch_end(r->server);
    return OK;
}
