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
 * Result references: "{result=NAME:JSONPATH}" in an
 * operation's url, header values or body stands for values taken from the
 * JSON answer of the earlier operation NAME. Validation finds them (a bad
 * one refuses the batch); the executor substitutes them just before the
 * operation runs. No httpd headers: unit-tested and fuzzed on its own.
 *
 * The JSONPath subset: "$" then any chain of ".key", ".*", "[n]", "[*]".
 * Every matched value is used: strings as they are, other values as their
 * compact JSON text; several are joined with commas (as Facebook does).
 */
#ifndef BATCH_REFERENCE_H
#define BATCH_REFERENCE_H

#include <apr_pools.h>
#include <apr_hash.h>
#include <apr_tables.h>

#include "batch.h"

struct json_object;

/* Where a value is substituted, which says how it is escaped. */
typedef enum {
    BATCH_REF_URL,      /* percent-encoded but unreserved bytes and ',' */
    BATCH_REF_HEADER,   /* as it is; refused with a control character */
    BATCH_REF_RAW,      /* as it is (a body of another media type) */
    BATCH_REF_JSON,     /* JSON-escaped: it lands inside a JSON string */
    BATCH_REF_FORM,     /* a urlencoded form body: percent-encoded as in a
                         * url, so a value cannot add a parameter */
    BATCH_REF_FORM_DATA /* a multipart/form-data body: as it is; refused
                         * with CR or LF */
} batch_ref_context_e;

/* One reference found in a string. */
typedef struct batch_ref_t {
    const char *text;           /* "{result=NAME:PATH}" as written */
    const char *name;
    const char *path;
    apr_size_t offset;          /* where text starts in the string */
} batch_ref_t;

/* Whether s holds "{result=" at all: most strings do not, and need no
 * closer look. */
int batch_ref_any(const char *s);

/* The references in s, in order (an empty array when none); NULL and *why
 * naming the reference when one is malformed: "{result=" without a ':'
 * and a closing '}', an empty name, or a path outside the subset. */
apr_array_header_t *batch_ref_find(apr_pool_t *p, const char *s,
                                   const char **why);

/* What is wrong with path, or NULL when it is in the subset. */
const char *batch_ref_path_problem(apr_pool_t *p, const char *path);

/* The values path matches in tree, joined with commas; NULL and *why
 * when it matches nothing (or a string holding a NUL character). */
const char *batch_ref_evaluate(apr_pool_t *p, struct json_object *tree,
                               const char *path, const char **why);

/* value escaped for ctx; NULL when it cannot go there. */
const char *batch_ref_escape(apr_pool_t *p, const char *value,
                             batch_ref_context_e ctx);

/* What a reference reads in an answer: the matched values joined, or why
 * there are none; text and why both NULL when the joined values would be
 * longer than the cap they were read with (len is then above it) or, with
 * unkept, when keeping them would have passed the budget. */
typedef struct batch_ref_value_t {
    const char *text;
    apr_size_t len;
    const char *why;
    int unkept;
} batch_ref_value_t;

/* Parses a JSON answer once and reads every path (const char *) in it:
 * path -> batch_ref_value_t *, made in p, none longer than cap bytes; the
 * parsed tree is gone on return, so only the values stay (*kept bytes).
 * The tree (batch_json_tree_cost) and the values together take at most
 * budget bytes: an answer too big to parse within it has every value
 * unkept, and values past it are. NULL when body is not JSON. */
apr_hash_t *batch_ref_read_answer(apr_pool_t *p, const char *body,
                                  apr_size_t len,
                                  const apr_array_header_t *paths,
                                  apr_size_t cap, apr_size_t budget,
                                  apr_size_t *kept);

/* The value ref reads (batch_ref_read_answer), NULL when the operation it
 * names gave no JSON answer; the executor keeps them for the batch. */
typedef const batch_ref_value_t *(*batch_ref_value_fn)(
    void *baton, const batch_ref_t *ref);

/* How an operation's body takes substituted values (batch_op_t.body_kind).
 * The default is text, so a dialect that copies a string body needs to do
 * nothing: its values are escaped by its Content-Type (urlencoded,
 * multipart/form-data, JSON, or as they are). */
#define BATCH_BODY_TEXT   0     /* a string, escaped by its media type */
#define BATCH_BODY_JSON   1     /* JSON text: values JSON-escaped */
#define BATCH_BODY_BYTES  2     /* decoded bytes: never substituted */

/* A copy of op, made in p, with every reference in its url, header
 * values and body replaced, each value read and escaped once and each
 * field built once; NULL and *err when it cannot run: 424
 * unresolved_reference when a referenced answer is not JSON, a path
 * matches nothing or a value cannot go where it is; when the field would
 * pass its limit, what httpd answers a direct request over it: url longer
 * than limits->max_target 414 url_too_long, a header longer than
 * limits->max_header_size 400 invalid_header, a body longer than
 * limits->max_body 413 body_too_large; 503 batch_memory_exceeded when a
 * value was not kept. op->target is left as it was: the
 * caller recomputes it (batch_validate_target). */
batch_op_t *batch_ref_resolve_op(apr_pool_t *p, const batch_op_t *op,
                                 const batch_limits_t *limits,
                                 batch_ref_value_fn value, void *baton,
                                 batch_error_t **err);

/* Whether the body of op is substituted into (text, no NUL character). */
int batch_ref_body_substitutable(const batch_op_t *op);

#endif /* BATCH_REFERENCE_H */
