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
 * A batch's cookie jar (src/batch_cookie.c, BatchCookieJar): Set-Cookie
 * values parsed and stored as RFC 6265 sections 5.2 and 5.3 say, and the
 * Cookie header an operation is sent (section 5.4). It depends on APR
 * alone. A jar serves one host: the batch request's.
 */
#ifndef BATCH_COOKIE_H
#define BATCH_COOKIE_H

#include <apr_pools.h>
#include <apr_time.h>

/* A browser's limits (RFC 6265 section 6.1 minimums): a longer cookie
 * (name and value) is ignored; a longer Domain or Path attribute is
 * ignored; past the counts the earliest-created cookie goes. */
#define BATCH_COOKIE_MAX_BYTES 4096
#define BATCH_COOKIE_MAX_ATTRIBUTE 1024
#define BATCH_COOKIE_MAX_PER_DOMAIN 50
#define BATCH_COOKIE_MAX_COOKIES 3000

/* One Set-Cookie as it is to be stored. */
typedef struct batch_cookie_t {
    const char *name;
    const char *value;
    const char *domain;         /* lower-case, without a leading dot */
    const char *path;
    int host_only;              /* no Domain attribute */
    int secure;
    int http_only;
    /* Max-Age of 0 or less, or an Expires not after now: it deletes the
     * stored cookie of its name, domain and path */
    int expired;
} batch_cookie_t;

/* Where a Set-Cookie was received: the request it answered. */
typedef struct batch_cookie_origin_t {
    const char *host;           /* the request's host, lower-case */
    const char *target;         /* its origin-form path and query */
    int secure;                 /* the batch came over TLS */
    apr_time_t now;             /* what Expires is compared with */
} batch_cookie_origin_t;

/* The cookie one Set-Cookie value stores, or NULL with *why when it is
 * to be ignored (no name=value, too large, a Domain that is not the
 * host's, Secure over plain HTTP). */
batch_cookie_t *batch_cookie_parse(apr_pool_t *p, const char *set_cookie,
                                   const batch_cookie_origin_t *from,
                                   const char **why);

typedef struct batch_cookie_jar_t batch_cookie_jar_t;

/* An empty jar for host, living in p. */
batch_cookie_jar_t *batch_cookie_jar_make(apr_pool_t *p, const char *host);

/* Stores the cookies of a Cookie request header (the batch's own), as
 * host-only cookies of path "/"; NULL stores none. */
void batch_cookie_jar_load(batch_cookie_jar_t *jar, const char *cookie);

/* Stores c (RFC 6265 section 5.3 steps 11 and 12): it replaces the
 * cookie of its name, domain and path, keeping that one's creation;
 * an expired c only deletes. */
void batch_cookie_jar_store(batch_cookie_jar_t *jar,
                            const batch_cookie_t *c);

/* How many cookies the jar holds. */
int batch_cookie_jar_count(const batch_cookie_jar_t *jar);

/* The Cookie header for a request to target (origin-form) on the jar's
 * host: the cookies that match it (Secure ones only when secure), longer
 * paths first, then earlier created; own (a Cookie header the operation
 * sent, or NULL) comes first and its names win. "" when there is none. */
const char *batch_cookie_jar_header(apr_pool_t *p,
                                    const batch_cookie_jar_t *jar,
                                    const char *target, int secure,
                                    const char *own);

#endif /* BATCH_COOKIE_H */
