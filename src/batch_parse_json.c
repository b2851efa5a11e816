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
 * The canonical JSON format (Microsoft Graph / OData 4.01 JSON batching):
 * {"requests": [{"id", "method", "url", "headers", "body", "bodyEncoding",
 *   "dependsOn", "atomicityGroup"}], "onError": "continue" | "stop"}
 *
 * The parser checks JSON types and copies every field out of the json-c
 * tree; what the values mean (methods, URLs, header syntax, ids, the
 * dependency graph) is checked by src/batch_validate.c.
 */
#include <string.h>
#include <apr_strings.h>
#include <apr_base64.h>

#include "batch_parse_json.h"
#include "batch.h"
#include "batch_error.h"
#include "batch_format.h"
#include "batch_json.h"
#include "batch_reference.h"

void *batch_parse_refuse(batch_parse_t *ps, const char *code,
                         const char *where, const char *message)
{
    ps->err = batch_error_make(ps->pool, 400, code, where, "%s", message);
    return NULL;
}

const char *batch_parse_string(batch_parse_t *ps, json_object *op,
                               const char *name, const char *where,
                               const char *code, int *failed)
{
    json_object *v;
    const char *s;

    if (!json_object_object_get_ex(op, name, &v) || json_object_is_type(
            v, json_type_null)) {
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string)) {
        *failed = 1;
        return batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
            apr_psprintf(ps->pool, "%s of %s must be a string",
                         name, where));
    }
    s = batch_json_c_string(v, NULL);
    if (!s) {
        *failed = 1;
        return batch_parse_refuse(ps, code, where,
            apr_psprintf(ps->pool, "%s of %s contains a NUL "
                         "character", name, where));
    }
    return apr_pstrdup(ps->pool, s);
}

int batch_parse_headers(batch_parse_t *ps, json_object *op,
                        batch_op_t *bop, const char *where)
{
    json_object *hs;

    bop->headers = apr_table_make(ps->pool, 4);
    if (!json_object_object_get_ex(op, "headers", &hs)
        || json_object_is_type(hs, json_type_null)) {
        return 1;
    }
    if (!json_object_is_type(hs, json_type_object)) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
            apr_psprintf(ps->pool, "headers of %s must be an object of "
                         "header names to string values", where));
        return 0;
    }
    json_object_object_foreach(hs, name, value) {
        const char *v;

        if (!json_object_is_type(value, json_type_string)) {
            batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
                apr_psprintf(ps->pool, "header \"%s\" of %s must have "
                             "a string value", name, where));
            return 0;
        }
        v = batch_json_c_string(value, NULL);
        if (!v || strlen(name) == 0) {
            batch_parse_refuse(ps, BATCH_E_INVALID_HEADER, where,
                apr_psprintf(ps->pool, "header \"%s\" of %s has a NUL "
                             "character or an empty name", name, where));
            return 0;
        }
        /* which of two spellings wins would be this module's choice, and
         * a filter in front of httpd may have read the other */
        if (apr_table_get(bop->headers, name)) {
            batch_parse_refuse(ps, BATCH_E_INVALID_HEADER, where,
                apr_psprintf(ps->pool, "header \"%s\" of %s is given "
                             "twice (header names are case-insensitive)",
                             name, where));
            return 0;
        }
        apr_table_add(bop->headers, apr_pstrdup(ps->pool, name),
                      apr_pstrdup(ps->pool, v));
    }
    return 1;
}

/* APR-util's decoder stops quietly at the first stray character, and
 * APR's checking one (apr_decode_base64) also takes base64url's '-' and
 * '_' and partial padding ("QQ=", "="): check first. */
static int base64_valid(const char *s, apr_size_t len)
{
    apr_size_t i, pad = 0;

    for (i = 0; i < len; i++) {
        char c = s[i];

        if (c == '=') {
            pad++;
        }
        else if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                          || (c >= '0' && c <= '9') || c == '+'
                          || c == '/')) {
            return 0;
        }
    }
    return pad <= 2 && len % 4 != 1 && (pad == 0 || len % 4 == 0);
}

