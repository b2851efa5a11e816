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
 * Running one module's hooks of one hook phase for a request httpd does
 * not run that phase for (an operation: docs/design.md).
 */
#include <string.h>

#include <httpd.h>
#include <http_protocol.h>

#include "mod_batch_hooks.h"

/* The hooks of one module in one of httpd's sorted hook arrays, run in
 * order until one fails. A hook is named after the module record that
 * registered it (server/config.c ap_register_hooks sets
 * apr_hook_debug_current, which apr_hooks.h stores as szName); every hook
 * of int (request_rec *) has this link layout (APR_DECLARE_EXTERNAL_HOOK),
 * so header_parser's and log_transaction's arrays are read through
 * post_read_request's type. */
int batch_run_module_hooks(const apr_array_header_t *hooks,
                           const char *module_name, request_rec *r)
{
    const ap_LINK_post_read_request_t *h;
    int i, rv;

    if (!hooks) {
        return OK;
    }
    h = (const ap_LINK_post_read_request_t *)hooks->elts;
    for (i = 0; i < hooks->nelts; i++) {
        if (h[i].szName && !strcmp(h[i].szName, module_name)
            && (rv = h[i].pFunc(r)) != OK && rv != DECLINED) {
            return rv;
        }
    }
    return OK;
}
