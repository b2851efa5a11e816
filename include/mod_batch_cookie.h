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
 * BatchCookieJar (src/mod_batch_cookie.c): the cookies an operation's
 * dependencies set, put in its Cookie header before it runs. Everything
 * here runs in the request's thread.
 */
#ifndef MOD_BATCH_COOKIE_H
#define MOD_BATCH_COOKIE_H

#include <httpd.h>

#include "batch.h"
#include "mod_batch_config.h"

typedef struct batch_cookies_t batch_cookies_t;

/* The batch's jar, or NULL when BatchCookieJar is off. inherited is the
 * Cookie header operations inherit from the batch request, or NULL;
 * batch_id names the batch in log lines. */
batch_cookies_t *batch_cookies_begin(request_rec *r,
                                     const batch_settings_t *s,
                                     const batch_t *batch,
                                     const char *inherited,
                                     const char *batch_id);

/* Keeps the Set-Cookie headers of operation i's answer, when an operation
 * depends on it; nothing when jar is NULL. */
void batch_cookies_collect(batch_cookies_t *jar, int i,
                           const batch_result_t *res);

/* The operation to run as i (jar not NULL): op itself when none of the operations it
 * depends on (transitively) set a cookie; else a copy, in copy_pool,
 * whose Cookie header is the jar after them. NULL and *res, in p, when
 * that header is longer than LimitRequestFieldSize (400). */
const batch_op_t *batch_cookies_apply(batch_cookies_t *jar, int i,
                                      const batch_op_t *op,
                                      apr_pool_t *copy_pool, apr_pool_t *p,
                                      batch_result_t **res);

#endif /* MOD_BATCH_COOKIE_H */
