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
 * HTML forms (src/batch_form.c): application/x-www-form-urlencoded and
 * multipart/form-data.
 */
#ifndef BATCH_FORM_H
#define BATCH_FORM_H

#include <apr_pools.h>
#include <json.h>

/* The value of the field name of a form body of Content-Type ctype, a
 * string made in p, its length in *len; NULL when the form has no such
 * field, or when the body is not a well-formed form or has the field
 * twice: then *why says so. */
const char *batch_form_field(apr_pool_t *p, const char *ctype,
                             const char *body, apr_size_t blen,
                             const char *name, apr_size_t *len,
                             const char **why);

/* obj's members as an application/x-www-form-urlencoded string, nested
 * values named as Rack and PHP read them (a[b]=1, a[]=2). */
const char *batch_form_encode(apr_pool_t *p, json_object *obj);

#endif /* BATCH_FORM_H */
