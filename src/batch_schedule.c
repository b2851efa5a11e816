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
 * The ready queue of the parallel executor: dependency counts, the reverse
 * edges, and a min-heap of ready operations so the earliest in the request
 * starts first (its entry is the next one the aggregate can write).
 */
#include "batch_schedule.h"
#include "batch.h"

typedef enum {
    OP_WAITING = 0,             /* not ready, or ready and in the heap */
    OP_TAKEN,
    OP_DONE
} op_state_e;

struct batch_schedule_t {
    int n;
    int left;                   /* not taken yet */
    int *waiting;               /* unfinished dependencies, per operation */
    int *first;                 /* dependents of i: dependents[first[i] ..
                                 * first[i + 1]) */
    int *dependents;
    char *state;                /* op_state_e */
    int *heap;                  /* ready indexes, smallest on top */
    int ready;
};

static void heap_push(batch_schedule_t *s, int i)
{
    int k = s->ready++;

    while (k > 0 && s->heap[(k - 1) / 2] > i) {
        s->heap[k] = s->heap[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    s->heap[k] = i;
}

static int heap_pop(batch_schedule_t *s)
{
    int top = s->heap[0];
    int last = s->heap[--s->ready];
    int k = 0;

    for (;;) {
        int child = 2 * k + 1;

        if (child >= s->ready) {
            break;
        }
        if (child + 1 < s->ready && s->heap[child + 1] < s->heap[child]) {
            child++;
        }
        if (s->heap[child] >= last) {
            break;
        }
        s->heap[k] = s->heap[child];
        k = child;
    }
    s->heap[k] = last;
    return top;
}

static const apr_array_header_t *deps_of(const batch_t *batch, int i)
{
    return APR_ARRAY_IDX(batch->ops, i, batch_op_t).deps;
}

/* The reverse of op->deps, as one array cut per operation. A dependency
 * named twice is counted twice on both sides, so the counts agree. */
static void index_dependents(batch_schedule_t *s, apr_pool_t *p,
                             const batch_t *batch)
{
    int *fill = apr_pcalloc(p, sizeof(int) * (s->n + 1));
    int i, d, total = 0;

    for (i = 0; i < s->n; i++) {
        const apr_array_header_t *deps = deps_of(batch, i);

        s->waiting[i] = deps ? deps->nelts : 0;
        for (d = 0; deps && d < deps->nelts; d++) {
            s->first[APR_ARRAY_IDX(deps, d, int) + 1]++;
        }
    }
    for (i = 0; i < s->n; i++) {
        s->first[i + 1] += s->first[i];
    }
    total = s->first[s->n];
    s->dependents = apr_palloc(p, sizeof(int) * (total ? total : 1));
    for (i = 0; i < s->n; i++) {
        const apr_array_header_t *deps = deps_of(batch, i);

        for (d = 0; deps && d < deps->nelts; d++) {
            int dep = APR_ARRAY_IDX(deps, d, int);

            s->dependents[s->first[dep] + fill[dep]++] = i;
        }
    }
}

batch_schedule_t *batch_schedule_make(apr_pool_t *p, const batch_t *batch)
{
    batch_schedule_t *s = apr_pcalloc(p, sizeof(*s));
    int n = batch->ops->nelts;
    int i;

    s->n = n;
    s->left = n;
    s->waiting = apr_pcalloc(p, sizeof(int) * (n ? n : 1));
    s->first = apr_pcalloc(p, sizeof(int) * (n + 1));
    s->state = apr_pcalloc(p, n ? n : 1);
    s->heap = apr_palloc(p, sizeof(int) * (n ? n : 1));
    index_dependents(s, p, batch);
    for (i = 0; i < n; i++) {
        if (!s->waiting[i]) {
            heap_push(s, i);
        }
    }
    return s;
}

int batch_schedule_take(batch_schedule_t *s)
{
    int i;

    if (!s->ready) {
        return -1;
    }
    i = heap_pop(s);
    s->state[i] = OP_TAKEN;
    s->left--;
    return i;
}

int batch_schedule_has_ready(const batch_schedule_t *s)
{
    return s->ready > 0;
}

void batch_schedule_done(batch_schedule_t *s, int i)
{
    int k;

    if (i < 0 || i >= s->n || s->state[i] != OP_TAKEN) {
        return;
    }
    s->state[i] = OP_DONE;
    for (k = s->first[i]; k < s->first[i + 1]; k++) {
        int j = s->dependents[k];

        if (--s->waiting[j] == 0) {
            heap_push(s, j);
        }
    }
}

int batch_schedule_left(const batch_schedule_t *s)
{
    return s->left;
}
