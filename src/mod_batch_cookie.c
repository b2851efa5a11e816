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
 * BatchCookieJar: an operation is sent the cookies that the operations it
 * depends on set, as a browser would have stored them. So that the answer
 * does not depend on which operations ran at the same time, each
 * operation's Cookie header is made afresh from the batch's own Cookie
 * header and the Set-Cookie answers of exactly its transitive
 * dependencies, applied in the batch's execution order (validation's,
 * which puts every operation after what it depends on), with the time
 * the batch arrived as "now". The jar lives in the request's pool and
 * its thread: nothing is shared between batches or kept after one.
 */
#include <string.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_ssl.h>

#include "mod_batch_cookie.h"
#include "batch.h"
#include "batch_cookie.h"
#include "batch_error.h"
#include "mod_batch.h"

APLOG_USE_MODULE(batch);

struct batch_cookies_t {
    request_rec *r;
    const batch_t *batch;
    const char *inherited;      /* the batch's Cookie, or NULL */
    const char *batch_id;
    int secure;                 /* the batch came over TLS */
    int field_size;             /* LimitRequestFieldSize; 0: none */
    char *needed;               /* per op: another op depends on it */
    const char **targets;       /* per op: the target it ran with */
    /* per op: the cookies its answer stores (batch_cookie_t *), NULL
     * when none */
    apr_array_header_t **set;
    int any_set;                /* some answer stored a cookie */
};

static const batch_op_t *op_at(const batch_cookies_t *jar, int i)
{
    return &APR_ARRAY_IDX(jar->batch->ops, i, batch_op_t);
}

batch_cookies_t *batch_cookies_begin(request_rec *r,
                                     const batch_settings_t *s,
                                     const batch_t *batch,
                                     const char *inherited,
                                     const char *batch_id)
{
    int n = batch->ops->nelts;
    batch_cookies_t *jar;
    int i, d;

    if (!s->cookie_jar) {
        return NULL;
    }
    jar = apr_pcalloc(r->pool, sizeof(*jar));
    jar->r = r;
    jar->batch = batch;
    jar->inherited = inherited;
    jar->batch_id = batch_id;
    jar->secure = ap_ssl_conn_is_ssl(r->connection);
    jar->field_size = s->limits.max_header_size;
    jar->needed = apr_pcalloc(r->pool, n ? n : 1);
    jar->targets = apr_pcalloc(r->pool, sizeof(*jar->targets) * (n ? n : 1));
    jar->set = apr_pcalloc(r->pool, sizeof(*jar->set) * (n ? n : 1));
    for (i = 0; i < n; i++) {
        const apr_array_header_t *deps = op_at(jar, i)->deps;

        for (d = 0; deps && d < deps->nelts; d++) {
            jar->needed[APR_ARRAY_IDX(deps, d, int)] = 1;
        }
    }
    return jar;
}

/* Where op i's answer came from, for RFC 6265's defaults and checks. */
static batch_cookie_origin_t origin_of(const batch_cookies_t *jar, int i)
{
    batch_cookie_origin_t from;

    from.host = jar->r->hostname ? jar->r->hostname : "";
    from.target = jar->targets[i];
    from.secure = jar->secure;
    from.now = jar->r->request_time;
    return from;
}

typedef struct collecting_t {
    batch_cookies_t *jar;
    int i;
    batch_cookie_origin_t from;
} collecting_t;

static int collect_set_cookie(void *data, const char *name,
                              const char *value)
{
    collecting_t *c = data;
    batch_cookies_t *jar = c->jar;
    const char *why = NULL;
    batch_cookie_t *cookie;

    (void)name;
    cookie = batch_cookie_parse(jar->r->pool, value, &c->from, &why);
    if (!cookie) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, jar->r, BATCH_LOGNO(2502)
                      "a Set-Cookie of operation %s of batch %s is not "
                      "stored in the batch's cookie jar: %s",
                      op_at(jar, c->i)->id, jar->batch_id, why);
        return 1;
    }
    if (!jar->set[c->i]) {
        jar->set[c->i] = apr_array_make(jar->r->pool, 2,
                                        sizeof(batch_cookie_t *));
    }
    APR_ARRAY_PUSH(jar->set[c->i], batch_cookie_t *) = cookie;
    jar->any_set = 1;
    return 1;
}

