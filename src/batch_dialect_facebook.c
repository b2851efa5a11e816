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
 * The facebook dialect, the Graph API's batch requests: a "batch" array
 * of {"method", "relative_url", "body", "headers", "name", "depends_on",
 * "omit_response_on_success"}, sent as the JSON body
 * {"batch": [...], "include_headers": false} or as the batch field of an
 * HTML form (application/x-www-form-urlencoded or multipart/form-data,
 * other fields such as access_token ignored). Answered with an array, in
 * request order, of {"code", "headers": [{"name", "value"}], "body"}, the
 * body always a string; a successful answer that another operation
 * depends on is null, as Facebook's clients expect, unless the operation
 * says "omit_response_on_success": false.
 *
 * A name is the operation's id; an operation without one gets the id
 * "batch[N]" (its index), a form no name may take, so that nothing can
 * depend on or refer to it. Result references {result=NAME:$.path} are
 * left in the text for the reference engine; they count as dependencies
 * when deciding which answers to omit.
 */
#include <stdarg.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_hash.h>

#include "batch_format.h"
#include "batch.h"
#include "batch_emit_json.h"
#include "batch_form.h"
#include "batch_json.h"
#include "batch_parse_json.h"
#include "batch_reference.h"
#include "batch_text.h"
#include "batch_validate.h"

/* What one operation said beyond the operation model. */
typedef struct fb_op_t {
    int omit;                   /* omit_response_on_success; -1: unset */
    int depended;               /* another operation depends on it */
} fb_op_t;

typedef struct fb_t {
    batch_parse_t ps;
    const batch_input_t *in;
    apr_hash_t *names;          /* name -> batch_op_t */
    fb_op_t *extra;             /* one per operation */
} fb_t;

/* "batch[N]", the id of an operation without a name. */
static int is_index_id(const char *s)
{
    apr_size_t n = strlen(s);

    if (n < 8 || strncmp(s, "batch[", 6) || s[n - 1] != ']') {
        return 0;
    }
    return strspn(s + 6, "0123456789") == n - 7;
}

static int refuse(fb_t *fb, const char *code, const char *where,
                  const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Refuses the batch for the operation at where (NULL: the whole batch). */
static int refuse(fb_t *fb, const char *code, const char *where,
                  const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    batch_parse_refuse(&fb->ps, code, where,
                       apr_pvsprintf(fb->ps.pool, fmt, ap));
    va_end(ap);
    return 0;
}

/* A JSON string as a C string copied out of the tree, which goes after
 * parsing; NULL when it holds a NUL character. */
static const char *c_string(apr_pool_t *p, json_object *s)
{
    const char *v = batch_json_c_string(s, NULL);

    return v ? apr_pstrdup(p, v) : NULL;
}

static int add_header(fb_t *fb, batch_op_t *bop, const char *where,
                      const char *name, const char *value)
{
    if (!*name) {
        return refuse(fb, BATCH_E_INVALID_HEADER, where,
                      "a header of %s has an empty name", where);
    }
    /* which of two spellings wins would be this module's choice */
    if (apr_table_get(bop->headers, name)) {
        return refuse(fb, BATCH_E_INVALID_HEADER, where,
                      "%s gives the header \"%s\" twice (header names are "
                      "case-insensitive)", where, name);
    }
    apr_table_add(bop->headers, name, value);
    return 1;
}

/* "Name: value", split at the first colon, blanks around the value cut. */
static int add_header_line(fb_t *fb, batch_op_t *bop, const char *where,
                           const char *line)
{
    const char *colon = strchr(line, ':');
    const char *v, *end;

    if (!colon) {
        return refuse(fb, BATCH_E_INVALID_HEADER, where,
                      "a header of %s is not \"Name: value\": \"%s\"", where,
                      line);
    }
    for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
        ;
    for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t');
         end--)
        ;
    return add_header(fb, bop, where,
                      apr_pstrmemdup(fb->ps.pool, line,
                                     (apr_size_t)(colon - line)),
                      apr_pstrmemdup(fb->ps.pool, v, (apr_size_t)(end - v)));
}

