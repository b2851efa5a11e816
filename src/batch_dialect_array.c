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
 * The array dialect (per-resource batches, as APISIX-style clients send):
 * [{"method", "url", "body", "headers"}] answered with
 * [{"responseCode", "responseBody"}]. Posted to a path under the batch
 * location (POST /batch/users), operations without a url target that path
 * (/users).
 */
#include <string.h>
#include <apr_strings.h>

#include "batch_format.h"
#include "batch.h"
#include "batch_emit_json.h"
#include "batch_error.h"
#include "batch_json.h"
#include "batch_parse_json.h"

static int parse_url(batch_parse_t *ps, json_object *op, batch_op_t *bop,
                     const batch_input_t *in, const char *where)
{
    int failed = 0;

    bop->url = batch_parse_string(ps, op, "url", where, BATCH_E_INVALID_URL,
                                  &failed);
    if (failed) {
        return 0;
    }
    if (!bop->url && in->path_info && *in->path_info) {
        bop->url = in->path_info;
    }
    if (!bop->url) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
                           apr_psprintf(ps->pool, "%s has no url (or post "
                                        "the batch to the batch location "
                                        "followed by the target path)",
                                        where));
        return 0;
    }
    return 1;
}

static int parse_op(batch_parse_t *ps, json_object *op, batch_op_t *bop,
                    const batch_input_t *in)
{
    const char *where = apr_psprintf(ps->pool, "[%d]", bop->index);
    json_object *body;
    int failed = 0;

    bop->id = where;
    if (!json_object_is_type(op, json_type_object)) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
                           apr_psprintf(ps->pool, "operation %s must be an "
                                        "object", where));
        return 0;
    }
    bop->method = batch_parse_string(ps, op, "method", where,
                                     BATCH_E_INVALID_REQUEST, &failed);
    if (failed || !parse_url(ps, op, bop, in, where)
        || !batch_parse_headers(ps, op, bop, where)) {
        return 0;
    }
    if (!bop->method) {
        bop->method = "GET";
    }
    if (json_object_object_get_ex(op, "body", &body)
        && !json_object_is_type(body, json_type_null)) {
        batch_parse_body_value(ps->pool, body, bop);
    }
    return 1;
}

static batch_t *parse_document(apr_pool_t *p, apr_pool_t *tree_pool,
                               const batch_input_t *in, batch_error_t **err)
{
    batch_parse_t ps = { p, NULL };
    json_object *root;
    batch_t *batch;
    size_t i, n;

    root = batch_parse_tree(p, tree_pool, in, err);
    if (!root) {
        return NULL;
    }
    if (!json_object_is_type(root, json_type_array)) {
        *err = batch_error_make(p, 400, BATCH_E_INVALID_REQUEST, NULL,
                                "an array batch must be a JSON array of "
                                "operations");
        return NULL;
    }
    n = json_object_array_length(root);
    batch = apr_pcalloc(p, sizeof(*batch));
    batch->ops = apr_array_make(p, n ? (int)n : 1, sizeof(batch_op_t));
    for (i = 0; i < n; i++) {
        batch_op_t *op = apr_array_push(batch->ops);

        memset(op, 0, sizeof(*op));
        op->index = (int)i;
        if (!parse_op(&ps, json_object_array_get_idx(root, i), op, in)) {
            *err = ps.err;
            return NULL;
        }
    }
    return batch;
}

static batch_t *parse_array(apr_pool_t *p, const batch_input_t *in,
                            batch_error_t **err)
{
    return batch_parse_json_document(p, in, err, parse_document);
}

static apr_status_t array_begin(batch_emit_t *e)
{
    return apr_brigade_puts(e->bb, NULL, NULL, "[");
}

static apr_status_t array_result(batch_emit_t *e, const batch_op_t *op,
                                 const batch_result_t *res)
{
    apr_pool_t *p;
    json_object *entry;
    apr_status_t rv;

    (void)op;
    apr_pool_create(&p, e->pool);
    entry = batch_json_own(p, json_object_new_object());
    json_object_object_add(entry, "responseCode",
                           json_object_new_int(res->status));
    batch_emit_add_set_cookies(p, entry, res->headers);
    rv = batch_emit_separator(e, ",");
    if (rv == APR_SUCCESS) {
        rv = batch_emit_entry(e->bb, p, entry, "responseBody", res);
    }
    apr_pool_destroy(p);
    return rv;
}

static apr_status_t array_end(batch_emit_t *e)
{
    return apr_brigade_puts(e->bb, NULL, NULL, "]");
}

static int fits_array(json_object *root)
{
    return json_object_is_type(root, json_type_array);
}

const batch_format_t batch_format_array = {
    .name = "array",
    .fits = fits_array,
    .shape = "an array of operations",
    .parse = parse_array,
    .response_type = batch_emit_json_type,
    .begin = array_begin,
    .result = array_result,
    .end = array_end
};
