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
 * The rails dialect, the batch_api Rack gem's format:
 * {"ops": [{"method", "url", "params" | "args", "headers", "silent"}],
 *  "sequential": true}
 * answered with {"results": [{"status", "body", "headers"}]}. The gem
 * answers its own batch-level errors with 422, so refusals keep that.
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

#define RAILS_REFUSED 422

/* GET, HEAD and DELETE carry their params in the query string. */
static int params_in_query(const char *method)
{
    return !strcasecmp(method, "GET") || !strcasecmp(method, "HEAD")
           || !strcasecmp(method, "DELETE");
}

static json_object *params_of(batch_parse_t *ps, json_object *op,
                              const char *where, int *failed)
{
    json_object *params = NULL, *args = NULL;
    int has_params = json_object_object_get_ex(op, "params", &params)
                     && !json_object_is_type(params, json_type_null);
    int has_args = json_object_object_get_ex(op, "args", &args)
                   && !json_object_is_type(args, json_type_null);

    if (has_params && has_args) {
        *failed = 1;
        return batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
            apr_psprintf(ps->pool, "%s has both params and args; give one",
                         where));
    }
    if (has_args) {
        params = args;
    }
    if (!has_params && !has_args) {
        return NULL;
    }
    if (!json_object_is_type(params, json_type_object)) {
        *failed = 1;
        return batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
            apr_psprintf(ps->pool, "the params of %s must be an object",
                         where));
    }
    return params;
}

static int parse_params(batch_parse_t *ps, json_object *op, batch_op_t *bop,
                        const char *where)
{
    int failed = 0;
    json_object *params = params_of(ps, op, where, &failed);
    const char *form;

    if (!params) {
        return !failed;
    }
    form = batch_form_encode(ps->pool, params);
    if (!*form) {
        return 1;
    }
    if (params_in_query(bop->method)) {
        bop->url = apr_pstrcat(ps->pool, bop->url,
                               strchr(bop->url, '?') ? "&" : "?", form,
                               NULL);
        return 1;
    }
    bop->body = form;
    bop->body_len = strlen(form);
    if (!apr_table_get(bop->headers, "Content-Type")) {
        apr_table_setn(bop->headers, "Content-Type",
                       "application/x-www-form-urlencoded");
    }
    return 1;
}

static int parse_silent(batch_parse_t *ps, json_object *op, batch_op_t *bop,
                        const char *where)
{
    json_object *v;

    if (!json_object_object_get_ex(op, "silent", &v)
        || json_object_is_type(v, json_type_null)) {
        return 1;
    }
    if (!json_object_is_type(v, json_type_boolean)) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
                           apr_psprintf(ps->pool, "silent of %s must be "
                                        "true or false", where));
        return 0;
    }
    bop->silent = json_object_get_boolean(v);
    return 1;
}

static int parse_op(batch_parse_t *ps, json_object *op, batch_op_t *bop)
{
    const char *where = apr_psprintf(ps->pool, "ops[%d]", bop->index);
    int failed = 0;

    bop->id = where;
    if (!json_object_is_type(op, json_type_object)) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
                           apr_psprintf(ps->pool, "%s must be an object",
                                        where));
        return 0;
    }
    bop->method = batch_parse_string(ps, op, "method", where,
                                     BATCH_E_INVALID_REQUEST, &failed);
    if (!failed && !bop->method) {
        bop->method = "GET";
    }
    bop->url = failed ? NULL : batch_parse_string(ps, op, "url", where,
                                                  BATCH_E_INVALID_URL,
                                                  &failed);
    if (failed) {
        return 0;
    }
    if (!bop->url) {
        batch_parse_refuse(ps, BATCH_E_INVALID_REQUEST, where,
                           apr_psprintf(ps->pool, "%s has no url", where));
        return 0;
    }
    return batch_parse_headers(ps, op, bop, where)
           && parse_params(ps, op, bop, where)
           && parse_silent(ps, op, bop, where);
}

static batch_error_t *rails_refusal(apr_pool_t *p, const char *message)
{
    return batch_error_make(p, RAILS_REFUSED, BATCH_E_INVALID_REQUEST, NULL,
                            "%s", message);
}