void batch_cookies_collect(batch_cookies_t *jar, int i,
                           const batch_result_t *res)
{
    collecting_t c;

    if (!jar || !jar->needed[i] || !jar->targets[i] || !res->headers) {
        return;
    }
    c.jar = jar;
    c.i = i;
    c.from = origin_of(jar, i);
    apr_table_do(collect_set_cookie, &c, res->headers, "Set-Cookie", NULL);
}

/* Marks in seen every operation op i depends on, directly or not. */
static void mark_dependencies(const batch_cookies_t *jar, int i, char *seen,
                              int *stack)
{
    int top = 0, d;

    stack[top++] = i;
    while (top) {
        const apr_array_header_t *deps = op_at(jar, stack[--top])->deps;

        for (d = 0; deps && d < deps->nelts; d++) {
            int dep = APR_ARRAY_IDX(deps, d, int);

            if (!seen[dep]) {
                seen[dep] = 1;
                stack[top++] = dep;
            }
        }
    }
}

/* The jar after the operations marked in seen, or NULL when none of them
 * stored a cookie. */
static batch_cookie_jar_t *jar_after(const batch_cookies_t *jar,
                                     const char *seen, apr_pool_t *p)
{
    batch_cookie_jar_t *cookies = NULL;
    int n = jar->batch->ops->nelts;
    int k, c;

    for (k = 0; k < n; k++) {
        const apr_array_header_t *set = jar->set[jar->batch->order[k]];

        if (!seen[jar->batch->order[k]] || !set) {
            continue;
        }
        if (!cookies) {
            cookies = batch_cookie_jar_make(p, jar->r->hostname
                                               ? jar->r->hostname : "");
            batch_cookie_jar_load(cookies, jar->inherited);
        }
        for (c = 0; c < set->nelts; c++) {
            batch_cookie_jar_store(cookies,
                                   APR_ARRAY_IDX(set, c, batch_cookie_t *));
        }
    }
    return cookies;
}

/* op with header as its Cookie, in p. An empty jar still hides the
 * batch's own Cookie, which the operation would inherit otherwise. */
static batch_op_t *with_cookie(const batch_cookies_t *jar,
                               const batch_op_t *op, const char *header,
                               apr_pool_t *p)
{
    batch_op_t *copy = apr_pmemdup(p, op, sizeof(*op));

    copy->headers = apr_table_copy(p, op->headers);
    if (*header || jar->inherited) {
        apr_table_set(copy->headers, "Cookie", header);
    }
    else {
        apr_table_unset(copy->headers, "Cookie");
    }
    return copy;
}

const batch_op_t *batch_cookies_apply(batch_cookies_t *jar, int i,
                                      const batch_op_t *op,
                                      apr_pool_t *copy_pool, apr_pool_t *p,
                                      batch_result_t **res)
{
    int n = jar->batch->ops->nelts;
    batch_cookie_jar_t *cookies;
    const char *header;
    apr_pool_t *tmp;
    char *seen;

    jar->targets[i] = apr_pstrdup(jar->r->pool, op->target);
    if (!jar->any_set) {
        return op;
    }
    apr_pool_create(&tmp, p);
    seen = apr_pcalloc(tmp, n);
    mark_dependencies(jar, i, seen, apr_palloc(tmp, sizeof(int) * n));
    cookies = jar_after(jar, seen, tmp);
    if (!cookies) {
        apr_pool_destroy(tmp);
        return op;
    }
    header = batch_cookie_jar_header(tmp, cookies, op->target, jar->secure,
                                     apr_table_get(op->headers, "Cookie"));
    if (jar->field_size > 0 && strlen("Cookie") + 2 + strlen(header)
                              > (apr_size_t)jar->field_size) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, jar->r, BATCH_LOGNO(2501)
                      "operation %s of batch %s not run: its Cookie header "
                      "with the batch's cookie jar would be %" APR_SIZE_T_FMT
                      " bytes, longer than LimitRequestFieldSize (%d); "
                      "answered 400", op->id, jar->batch_id, strlen(header),
                      jar->field_size);
        *res = batch_result_error(p, HTTP_BAD_REQUEST, "Bad Request",
                                  BATCH_E_INVALID_HEADER, apr_psprintf(
            p, "operation %s was not run: its Cookie header with the "
            "cookies of the operations it depends on would be longer than "
            "LimitRequestFieldSize (%d bytes)", op->id, jar->field_size));
        apr_pool_destroy(tmp);
        return NULL;
    }
    op = with_cookie(jar, op, header, copy_pool);
    apr_pool_destroy(tmp);
    return op;
}
