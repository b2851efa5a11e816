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
 * Whole-batch validation: everything is checked before the first
 * operation runs, so a bad batch executes nothing.
 */
#include <string.h>
#include <apr_strings.h>
#include <apr_hash.h>
#include <apr_lib.h>

#include "batch_validate.h"
#include "batch.h"
#include "batch_error.h"
#include "batch_reference.h"
#include "batch_schedule.h"
#include "batch_text.h"

typedef struct check_t {
    apr_pool_t *pool;
    batch_t *batch;
    const batch_limits_t *limits;
    /* per operation: 1 + the index of the last operation that added it
     * to its deps (refers_to), so each is added once however often it
     * is named */
    int *dep_mark;
    int *ref_mark;
} check_t;

/* An OData atomicity group. */
typedef struct group_t {
    apr_array_header_t *members;    /* indexes, in request order */
    int named_by;                   /* 1 + the last op depending on it */
} group_t;

apr_array_header_t *batch_default_allow_methods(apr_pool_t *p)
{
    static const char *const methods[] = {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"
    };
    apr_array_header_t *arr = apr_array_make(p, 8, sizeof(const char *));
    apr_size_t i;

    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        APR_ARRAY_PUSH(arr, const char *) = methods[i];
    }
    return arr;
}

static batch_error_t *bad(check_t *ck, const batch_op_t *op, int status,
                          const char *code, const char *message)
{
    return batch_error_make(ck->pool, status, code,
                            batch_op_where(ck->pool, op), "%s", message);
}

static batch_error_t *check_method(check_t *ck, batch_op_t *op)
{
    const apr_array_header_t *allow = ck->limits->allow_methods;
    char *m = apr_pstrdup(ck->pool, op->method);
    char *c;
    int i;

    if (!batch_is_token(m)) {
        return bad(ck, op, 400, BATCH_E_METHOD, apr_psprintf(
            ck->pool, "method \"%s\" of operation %s is not a valid HTTP "
            "method", op->method, batch_op_where(ck->pool, op)));
    }
    for (c = m; *c; c++) {
        *c = apr_toupper(*c);
    }
    for (i = 0; allow && i < allow->nelts; i++) {
        if (!strcmp(m, APR_ARRAY_IDX(allow, i, const char *))) {
            op->method = m;
            return NULL;
        }
    }
    return bad(ck, op, 400, BATCH_E_METHOD, apr_psprintf(
        ck->pool, "method %s of operation %s is not allowed here "
        "(BatchAllowMethods)", m, batch_op_where(ck->pool, op)));
}

/* RFC 3986 scheme ":" at the start: an absolute URL. */
static int has_scheme(const char *url)
{
    const char *s = url;

    if (!apr_isalpha(*s)) {
        return 0;
    }
    while (apr_isalnum(*s) || *s == '+' || *s == '-' || *s == '.') {
        s++;
    }
    return *s == ':';
}

/* What a request line cannot carry (Graph clients send "$filter=city eq
 * null"): the space is percent-encoded, as a browser would. Every other
 * byte goes as the direct request's line carries it (raw UTF-8, '{',
 * '"'), so QUERY_STRING and REQUEST_URI are the direct request's; control
 * characters are refused before. APR's escapers would also encode '%',
 * '?' and '/', which a target keeps. */
static int needs_encoding(unsigned char c)
{
    return c == ' ';
}

const char *batch_url_problem(const char *url)
{
    const unsigned char *s;

    if (!*url) {
        return "is empty";
    }
    for (s = (const unsigned char *)url; *s; s++) {
        if (*s == '\r' || *s == '\n') {
            return "contains CR or LF";
        }
        if (*s < 0x20 || *s == 0x7f) {
            return "contains a control character";
        }
        if (*s == '#') {
            return "contains a fragment ('#')";
        }
        if (*s == '\\') {
            return "contains a backslash";
        }
    }
    if (url[0] == '/' && url[1] == '/') {
        return "is a network-path reference ('//host'); use a path";
    }
    if (has_scheme(url)) {
        return "is an absolute URL; give the path and query only";
    }
    return NULL;
}

