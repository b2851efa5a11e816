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
 * writes their results, described by one batch_format_t that its file
 * exports. The executor knows no format. The registry (src/batch_format.c)
 * lists every format: it finds one by media type, the JSON dialects by the
 * shape of the document, and names them for BatchDialect and refusals.
 */
#ifndef BATCH_FORMAT_H
#define BATCH_FORMAT_H

#include "batch.h"
#include "batch_emit.h"

struct json_object;

/* A scheme and port this server answers on. */
typedef struct batch_origin_t {
    const char *scheme;
    int port;
} batch_origin_t;

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
    /* this server's other names (ServerName, ServerAlias; shell wildcards
     * as ServerAlias takes them), const char *, and the other origins a
     * client reaches it by, batch_origin_t; either may be NULL */
    const apr_array_header_t *self_names;
    const apr_array_header_t *self_origins;
} batch_input_t;

typedef struct batch_format_t {
    /* BatchDialect's name for it, and the name refusals and logs use */
    const char *name;
    /* Whether a request body of this media type (lower-case, without
     * parameters) is in this format; NULL when only the shape of a JSON
     * body tells it. */
    int (*accepts)(const char *media_type);
    /* Whether a JSON document has this dialect's shape; NULL for a format
     * that is no JSON dialect. */
    int (*fits)(struct json_object *root);
    /* what fits, as refusals say it */
    const char *shape;
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

/* The i-th format of the registry, from 0; NULL past the last. */
const batch_format_t *batch_format_at(int i);

/* The format called name (any case), or NULL. */
const batch_format_t *batch_format_named(const char *name);

/* The names of the JSON dialects, as BatchDialect takes them: "graph,
 * rails, ...". */
const char *batch_format_dialect_names(apr_pool_t *p);

/* The format a request body of this Content-Type is read in, at a
 * location that forces the JSON dialect forced (NULL: auto). For a JSON
 * body, *by_shape is set: its dialect is told by batch_format_by_shape
 * once the body is read. NULL and a 415 refusal in *err when no format
 * reads the media type, or only a dialect other than the forced one. */
const batch_format_t *batch_format_for(apr_pool_t *p,
                                       const batch_format_t *forced,
                                       const char *content_type,
                                       int *by_shape, batch_error_t **err);

/* The dialect for a JSON body at a location forcing forced (NULL: auto).
 * Auto takes the first dialect whose shape the body has, or the first
 * dialect of the registry (graph) when it is not JSON or has no known
 * shape, so that its parser says what is wrong. NULL and a 400 refusal
 * naming the dialects when the body has the shape of another dialect than
 * the forced one. The body's JSON tree, made in tree_pool, is
 * left in *tree (NULL when the body is not JSON) for the dialect's
 * parser, so it is parsed once. */
const batch_format_t *batch_format_by_shape(apr_pool_t *p,
                                            const batch_format_t *forced,
                                            const char *body, apr_size_t len,
                                            apr_pool_t *tree_pool,
                                            struct json_object **tree,
                                            batch_error_t **err);

/* The request formats of BatchFormats, one bit each. */
#define BATCH_FORMATS_JSON      0x1     /* JSON dialects, application/json */
#define BATCH_FORMATS_MULTIPART 0x2     /* multipart/mixed */
#define BATCH_FORMATS_FORM      0x4     /* facebook's batch form field */
#define BATCH_FORMATS_DEFAULT   (BATCH_FORMATS_JSON | BATCH_FORMATS_MULTIPART)

/* The request format of a media type as batch_media_type gives it; 0 for
 * none. */
int batch_request_format(const char *media_type);

/* The bit of a BatchFormats name (any case); 0 for an unknown name. */
int batch_request_format_named(const char *name);

/* The names of a set of request formats, space-separated
 * ("json multipart"). */
const char *batch_request_formats_text(apr_pool_t *p, int formats);

#endif /* BATCH_FORMAT_H */
