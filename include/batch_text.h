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
 * Text helpers shared by the whole core (src/batch_text.c): UTF-8, HTTP
 * tokens and field values, media types and header parameters,
 * percent-encoding. It depends on APR alone.
 */
#ifndef BATCH_TEXT_H
#define BATCH_TEXT_H

#include <apr_pools.h>
#include <apr_tables.h>

/* The length of the UTF-8 sequence at s (1 to 4), or 0 if it is invalid. */
apr_size_t batch_utf8_seq_len(const char *s, apr_size_t left);
int batch_utf8_valid(const char *s, apr_size_t len);

/* An RFC 9110 token (a header name, a method). */
int batch_is_token(const char *s);
/* An RFC 9110 field value: no CR, LF, NUL or other control but HTAB. */
int batch_is_header_value(const char *s);
/* The name of t's first header whose name is not a token or whose value
 * is not a field value, or NULL: what httpd refuses to send (emitters
 * write only answers without one). */
const char *batch_first_bad_header(const apr_table_t *t);

/* The media type alone, lower-cased: "application/json; charset=x" gives
 * "application/json". */
const char *batch_media_type(apr_pool_t *p, const char *content_type);
/* application/json, or any type with a +json suffix; parameters after
 * ';' are ignored. */
int batch_media_type_is_json(const char *media_type);
/* application/json alone (a media type as batch_media_type gives it): the
 * only JSON type a batch request may have, as the one a WAF in front
 * parses as JSON. */
int batch_media_type_is_json_batch(const char *media_type);
int batch_media_type_is_multipart(const char *media_type);
/* application/x-www-form-urlencoded or multipart/form-data, or each */
int batch_media_type_is_form(const char *media_type);
int batch_media_type_is_urlencoded(const char *media_type);
int batch_media_type_is_form_data(const char *media_type);
/* The parameter name of a header value such as a Content-Type or a
 * Content-Disposition (form-data; name="batch"), unquoted; NULL when
 * absent or an unterminated quoted-string. */
const char *batch_header_param(apr_pool_t *p, const char *value,
                               const char *name);

/* s with every byte for which encode() is true written as %XX; s itself
 * when there is none. */
const char *batch_percent_encode(apr_pool_t *p, const char *s,
                                 int (*encode)(unsigned char c));

#endif /* BATCH_TEXT_H */
