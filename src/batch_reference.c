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
 * Result references: finding "{result=NAME:JSONPATH}", evaluating the
 * JSONPath subset against a json-c tree and substituting the values with
 * the escaping of where they land.
 */
#include <string.h>
#include <apr_strings.h>
#include <apr_hash.h>
#include <apr_lib.h>

#include "batch_reference.h"
#include "batch.h"
#include "batch_json.h"
#include "batch_text.h"
#include "batch_validate.h"

#define REF_OPEN "{result="
#define REF_OPEN_LEN (sizeof(REF_OPEN) - 1)
/* "[n]" indexes above this are refused rather than overflowing an int */
#define MAX_INDEX_DIGITS 9

typedef enum { STEP_KEY, STEP_INDEX, STEP_ALL } step_kind_e;

typedef struct step_t {
    step_kind_e kind;
    const char *key;
    int index;
} step_t;

/* Characters that end a ".key" step. */
static int ends_key(char c)
{
    return !c || strchr(".[]{}", c);
}

/* path as steps; NULL and *why when it is outside the subset. */
static apr_array_header_t *parse_path(apr_pool_t *p, const char *path,
                                      const char **why)
{
    apr_array_header_t *steps = apr_array_make(p, 4, sizeof(step_t));
    const char *s = path + 1;

    if (path[0] != '$') {
        *why = "must start with '$'";
        return NULL;
    }
    while (*s) {
        step_t *st = apr_array_push(steps);

        if (!strncmp(s, ".*", 2) || !strncmp(s, "[*]", 3)) {
            st->kind = STEP_ALL;
            s += *s == '.' ? 2 : 3;
        }
        else if (*s == '.') {
            const char *k = ++s;

            while (!ends_key(*s)) {
                s++;
            }
            if (s == k) {
                *why = "has an empty key after '.'";
                return NULL;
            }
            st->kind = STEP_KEY;
            st->key = apr_pstrmemdup(p, k, s - k);
        }
        else if (*s == '[') {
            const char *d = ++s;

            while (apr_isdigit(*s)) {
                s++;
            }
            if (s == d || *s != ']' || s - d > MAX_INDEX_DIGITS) {
                *why = "has a '[' not followed by an index (digits) or "
                       "'*' and ']'";
                return NULL;
            }
            st->kind = STEP_INDEX;
            st->index = atoi(d);
            s++;
        }
        else {
            *why = "has a step that is not .key, .*, [n] or [*]";
            return NULL;
        }
    }
    return steps;
}

const char *batch_ref_path_problem(apr_pool_t *p, const char *path)
{
    const char *why = NULL;

    return parse_path(p, path, &why) ? NULL : why;
}

/* The reference starting at s (at "{result="): its length in *n, or 0 and
 * *why when it is malformed. */
static apr_size_t scan_ref(apr_pool_t *p, const char *s, batch_ref_t *ref,
                           const char **why)
{
    const char *name = s + REF_OPEN_LEN;
    const char *colon = name, *close;
    const char *problem;

    while (*colon && *colon != ':' && *colon != '}') {
        colon++;
    }
    close = *colon == ':' ? strchr(colon, '}') : NULL;
    if (!close) {
        *why = apr_psprintf(p, "the result reference \"%.40s\" is not of "
                            "the form {result=NAME:$.path}", s);
        return 0;
    }
    ref->text = apr_pstrmemdup(p, s, close + 1 - s);
    ref->name = apr_pstrmemdup(p, name, colon - name);
    ref->path = apr_pstrmemdup(p, colon + 1, close - colon - 1);
    if (!*ref->name) {
        *why = apr_psprintf(p, "the result reference %s names no "
                            "operation", ref->text);
        return 0;
    }
    if ((problem = batch_ref_path_problem(p, ref->path))) {
        *why = apr_psprintf(p, "the path of the result reference %s %s",
                            ref->text, problem);
        return 0;
    }
    return close + 1 - s;
}

int batch_ref_any(const char *s)
{
    return s && strstr(s, REF_OPEN) != NULL;
}

apr_array_header_t *batch_ref_find(apr_pool_t *p, const char *s,
                                   const char **why)
{
    apr_array_header_t *refs = apr_array_make(p, 1, sizeof(batch_ref_t));
    const char *at = s;

    while ((at = strstr(at, REF_OPEN))) {
        batch_ref_t *ref = apr_array_push(refs);
        apr_size_t n = scan_ref(p, at, ref, why);

        if (!n) {
            return NULL;
        }
        ref->offset = at - s;
        at += n;
    }
    return refs;
}

