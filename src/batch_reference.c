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
#include "batch_error.h"
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

/* A matched value as text, its length in *len: a string as it is (not
 * copied: it lives as long as the tree), anything else as compact JSON;
 * NULL for a string holding a NUL character. */
static const char *value_text(apr_pool_t *p, json_object *v, apr_size_t *len)
{
    const char *s;

    if (!v) {
        *len = 4;
        return "null";
    }
    if (!json_object_is_type(v, json_type_string)) {
        return batch_json_text(p, v, len);
    }
    s = json_object_get_string(v);
    *len = (apr_size_t)json_object_get_string_len(v);
    return strlen(s) == *len ? s : NULL;
}

/* The values of nodes joined with commas, made once in p; NULL and *why
 * when one cannot be text, NULL alone (*len above cap) when the joined
 * values would be longer than cap. */
static const char *join_values(apr_pool_t *p,
                               const apr_array_header_t *nodes,
                               apr_size_t cap, apr_size_t *len,
                               const char **why)
{
    const char **texts = apr_palloc(p, sizeof(*texts) * nodes->nelts);
    apr_size_t *lens = apr_palloc(p, sizeof(*lens) * nodes->nelts);
    apr_size_t total = 0;
    char *out, *o;
    int j;

    for (j = 0; j < nodes->nelts; j++) {
        texts[j] = value_text(p, APR_ARRAY_IDX(nodes, j, json_object *),
                              &lens[j]);
        if (!texts[j]) {
            *why = "matches a string holding a NUL character";
            return NULL;
        }
        total += lens[j] + (j > 0);
        if (total > cap) {
            *len = total;
            return NULL;
        }
    }
    out = o = apr_palloc(p, total + 1);
    for (j = 0; j < nodes->nelts; j++) {
        if (j) {
            *o++ = ',';
        }
        memcpy(o, texts[j], lens[j]);
        o += lens[j];
    }
    *o = '\0';
    *len = total;
    return out;
}

/* The values path matches in tree, joined; see join_values. */
static const char *evaluate(apr_pool_t *p, json_object *tree,
                            const char *path, apr_size_t cap,
                            apr_size_t *len, const char **why)
{
    apr_array_header_t *steps = parse_path(p, path, why);
    apr_array_header_t *nodes = apr_array_make(p, 1, sizeof(json_object *));
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
    return join_values(p, nodes, cap, len, why);
}

const char *batch_ref_evaluate(apr_pool_t *p, json_object *tree,
                               const char *path, const char **why)
{
    apr_size_t len;

    return evaluate(p, tree, path, APR_SIZE_MAX, &len, why);
}

/* Every path marked as not kept: the answer was too big to read. */
static apr_hash_t *none_kept(apr_pool_t *p, const apr_array_header_t *paths)
{
    apr_hash_t *values = apr_hash_make(p);
    int i;

    for (i = 0; i < paths->nelts; i++) {
        batch_ref_value_t *v = apr_pcalloc(p, sizeof(*v));

        v->unkept = 1;
        apr_hash_set(values, APR_ARRAY_IDX(paths, i, const char *),
                     APR_HASH_KEY_STRING, v);
    }
    return values;
}

apr_hash_t *batch_ref_read_answer(apr_pool_t *p, const char *body,
                                  apr_size_t len,
                                  const apr_array_header_t *paths,
                                  apr_size_t cap, apr_size_t budget,
                                  apr_size_t *kept)
{
    apr_size_t cost = body ? batch_json_tree_cost(body, len) : 0;
    apr_hash_t *values;
    apr_pool_t *tmp;
    json_object *tree;
    int i;

    *kept = 0;
    if (!body) {
        return NULL;
    }
    /* the parsed tree and the values are held at once */
    if (cost > budget) {
        return none_kept(p, paths);
    }
    budget -= cost;
    /* the tree and the matched values' copies go before the next answer */
    apr_pool_create(&tmp, p);
    tree = batch_json_parse(tmp, body, len, NULL, NULL);
    values = tree ? apr_hash_make(p) : NULL;
    for (i = 0; tree && i < paths->nelts; i++) {
        const char *path = APR_ARRAY_IDX(paths, i, const char *);
        batch_ref_value_t *v = apr_pcalloc(p, sizeof(*v));
        const char *text = evaluate(tmp, tree, path, cap, &v->len, &v->why);

        if (text && v->len > budget - *kept) {
            v->unkept = 1;
        }
        else if (text) {
            v->text = apr_pstrmemdup(p, text, v->len);
            *kept += v->len;
        }
        apr_hash_set(values, apr_pstrdup(p, path), APR_HASH_KEY_STRING, v);
    }
    apr_pool_destroy(tmp);
    return values;
}

