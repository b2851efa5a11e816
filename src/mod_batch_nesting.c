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
 * A batch whose operation targets a batch endpoint is refused before
 * anything runs: batches do not nest.
 */
#include <string.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_core.h>

#include "mod_batch_nesting.h"
#include "batch_error.h"

/* Does a target path lie under this batch endpoint's own URI? */
static int under_endpoint(const char *target, const char *endpoint)
{
    apr_size_t n = strlen(endpoint);

    while (n > 1 && endpoint[n - 1] == '/') {
        n--;
    }
    return !strncmp(target, endpoint, n)
           && (target[n] == '\0' || target[n] == '/' || target[n] == '?');
}

/* Escapes decoded but %2F, as request.c decodes a path. */
static int unescape_path(char *path)
{
    /* ap_unescape_url_ex came with httpd 2.4.51; before, request.c used
     * ap_unescape_url_keep2f */
#if AP_MODULE_MAGIC_AT_LEAST(20120211, 118)
    return ap_unescape_url_ex(path, AP_UNESCAPE_URL_KEEP_UNRESERVED
                                    | AP_UNESCAPE_URL_KEEP_SLASHES);
#else
    return ap_unescape_url_keep2f(path, 0);
#endif
}

/* The path of a target as httpd's ap_process_request_internal reads it
 * (server/request.c): dot segments removed, slashes merged unless
 * MergeSlashes Off, escapes decoded except %2F; NULL when httpd would
 * refuse it anyway. */
static const char *decoded_path(request_rec *r, const char *target)
{
    core_server_config *sconf =
        ap_get_core_module_config(r->server->module_config);
    unsigned int flags = AP_NORMALIZE_NOT_ABOVE_ROOT
                         | AP_NORMALIZE_DECODE_UNRESERVED;
    char *path = apr_pstrmemdup(r->pool, target, strcspn(target, "?"));

    if (sconf->merge_slashes != AP_CORE_CONFIG_OFF) {
        flags |= AP_NORMALIZE_MERGE_SLASHES;
    }
    if (!ap_normalize_path(path, flags) || unescape_path(path)) {
        return NULL;
    }
    return path;
}

/* The endpoint: the batch <Location> when the request lies under it
 * (POST /batch/users at <Location /batch>), else the request's path. */
static const char *endpoint_of(request_rec *r, const batch_settings_t *s)
{
    if (s->location && s->location[0] == '/'
        && under_endpoint(r->uri, s->location)) {
        return s->location;
    }
    return r->uri;
}

/* The cheap, certain case of a nested batch, whatever the spelling
 * (/./batch, /%62atch); batch_op_run catches every other way of reaching
 * a batch handler (rewrite, Alias...) with 508. */
batch_error_t *batch_check_nesting(request_rec *r, const batch_settings_t *s,
                                   const batch_op_t *op, apr_pool_t *p)
{
    const char *endpoint = endpoint_of(r, s);
    const char *path = decoded_path(r, op->target);

    if (path && under_endpoint(path, endpoint)) {
        return batch_error_make(p, HTTP_BAD_REQUEST, BATCH_E_NESTED, op->id,
                                "operation %s targets the batch endpoint "
                                "%s; batches do not nest", op->id,
                                endpoint);
    }
    return NULL;
}