/* httpd answers a longer request line with 414 before reading on. */
static batch_error_t *check_target_length(check_t *ck, batch_op_t *op)
{
    int max = ck->limits->max_target;
    apr_size_t n = strlen(op->target);

    if (max > 0 && n > (apr_size_t)max) {
        return bad(ck, op, 400, BATCH_E_INVALID_URL, apr_psprintf(
            ck->pool, "url of operation %s is %" APR_SIZE_T_FMT " bytes "
            "long; at most %d are allowed (LimitRequestLine)",
            batch_op_where(ck->pool, op), n, max));
    }
    return NULL;
}

static batch_error_t *check_url(check_t *ck, batch_op_t *op)
{
    const char *base = ck->limits->base_url;
    const char *problem = batch_url_problem(op->url);
    const char *where = batch_op_where(ck->pool, op);
    apr_size_t n;

    if (problem) {
        return bad(ck, op, 400, BATCH_E_INVALID_URL, apr_psprintf(
            ck->pool, "url of operation %s %s", where, problem));
    }
    if (op->url[0] == '/' && !(base && ck->limits->base_slash)) {
        op->target = batch_percent_encode(ck->pool, op->url,
                                          needs_encoding);
        return check_target_length(ck, op);
    }
    if (!base) {
        return bad(ck, op, 400, BATCH_E_INVALID_URL, apr_psprintf(
            ck->pool, "url of operation %s must start with '/' (no "
            "BatchBaseURL is set)", where));
    }
    n = strlen(base);
    if (op->url[0] == '?') {
        op->target = apr_pstrcat(ck->pool, base, op->url, NULL);
    }
    else {
        /* with LeadingSlash=base, "/users/1" is under the base as Graph
         * resolves it against its version root */
        op->target = apr_pstrcat(ck->pool, base,
                                 n && base[n - 1] == '/' ? "" : "/",
                                 op->url + (op->url[0] == '/'), NULL);
    }
    op->target = batch_percent_encode(ck->pool, op->target,
                                      needs_encoding);
    return check_target_length(ck, op);
}

static batch_error_t *check_headers(check_t *ck, batch_op_t *op)
{
    const apr_array_header_t *arr = apr_table_elts(op->headers);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int max_size = ck->limits->max_header_size;
    int i;

    /* httpd answers a direct request over these limits with 400 */
    if (ck->limits->max_headers > 0
        && arr->nelts > ck->limits->max_headers) {
        return bad(ck, op, 400, BATCH_E_INVALID_HEADER, apr_psprintf(
            ck->pool, "operation %s has %d headers; at most %d are allowed "
            "(LimitRequestFields)", batch_op_where(ck->pool, op), arr->nelts,
            ck->limits->max_headers));
    }
    for (i = 0; i < arr->nelts; i++) {
        const char *what = NULL;

        if (!batch_is_token(e[i].key)) {
            what = "has an invalid name";
        }
        else if (!batch_is_header_value(e[i].val)) {
            what = "has CR, LF, NUL or another control character in its "
                   "value";
        }
        else if (max_size > 0 && strlen(e[i].key) + 2 + strlen(e[i].val)
                                 > (apr_size_t)max_size) {
            what = apr_psprintf(ck->pool, "is longer than %d bytes "
                                "(LimitRequestFieldSize)", max_size);
        }
        if (what) {
            return bad(ck, op, 400, BATCH_E_INVALID_HEADER, apr_psprintf(
                ck->pool, "header \"%s\" of operation %s %s", e[i].key,
                batch_op_where(ck->pool, op), what));
        }
    }
    return NULL;
}

