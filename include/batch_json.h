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
 * json-c objects whose lifetime is tied to an APR pool, and strict JSON
 * checking (src/batch_json.c).
 */
#ifndef BATCH_JSON_H
#define BATCH_JSON_H

#include <json.h>
#include <apr_pools.h>

/* Deepest nesting a batch document may have; json-c's own default. */
#define BATCH_JSON_MAX_DEPTH 32
/* Deepest answer embedded as JSON; deeper ones are embedded as strings. */
#define BATCH_JSON_EMBED_DEPTH 512

/* batch_json_check flag: refuse "\u0000" in object keys. */
#define BATCH_JSON_NO_NUL_KEYS 1

/* Releases obj when p is cleared or destroyed; returns obj. */
json_object *batch_json_own(apr_pool_t *p, json_object *obj);

/* Serializes obj compactly, without escaping '/', into pool p. */
const char *batch_json_text(apr_pool_t *p, json_object *obj,
                            apr_size_t *len);

/* Whether text is one strict RFC 8259 document in valid UTF-8 (no lone
 * surrogate escapes either), nested at most max_depth deep. On failure,
 * the byte offset and the problem. */
int batch_json_check(const char *text, apr_size_t len, int max_depth,
                     int flags, apr_size_t *where, const char **why);

/* Checks a whole document as batch_json_check does (no NUL in keys,
 * json-c's depth) and also refuses duplicate member names in any object,
 * then parses it. On failure returns NULL and, when where is
 * given, the byte offset and a description of the problem. */
json_object *batch_json_parse(apr_pool_t *p, const char *text,
                              apr_size_t len, apr_size_t *where,
                              const char **why);

/* About how many bytes json-c takes to hold the tree of text (an upper
 * estimate: an empty object alone takes some 800), found by one scan
 * without parsing, so that a document can be refused before it is. */
apr_size_t batch_json_tree_cost(const char *text, apr_size_t len);

/* Whether an answer can be embedded as JSON. */
int batch_json_valid(const char *text, apr_size_t len);

/* Whether root is an object whose member name is an array: the shape of
 * most JSON dialects. */
int batch_json_has_array(json_object *root, const char *name);

/* A JSON string as a C string, its length in *len when len is given;
 * NULL when it holds a NUL character. */
const char *batch_json_c_string(json_object *s, apr_size_t *len);

#endif /* BATCH_JSON_H */