/* {"name": "...", "value": "..."} */
static int add_header_object(fb_t *fb, batch_op_t *bop, const char *where,
                             json_object *h)
{
    json_object *name, *value;
    const char *n, *v;

    if (!json_object_object_get_ex(h, "name", &name)
        || !json_object_is_type(name, json_type_string)
        || !json_object_object_get_ex(h, "value", &value)
        || !json_object_is_type(value, json_type_string)) {
        return refuse(fb, BATCH_E_INVALID_REQUEST, where,
                      "a header of %s must be \"Name: value\" or "
                      "{\"name\": ..., \"value\": ...} with strings", where);
    }
    n = c_string(fb->ps.pool, name);
    v = c_string(fb->ps.pool, value);
    if (!n || !v) {
        return refuse(fb, BATCH_E_INVALID_HEADER, where,
                      "a header of %s has a NUL character", where);
    }
    return add_header(fb, bop, where, n, v);
}

static int parse_headers(fb_t *fb, json_object *op, batch_op_t *bop,
                         const char *where)
{
    json_object *hs;
    size_t i, n;

    bop->headers = apr_table_make(fb->ps.pool, 4);
    if (!json_object_object_get_ex(op, "headers", &hs)
        || json_object_is_type(hs, json_type_null)) {
        return 1;
    }
    if (!json_object_is_type(hs, json_type_array)) {
        return refuse(fb, BATCH_E_INVALID_REQUEST, where,
                      "headers of %s must be an array of \"Name: value\" "
                      "strings or {\"name\", \"value\"} objects", where);
    }
    n = json_object_array_length(hs);
    for (i = 0; i < n; i++) {
        json_object *h = json_object_array_get_idx(hs, i);
        const char *line;
        int ok;

        if (json_object_is_type(h, json_type_object)) {
            ok = add_header_object(fb, bop, where, h);
        }
        else if (!json_object_is_type(h, json_type_string)) {
            ok = refuse(fb, BATCH_E_INVALID_REQUEST, where,
                        "a header of %s must be \"Name: value\" or "
                        "{\"name\": ..., \"value\": ...}", where);
        }
        else if (!(line = c_string(fb->ps.pool, h))) {
            ok = refuse(fb, BATCH_E_INVALID_HEADER, where,
                        "a header of %s has a NUL character", where);
        }
        else {
            ok = add_header_line(fb, bop, where, line);
        }
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

/* The body is form-encoded text (an object is form-encoded here), sent
 * as such unless a header says otherwise. */
static int parse_body(fb_t *fb, json_object *op, batch_op_t *bop,
                      const char *where)
{
    json_object *body;

    if (!json_object_object_get_ex(op, "body", &body)
        || json_object_is_type(body, json_type_null)) {
        return 1;
    }
    if (json_object_is_type(body, json_type_string)) {
        bop->body_len = (apr_size_t)json_object_get_string_len(body);
        bop->body = apr_pstrmemdup(fb->ps.pool, json_object_get_string(body),
                                   bop->body_len);
    }
    else if (json_object_is_type(body, json_type_object)) {
        bop->body = batch_form_encode(fb->ps.pool, body);
        bop->body_len = strlen(bop->body);
    }
    else {
        return refuse(fb, BATCH_E_INVALID_BODY, where,
                      "body of %s must be a form-encoded string "
                      "(\"a=1&b=2\")", where);
    }
    if (!apr_table_get(bop->headers, "Content-Type")) {
        apr_table_setn(bop->headers, "Content-Type",
                       "application/x-www-form-urlencoded");
    }
    return 1;
}

/* relative_url is taken as it is under BatchBaseURL; without one, a URL
 * not starting with '/' is a path from the root ("me/feed": /me/feed). */
static int parse_url(fb_t *fb, json_object *op, batch_op_t *bop,
                     const char *where)
{
    int failed = 0;
    const char *url = batch_parse_string(&fb->ps, op, "relative_url", where,
                                         BATCH_E_INVALID_URL, &failed);
    const char *problem;

    if (failed) {
        return 0;
    }
    if (!url) {
        return refuse(fb, BATCH_E_INVALID_REQUEST, where,
                      "%s has no relative_url", where);
    }
    /* checked as written: a '/' put in front would hide "http://..." */
    if ((problem = batch_url_problem(url))) {
        return refuse(fb, BATCH_E_INVALID_URL, where,
                      "relative_url of %s %s", where, problem);
    }
    bop->url = fb->in->base_url || url[0] == '/'
               ? url : apr_pstrcat(fb->ps.pool, "/", url, NULL);
    return 1;
}

static int parse_name(fb_t *fb, json_object *op, batch_op_t *bop,
                      const char *where)
{
    int failed = 0;
    const char *name = batch_parse_string(&fb->ps, op, "name", where,
                                          BATCH_E_INVALID_REQUEST, &failed);

    if (failed) {
        return 0;
    }
    if (!name) {
        bop->id = where;
        return 1;
    }
    if (!*name || is_index_id(name)) {
        return refuse(fb, BATCH_E_INVALID_REQUEST, where,
                      "the name of %s may not be \"%s\" (empty, or the "
                      "batch[N] form of unnamed operations)", where, name);
    }
    if (apr_hash_get(fb->names, name, APR_HASH_KEY_STRING)) {
        return refuse(fb, BATCH_E_INVALID_REQUEST, where,
                      "the name of %s, \"%s\", is used twice", where, name);
    }
    bop->id = name;
    apr_hash_set(fb->names, name, APR_HASH_KEY_STRING, bop);
    return 1;
}

/* depends_on: a name, or (more than Facebook takes) an array of names. */
static int parse_depends_on(fb_t *fb, json_object *op, batch_op_t *bop,
                            const char *where)
{
    json_object *deps;
    size_t i, n;

    if (!json_object_object_get_ex(op, "depends_on", &deps)
        || json_object_is_type(deps, json_type_null)) {
        return 1;
    }
    bop->depends_on = apr_array_make(fb->ps.pool, 1, sizeof(const char *));
    if (json_object_is_type(deps, json_type_string)) {
        const char *name = c_string(fb->ps.pool, deps);

        APR_ARRAY_PUSH(bop->depends_on, const char *) = name ? name : "";
        return 1;
    }
    n = json_object_is_type(deps, json_type_array)
        ? json_object_array_length(deps) : 0;
    for (i = 0; i < n; i++) {
        json_object *d = json_object_array_get_idx(deps, i);
        const char *name = json_object_is_type(d, json_type_string)
                           ? c_string(fb->ps.pool, d) : NULL;

        if (!name) {
            break;
        }
        APR_ARRAY_PUSH(bop->depends_on, const char *) = name;
    }
    if (i < n || !json_object_is_type(deps, json_type_array)) {
        return refuse(fb, BATCH_E_INVALID_REQUEST, where,
                      "depends_on of %s must be the name of an operation",
                      where);
    }
    return 1;
}

static int parse_omit(fb_t *fb, json_object *op, const char *where,
                      fb_op_t *extra)
{
    json_object *v;

    extra->omit = -1;
    if (!json_object_object_get_ex(op, "omit_response_on_success", &v)
        || json_object_is_type(v, json_type_null)) {
        return 1;
    }
    if (!json_object_is_type(v, json_type_boolean)) {
        return refuse(fb, BATCH_E_INVALID_REQUEST, where,
                      "omit_response_on_success of %s must be true or "
                      "false", where);
    }
    extra->omit = json_object_get_boolean(v);
    return 1;
}

static int parse_op(fb_t *fb, json_object *op, batch_op_t *bop)
{
    const char *where = apr_psprintf(fb->ps.pool, "batch[%d]", bop->index);
    int failed = 0;

    if (!json_object_is_type(op, json_type_object)) {
        return refuse(fb, BATCH_E_INVALID_REQUEST, where,
                      "%s must be an object", where);
    }
    bop->method = batch_parse_string(&fb->ps, op, "method", where,
                                     BATCH_E_INVALID_REQUEST, &failed);
    if (failed) {
        return 0;
    }
    if (!bop->method) {
        bop->method = "GET";
    }
    return parse_name(fb, op, bop, where) && parse_url(fb, op, bop, where)
           && parse_headers(fb, op, bop, where)
           && parse_body(fb, op, bop, where)
           && parse_depends_on(fb, op, bop, where)
           && parse_omit(fb, op, where, &fb->extra[bop->index]);
}

/* Marks the operation named name, when there is one, as depended on. */
static void mark_depended(fb_t *fb, const char *name)
{
    batch_op_t *dep = apr_hash_get(fb->names, name, APR_HASH_KEY_STRING);

    if (dep) {
        fb->extra[dep->index].depended = 1;
    }
}

/* The operations text's result references read are depended on; 0
 * (refused) when one names an unnamed operation's batch[N] id, which no
 * reference may reach. A malformed reference is validation's to refuse. */
static int scan_references(fb_t *fb, const batch_op_t *bop, const char *text)
{
    const char *why;
    apr_array_header_t *refs;
    int i;

    if (!batch_ref_any(text)
        || !(refs = batch_ref_find(fb->ps.pool, text, &why))) {
        return 1;
    }
    for (i = 0; i < refs->nelts; i++) {
        const char *name = APR_ARRAY_IDX(refs, i, batch_ref_t).name;

        if (is_index_id(name)) {
            return refuse(fb, BATCH_E_DEPENDENCY, bop->id,
                          "%s refers to %s, an operation without a name",
                          bop->id, name);
        }
        mark_depended(fb, name);
    }
    return 1;
}

typedef struct scan_t {
    fb_t *fb;
    const batch_op_t *op;
} scan_t;

static int scan_header(void *data, const char *name, const char *value)
{
    scan_t *scan = data;

    (void)name;
    return scan_references(scan->fb, scan->op, value);
}

/* Which operations others depend on, by depends_on or by a reference in
 * their relative_url, body or header values; depends_on must name one. */
static int find_dependencies(fb_t *fb, const batch_t *batch)
{
    int i, j;

    for (i = 0; i < batch->ops->nelts; i++) {
        const batch_op_t *op = &APR_ARRAY_IDX(batch->ops, i, batch_op_t);
        scan_t scan = { fb, op };
        int n = op->depends_on ? op->depends_on->nelts : 0;

        for (j = 0; j < n; j++) {
            const char *name = APR_ARRAY_IDX(op->depends_on, j,
                                             const char *);

            if (!apr_hash_get(fb->names, name, APR_HASH_KEY_STRING)) {
                return refuse(fb, BATCH_E_DEPENDENCY, op->id,
                              "%s depends on \"%s\", but no operation has "
                              "that name", op->id, name);
            }
            mark_depended(fb, name);
        }
        if (!scan_references(fb, op, op->url)
            || !scan_references(fb, op, op->body)
            || !apr_table_do(scan_header, &scan, op->headers, NULL)) {
            return 0;
        }
    }
    return 1;
}

/* "true", "false", "1" or "0", as a form sends include_headers. */
static int parse_flag(const char *s, int *flag)
{
    if (!strcasecmp(s, "true") || !strcmp(s, "1")) {
        *flag = 1;
        return 1;
    }
    if (!strcasecmp(s, "false") || !strcmp(s, "0")) {
        *flag = 0;
        return 1;
    }
    return 0;
}

static int include_headers_of(fb_t *fb, json_object *v, int *include)
{
    if (!v || json_object_is_type(v, json_type_null)) {
        return 1;
    }
    if (json_object_is_type(v, json_type_boolean)) {
        *include = json_object_get_boolean(v);
        return 1;
    }
    if (json_object_is_type(v, json_type_string)
        && parse_flag(json_object_get_string(v), include)) {
        return 1;
    }
    return refuse(fb, BATCH_E_INVALID_REQUEST, NULL,
                  "include_headers must be true or false");
}

/* The batch array of a JSON body {"batch": [...]}. */
static json_object *json_batch(fb_t *fb, apr_pool_t *tree_pool,
                               int *include)
{
    json_object *root = batch_parse_tree(fb->ps.pool, tree_pool, fb->in,
                                         &fb->ps.err);
    json_object *ops, *flag = NULL;

    if (!root) {
        return NULL;
    }
    if (!json_object_is_type(root, json_type_object)
        || !json_object_object_get_ex(root, "batch", &ops)
        || !json_object_is_type(ops, json_type_array)) {
        batch_parse_refuse(&fb->ps, BATCH_E_INVALID_REQUEST, NULL,
                           "a facebook batch must be an object with a "
                           "\"batch\" array, or a form with a batch field");
        return NULL;
    }
    json_object_object_get_ex(root, "include_headers", &flag);
    return include_headers_of(fb, flag, include) ? ops : NULL;
}

/* The batch field of a form, a JSON array, and its include_headers. */
static json_object *form_batch(fb_t *fb, apr_pool_t *tree_pool,
                               int *include)
{
    const batch_input_t *in = fb->in;
    apr_pool_t *p = fb->ps.pool;
    const char *why, *text, *flag;
    apr_size_t len, flen, offset;
    json_object *ops;

    text = batch_form_field(p, in->content_type, in->body, in->len, "batch",
                            &len, &why);
    if (!text) {
        batch_parse_refuse(&fb->ps, BATCH_E_INVALID_REQUEST, NULL, why
            ? apr_pstrcat(p, "the form is not a facebook batch: ", why, NULL)
            : "a form batch needs a batch field holding the JSON array of "
              "operations (the facebook dialect)");
        return NULL;
    }
    flag = batch_form_field(p, in->content_type, in->body, in->len,
                            "include_headers", &flen, &why);
    if ((!flag && why) || (flag && !parse_flag(flag, include))) {
        batch_parse_refuse(&fb->ps, BATCH_E_INVALID_REQUEST, NULL,
                           "include_headers must be true or false");
        return NULL;
    }
    ops = batch_json_parse(tree_pool, text, len, &offset, &why);
    if (!ops || !json_object_is_type(ops, json_type_array)) {
        batch_parse_refuse(&fb->ps, BATCH_E_INVALID_JSON, NULL, ops
            ? "the batch field must be a JSON array of operations"
            : apr_psprintf(p, "the batch field is not valid JSON: %s at "
                           "byte offset %" APR_SIZE_T_FMT, why, offset));
        return NULL;
    }
    return ops;
}

static int is_form(const batch_input_t *in, apr_pool_t *p)
{
    return batch_media_type_is_form(batch_media_type(p, in->content_type));
}

static batch_t *parse_document(apr_pool_t *p, apr_pool_t *tree_pool,
                               const batch_input_t *in, batch_error_t **err)
{
    fb_t fb = { { p, NULL }, in, apr_hash_make(p), NULL };
    int include = 1;
    json_object *ops = is_form(in, p) ? form_batch(&fb, tree_pool, &include)
                                      : json_batch(&fb, tree_pool, &include);
    batch_t *batch;
    size_t i, n;

    if (!ops) {
        *err = fb.ps.err;
        return NULL;
    }
    n = json_object_array_length(ops);
    batch = apr_pcalloc(p, sizeof(*batch));
    batch->ops = apr_array_make(p, n ? (int)n : 1, sizeof(batch_op_t));
    fb.extra = apr_pcalloc(p, sizeof(fb_op_t) * (n ? n : 1));
    for (i = 0; i < n; i++) {
        batch_op_t *op = apr_array_push(batch->ops);

        memset(op, 0, sizeof(*op));
        op->index = (int)i;
        op->hide_headers = !include;
        if (!parse_op(&fb, json_object_array_get_idx(ops, i), op)) {
            *err = fb.ps.err;
            return NULL;
        }
    }
    if (!find_dependencies(&fb, batch)) {
        *err = fb.ps.err;
        return NULL;
    }
    for (i = 0; i < n; i++) {
        APR_ARRAY_IDX(batch->ops, i, batch_op_t).silent =
            fb.extra[i].omit == -1 ? fb.extra[i].depended : fb.extra[i].omit;
    }
    return batch;
}

static batch_t *parse_facebook(apr_pool_t *p, const batch_input_t *in,
                               batch_error_t **err)
{
    return batch_parse_json_document(p, in, err, parse_document);
}

static apr_status_t facebook_begin(batch_emit_t *e)
{
    return apr_brigade_puts(e->bb, NULL, NULL, "[");
}

typedef struct header_list_t {
    apr_pool_t *pool;
    json_object *list;
} header_list_t;

/* Each header its own {"name", "value"}, repeated names too. */
static int add_header_entry(void *data, const char *name, const char *value)
{
    header_list_t *hl = data;
    json_object *h = json_object_new_object();

    json_object_object_add(h, "name", json_object_new_string(
        batch_emit_header_utf8(hl->pool, name)));
    json_object_object_add(h, "value", json_object_new_string(
        batch_emit_header_utf8(hl->pool, value)));
    json_object_array_add(hl->list, h);
    return 1;
}

/* {"code", "headers", then the body as a string}. */
static apr_status_t write_entry(batch_emit_t *e, apr_pool_t *p,
                                const batch_op_t *op,
                                const batch_result_t *res)
{
    json_object *entry = batch_json_own(p, json_object_new_object());
    apr_size_t n;
    const char *text;
    apr_status_t rv;

    json_object_object_add(entry, "code", json_object_new_int(res->status));
    if (!op->hide_headers) {
        header_list_t hl = { p, json_object_new_array() };

        if (res->headers) {
            apr_table_do(add_header_entry, &hl, res->headers, NULL);
        }
        json_object_object_add(entry, "headers", hl.list);
    }
    text = batch_json_text(p, entry, &n);
    /* the entry without its closing brace, then the body, then '}' */
    rv = apr_brigade_write(e->bb, NULL, NULL, text, n - 1);
    if (rv == APR_SUCCESS) {
        rv = apr_brigade_puts(e->bb, NULL, NULL, ",\"body\":");
    }
    if (rv == APR_SUCCESS) {
        rv = batch_emit_body_string(e, p, res);
    }
    return rv == APR_SUCCESS ? apr_brigade_putc(e->bb, NULL, NULL, '}') : rv;
}

static apr_status_t facebook_result(batch_emit_t *e, const batch_op_t *op,
                                    const batch_result_t *res)
{
    apr_pool_t *p;
    apr_status_t rv = batch_emit_separator(e, ",");

    if (rv != APR_SUCCESS) {
        return rv;
    }
    /* only a success is omitted: what could not run always says why */
    if (op->silent && res->status >= 200 && res->status < 300) {
        return apr_brigade_puts(e->bb, NULL, NULL, "null");
    }
    apr_pool_create(&p, e->pool);
    rv = write_entry(e, p, op, res);
    apr_pool_destroy(p);
    return rv;
}

static apr_status_t facebook_end(batch_emit_t *e)
{
    return apr_brigade_puts(e->bb, NULL, NULL, "]");
}

static int fits_facebook(json_object *root)
{
    return batch_json_has_array(root, "batch");
}

const batch_format_t batch_format_facebook = {
    .name = "facebook",
    .accepts = batch_media_type_is_form,
    .fits = fits_facebook,
    .shape = "an object with a \"batch\" array",
    .parse = parse_facebook,
    .response_type = batch_emit_json_type,
    .begin = facebook_begin,
    .result = facebook_result,
    .end = facebook_end
};