static batch_error_t *check_ids(check_t *ck, apr_hash_t *ids)
{
    int i;

    for (i = 0; i < ck->batch->ops->nelts; i++) {
        batch_op_t *op = &APR_ARRAY_IDX(ck->batch->ops, i, batch_op_t);

        if (!op->id) {
            op->id = apr_itoa(ck->pool, i);
        }
        if (!*op->id) {
            return bad(ck, op, 400, BATCH_E_INVALID_REQUEST, apr_psprintf(
                ck->pool, "id of requests[%d] is empty", i));
        }
        if (!batch_utf8_valid(op->id, strlen(op->id))) {
            /* named by position: the id cannot go into a JSON answer */
            return batch_error_make(ck->pool, 400, BATCH_E_INVALID_REQUEST,
                                    apr_psprintf(ck->pool, "requests[%d]", i),
                                    "id of requests[%d] is not valid UTF-8",
                                    i);
        }
        if (apr_hash_get(ids, op->id, APR_HASH_KEY_STRING)) {
            return bad(ck, op, 400, BATCH_E_INVALID_REQUEST, apr_psprintf(
                ck->pool, "id \"%s\" is used twice (requests[%d])", op->id,
                i));
        }
        apr_hash_set(ids, op->id, APR_HASH_KEY_STRING, op);
    }
    return NULL;
}

/* OData atomicity groups: name -> group_t. */
static apr_hash_t *collect_groups(check_t *ck)
{
    apr_hash_t *groups = apr_hash_make(ck->pool);
    int i;

    for (i = 0; i < ck->batch->ops->nelts; i++) {
        batch_op_t *op = &APR_ARRAY_IDX(ck->batch->ops, i, batch_op_t);
        group_t *g;

        if (!op->group) {
            continue;
        }
        g = apr_hash_get(groups, op->group, APR_HASH_KEY_STRING);
        if (!g) {
            g = apr_pcalloc(ck->pool, sizeof(*g));
            g->members = apr_array_make(ck->pool, 4, sizeof(int));
            apr_hash_set(groups, op->group, APR_HASH_KEY_STRING, g);
        }
        APR_ARRAY_PUSH(g->members, int) = i;
    }
    return groups;
}

/* dep goes into op->deps once, however often it is named. */
static void add_dep(check_t *ck, batch_op_t *op, int dep)
{
    if (ck->dep_mark[dep] != op->index + 1) {
        ck->dep_mark[dep] = op->index + 1;
        APR_ARRAY_PUSH(op->deps, int) = dep;
    }
}

/* A group runs in order and stops at its first failure (nothing in httpd
 * can roll a handler back): each member depends on the one before it. */
static void add_group_order(check_t *ck, batch_op_t *op, apr_hash_t *groups)
{
    group_t *g;
    int m;

    if (!op->group) {
        return;
    }
    g = apr_hash_get(groups, op->group, APR_HASH_KEY_STRING);
    for (m = 1; m < g->members->nelts; m++) {
        if (APR_ARRAY_IDX(g->members, m, int) == op->index) {
            add_dep(ck, op, APR_ARRAY_IDX(g->members, m - 1, int));
        }
    }
}

/* dependsOn names an operation id or, in OData, an atomicity group; a
 * group named again by the same operation adds nothing. */
static int add_dependency(check_t *ck, batch_op_t *op, const char *id,
                          apr_hash_t *ids, apr_hash_t *groups)
{
    batch_op_t *dep = apr_hash_get(ids, id, APR_HASH_KEY_STRING);
    group_t *g;
    int m;

    if (dep) {
        add_dep(ck, op, dep->index);
        return 1;
    }
    g = apr_hash_get(groups, id, APR_HASH_KEY_STRING);
    if (!g) {
        return 0;
    }
    if (g->named_by != op->index + 1) {
        g->named_by = op->index + 1;
        for (m = 0; m < g->members->nelts; m++) {
            add_dep(ck, op, APR_ARRAY_IDX(g->members, m, int));
        }
    }
    return 1;
}