/* The nodes one step leads to from node; a JSON null is a NULL node. */
static void step_from(const step_t *st, json_object *node,
                      apr_array_header_t *out)
{
    json_object *v;
    size_t i, n;

    if (st->kind == STEP_KEY) {
        if (json_object_is_type(node, json_type_object)
            && json_object_object_get_ex(node, st->key, &v)) {
            APR_ARRAY_PUSH(out, json_object *) = v;
        }
        return;
    }
    if (!json_object_is_type(node, json_type_array)) {
        if (st->kind == STEP_ALL && json_object_is_type(node,
                                                        json_type_object)) {
            json_object_object_foreach(node, key, val) {
                (void)key;
                APR_ARRAY_PUSH(out, json_object *) = val;
            }
        }
        return;
    }
    n = json_object_array_length(node);
    for (i = 0; i < n; i++) {
        if (st->kind == STEP_ALL || (size_t)st->index == i) {
            APR_ARRAY_PUSH(out, json_object *) =
                json_object_array_get_idx(node, i);
        }
    }
}

/* A matched value as text: a string as it is, anything else as JSON;
 * NULL for a string holding a NUL character. */
static const char *value_text(apr_pool_t *p, json_object *v)
{
    if (!v) {
        return "null";
    }
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);

        return strlen(s) == (size_t)json_object_get_string_len(v)
               ? apr_pstrdup(p, s) : NULL;
    }
    return batch_json_text(p, v, NULL);
}

const char *batch_ref_evaluate(apr_pool_t *p, json_object *tree,
                               const char *path, const char **why)
{
    apr_array_header_t *steps = parse_path(p, path, why);
    apr_array_header_t *nodes = apr_array_make(p, 1, sizeof(json_object *));
    const char *joined = NULL;
    int i, j;

    if (!steps) {
        return NULL;
    }
    APR_ARRAY_PUSH(nodes, json_object *) = tree;
    for (i = 0; i < steps->nelts && nodes->nelts; i++) {
        apr_array_header_t *next = apr_array_make(p, nodes->nelts,
                                                  sizeof(json_object *));

        for (j = 0; j < nodes->nelts; j++) {
            step_from(&APR_ARRAY_IDX(steps, i, step_t),
                      APR_ARRAY_IDX(nodes, j, json_object *), next);
        }
        nodes = next;
    }
    if (!nodes->nelts) {
        *why = "matches nothing";
        return NULL;
    }
    for (j = 0; j < nodes->nelts; j++) {
        const char *v = value_text(p, APR_ARRAY_IDX(nodes, j, json_object *));

        if (!v) {
            *why = "matches a string holding a NUL character";
            return NULL;
        }
        joined = joined ? apr_pstrcat(p, joined, ",", v, NULL) : v;
    }
    return joined;
}

/* RFC 3986 unreserved, and the ',' that joins several values. */
static int url_keeps(unsigned char c)
{
    return apr_isalnum(c) || (c && strchr("-._~,", c));
}

static const char *escape_url(apr_pool_t *p, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s;
    char *out = apr_palloc(p, strlen(value) * 3 + 1), *o = out;

    for (s = (const unsigned char *)value; *s; s++) {
        if (url_keeps(*s)) {
            *o++ = (char)*s;
        }
        else {
            *o++ = '%';
            *o++ = hex[*s >> 4];
            *o++ = hex[*s & 0x0f];
        }
    }
    *o = '\0';
    return out;
}

/* The inside of a JSON string: '"', '\' and control characters escaped. */
static const char *escape_json(apr_pool_t *p, const char *value)
{
    const unsigned char *s;
    char *out = apr_palloc(p, strlen(value) * 6 + 1), *o = out;

    for (s = (const unsigned char *)value; *s; s++) {
        if (*s == '"' || *s == '\\') {
            *o++ = '\\';
            *o++ = (char)*s;
        }
        else if (*s < 0x20) {
            o += apr_snprintf(o, 7, "\\u%04x", *s);
        }
        else {
            *o++ = (char)*s;
        }
    }
    *o = '\0';
    return out;
}

const char *batch_ref_escape(apr_pool_t *p, const char *value,
                             batch_ref_context_e ctx)
{
    switch (ctx) {
    case BATCH_REF_URL:
        return escape_url(p, value);
    case BATCH_REF_HEADER:
        return batch_is_header_value(value) ? value : NULL;
    case BATCH_REF_JSON:
        return escape_json(p, value);
    case BATCH_REF_RAW:
    default:
        return value;
    }
}

