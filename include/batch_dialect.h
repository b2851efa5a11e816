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
 * The JSON dialects: the canonical JSON format is the "graph" dialect; the
 * others are formats too, chosen by the shape of a JSON body or forced by
 * BatchDialect (src/batch_dialect.c).
 */
#ifndef BATCH_DIALECT_H
#define BATCH_DIALECT_H

#include <json.h>
#include "batch.h"
#include "batch_format.h"

/* The dialect BatchDialect names ("graph", "rails"...), NULL for "auto";
 * *known is 0 when name is no dialect at all. */
const batch_format_t *batch_dialect_named(const char *name, int *known);
/* Whether a location forcing forced (NULL: auto) takes a body read by fmt,
 * the format of its media type: an HTML form is a facebook batch only. */
int batch_dialect_takes(const batch_format_t *forced,
                        const batch_format_t *fmt);
/* The dialect for a JSON body at a location forcing forced (NULL: auto).
 * Auto takes the dialect whose shape the body has, or graph when it is not
 * JSON or has no known shape, so that graph's parser says what is wrong.
 * NULL and a 400 refusal naming the dialect when the body has the shape
 * of another dialect than the forced one, or of one not implemented.
 * The body's JSON tree, made in tree_pool, is left in *tree (NULL when
 * the body is not JSON) for the dialect's parser, so it is parsed once. */
const batch_format_t *batch_dialect_choose(apr_pool_t *p,
                                           const batch_format_t *forced,
                                           const char *body, apr_size_t len,
                                           apr_pool_t *tree_pool,
                                           struct json_object **tree,
                                           batch_error_t **err);

#endif /* BATCH_DIALECT_H */
