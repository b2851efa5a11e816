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
 * The canonical JSON format's parser (src/batch_parse_json.c), and what the
 * JSON dialects' parsers share.
 */
#ifndef BATCH_PARSE_JSON_H
#define BATCH_PARSE_JSON_H

#include <json.h>
#include "batch.h"
#include "batch_format.h"

/* The canonical JSON format's parser and emitter (src/batch_parse_json.c,
 * src/batch_emit_json.c). */
batch_t *batch_parse_json(apr_pool_t *p, const char *body, apr_size_t len,
                          batch_error_t **err);
/* A JSON dialect's parser: builds the batch in p from the document, whose
 * json-c tree lives in tree_pool. */
typedef batch_t *(*batch_json_document_fn)(apr_pool_t *p,
                                           apr_pool_t *tree_pool,
                                           const batch_input_t *in,
                                           batch_error_t **err);
/* Runs parse with a pool for the json-c tree, freed once the batch (which
 * copies what it keeps into p) is built. */
batch_t *batch_parse_json_document(apr_pool_t *p, const batch_input_t *in,
                                   batch_error_t **err,
                                   batch_json_document_fn parse);
batch_t *batch_parse_json_input(apr_pool_t *p, const batch_input_t *in,
                                batch_error_t **err);

/* A parser's pool, and its refusal once it has one. */
typedef struct batch_parse_t {
    apr_pool_t *pool;
    batch_error_t *err;
} batch_parse_t;

/* Sets ps->err to a 400 refusal; returns NULL. */
void *batch_parse_refuse(batch_parse_t *ps, const char *code,
                         const char *where, const char *message);
/* obj's member name as a C string: NULL when absent or null; refused
 * (*failed set) when not a string or holding a NUL character. */
const char *batch_parse_string(batch_parse_t *ps, json_object *obj,
                               const char *name, const char *where,
                               const char *code, int *failed);
/* obj's "headers", an object of names to string values, into op. */
int batch_parse_headers(batch_parse_t *ps, json_object *obj,
                        batch_op_t *op, const char *where);
/* op's body from a JSON value: a string as it is, anything else as its
 * JSON text, sent as application/json unless op sets a Content-Type. */
void batch_parse_body_value(apr_pool_t *p, json_object *body,
                            batch_op_t *op);
/* The JSON tree of a batch body: in->json when detection parsed it, else
 * parsed into tree_pool; NULL and a refusal made in p when it is not one
 * strict JSON document. */
json_object *batch_parse_tree(apr_pool_t *p, apr_pool_t *tree_pool,
                              const batch_input_t *in, batch_error_t **err);

#endif /* BATCH_PARSE_JSON_H */