/* The gem runs operations one after another only; it refuses a batch
 * without "sequential": true. */
static batch_error_t *check_batch(apr_pool_t *p, json_object *root,
                                  json_object **ops)
{
    json_object *seq;

    if (!json_object_is_type(root, json_type_object)
        || !json_object_object_get_ex(root, "ops", ops)
        || !json_object_is_type(*ops, json_type_array)) {
        return rails_refusal(p, "a rails batch must be an object with an "
                             "\"ops\" array");
    }
    if (json_object_array_length(*ops) == 0) {
        return rails_refusal(p, "no operations provided");
    }
    if (!json_object_object_get_ex(root, "sequential", &seq)
        || !json_object_is_type(seq, json_type_boolean)
        || !json_object_get_boolean(seq)) {
        return rails_refusal(p, "sequential flag is currently required "
                             "(\"sequential\": true)");
    }
    return NULL;
}

static batch_t *parse_document(apr_pool_t *p, apr_pool_t *tree_pool,
                               const batch_input_t *in, batch_error_t **err)
{
    batch_parse_t ps = { p, NULL };
    json_object *root, *ops = NULL;
    batch_t *batch;
    size_t i, n;

    root = batch_parse_tree(p, tree_pool, in, err);
    if (!root || (*err = check_batch(p, root, &ops))) {
        return NULL;
    }
    n = json_object_array_length(ops);
    batch = apr_pcalloc(p, sizeof(*batch));
    batch->sequential = 1;
    batch->ops = apr_array_make(p, (int)n, sizeof(batch_op_t));
    for (i = 0; i < n; i++) {
        batch_op_t *op = apr_array_push(batch->ops);

        memset(op, 0, sizeof(*op));
        op->index = (int)i;
        if (!parse_op(&ps, json_object_array_get_idx(ops, i), op)) {
            *err = ps.err;
            return NULL;
        }
    }
    return batch;
}

static batch_t *parse_rails(apr_pool_t *p, const batch_input_t *in,
                            batch_error_t **err)
{
    return batch_parse_json_document(p, in, err, parse_document);
}

static apr_status_t rails_begin(batch_emit_t *e)
{
    return apr_brigade_puts(e->bb, NULL, NULL, "{\"results\":[");
}

/* The gem's serializer leaves out blank fields: no body, no headers. */
static apr_status_t rails_result(batch_emit_t *e, const batch_op_t *op,
                                 const batch_result_t *res)
{
    apr_pool_t *p;
    json_object *entry, *headers;
    int quiet = op->silent && res->status >= 200 && res->status < 300;
    apr_status_t rv;

    apr_pool_create(&p, e->pool);
    entry = batch_json_own(p, json_object_new_object());
    if (!quiet) {
        json_object_object_add(entry, "status",
                               json_object_new_int(res->status));
        headers = batch_emit_headers_object(p, res->headers);
        if (json_object_object_length(headers)) {
            json_object_object_add(entry, "headers", headers);
        }
        else {
            json_object_put(headers);
        }
        batch_emit_add_set_cookies(p, entry, res->headers);
    }
    rv = batch_emit_separator(e, ",");
    if (rv == APR_SUCCESS) {
        rv = batch_emit_entry(e->bb, p, entry,
                              quiet || !res->body_len ? NULL : "body", res);
    }
    apr_pool_destroy(p);
    return rv;
}

static apr_status_t rails_end(batch_emit_t *e)
{
    return apr_brigade_puts(e->bb, NULL, NULL, "]}");
}

/* The gem answers every refusal of a well-formed request with 422. */
static int rails_refusal_status(const batch_error_t *err)
{
    return err->status == 400 || !strcmp(err->code, BATCH_E_TOO_MANY)
           ? RAILS_REFUSED : err->status;
}

static int fits_rails(json_object *root)
{
    return batch_json_has_array(root, "ops");
}

const batch_format_t batch_format_rails = {
    .name = "rails",
    .fits = fits_rails,
    .shape = "an object with an \"ops\" array",
    .parse = parse_rails,
    .response_type = batch_emit_json_type,
    .begin = rails_begin,
    .result = rails_result,
    .end = rails_end,
    .refusal_status = rails_refusal_status
};
