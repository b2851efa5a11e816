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
 * mod_batch: many HTTP operations in one request, each run as an httpd
 * subrequest through the normal pipeline. This file only wires the module
 * together; the work is in src/.
 */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>

#include "mod_batch.h"
#include "mod_batch_capture.h"
#include "mod_batch_config.h"
#include "mod_batch_request.h"
#include "mod_batch_serve.h"
#include "mod_batch_startup.h"
#include "mod_batch_status.h"
#include "mod_batch_subreq.h"
#include "mod_batch_threads.h"

static int batch_handler(request_rec *r)
{
    if (!r->handler || strcmp(r->handler, BATCH_HANDLER)) {
        return DECLINED;
    }
    /* a batch reached from inside a batch (ErrorDocument, rewrite...) */
    if (r->main) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, BATCH_LOGNO(1)
                      "a batch endpoint was reached from inside a batch");
        return HTTP_LOOP_DETECTED;
    }
    /* ... or by an operation over HTTP (a ProxyPass back to a batch
     * endpoint); from a client, the header only ever gets it refused */
    if (batch_reached_from_operation(r)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, BATCH_LOGNO(2101)
                      "a request carrying " BATCH_DEPTH_HEADER " (an "
                      "operation of a batch) reached a batch endpoint");
        batch_request_note_nested(r);
        return HTTP_LOOP_DETECTED;
    }
    /* what http_protocol.c's make_allow reads for the 405's Allow */
    ap_allow_methods(r, REPLACE_ALLOW, "POST", "OPTIONS", NULL);
    if (r->method_number == M_OPTIONS) {
        apr_table_setn(r->headers_out, "Allow", "POST, OPTIONS");
        ap_set_content_length(r, 0);
        return OK;
    }
    if (r->method_number != M_POST) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    return batch_serve(r);
}

/* Names the module in the server's version string (ServerTokens Full,
 * mod_info) on every configuration pass, and in the error log once the
 * server really starts or restarts (not on the pre-config pass), with its
 * batch locations at LogLevel batch:info. */
static int batch_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    ap_add_version_component(pconf, BATCH_PRODUCT);
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG) {
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, BATCH_LOGNO(2300)
                     "%s loaded", BATCH_PRODUCT);
        batch_startup_log_locations(ptemp, s);
    }
    return OK;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_config(batch_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_create_request(batch_create_request, NULL, NULL,
                           APR_HOOK_MIDDLE);
    /* BatchEngine request: an op's own request (src/mod_batch_request.c) */
    ap_hook_create_request(batch_request_create, NULL, NULL,
                           APR_HOOK_MIDDLE);
    ap_hook_post_read_request(batch_request_post_read, NULL, NULL,
                              APR_HOOK_REALLY_FIRST);
    ap_hook_post_read_request(batch_request_client, NULL, NULL,
                              APR_HOOK_REALLY_LAST);
    ap_hook_log_transaction(batch_request_log, NULL, NULL,
                            APR_HOOK_REALLY_FIRST);
    ap_hook_quick_handler(batch_op_early, NULL, NULL, APR_HOOK_REALLY_FIRST);
    /* last, so it runs where a direct request's header_parser would */
    ap_hook_post_perdir_config(batch_op_perdir, NULL, NULL,
                               APR_HOOK_REALLY_LAST);
    /* before mod_cgi(d), which reads the protocol of the request */
    ap_hook_handler(batch_op_handler_first, NULL, NULL,
                    APR_HOOK_REALLY_FIRST);
    ap_hook_handler(batch_handler, NULL, NULL, APR_HOOK_MIDDLE);
    batch_capture_register();
    batch_request_register();
    batch_status_register();
    batch_threads_register();
}

AP_DECLARE_MODULE(batch) = {
    STANDARD20_MODULE_STUFF,
    batch_create_dir_conf,
    batch_merge_dir_conf,
    batch_create_server_conf,
    NULL,
    batch_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