/* All but RFC 3986 unreserved and the ',' that joins several values. */
static int url_encodes(unsigned char c)
{
    return !apr_isalnum(c) && !(c && strchr("-._~,", c));
}

/* How long value (n bytes) is once escaped for ctx; *refused when it
 * cannot go there at all. */
static apr_size_t escaped_len(const char *value, apr_size_t n,
                              batch_ref_context_e ctx, int *refused)
{
    const unsigned char *s = (const unsigned char *)value;
    apr_size_t out = n, i;

    *refused = 0;
    switch (ctx) {
    case BATCH_REF_URL:
    case BATCH_REF_FORM:
        for (i = 0; i < n; i++) {
            out += url_encodes(s[i]) ? 2 : 0;
        }
        return out;
    case BATCH_REF_JSON:
        for (i = 0; i < n; i++) {
            out += s[i] == '"' || s[i] == '\\' ? 1 : s[i] < 0x20 ? 5 : 0;
        }
        return out;
    case BATCH_REF_HEADER:
        *refused = !batch_is_header_value(value);
        return out;
    case BATCH_REF_FORM_DATA:
        /* a line break could start a part header or a boundary line */
        *refused = memchr(value, '\r', n) || memchr(value, '\n', n);
        return out;
    case BATCH_REF_RAW:
    default:
        return out;
    }
}

/* The inside of a JSON string for value (n bytes), len bytes long once
 * escaped: '"', '\\' and control characters escaped. */
static const char *escape_json(apr_pool_t *p, const char *value,
                               apr_size_t n, apr_size_t len)
{
    const unsigned char *s = (const unsigned char *)value;
    char *out = apr_palloc(p, len + 1), *o = out;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\') {
            *o++ = '\\';
            *o++ = (char)s[i];
        }
        else if (s[i] < 0x20) {
            o += apr_snprintf(o, 7, "\\u%04x", s[i]);
        }
        else {
            *o++ = (char)s[i];
        }
    }
    *o = '\0';
    return out;
}

/* value (n bytes, no NUL), len bytes long once escaped for ctx. */
static const char *escape(apr_pool_t *p, const char *value, apr_size_t n,
                          apr_size_t len, batch_ref_context_e ctx)
{
    if (len == n) {
        return value;
    }
    return ctx == BATCH_REF_JSON ? escape_json(p, value, n, len)
                                 : batch_percent_encode(p, value,
                                                        url_encodes);
}

const char *batch_ref_escape(apr_pool_t *p, const char *value,
                             batch_ref_context_e ctx)
{
    apr_size_t n = strlen(value);
    int refused;
    apr_size_t len = escaped_len(value, n, ctx, &refused);

    return refused ? NULL : escape(p, value, n, len, ctx);
}

/* A field of an operation taking values, and what passing its cap
 * answers: what httpd answers a direct request over the same limit. */
typedef struct field_t {
    const char *what;           /* "url", "header \"X-A\"", "body" */
    batch_ref_context_e ctx;
    apr_size_t cap;
    int status;
    const char *code;
    const char *limit;          /* the directive the cap comes from */
} field_t;

/* A reference's value escaped for one context. */
typedef struct piece_t {
    const char *text;
    apr_size_t len;
} piece_t;

/* One operation's substitution: each reference is read and escaped once
 * per context however often it is written. */
typedef struct resolver_t {
    apr_pool_t *pool;
    const batch_op_t *op;
    batch_ref_value_fn value;
    void *baton;
    apr_hash_t *pieces;         /* context and reference text -> piece_t */
    batch_error_t *err;
} resolver_t;

