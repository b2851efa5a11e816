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
 * The canonical JSON format's emitter (src/batch_emit_json.c), and what the
 * JSON dialects' emitters share.
 */
#ifndef BATCH_EMIT_JSON_H
#define BATCH_EMIT_JSON_H

#include <json.h>
#include "batch.h"
#include "batch_format.h"

const char *batch_emit_json_type(batch_emit_t *e);
apr_status_t batch_emit_json_begin(batch_emit_t *e);
apr_status_t batch_emit_json_result(batch_emit_t *e, const batch_op_t *op,
                                    const batch_result_t *res);
/* Writes entry (a JSON object) to bb with one more member last, name:
 * res's body as a JSON value (the JSON answer itself, a string, or the
 * base64 text of bytes that are not UTF-8; null when empty). name NULL
 * writes entry alone. */
apr_status_t batch_emit_entry(apr_bucket_brigade *bb, apr_pool_t *p,
                              json_object *entry, const char *name,
                              const batch_result_t *res);
apr_status_t batch_emit_json_end(batch_emit_t *e);

/* Response headers as a JSON object; repeated names joined with ", ". */
json_object *batch_emit_headers_object(apr_pool_t *p,
                                       const apr_table_t *headers);
/* Each Set-Cookie value, in order, as a JSON array (NULL when there is
 * none): joined in the headers object they could not be told apart, as an
 * Expires date holds ", ". The entry's member is BATCH_SET_COOKIES. */
json_object *batch_emit_set_cookies(apr_pool_t *p,
                                    const apr_table_t *headers);
#define BATCH_SET_COOKIES "setCookies"
/* Adds the BATCH_SET_COOKIES member to entry when headers hold a
 * Set-Cookie: every dialect's answer keeps them (BatchCookieJar). */
void batch_emit_add_set_cookies(apr_pool_t *p, json_object *entry,
                                const apr_table_t *headers);
/* A header value as UTF-8: bytes that are not are read as Latin-1. */
const char *batch_emit_header_utf8(apr_pool_t *p, const char *v);
/* Writes res's body as one JSON string: the text, or the base64 text of
 * bytes that are not UTF-8; "" when empty. */
apr_status_t batch_emit_body_string(batch_emit_t *e, apr_pool_t *p,
                                    const batch_result_t *res);

#endif /* BATCH_EMIT_JSON_H */
