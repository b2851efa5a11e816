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
 * mod_batch's figures on mod_status's server-status page
 * (src/mod_batch_status.c): per child process, counted with apr_atomic.
 */
#ifndef MOD_BATCH_STATUS_H
#define MOD_BATCH_STATUS_H

#include <httpd.h>

/* the child_init and status hooks */
void batch_status_register(void);

void batch_status_batch_begin(const server_rec *s);
void batch_status_batch_end(const server_rec *s);
void batch_status_refused(const server_rec *s);
/* parallel: the op runs on a worker thread of its batch */
void batch_status_op_begin(const server_rec *s, int parallel);
void batch_status_op_end(const server_rec *s, int parallel, int status);
/* The worker running the batch shows this request on server-status (an
 * operation while it runs, then the batch again). */
void batch_status_show_request(request_rec *shown);
/* The same for a request of another connection, shown in the slot of c's
 * worker (an operation run as a request, on its own connection). */
void batch_status_show_on(conn_rec *c, request_rec *shown);

#endif /* MOD_BATCH_STATUS_H */
