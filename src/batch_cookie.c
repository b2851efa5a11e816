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
 * The cookie jar of a batch (RFC 6265): parsing a Set-Cookie value (5.2),
 * storing it (5.3) and writing the Cookie header of a request (5.4).
 * SameSite is read past: every request of a batch is same-site.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_date.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "batch_cookie.h"
#include "batch_text.h"

typedef struct stored_t {
    batch_cookie_t c;
    apr_uint64_t created;       /* order of creation in the jar */
} stored_t;

struct batch_cookie_jar_t {
    apr_pool_t *pool;
    const char *host;
    apr_array_header_t *cookies; /* stored_t */
    apr_uint64_t next_created;
};

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* [start, end) without leading and trailing spaces and tabs, copied. */
static char *trimmed(apr_pool_t *p, const char *start, const char *end)
{
    while (start < end && is_wsp(*start)) {
        start++;
    }
    while (end > start && is_wsp(end[-1])) {
        end--;
    }
    return apr_pstrmemdup(p, start, end - start);
}

static char *lower(char *s)
{
    char *c;

    for (c = s; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return s;
}

/* An IPv4 or IPv6 literal, which only matches a domain equal to it. */
static int is_ip_literal(const char *host)
{
    return strchr(host, ':') || strspn(host, "0123456789.") == strlen(host);
}

/* RFC 6265 5.1.3: host is domain, or a name under it. */
static int domain_match(const char *host, const char *domain)
{
    apr_size_t h = strlen(host), d = strlen(domain);

    if (!strcasecmp(host, domain)) {
        return 1;
    }
    return d && h > d && host[h - d - 1] == '.'
           && !strcasecmp(host + h - d, domain) && !is_ip_literal(host);
}

/* RFC 6265 5.1.4: the directory of target's path, "/" when it has none. */
static const char *default_path(apr_pool_t *p, const char *target)
{
    apr_size_t len = strcspn(target, "?#");
    const char *slash;

    if (!len || target[0] != '/') {
        return "/";
    }
    slash = target + len;
    while (slash > target && *--slash != '/') {
    }
    return slash == target ? "/" : apr_pstrmemdup(p, target, slash - target);
}

/* RFC 6265 5.1.4: the cookie path is the request's path or a directory
 * prefix of it. */
static int path_match(const char *path, apr_size_t path_len,
                      const char *cookie_path)
{
    apr_size_t c = strlen(cookie_path);

    if (c > path_len || strncmp(path, cookie_path, c)) {
        return 0;
    }
    return c == path_len || cookie_path[c - 1] == '/' || path[c] == '/';
}

/* Max-Age's value: 1 and *expired when it is a number of seconds. */
static int parse_max_age(const char *v, int *expired)
{
    const char *digits = *v == '-' ? v + 1 : v;

    if (!*digits || strspn(digits, "0123456789") != strlen(digits)) {
        return 0;
    }
    *expired = *v == '-' || strspn(digits, "0") == strlen(digits);
    return 1;
}

/* An Expires date, or APR_DATE_BAD. apr_date_parse_rfc answers the epoch
 * itself, which servers send to delete a cookie, as APR_DATE_BAD (0): a
 * date that is one second later then parses as 1 s. */
static apr_time_t parse_date(apr_pool_t *p, const char *value)
{
    apr_time_t t = apr_date_parse_rfc(value);
    char *later, *midnight;

    if (t != APR_DATE_BAD
        || !(midnight = strstr(later = apr_pstrdup(p, value), "00:00:00"))) {
        return t;
    }
    midnight[7] = '1';
    return apr_date_parse_rfc(later) == apr_time_from_sec(1)
           ? apr_time_from_sec(0) - 1 : APR_DATE_BAD;
}

typedef struct attributes_t {
    const char *domain;
    const char *path;
    int secure;
    int http_only;
    int max_age_set;
    int max_age_expired;
    int expires_expired;
} attributes_t;

/* One attribute (RFC 6265 5.2.1 to 5.2.6), the last of a name winning;
 * an unknown or malformed one is ignored. */
static void read_attribute(apr_pool_t *p, attributes_t *a, const char *name,
                           const char *value, const batch_cookie_origin_t *from)
{
    if (strlen(value) > BATCH_COOKIE_MAX_ATTRIBUTE) {
        return;
    }
    if (!strcasecmp(name, "Expires")) {
        apr_time_t t = parse_date(p, value);

        if (t != APR_DATE_BAD) {
            a->expires_expired = t <= from->now;
        }
    }
    else if (!strcasecmp(name, "Max-Age")) {
        if (parse_max_age(value, &a->max_age_expired)) {
            a->max_age_set = 1;
        }
    }
    else if (!strcasecmp(name, "Domain")) {
        if (*value) {
            a->domain = lower(apr_pstrdup(p, value + (*value == '.')));
        }
    }
    else if (!strcasecmp(name, "Path")) {
        a->path = *value == '/' ? value : NULL;
    }
    else if (!strcasecmp(name, "Secure")) {
        a->secure = 1;
    }
    else if (!strcasecmp(name, "HttpOnly")) {
        a->http_only = 1;
    }
}

/* The attributes after the first ';' of a Set-Cookie value. */
static void read_attributes(apr_pool_t *p, attributes_t *a, const char *s,
                            const batch_cookie_origin_t *from)
{
    while (*s == ';') {
        const char *start = s + 1;
        const char *end = start + strcspn(start, ";");
        const char *eq = memchr(start, '=', end - start);

        read_attribute(p, a, trimmed(p, start, eq ? eq : end),
                       eq ? trimmed(p, eq + 1, end) : "", from);
        s = end;
    }
}

/* RFC 6265 5.3 steps 4 to 10 on what 5.2 read: whether the cookie is
 * kept, and its domain and path. */
static const char *place(apr_pool_t *p, batch_cookie_t *c,
                         const attributes_t *a,
                         const batch_cookie_origin_t *from)
{
    if (a->secure && !from->secure) {
        return "a Secure cookie over plain HTTP";
    }
    if (a->domain && !domain_match(from->host, a->domain)) {
        return "its Domain is not the host's";
    }
    c->host_only = !a->domain;
    c->domain = a->domain ? a->domain : lower(apr_pstrdup(p, from->host));
    c->path = a->path ? a->path : default_path(p, from->target);
    c->secure = a->secure;
    c->http_only = a->http_only;
    c->expired = a->max_age_set ? a->max_age_expired : a->expires_expired;
    return NULL;
}

batch_cookie_t *batch_cookie_parse(apr_pool_t *p, const char *set_cookie,
                                   const batch_cookie_origin_t *from,
                                   const char **why)
{
    const char *end = set_cookie + strcspn(set_cookie, ";");
    const char *eq = memchr(set_cookie, '=', end - set_cookie);
    attributes_t a = { 0 };
    batch_cookie_t *c;

    if (!eq) {
        *why = "it has no name=value";
        return NULL;
    }
    c = apr_pcalloc(p, sizeof(*c));
    c->name = trimmed(p, set_cookie, eq);
    c->value = trimmed(p, eq + 1, end);
    if (!*c->name) {
        *why = "its name is empty";
        return NULL;
    }
    if (!batch_is_header_value(c->name) || !batch_is_header_value(c->value)
        || strchr(c->name, '\t') || strchr(c->value, '\t')) {
        *why = "it holds a control character";
        return NULL;
    }
    if (strlen(c->name) + strlen(c->value) > BATCH_COOKIE_MAX_BYTES) {
        *why = "its name and value are longer than 4096 bytes";
        return NULL;
    }
    read_attributes(p, &a, end, from);
    return (*why = place(p, c, &a, from)) ? NULL : c;
}

batch_cookie_jar_t *batch_cookie_jar_make(apr_pool_t *p, const char *host)
{
    batch_cookie_jar_t *jar = apr_pcalloc(p, sizeof(*jar));

    jar->pool = p;
    jar->host = lower(apr_pstrdup(p, host));
    jar->cookies = apr_array_make(p, 8, sizeof(stored_t));
    return jar;
}

int batch_cookie_jar_count(const batch_cookie_jar_t *jar)
{
    return jar->cookies->nelts;
}

static stored_t *stored_at(const batch_cookie_jar_t *jar, int i)
{
    return &APR_ARRAY_IDX(jar->cookies, i, stored_t);
}

static void remove_at(batch_cookie_jar_t *jar, int i)
{
    apr_array_header_t *a = jar->cookies;

    memmove(a->elts + i * a->elt_size, a->elts + (i + 1) * a->elt_size,
            (a->nelts - i - 1) * a->elt_size);
    a->nelts--;
}

static int find_stored(const batch_cookie_jar_t *jar,
                       const batch_cookie_t *c)
{
    int i;

    for (i = 0; i < jar->cookies->nelts; i++) {
        const batch_cookie_t *s = &stored_at(jar, i)->c;

        if (!strcmp(s->name, c->name) && !strcmp(s->domain, c->domain)
            && !strcmp(s->path, c->path)) {
            return i;
        }
    }
    return -1;
}

/* The earliest-created cookie, of domain or of any when domain is NULL,
 * and how many there are. */
static int earliest(const batch_cookie_jar_t *jar, const char *domain,
                    int *count)
{
    int i, found = -1;

    *count = 0;
    for (i = 0; i < jar->cookies->nelts; i++) {
        const stored_t *s = stored_at(jar, i);

        if (domain && strcmp(s->c.domain, domain)) {
            continue;
        }
        ++*count;
        if (found < 0 || s->created < stored_at(jar, found)->created) {
            found = i;
        }
    }
    return found;
}

/* A browser's limits: past them the earliest-created cookie goes. */
static void enforce_limits(batch_cookie_jar_t *jar, const char *domain)
{
    int count;
    int i = earliest(jar, domain, &count);

    if (count > BATCH_COOKIE_MAX_PER_DOMAIN) {
        remove_at(jar, i);
    }
    i = earliest(jar, NULL, &count);
    if (count > BATCH_COOKIE_MAX_COOKIES) {
        remove_at(jar, i);
    }
}

void batch_cookie_jar_store(batch_cookie_jar_t *jar, const batch_cookie_t *c)
{
    int old = find_stored(jar, c);
    stored_t s;

    s.created = old >= 0 ? stored_at(jar, old)->created
                         : jar->next_created++;
    if (old >= 0) {
        remove_at(jar, old);
    }
    if (c->expired) {
        return;
    }
    s.c = *c;
    s.c.name = apr_pstrdup(jar->pool, c->name);
    s.c.value = apr_pstrdup(jar->pool, c->value);
    s.c.domain = apr_pstrdup(jar->pool, c->domain);
    s.c.path = apr_pstrdup(jar->pool, c->path);
    APR_ARRAY_PUSH(jar->cookies, stored_t) = s;
    enforce_limits(jar, s.c.domain);
}

/* Calls fn for each name=value pair of a Cookie header; a pair without
 * '=' is skipped. */
static void each_pair(apr_pool_t *p, const char *header,
                      void (*fn)(void *baton, const char *name,
                                 const char *value), void *baton)
{
    const char *s = header;

    while (*s) {
        const char *end = s + strcspn(s, ";");
        const char *eq = memchr(s, '=', end - s);

        if (eq) {
            const char *name = trimmed(p, s, eq);

            if (*name) {
                fn(baton, name, trimmed(p, eq + 1, end));
            }
        }
        s = *end ? end + 1 : end;
    }
}

static void load_pair(void *baton, const char *name, const char *value)
{
    batch_cookie_jar_t *jar = baton;
    batch_cookie_t c = { 0 };

    c.name = name;
    c.value = value;
    c.domain = jar->host;
    c.path = "/";
    c.host_only = 1;
    batch_cookie_jar_store(jar, &c);
}

void batch_cookie_jar_load(batch_cookie_jar_t *jar, const char *cookie)
{
    if (cookie) {
        each_pair(jar->pool, cookie, load_pair, jar);
    }
}

static void note_name(void *baton, const char *name, const char *value)
{
    apr_hash_t *names = baton;

    (void)value;
    apr_hash_set(names, name, APR_HASH_KEY_STRING, name);
}

/* RFC 6265 5.4 step 2: longer paths first, then earlier created. */
static int by_path_then_creation(const void *a, const void *b)
{
    const stored_t *x = *(const stored_t *const *)a;
    const stored_t *y = *(const stored_t *const *)b;
    apr_size_t lx = strlen(x->c.path), ly = strlen(y->c.path);

    if (lx != ly) {
        return lx > ly ? -1 : 1;
    }
    return x->created < y->created ? -1 : x->created > y->created;
}

/* RFC 6265 5.4 step 1: the stored cookies a request to target is sent. */
static apr_array_header_t *matching(apr_pool_t *p,
                                    const batch_cookie_jar_t *jar,
                                    const char *target, int secure,
                                    apr_hash_t *own_names)
{
    apr_array_header_t *found = apr_array_make(p, jar->cookies->nelts + 1,
                                               sizeof(stored_t *));
    apr_size_t path_len = strcspn(target, "?#");
    int i;

    if (!path_len || target[0] != '/') {
        target = "/";
        path_len = 1;
    }
    for (i = 0; i < jar->cookies->nelts; i++) {
        stored_t *s = stored_at(jar, i);

        if ((s->c.host_only ? !strcmp(jar->host, s->c.domain)
                            : domain_match(jar->host, s->c.domain))
            && path_match(target, path_len, s->c.path)
            && (secure || !s->c.secure)
            && !apr_hash_get(own_names, s->c.name, APR_HASH_KEY_STRING)) {
            APR_ARRAY_PUSH(found, stored_t *) = s;
        }
    }
    qsort(found->elts, found->nelts, sizeof(stored_t *),
          by_path_then_creation);
    return found;
}

const char *batch_cookie_jar_header(apr_pool_t *p,
                                    const batch_cookie_jar_t *jar,
                                    const char *target, int secure,
                                    const char *own)
{
    apr_hash_t *own_names = apr_hash_make(p);
    apr_array_header_t *found, *parts;
    int i;

    own = own ? trimmed(p, own, own + strlen(own)) : "";
    each_pair(p, own, note_name, own_names);
    found = matching(p, jar, target, secure, own_names);
    parts = apr_array_make(p, 2 * found->nelts + 1, sizeof(const char *));
    if (*own) {
        APR_ARRAY_PUSH(parts, const char *) = own;
    }
    for (i = 0; i < found->nelts; i++) {
        const stored_t *s = APR_ARRAY_IDX(found, i, stored_t *);

        if (parts->nelts) {
            APR_ARRAY_PUSH(parts, const char *) = "; ";
        }
        APR_ARRAY_PUSH(parts, const char *) =
            apr_pstrcat(p, s->c.name, "=", s->c.value, NULL);
    }
    return apr_array_pstrcat(p, parts, 0);
}
