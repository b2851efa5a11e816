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
 * HTML form bodies, for the facebook dialect's batch=<json> field:
 * application/x-www-form-urlencoded (decoded by APR) and
 * multipart/form-data (split by the multipart parser's delimiter search).
 * Only the one field asked for is decoded.
 */
#include <string.h>
#include <apr_strings.h>
#include <apr_escape.h>

#include "batch_form.h"
#include "batch_parse_multipart.h"
#include "batch_text.h"

#define URLENCODED "application/x-www-form-urlencoded"
#define FORM_DATA "multipart/form-data"

/* "a+b%21" as "a b!"; NULL for a bad escape or an encoded NUL. */
static const char *form_decode(apr_pool_t *p, const char *s, apr_size_t n)
{
    return apr_punescape_url(p, apr_pstrmemdup(p, s, n), NULL, NULL, 1);
}

static const char *urlencoded_field(apr_pool_t *p, const char *body,
                                    apr_size_t blen, const char *name,
                                    apr_size_t *len, const char **why)
{
    const char *pos = body, *end = body + blen, *found = NULL;

    while (pos < end) {
        const char *amp = memchr(pos, '&', (apr_size_t)(end - pos));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(pos, '=', (apr_size_t)(stop - pos));
        const char *key = form_decode(p, pos, (apr_size_t)
                                      ((eq ? eq : stop) - pos));
        const char *value;

        if (!key) {
            *why = "a field name has a bad %-escape";
            return NULL;
        }
        if (!strcmp(key, name)) {
            value = eq ? form_decode(p, eq + 1, (apr_size_t)(stop - eq - 1))
                       : "";
            if (!value || found) {
                *why = apr_psprintf(p, value ? "the field %s is given twice"
                                    : "the field %s has a bad %%-escape or "
                                    "an encoded NUL", name);
                return NULL;
            }
            found = value;
        }
        if (!amp) {
            break;
        }
        pos = amp + 1;
    }
    if (found) {
        *len = strlen(found);
    }
    return found;
}

/* The value of a part's Content-Disposition header, read from its header
 * block [pos, end); NULL when it has none. */
static const char *part_disposition(apr_pool_t *p, const char *pos,
                                    const char *end)
{
    static const char header[] = "content-disposition:";
    apr_size_t hlen = sizeof(header) - 1;

    while (pos < end) {
        const char *lf = memchr(pos, '\n', (apr_size_t)(end - pos));
        const char *stop = lf ? lf : end;

        if (stop > pos && stop[-1] == '\r') {
            stop--;
        }
        if ((apr_size_t)(stop - pos) > hlen
            && !strncasecmp(pos, header, hlen)) {
            return apr_pstrmemdup(p, pos + hlen,
                                  (apr_size_t)(stop - pos) - hlen);
        }
        if (!lf) {
            break;
        }
        pos = lf + 1;
    }
    return NULL;
}

/* A file upload (filename= or RFC 6266's filename*=): a WAF in front
 * inspects form fields, not files, so such a part is never read. */
static int is_file_part(apr_pool_t *p, const char *disposition)
{
    return batch_header_param(p, disposition, "filename")
           || batch_header_param(p, disposition, "filename*");
}

/* Where a part's header block ends: at its first empty line, *content
 * set past it; a part without one is all headers, its content empty. */
static const char *headers_end(const char *part, const char *end,
                               const char **content)
{
    const char *pos = part;

    while (pos < end) {
        const char *lf = memchr(pos, '\n', (apr_size_t)(end - pos));

        if (!lf) {
            break;
        }
        if (lf == pos || (lf == pos + 1 && *pos == '\r')) {
            *content = lf + 1;
            return pos;
        }
        pos = lf + 1;
    }
    *content = end;
    return end;
}

static const char *form_data_field(apr_pool_t *p, const char *ctype,
                                   const char *body, apr_size_t blen,
                                   const char *name, apr_size_t *len,
                                   const char **why)
{
    const char *boundary = batch_header_param(p, ctype, "boundary");
    const char *end = body + blen, *found = NULL, *dash;
    batch_delim_t d;

    if (!boundary || !*boundary || strlen(boundary) > BATCH_MAX_BOUNDARY) {
        *why = "Content-Type multipart/form-data needs a boundary "
               "parameter of 1 to 70 characters";
        return NULL;
    }
    dash = apr_pstrcat(p, "--", boundary, NULL);
    if (!batch_multipart_delimiter(body, body, end, dash, strlen(dash), &d)) {
        *why = apr_psprintf(p, "the form has no delimiter line %s", dash);
        return NULL;
    }
    while (!d.close) {
        const char *part = d.after, *content = NULL, *hend, *disp, *pname;

        if (!batch_multipart_delimiter(body, part, end, dash, strlen(dash),
                                       &d)) {
            *why = apr_psprintf(p, "the form is not closed: the delimiter "
                                "%s-- is missing", dash);
            return NULL;
        }
        hend = headers_end(part, d.content_end, &content);
        disp = part_disposition(p, part, hend);
        if (disp && (pname = batch_header_param(p, disp, "name"))
            && !strcmp(pname, name)) {
            if (is_file_part(p, disp)) {
                *why = apr_psprintf(p, "the field %s is sent as a file "
                                    "(filename=); send it as a form field",
                                    name);
                return NULL;
            }
            if (found) {
                *why = apr_psprintf(p, "the field %s is given twice", name);
                return NULL;
            }
            *len = (apr_size_t)(d.content_end - content);
            found = apr_pstrmemdup(p, content, *len);
        }
    }
    return found;
}

const char *batch_form_field(apr_pool_t *p, const char *ctype,
                             const char *body, apr_size_t blen,
                             const char *name, apr_size_t *len,
                             const char **why)
{
    const char *type = batch_media_type(p, ctype);

    *why = NULL;
    if (type && !strcmp(type, FORM_DATA)) {
        return form_data_field(p, ctype, body, blen, name, len, why);
    }
    if (memchr(body, '\0', blen)) {
        *why = "the form holds a NUL byte";
        return NULL;
    }
    return urlencoded_field(p, body, blen, name, len, why);
}

/* Appends name=value pairs for value under name, as Rack's
 * build_nested_query does: null gives the name alone. */
static void form_add(apr_pool_t *p, apr_array_header_t *pairs,
                     const char *name, json_object *value)
{
    const char *key = apr_pescape_urlencoded(p, name);

    if (!value || json_object_is_type(value, json_type_null)) {
        APR_ARRAY_PUSH(pairs, const char *) = key;
    }
    else if (json_object_is_type(value, json_type_array)) {
        size_t i, n = json_object_array_length(value);

        for (i = 0; i < n; i++) {
            form_add(p, pairs, apr_pstrcat(p, name, "[]", NULL),
                     json_object_array_get_idx(value, i));
        }
    }
    else if (json_object_is_type(value, json_type_object)) {
        json_object_object_foreach(value, sub, v) {
            form_add(p, pairs, apr_pstrcat(p, name, "[", sub, "]", NULL), v);
        }
    }
    else {
        APR_ARRAY_PUSH(pairs, const char *) = apr_pstrcat(
            p, key, "=", apr_pescape_urlencoded(
                p, json_object_get_string(value)), NULL);
    }
}

const char *batch_form_encode(apr_pool_t *p, json_object *obj)
{
    apr_array_header_t *pairs = apr_array_make(p, 8, sizeof(const char *));

    json_object_object_foreach(obj, name, value) {
        form_add(p, pairs, name, value);
    }
    return apr_array_pstrcat(p, pairs, '&');
}
