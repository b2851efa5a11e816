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

/* Cross-site form batches (include/mod_batch_origin.h). */
#include <string.h>
#include <apr_strings.h>
#include <apr_uri.h>

#include <httpd.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>

#include "mod_batch_origin.h"
#include "batch_error.h"
#include "mod_batch.h"

APLOG_USE_MODULE(batch);

/* Does url (an Origin or a Referer) name this server: the scheme, host
 * and port the client reached it by? "null" and anything unparsable do
 * not. */
static int is_this_server(request_rec *r, const char *url)
{
    apr_uri_t u;
    apr_port_t port;

    if (apr_uri_parse(r->pool, url, &u) != APR_SUCCESS || !u.scheme
        || !u.hostname || !r->hostname) {
        return 0;
    }
    port = u.port_str ? u.port : apr_uri_port_of_scheme(u.scheme);
    return !strcasecmp(u.scheme, ap_http_scheme(r))
           && !strcasecmp(u.hostname, r->hostname)
           && port == ap_get_server_port(r);
}

/* The header that says the batch comes from another site, or NULL. */
static const char *cross_site_sign(request_rec *r, const char **value)
{
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *fetch_site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *referer = apr_table_get(r->headers_in, "Referer");

    if (origin) {
        *value = origin;
        return is_this_server(r, origin) ? NULL : "Origin";
    }
    if (fetch_site && !strcasecmp(fetch_site, "cross-site")) {
        *value = fetch_site;
        return "Sec-Fetch-Site";
    }
    if (referer && !is_this_server(r, referer)) {
        *value = referer;
        return "Referer";
    }
    return NULL;
}

batch_error_t *batch_check_cross_site_form(request_rec *r,
                                           const batch_settings_t *s)
{
    const char *sign, *value = NULL;

    if (!s->inherit_headers
        || (!apr_table_get(r->headers_in, "Cookie")
            && !apr_table_get(r->headers_in, "Authorization"))) {
        return NULL;
    }
    if (!(sign = cross_site_sign(r, &value))) {
        return NULL;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, BATCH_LOGNO(2201)
                  "cross-site form batch refused (%s: %s)", sign, value);
    return batch_error_make(r->pool, HTTP_FORBIDDEN, BATCH_E_CROSS_SITE, NULL,
                            "a form batch from another site (%s: %s) is "
                            "refused while its operations would inherit this "
                            "request's Cookie or Authorization "
                            "(BatchInheritHeaders On)", sign, value);
}