static int parse_body(batch_parse_t *ps, json_object *op, batch_op_t *bop,
                      const char *where)
{
    json_object *body, *enc;
    const char *encoding = NULL;

    if (json_object_object_get_ex(op, "bodyEncoding", &enc)
        && !json_object_is_type(enc, json_type_null)) {
        if (!json_object_is_type(enc, json_type_string)
            || strcasecmp(json_object_get_string(enc), "base64")) {
            batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
                apr_psprintf(ps->pool, "bodyEncoding of %s must be "
                             "\"base64\"", where));
            return 0;
        }
        encoding = "base64";
    }
    if (!json_object_object_get_ex(op, "body", &body)
        || json_object_is_type(body, json_type_null)) {
        return 1;
    }
    if (json_object_is_type(body, json_type_string)) {
        const char *s = json_object_get_string(body);
        apr_size_t n = (apr_size_t)json_object_get_string_len(body);

        if (!encoding) {
            bop->body = apr_pstrmemdup(ps->pool, s, n);
            bop->body_len = n;
            return 1;
        }
        if (!base64_valid(s, n)) {
            batch_parse_refuse(ps, BATCH_E_INVALID_BODY, where,
                apr_psprintf(ps->pool, "body of %s is not valid base64",
                             where));
            return 0;
        }
        bop->body = apr_palloc(ps->pool, apr_base64_decode_len(s) + 1);
        bop->body_len = (apr_size_t)apr_base64_decode_binary(
            (unsigned char *)bop->body, s);
        bop->body_kind = BATCH_BODY_BYTES;
        return 1;
    }
    if (encoding) {
        batch_parse_refuse(ps, BATCH_E_INVALID_BODY, where,
            apr_psprintf(ps->pool, "body of %s must be a string when "
                         "bodyEncoding is base64", where));
        return 0;
    }
    batch_parse_body_value(ps->pool, body, bop);
    return 1;
}

void batch_parse_body_value(apr_pool_t *p, json_object *body,
                            batch_op_t *op)
{
    if (json_object_is_type(body, json_type_string)) {
        op->body_len = (apr_size_t)json_object_get_string_len(body);
        op->body = apr_pstrmemdup(p, json_object_get_string(body),
                                  op->body_len);
        return;
    }
    op->body = batch_json_text(p, body, &op->body_len);
    op->body_kind = BATCH_BODY_JSON;
    if (!apr_table_get(op->headers, "Content-Type")) {
        apr_table_setn(op->headers, "Content-Type", "application/json");
    }
}

json_object *batch_parse_tree(apr_pool_t *p, apr_pool_t *tree_pool,
                              const batch_input_t *in, batch_error_t **err)
{
    apr_size_t offset;
    const char *why;
    json_object *root;

    if (in->json) {
        return in->json;
    }
    root = batch_json_parse(tree_pool, in->body, in->len, &offset, &why);
    if (!root) {
        *err = batch_error_make(p, 400, BATCH_E_INVALID_JSON, NULL,
                                "the batch is not valid JSON: %s at byte "
                                "offset %" APR_SIZE_T_FMT, why, offset);
    }
    return root;
}

static int parse_depends_on(batch_parse_t *ps, json_object *op,
                            batch_op_t *bop, const char *where)
{
    json_object *deps;
    size_t i, n;

    if (!json_object_object_get_ex(op, "dependsOn", &deps)
        || json_object_is_type(deps, json_type_null)) {
        return 1;
    }
    if (!json_object_is_type(deps, json_type_array)) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
            apr_psprintf(ps->pool, "dependsOn of %s must be an array of "
                         "ids", where));
        return 0;
    }
    n = json_object_array_length(deps);
    bop->depends_on = apr_array_make(ps->pool, (int)n, sizeof(const char *));
    for (i = 0; i < n; i++) {
        json_object *d = json_object_array_get_idx(deps, i);
        const char *id;

        if (!json_object_is_type(d, json_type_string)
            || !(id = batch_json_c_string(d, NULL))) {
            batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
                apr_psprintf(ps->pool, "dependsOn[%d] of %s must be a "
                             "string id", (int)i, where));
            return 0;
        }
        APR_ARRAY_PUSH(bop->depends_on, const char *) =
            apr_pstrdup(ps->pool, id);
    }
    return 1;
}

static int parse_id(batch_parse_t *ps, json_object *op, batch_op_t *bop,
                    const char *where)
{
    json_object *id;

    if (!json_object_object_get_ex(op, "id", &id)) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
            apr_psprintf(ps->pool, "%s has no id", where));
        return 0;
    }
    if (!json_object_is_type(id, json_type_string)) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
            apr_psprintf(ps->pool, "id of %s must be a string, not %s",
                         where,
                         json_type_to_name(json_object_get_type(id))));
        return 0;
    }
    if (!batch_json_c_string(id, NULL)) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
            apr_psprintf(ps->pool, "id of %s contains a NUL character",
                         where));
        return 0;
    }
    bop->id = apr_pstrdup(ps->pool, json_object_get_string(id));
    return 1;
}

