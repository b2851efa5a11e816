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
 * The keyed dialect: operations named by the members of one object,
 * {"get1": {"method", "path", "query": {...}, "payload": ..., "headers"}}
 * answered by name, {"get1": {"code", "time": {"value": <microseconds>,
 * "unit": "microseconds"}, "payload" (2xx) or "error" (otherwise)}}.
 */
#include <string.h>
#include <apr_strings.h>

#include "batch_format.h"
#include "batch.h"
#include "batch_emit_json.h"
#include "batch_error.h"
#include "batch_form.h"
#include "batch_json.h"
#include "batch_parse_json.h"

static int parse_query(batch_parse_t *ps, json_object *op, batch_op_t *bop,
                       const char *where)
{
    json_object *query;
    const char *form;

    if (!json_object_object_get_ex(op, "query", &query)
        || json_object_is_type(query, json_type_null)) {
        return 1;
    }
    if (!json_object_is_type(query, json_type_object)) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
                           apr_psprintf(ps->pool, "query of %s must be an "
                                        "object", where));
        return 0;
    }
    form = batch_form_encode(ps->pool, query);
    if (*form) {
        bop->url = apr_pstrcat(ps->pool, bop->url,
                               strchr(bop->url, '?') ? "&" : "?", form,
                               NULL);
    }
    return 1;
}

static int parse_op(batch_parse_t *ps, const char *name, json_object *op,
                    batch_op_t *bop)
{
    const char *where = apr_psprintf(ps->pool, "\"%s\"", name);
    json_object *payload;
    int failed = 0;

    bop->id = apr_pstrdup(ps->pool, name);
    if (!json_object_is_type(op, json_type_object)) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
                           apr_psprintf(ps->pool, "operation %s must be an "
                                        "object", where));
        return 0;
    }
    bop->method = batch_parse_string(ps, op, "method", where,
                                     BATCH_E_INVALID_REQUEST, &failed);
    bop->url = failed ? NULL : batch_parse_string(ps, op, "path", where,
                                                  BATCH_E_INVALID_URL,
                                                  &failed);
    if (failed) {
        return 0;
    }
    if (!bop->url) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
                           apr_psprintf(ps->pool, "operation %s has no "
                                        "path", where));
        return 0;
    }
    if (!bop->method) {
        bop->method = "GET";
    }
    if (!batch_parse_headers(ps, op, bop, where)
        || !parse_query(ps, op, bop, where)) {
        return 0;
    }
    if (json_object_object_get_ex(op, "payload", &payload)
        && !json_object_is_type(payload, json_type_null)) {
        batch_parse_body_value(ps->pool, payload, bop);
    }
    return 1;
}

static batch_t *parse_document(apr_pool_t *p, apr_pool_t *tree_pool,
                               const batch_input_t *in, batch_error_t **err)
{
    batch_parse_t ps = { p, NULL };
    json_object *root;
    batch_t *batch;

    root = batch_parse_tree(p, tree_pool, in, err);
    if (!root) {
        return NULL;
    }
    if (!json_object_is_type(root, json_type_object)) {
        *err = batch_error_make(p, 400, BATCH_E_INVALID_REQUEST, NULL,
                                "a keyed batch must be an object of named "
                                "operations");
        return NULL;
    }
    batch = apr_pcalloc(p, sizeof(*batch));
    batch->ops = apr_array_make(p, 8, sizeof(batch_op_t));
    json_object_object_foreach(root, name, value) {
        batch_op_t *op = apr_array_push(batch->ops);

        memset(op, 0, sizeof(*op));
        op->index = batch->ops->nelts - 1;
        if (!parse_op(&ps, name, value, op)) {
            *err = ps.err;
            return NULL;
        }
    }
    return batch;
}

static batch_t *parse_keyed(apr_pool_t *p, const batch_input_t *in,
                            batch_error_t **err)
{
    return batch_parse_json_document(p, in, err, parse_document);
}

static apr_status_t keyed_begin(batch_emit_t *e)
{
    return apr_brigade_puts(e->bb, NULL, NULL, "{");
}

static apr_status_t keyed_result(batch_emit_t *e, const batch_op_t *op,
                                 const batch_result_t *res)
{
    apr_pool_t *p;
    json_object *entry, *time, *name;
    int ok = res->status >= 200 && res->status < 300;
    apr_status_t rv;

    apr_pool_create(&p, e->pool);
    entry = batch_json_own(p, json_object_new_object());
    name = batch_json_own(p, json_object_new_string(op->id));
    time = json_object_new_object();
    json_object_object_add(entry, "code", json_object_new_int(res->status));
    json_object_object_add(time, "value",
                           json_object_new_int64(res->elapsed));
    json_object_object_add(time, "unit",
                           json_object_new_string("microseconds"));
    json_object_object_add(entry, "time", time);
    batch_emit_add_set_cookies(p, entry, res->headers);
    rv = batch_emit_separator(e, ",");
    if (rv == APR_SUCCESS) {
        rv = apr_brigade_putstrs(e->bb, NULL, NULL,
                                 batch_json_text(p, name, NULL), ":", NULL);
    }
    if (rv == APR_SUCCESS) {
        rv = batch_emit_entry(e->bb, p, entry, ok ? "payload" : "error",
                              res);
    }
    apr_pool_destroy(p);
    return rv;
}

static apr_status_t keyed_end(batch_emit_t *e)
{
    return apr_brigade_puts(e->bb, NULL, NULL, "}");
}/* Every member an operation object with a path; "ops" and "requests"
 * arrays are not objects, so no other dialect fits too. */
static int fits_keyed(json_object *root)
{
    int members = 0;

    if (!json_object_is_type(root, json_type_object)) {
        return 0;
    }
    json_object_object_foreach(root, key, op) {
        (void)key;
        if (!json_object_is_type(op, json_type_object)
            || !json_object_object_get_ex(op, "path", NULL)) {
            return 0;
        }
        members++;
    }
    return members > 0;
}

const batch_format_t batch_format_keyed = {
    .name = "keyed",
    .fits = fits_keyed,
    .shape = "an object whose every member is an operation object with a "
             "\"path\"",
    .parse = parse_keyed,
    .response_type = batch_emit_json_type,
    .begin = keyed_begin,
    .result = keyed_result,
    .end = keyed_end
};