static void over_cap(resolver_t *rs, const field_t *f)
{
    rs->err = batch_error_make(rs->pool, f->status, f->code, rs->op->id,
                               "with its result references substituted, "
                               "the %s of operation %s would be longer "
                               "than %" APR_SIZE_T_FMT " bytes (%s)",
                               f->what, rs->op->id, f->cap, f->limit);
}

/* The operation cannot run: a reference has no value that fits. */
static void unresolved(resolver_t *rs, const char *why)
{
    rs->err = batch_error_make(rs->pool, 424, BATCH_E_UNRESOLVED_REFERENCE,
                               rs->op->id, "%s", why);
}

static const char *refusal(batch_ref_context_e ctx)
{
    return ctx == BATCH_REF_HEADER
           ? "CR, LF or another control character, which a header cannot "
             "hold"
           : "CR or LF, which a multipart/form-data body cannot hold";
}

/* The value of ref escaped for f; NULL and rs->err when it cannot be. */
static const piece_t *piece_for(resolver_t *rs, const batch_ref_t *ref,
                                const field_t *f)
{
    const char *key = apr_psprintf(rs->pool, "%d%s", (int)f->ctx,
                                   ref->text);
    piece_t *pc = apr_hash_get(rs->pieces, key, APR_HASH_KEY_STRING);
    const batch_ref_value_t *v;
    int refused;

    if (pc) {
        return pc;
    }
    v = rs->value(rs->baton, ref);
    if (!v) {
        unresolved(rs, apr_psprintf(rs->pool, "the answer of operation %s, "
                   "which the result reference %s reads, is not JSON",
                   ref->name, ref->text));
        return NULL;
    }
    if (v->unkept) {
        rs->err = batch_error_make(rs->pool, 503, BATCH_E_MEMORY, rs->op->id,
                                   "the result reference %s reads a value "
                                   "the batch could not keep: it held as "
                                   "much as BatchMaxMemory allows",
                                   ref->text);
        return NULL;
    }
    if (!v->text && v->why) {
        unresolved(rs, apr_psprintf(rs->pool, "the result reference %s %s "
                   "in the answer of operation %s", ref->text, v->why,
                   ref->name));
        return NULL;
    }
    if (!v->text || v->len > f->cap) {
        over_cap(rs, f);
        return NULL;
    }
    pc = apr_palloc(rs->pool, sizeof(*pc));
    pc->len = escaped_len(v->text, v->len, f->ctx, &refused);
    if (refused) {
        unresolved(rs, apr_psprintf(rs->pool, "the result reference %s "
                   "gives a value with %s", ref->text, refusal(f->ctx)));
        return NULL;
    }
    if (pc->len > f->cap) {
        over_cap(rs, f);
        return NULL;
    }
    pc->text = escape(rs->pool, v->text, v->len, pc->len, f->ctx);
    apr_hash_set(rs->pieces, key, APR_HASH_KEY_STRING, pc);
    return pc;
}

/* s with every reference replaced, built once into a string of the
 * length it will have; NULL and rs->err when a value is missing, cannot
 * go there, or makes the field longer than its cap. */
static const char *substitute(resolver_t *rs, const char *s,
                              const field_t *f, apr_size_t *len)
{
    const char *why = NULL;
    apr_array_header_t *refs = batch_ref_find(rs->pool, s, &why);
    const piece_t **pieces;
    apr_size_t n = strlen(s), from = 0, total = 0;
    char *out, *o;
    int i;

    if (!refs) {
        unresolved(rs, apr_psprintf(rs->pool, "the %s of operation %s: %s",
                   f->what, rs->op->id, why));
        return NULL;
    }
    *len = n;
    if (!refs->nelts) {
        return s;
    }
    pieces = apr_palloc(rs->pool, sizeof(*pieces) * refs->nelts);
    for (i = 0; i < refs->nelts; i++) {
        const batch_ref_t *ref = &APR_ARRAY_IDX(refs, i, batch_ref_t);

        if (!(pieces[i] = piece_for(rs, ref, f))) {
            return NULL;
        }
        total += ref->offset - from + pieces[i]->len;
        from = ref->offset + strlen(ref->text);
        if (total > f->cap) {
            over_cap(rs, f);
            return NULL;
        }
    }
    total += n - from;
    if (total > f->cap) {
        over_cap(rs, f);
        return NULL;
    }
    out = o = apr_palloc(rs->pool, total + 1);
    for (from = 0, i = 0; i < refs->nelts; i++) {
        const batch_ref_t *ref = &APR_ARRAY_IDX(refs, i, batch_ref_t);

        memcpy(o, s + from, ref->offset - from);
        o += ref->offset - from;
        memcpy(o, pieces[i]->text, pieces[i]->len);
        o += pieces[i]->len;
        from = ref->offset + strlen(ref->text);
    }
    memcpy(o, s + from, n - from + 1);
    *len = total;
    return out;
}

