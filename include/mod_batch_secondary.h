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
 * The secondary connection and the "fake parent" request an operation runs
 * on in a worker thread (src/mod_batch_secondary.c).
 */
#ifndef MOD_BATCH_SECONDARY_H
#define MOD_BATCH_SECONDARY_H

#include <httpd.h>
#include "mod_batch_subreq.h"

/* A pool one thread at a time allocates from, on allocator (with a mutex
 * when threads take turns on the pool). */
apr_pool_t *batch_transit_pool(apr_pool_t *parent, apr_allocator_t *allocator,
                               const char *tag);

/* A copy of c1 with its own pool, bucket allocator, conn_config and
 * notes, and dummy as its socket, on which pre_connection has run; made
 * in pool. */
conn_rec *batch_secondary_make(conn_rec *c1, apr_pool_t *pool,
                               apr_socket_t *dummy);

/* The id of the secondary connection running on pool thread slot (1 to
 * the cap), unique while the connection c1_id is alive. */
long batch_secondary_id(long c1_id, int slot);

/* A request on c2 that mirrors the batch request r after its own auth: the
 * parent of the operation's subrequest in a worker. */
request_rec *batch_secondary_parent(request_rec *r, conn_rec *c2,
                                    batch_run_t *run);

#endif /* MOD_BATCH_SECONDARY_H */
