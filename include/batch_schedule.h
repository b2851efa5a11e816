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
 * Which operations of a batch may start now: an operation is
 * ready once every operation it depends on has finished. No httpd here, so
 * the parallel executor's bookkeeping is unit-tested on its own.
 */
#ifndef BATCH_SCHEDULE_H
#define BATCH_SCHEDULE_H

#include "batch.h"

typedef struct batch_schedule_t batch_schedule_t;

/* The schedule of a validated batch (op->deps resolved, no cycle). */
batch_schedule_t *batch_schedule_make(apr_pool_t *p, const batch_t *batch);

/* Takes the ready operation that comes first in the request and returns its
 * index, or -1 when none is ready now. */
int batch_schedule_take(batch_schedule_t *s);

/* Whether an operation is ready, without taking it. */
int batch_schedule_has_ready(const batch_schedule_t *s);

/* Operation i (taken before) has finished: whatever waited only for it
 * becomes ready. */
void batch_schedule_done(batch_schedule_t *s, int i);

/* How many operations have not been taken yet. */
int batch_schedule_left(const batch_schedule_t *s);

#endif /* BATCH_SCHEDULE_H */