/* A limit of batch_limits_t as a cap: 0 is none. */
static apr_size_t cap_of(apr_size_t limit)
{
    return limit ? limit : APR_SIZE_MAX;
}

static apr_table_t *substitute_headers(resolver_t *rs,
                                       const apr_table_t *headers,
                                       const batch_limits_t *limits)
{
    const apr_array_header_t *arr = apr_table_elts(headers);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_table_t *out = apr_table_make(rs->pool, arr->nelts);
    apr_size_t size = cap_of(limits->max_header_size > 0
                             ? (apr_size_t)limits->max_header_size : 0);
    int i;

    for (i = 0; i < arr->nelts; i++) {
        /* LimitRequestFieldSize counts "Name: value"; httpd answers 400 */
        apr_size_t name = strlen(e[i].key) + 2;
        field_t f = { NULL, BATCH_REF_HEADER, size > name ? size - name : 0,
                      400, BATCH_E_INVALID_HEADER, "LimitRequestFieldSize" };
        const char *v = e[i].val;
        apr_size_t len;

        if (batch_ref_any(v)) {
            f.what = apr_psprintf(rs->pool, "header \"%s\"", e[i].key);
            if (!(v = substitute(rs, v, &f, &len))) {
                return NULL;
            }
        }
        apr_table_addn(out, e[i].key, v);
    }
    return out;
}

/* How the body takes values: inside JSON strings, as form values, or as
 * it is; by its kind, then by its media type. */
static batch_ref_context_e body_context(apr_pool_t *p, const batch_op_t *op)
{
    const char *type;

    if (op->body_kind == BATCH_BODY_JSON) {
        return BATCH_REF_JSON;
    }
    type = batch_media_type(p, op->headers
                               ? apr_table_get(op->headers, "Content-Type")
                               : NULL);
    if (batch_media_type_is_urlencoded(type)) {
        return BATCH_REF_FORM;
    }
    if (batch_media_type_is_form_data(type)) {
        return BATCH_REF_FORM_DATA;
    }
    return batch_media_type_is_json(type) ? BATCH_REF_JSON : BATCH_REF_RAW;
}

int batch_ref_body_substitutable(const batch_op_t *op)
{
    return op->body && op->body_kind != BATCH_BODY_BYTES
           && strlen(op->body) == op->body_len;
}

batch_op_t *batch_ref_resolve_op(apr_pool_t *p, const batch_op_t *op,
                                 const batch_limits_t *limits,
                                 batch_ref_value_fn value, void *baton,
                                 batch_error_t **err)
{
    resolver_t rs = { p, op, value, baton, apr_hash_make(p), NULL };
    batch_op_t *copy = apr_pmemdup(p, op, sizeof(*op));
    /* httpd answers a longer request line with 414 */
    field_t url = { "url", BATCH_REF_URL,
                    cap_of(limits->max_target > 0
                           ? (apr_size_t)limits->max_target : 0),
                    414, BATCH_E_URL_TOO_LONG, "LimitRequestLine" };
    field_t body = { "body", body_context(p, op), cap_of(limits->max_body),
                     413, BATCH_E_BODY_TOO_LARGE, "BatchMaxRequestSize" };
    apr_size_t len;

    if (!(copy->url = substitute(&rs, op->url, &url, &len))
        || (op->headers && !(copy->headers = substitute_headers(
                                 &rs, op->headers, limits)))
        || (batch_ref_body_substitutable(op)
            && !(copy->body = substitute(&rs, op->body, &body,
                                         &copy->body_len)))) {
        *err = rs.err;
        return NULL;
    }
    return copy;
}
