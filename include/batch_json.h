/*
 * json-c objects whose lifetime is tied to an APR pool, and the JSON
 * helpers shared by the parsers and emitters. No httpd headers.
 */
#ifndef BATCH_JSON_H
#define BATCH_JSON_H

#include <json.h>
#include <apr_pools.h>

#include "batch.h"
#include "batch_format.h"

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

/* Whether an answer can be embedded as JSON. */
int batch_json_valid(const char *text, apr_size_t len);

/* ---- what the JSON dialects' parsers share (src/parse_json.c) ---- */

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
/* obj's members as an application/x-www-form-urlencoded string, nested
 * values named as Rack and PHP read them (a[b]=1, a[]=2). */
const char *batch_form_encode(apr_pool_t *p, json_object *obj);

/* ---- what the JSON dialects' emitters share (src/emit_json.c) ---- */

/* Response headers as a JSON object; repeated names joined with ", ". */
json_object *batch_emit_headers_object(apr_pool_t *p,
                                       const apr_table_t *headers);
/* A header value as UTF-8: bytes that are not are read as Latin-1. */
const char *batch_emit_header_utf8(apr_pool_t *p, const char *v);
/* Writes res's body as one JSON string: the text, or the base64 text of
 * bytes that are not UTF-8; "" when empty. */
apr_status_t batch_emit_body_string(batch_emit_t *e, apr_pool_t *p,
                                    const batch_result_t *res);
/* Writes entry (a JSON object) to bb with one more member last, name:
 * res's body as a JSON value (the JSON answer itself, a string, or the
 * base64 text of bytes that are not UTF-8; null when empty). name NULL
 * writes entry alone. */
apr_status_t batch_emit_entry(apr_bucket_brigade *bb, apr_pool_t *p,
                              json_object *entry, const char *name,
                              const batch_result_t *res);

#endif /* BATCH_JSON_H */
