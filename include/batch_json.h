/*
 * json-c objects whose lifetime is tied to an APR pool, and the JSON
 * helpers shared by the parsers and emitters. No httpd headers.
 */
#ifndef BATCH_JSON_H
#define BATCH_JSON_H

#include <json.h>
#include <apr_pools.h>

/* Deepest nesting a batch document may have; json-c's own default. */
#define BATCH_JSON_MAX_DEPTH 32

/* Releases obj when p is cleared or destroyed; returns obj. */
json_object *batch_json_own(apr_pool_t *p, json_object *obj);

/* Serializes obj compactly, without escaping '/', into pool p. */
const char *batch_json_text(apr_pool_t *p, json_object *obj,
                            apr_size_t *len);

/* Parses a whole document strictly (RFC 8259, valid UTF-8, nothing after
 * it). On failure returns NULL and, when where is given, the byte offset
 * and a description of the problem. */
json_object *batch_json_parse(apr_pool_t *p, const char *text,
                              apr_size_t len, apr_size_t *where,
                              const char **why);

/* Whether text is one complete, strictly valid JSON document. */
int batch_json_valid(apr_pool_t *p, const char *text, apr_size_t len);

#endif /* BATCH_JSON_H */
