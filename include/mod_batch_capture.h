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
 * An operation's output capture and its own input (src/mod_batch_capture.c).
 */
#ifndef MOD_BATCH_CAPTURE_H
#define MOD_BATCH_CAPTURE_H

#include <httpd.h>
#include <util_filter.h>
#include "batch.h"
#include "batch_buf.h"

typedef struct batch_capture_t {
    batch_buf_t *body;          /* freed with the op's pool */
    apr_size_t limit;           /* BatchMaxOperationResponseSize */
    apr_size_t discarded;       /* body bytes dropped for HEAD */
    int header_only;
    int overflow;               /* the body grew past the limit */
    int backend_error;          /* an error bucket arrived (proxy broke) */
} batch_capture_t;

void batch_capture_register(void);
/* A standalone filter (r = NULL, next = NULL) at the end of every op's
 * chain: output reaching it never goes further (docs/design.md). */
ap_filter_t *batch_capture_create(apr_pool_t *p, conn_rec *c,
                                  apr_size_t limit, int header_only,
                                  batch_capture_t **cap);
/* Serves an op's own body to its handler, then EOS; never reads the
 * batch request's input. */
void batch_op_input_add(request_rec *rnew, const batch_op_t *op);

/* How many of the left bytes at data an input filter serving them from
 * memory hands over for one read in mode: a line (its LF included) of at
 * most HUGE_STRING_LEN, as core_input_filter gives (server/core_filters.c),
 * all of them, or at most readbytes. */
apr_size_t batch_input_size(const char *data, apr_size_t left,
                            ap_input_mode_t mode, apr_off_t readbytes);

#endif /* MOD_BATCH_CAPTURE_H */
