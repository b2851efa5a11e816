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
 * An incremental reader of one HTTP/1.1 response (src/batch_http1.c): what
 * httpd's HTTP/1.1 output filters write for an operation run under
 * BatchEngine request, read back into its status, headers and body, the
 * body de-chunked. Fed in pieces of any size; bounded by a limit on the
 * head (status line, headers and trailers) and one on the body.
 */
#ifndef BATCH_HTTP1_H
#define BATCH_HTTP1_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "batch_buf.h"

typedef enum {
    BATCH_HTTP1_MORE = 0,       /* the response is not complete yet */
    BATCH_HTTP1_DONE,           /* complete; later bytes are refused */
    BATCH_HTTP1_INVALID,        /* not a well-formed response */
    BATCH_HTTP1_HEAD_TOO_LARGE, /* the head is over its limit */
    BATCH_HTTP1_BODY_TOO_LARGE  /* the body is over its limit */
} batch_http1_state_e;

typedef struct batch_http1_t batch_http1_t;

/* A reader in p. A response to HEAD has no body, whatever its headers
 * say (RFC 9112 6.3). */
batch_http1_t *batch_http1_make(apr_pool_t *p, apr_size_t max_head,
                                apr_size_t max_body, int head_request);

/* Reads the next n bytes; once the state is no longer MORE it stays. */
batch_http1_state_e batch_http1_feed(batch_http1_t *h, const char *data,
                                     apr_size_t n);

/* The input has ended: completes a body that runs to the end of input,
 * INVALID for any other response cut short. */
batch_http1_state_e batch_http1_end(batch_http1_t *h);

batch_http1_state_e batch_http1_state(const batch_http1_t *h);

/* What went wrong, for the log; NULL while nothing did. */
const char *batch_http1_error(const batch_http1_t *h);

/* The final status (interim 1xx responses are skipped) and its reason
 * phrase, "" when it had none. */
int batch_http1_status(const batch_http1_t *h);
const char *batch_http1_reason(const batch_http1_t *h);

/* The header fields as sent, then the trailer fields, in order. */
apr_table_t *batch_http1_headers(const batch_http1_t *h);

/* The body, de-chunked: data NULL while it is empty. */
const batch_buf_t *batch_http1_body(const batch_http1_t *h);

#endif /* BATCH_HTTP1_H */