/* One operation's substitution: referenced answers are parsed once. */
typedef struct resolver_t {
    apr_pool_t *pool;
    batch_ref_answer_fn answer;
    void *baton;
    apr_hash_t *trees;          /* name -> json_object * */
} resolver_t;

static json_object *answer_tree(resolver_t *rs, const batch_ref_t *ref,
                                const char **why)
{
    json_object *tree = apr_hash_get(rs->trees, ref->name,
                                     APR_HASH_KEY_STRING);
    const char *body;
    apr_size_t len = 0;

    if (tree) {
        return tree;
    }
    body = rs->answer(rs->baton, ref->name, &len);
    tree = body ? batch_json_parse(rs->pool, body, len, NULL, NULL) : NULL;
    if (!tree) {
        *why = apr_psprintf(rs->pool, "the answer of operation %s, which "
                            "the result reference %s reads, is not JSON",
                            ref->name, ref->text);
        return NULL;
    }
    apr_hash_set(rs->trees, ref->name, APR_HASH_KEY_STRING, tree);
    return tree;
}

/* The value of ref escaped for ctx, or NULL and *why. */
static const char *ref_value(resolver_t *rs, const batch_ref_t *ref,
                             batch_ref_context_e ctx, const char **why)
{
    json_object *tree = answer_tree(rs, ref, why);
    const char *problem = NULL, *value, *escaped;

    if (!tree) {
        return NULL;
    }
    value = batch_ref_evaluate(rs->pool, tree, ref->path, &problem);
    if (!value) {
        *why = apr_psprintf(rs->pool, "the result reference %s %s in the "
                            "answer of operation %s", ref->text, problem,
                            ref->name);
        return NULL;
    }
    escaped = batch_ref_escape(rs->pool, value, ctx);
    if (!escaped) {
        *why = apr_psprintf(rs->pool, "the result reference %s gives a "
                            "value with CR, LF or another control "
                            "character, which a header cannot hold",
                            ref->text);
    }
    return escaped;
}

/* s with every reference replaced; NULL and *why on failure. */
static const char *substitute(resolver_t *rs, const char *s,
                              batch_ref_context_e ctx, const char **why)
{
    apr_array_header_t *refs = batch_ref_find(rs->pool, s, why);
    const char *out = "";
    apr_size_t from = 0;
    int i;

    if (!refs || !refs->nelts) {
        return refs ? s : NULL;
    }
    for (i = 0; i < refs->nelts; i++) {
        const batch_ref_t *ref = &APR_ARRAY_IDX(refs, i, batch_ref_t);
        const char *v = ref_value(rs, ref, ctx, why);

        if (!v) {
            return NULL;
        }
        out = apr_pstrcat(rs->pool, out, apr_pstrmemdup(
            rs->pool, s + from, ref->offset - from), v, NULL);
        from = ref->offset + strlen(ref->text);
    }
    return apr_pstrcat(rs->pool, out, s + from, NULL);
}

static apr_table_t *substitute_headers(resolver_t *rs,
                                       const apr_table_t *headers,
                                       const char **why)
{
    const apr_array_header_t *arr = apr_table_elts(headers);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_table_t *out = apr_table_make(rs->pool, arr->nelts);
    int i;

    for (i = 0; i < arr->nelts; i++) {
        const char *v = substitute(rs, e[i].val, BATCH_REF_HEADER, why);

        if (!v) {
            return NULL;
        }
        apr_table_addn(out, e[i].key, v);
    }
    return out;
}

int batch_ref_body_substitutable(const batch_op_t *op)
{
    return op->body && op->body_kind != BATCH_BODY_BYTES
           && strlen(op->body) == op->body_len;
}

batch_op_t *batch_ref_resolve_op(apr_pool_t *p, const batch_op_t *op,
                                 batch_ref_answer_fn answer, void *baton,
                                 const char **why)
{
    resolver_t rs = { p, answer, baton, apr_hash_make(p) };
    batch_op_t *copy = apr_pmemdup(p, op, sizeof(*op));

    copy->url = substitute(&rs, op->url, BATCH_REF_URL, why);
    if (!copy->url) {
        return NULL;
    }
    if (op->headers
        && !(copy->headers = substitute_headers(&rs, op->headers, why))) {
        return NULL;
    }
    if (batch_ref_body_substitutable(op)) {
        copy->body = substitute(&rs, op->body, op->body_kind
                                == BATCH_BODY_JSON ? BATCH_REF_JSON
                                                   : BATCH_REF_RAW, why);
        if (!copy->body) {
            return NULL;
        }
        copy->body_len = strlen(copy->body);
    }
    return copy;
}