static batch_error_t *resolve_deps(check_t *ck, apr_hash_t *ids)
{
    apr_hash_t *groups = collect_groups(ck);
    int i, j;

    for (i = 0; i < ck->batch->ops->nelts; i++) {
        batch_op_t *op = &APR_ARRAY_IDX(ck->batch->ops, i, batch_op_t);
        int n = op->depends_on ? op->depends_on->nelts : 0;

        op->deps = apr_array_make(ck->pool, 2, sizeof(int));
        for (j = 0; j < n; j++) {
            const char *id = APR_ARRAY_IDX(op->depends_on, j, const char *);

            if (!add_dependency(ck, op, id, ids, groups)) {
                return bad(ck, op, 400, BATCH_E_DEPENDENCY, apr_psprintf(
                    ck->pool, "operation %s depends on unknown id \"%s\"",
                    op->id, id));
            }
        }
        add_group_order(ck, op, groups);
    }
    return NULL;
}

/* The result references in s, a field of op: each must name an operation
 * and implies a dependency on it. */
static batch_error_t *add_references(check_t *ck, batch_op_t *op,
                                     const char *field, const char *s,
                                     apr_hash_t *ids)
{
    const char *why = NULL;
    apr_array_header_t *refs = batch_ref_find(ck->pool, s, &why);
    int i;

    if (!refs) {
        return bad(ck, op, 400, BATCH_E_INVALID_REFERENCE, apr_psprintf(
            ck->pool, "%s of operation %s: %s", field,
            batch_op_where(ck->pool, op), why));
    }
    for (i = 0; i < refs->nelts; i++) {
        const batch_ref_t *ref = &APR_ARRAY_IDX(refs, i, batch_ref_t);
        batch_op_t *dep = apr_hash_get(ids, ref->name, APR_HASH_KEY_STRING);

        if (!dep) {
            return bad(ck, op, 400, BATCH_E_INVALID_REFERENCE, apr_psprintf(
                ck->pool, "%s of operation %s: the result reference %s "
                "names no operation of the batch", field,
                batch_op_where(ck->pool, op), ref->text));
        }
        if (!op->refers_to) {
            op->refers_to = apr_array_make(ck->pool, 2, sizeof(int));
        }
        if (ck->ref_mark[dep->index] != op->index + 1) {
            ck->ref_mark[dep->index] = op->index + 1;
            APR_ARRAY_PUSH(op->refers_to, int) = dep->index;
        }
        add_dep(ck, op, dep->index);
        dep->referenced = 1;
    }
    return NULL;
}

static batch_error_t *check_references(check_t *ck, apr_hash_t *ids)
{
    int i, h;

    for (i = 0; i < ck->batch->ops->nelts; i++) {
        batch_op_t *op = &APR_ARRAY_IDX(ck->batch->ops, i, batch_op_t);
        const apr_array_header_t *arr = apr_table_elts(op->headers);
        const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
        batch_error_t *err;

        if (batch_ref_any(op->url)
            && (err = add_references(ck, op, "url", op->url, ids))) {
            return err;
        }
        for (h = 0; h < arr->nelts; h++) {
            if (batch_ref_any(e[h].val)
                && (err = add_references(ck, op, apr_psprintf(
                        ck->pool, "header \"%s\"", e[h].key), e[h].val,
                        ids))) {
                return err;
            }
        }
        if (batch_ref_body_substitutable(op) && batch_ref_any(op->body)
            && (err = add_references(ck, op, "body", op->body, ids))) {
            return err;
        }
    }
    return NULL;
}

/* A dependency of op i that could not be ordered either (one exists:
 * else i would have been). */
static int unordered_dep(const batch_t *batch, const char *ordered, int i)
{
    const batch_op_t *op = &APR_ARRAY_IDX(batch->ops, i, batch_op_t);
    int d;

    for (d = 0; d < op->deps->nelts; d++) {
        if (!ordered[APR_ARRAY_IDX(op->deps, d, int)]) {
            return APR_ARRAY_IDX(op->deps, d, int);
        }
    }
    return i;
}

static const char *quoted_id(check_t *ck, int i)
{
    return apr_pstrcat(ck->pool, "\"",
                       APR_ARRAY_IDX(ck->batch->ops, i, batch_op_t).id, "\"",
                       NULL);
}

