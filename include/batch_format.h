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
 * A batch format: a parser that produces operations and an emitter that
 * writes their results. The executor knows no format; the canonical JSON
 * and multipart/mixed formats are chosen by media type (src/batch_format.c),
 * the other JSON dialects by the document's shape (src/batch_dialect.c).
 */
#ifndef BATCH_FORMAT_H
#define BATCH_FORMAT_H

#include "batch.h"
#include "batch_emit.h"

/* A batch request as a parser sees it. */
typedef struct batch_input_t {
    const char *body;
    apr_size_t len;
    const char *content_type;   /* of the batch request */
    /* this server as the client named it, for absolute request URLs */
    const char *self_scheme;
    const char *self_host;
    int self_port;
    /* the path after the batch location ("/users" of POST /batch/users),
     * NULL when none */
    const char *path_info;
    /* the body's JSON tree when dialect detection already parsed it */
    struct json_object *json;
    /* BatchBaseURL, NULL when none */
    const char *base_url;
} batch_input_t;

typedef struct batch_format_t {
    const char *name;
    /* Whether a request body of this media type is in this format. */
    int (*accepts)(const char *media_type);
    batch_t *(*parse)(apr_pool_t *p, const batch_input_t *in,
                      batch_error_t **err);
    /* The media type of the aggregate response, known after begin. */
    const char *(*response_type)(batch_emit_t *e);
    apr_status_t (*begin)(batch_emit_t *e);
    apr_status_t (*result)(batch_emit_t *e, const batch_op_t *op,
                           const batch_result_t *res);
    apr_status_t (*end)(batch_emit_t *e);
    /* The status a refusal of this format's batch is answered with, for
     * formats whose clients expect another than err's; NULL: err's. */
    int (*refusal_status)(const batch_error_t *err);
} batch_format_t;

/* The canonical JSON format and multipart/mixed. */
extern const batch_format_t batch_format_json;
extern const batch_format_t batch_format_multipart;

/* The format for a request Content-Type, or NULL when none reads it. */
const batch_format_t *batch_format_for(apr_pool_t *p,
                                       const char *content_type);

#endif /* BATCH_FORMAT_H */
