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
 * The multipart/mixed parser (src/batch_parse_multipart.c).
 */
#ifndef BATCH_PARSE_MULTIPART_H
#define BATCH_PARSE_MULTIPART_H

#include "batch.h"
#include "batch_format.h"

/* RFC 2046's longest boundary */
#define BATCH_MAX_BOUNDARY 70

/* A delimiter line of a multipart body (RFC 2046). */
typedef struct batch_delim_t {
    const char *content_end;    /* end of the part before it (line end out) */
    const char *after;          /* first byte after the delimiter line */
    int close;                  /* it was the closing "--boundary--" */
} batch_delim_t;
/* Finds the next delimiter line "--boundary" (dash, dlen) in the body
 * [start, end) at or after from; 0 when there is none. */
int batch_multipart_delimiter(const char *start, const char *from,
                              const char *end, const char *dash,
                              apr_size_t dlen, batch_delim_t *d);
batch_t *batch_parse_multipart(apr_pool_t *p, const batch_input_t *in,
                               batch_error_t **err);

#endif /* BATCH_PARSE_MULTIPART_H */