static int parse_op(batch_parse_t *ps, json_object *op, batch_op_t *bop)
{
    const char *where = apr_psprintf(ps->pool, "requests[%d]", bop->index);
    int failed = 0;

    if (!json_object_is_type(op, json_type_object)) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
            apr_psprintf(ps->pool, "%s must be an object", where));
        return 0;
    }
    if (!parse_id(ps, op, bop, where)) {
        return 0;
    }
    where = batch_op_where(ps->pool, bop);
    bop->method = batch_parse_string(ps, op, "method", where,
                               BATCH_E_INVALID_REQUEST, &failed);
    if (failed) {
        return 0;
    }
    if (!bop->method) {
        bop->method = "GET";
    }
    bop->url = batch_parse_string(ps, op, "url", where, BATCH_E_INVALID_URL,
                            &failed);
    if (failed) {
        return 0;
    }
    if (!bop->url) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
            apr_psprintf(ps->pool, "operation %s has no url", where));
        return 0;
    }
    bop->group = batch_parse_string(ps, op, "atomicityGroup", where,
                              BATCH_E_INVALID_REQUEST, &failed);
    if (failed) {
        return 0;
    }
    return batch_parse_headers(ps, op, bop, where)
           && parse_body(ps, op, bop, where)
           && parse_depends_on(ps, op, bop, where);
}

static int parse_on_error(batch_parse_t *ps, json_object *root,
                          batch_t *batch)
{
    json_object *v;
    const char *s;

    if (!json_object_object_get_ex(root, "onError", &v)
        || json_object_is_type(v, json_type_null)) {
        return 1;
    }
    s = json_object_is_type(v, json_type_string)
        ? json_object_get_string(v) : "";
    if (!strcmp(s, "stop")) {
        batch->on_error = BATCH_ON_ERROR_STOP;
        return 1;
    }
    if (!strcmp(s, "continue")) {
        return 1;
    }
    batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, NULL,
        "onError must be \"continue\" or \"stop\"");
    return 0;
}

static batch_t *parse_document(apr_pool_t *p, apr_pool_t *tree_pool,
                               const batch_input_t *in, batch_error_t **err)
{
    batch_parse_t ps = { p, NULL };
    json_object *root, *requests;
    batch_t *batch;
    size_t i, n;

    root = batch_parse_tree(p, tree_pool, in, err);
    if (!root) {
        return NULL;
    }
    if (!json_object_is_type(root, json_type_object)
        || !json_object_object_get_ex(root, "requests", &requests)
        || !json_object_is_type(requests, json_type_array)) {
        *err = batch_error_make(p, 400, BATCH_E_INVALID_REQUEST, NULL,
                                "the batch must be an object with a "
                                "\"requests\" array");
        return NULL;
    }
    batch = apr_pcalloc(p, sizeof(*batch));
    n = json_object_array_length(requests);
    batch->ops = apr_array_make(p, n ? (int)n : 1, sizeof(batch_op_t));
    if (!parse_on_error(&ps, root, batch)) {
        *err = ps.err;
        return NULL;
    }
    for (i = 0; i < n; i++) {
        batch_op_t *op = apr_array_push(batch->ops);

        memset(op, 0, sizeof(*op));
        op->index = (int)i;
        if (!parse_op(&ps, json_object_array_get_idx(requests, i), op)) {
            *err = ps.err;
            return NULL;
        }
    }
    return batch;
}

batch_t *batch_parse_json_document(apr_pool_t *p, const batch_input_t *in,
                                   batch_error_t **err,
                                   batch_json_document_fn parse)
{
    apr_pool_t *tree_pool;
    batch_t *batch;

    apr_pool_create(&tree_pool, p);
    batch = parse(p, tree_pool, in, err);
    apr_pool_destroy(tree_pool);
    return batch;
}

batch_t *batch_parse_json_input(apr_pool_t *p, const batch_input_t *in,
                                batch_error_t **err)
{
    return batch_parse_json_document(p, in, err, parse_document);
}

batch_t *batch_parse_json(apr_pool_t *p, const char *body, apr_size_t len,
                          batch_error_t **err)
{
    batch_input_t in;

    memset(&in, 0, sizeof(in));
    in.body = body;
    in.len = len;
    return batch_parse_json_input(p, &in, err);
}