/* The refusal naming one operation on a cycle, with the cycle: from any
 * unordered operation, n steps along unordered dependencies end on one. */
static batch_error_t *cycle_error(check_t *ck, const char *ordered)
{
    const batch_t *batch = ck->batch;
    int start = 0, next, i, k;
    const char *cycle;

    while (ordered[start]) {
        start++;
    }
    for (k = 0; k < batch->ops->nelts; k++) {
        start = unordered_dep(batch, ordered, start);
    }
    next = unordered_dep(batch, ordered, start);
    if (next == start) {
        return bad(ck, &APR_ARRAY_IDX(batch->ops, start, batch_op_t), 400,
                   BATCH_E_DEPENDENCY, apr_psprintf(
            ck->pool, "operation %s depends on itself: dependsOn or "
            "result references form a cycle", quoted_id(ck, start)));
    }
    cycle = quoted_id(ck, start);
    for (i = next; i != start; i = unordered_dep(batch, ordered, i)) {
        cycle = apr_pstrcat(ck->pool, cycle, " -> ", quoted_id(ck, i), NULL);
    }
    return bad(ck, &APR_ARRAY_IDX(batch->ops, start, batch_op_t), 400,
               BATCH_E_DEPENDENCY, apr_psprintf(
        ck->pool, "dependsOn or result references form a cycle; these "
        "operations could never run: %s -> %s", cycle,
        quoted_id(ck, start)));
}

/* The order the operations run in one at a time: the schedule always
 * hands out the earliest ready operation, so a batch without forward
 * dependencies runs in request order. */
static batch_error_t *order_ops(check_t *ck)
{
    int n = ck->batch->ops->nelts;
    batch_schedule_t *s = batch_schedule_make(ck->pool, ck->batch);
    char *ordered = apr_pcalloc(ck->pool, n ? n : 1);
    int i, k;

    ck->batch->order = apr_pcalloc(ck->pool, sizeof(int) * (n ? n : 1));
    for (k = 0; (i = batch_schedule_take(s)) >= 0; k++) {
        ck->batch->order[k] = i;
        ordered[i] = 1;
        batch_schedule_done(s, i);
    }
    return k == n ? NULL : cycle_error(ck, ordered);
}

batch_error_t *batch_validate(apr_pool_t *p, batch_t *batch,
                              const batch_limits_t *limits)
{
    check_t ck = { p, batch, limits, NULL, NULL };
    apr_hash_t *ids = apr_hash_make(p);
    batch_error_t *err;
    int i;

    if (batch->ops->nelts > limits->max_operations) {
        return batch_error_make(p, 413, BATCH_E_TOO_MANY, NULL,
                                "the batch has %d operations; at most %d "
                                "are allowed (BatchMaxOperations)",
                                batch->ops->nelts, limits->max_operations);
    }
    if ((err = check_ids(&ck, ids))) {
        return err;
    }
    for (i = 0; i < batch->ops->nelts; i++) {
        batch_op_t *op = &APR_ARRAY_IDX(batch->ops, i, batch_op_t);

        if ((err = check_method(&ck, op)) || (err = check_url(&ck, op))
            || (err = check_headers(&ck, op))) {
            return err;
        }
    }
    ck.dep_mark = apr_pcalloc(p, sizeof(int) * (batch->ops->nelts + 1));
    ck.ref_mark = apr_pcalloc(p, sizeof(int) * (batch->ops->nelts + 1));
    if ((err = resolve_deps(&ck, ids))
        || (!batch->no_references && (err = check_references(&ck, ids)))) {
        return err;
    }
    return order_ops(&ck);
}

batch_error_t *batch_validate_target(apr_pool_t *p, batch_op_t *op,
                                     const batch_limits_t *limits)
{
    check_t ck = { p, NULL, limits, NULL, NULL };
    batch_error_t *err = check_url(&ck, op);

    return err ? err : check_headers(&ck, op);
}
