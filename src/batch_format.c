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
 * The registry of batch formats. A new format is a file exporting its
 * batch_format_t, its line here (declaration and table entry) and its
 * line in Makefile.am.
 */
#include <string.h>
#include <apr_strings.h>

#include "batch_format.h"
#include "batch_error.h"
#include "batch_json.h"
#include "batch_text.h"

extern const batch_format_t batch_format_graph;
extern const batch_format_t batch_format_rails;
extern const batch_format_t batch_format_facebook;
extern const batch_format_t batch_format_array;
extern const batch_format_t batch_format_keyed;
extern const batch_format_t batch_format_multipart;

/* Every format. The JSON dialects' shapes are tried in this order; the
 * first is the canonical JSON format, which takes a JSON body of no known
 * shape. */
static const batch_format_t *const formats[] = {
    &batch_format_graph,
    &batch_format_rails,
    &batch_format_facebook,
    &batch_format_array,
    &batch_format_keyed,
    &batch_format_multipart,
    NULL
};

const batch_format_t *batch_format_at(int i)
{
    int n = (int)(sizeof(formats) / sizeof(formats[0])) - 1;

    return i >= 0 && i < n ? formats[i] : NULL;
}

const batch_format_t *batch_format_named(const char *name)
{
    int i;

    for (i = 0; formats[i]; i++) {
        if (!strcasecmp(name, formats[i]->name)) {
            return formats[i];
        }
    }
    return NULL;
}

const char *batch_format_dialect_names(apr_pool_t *p)
{
    const char *names = NULL;
    int i;

    for (i = 0; formats[i]; i++) {
        if (formats[i]->fits) {
            names = names ? apr_pstrcat(p, names, ", ", formats[i]->name,
                                        NULL) : formats[i]->name;
        }
    }
    return names;
}

/* BatchFormats' names, in the order messages list them */
static const struct {
    const char *name;
    int bit;
} request_formats[] = {
    { "json", BATCH_FORMATS_JSON },
    { "multipart", BATCH_FORMATS_MULTIPART },
    { "form", BATCH_FORMATS_FORM },
    { NULL, 0 }
};

int batch_request_format_named(const char *name)
{
    int i;

    for (i = 0; request_formats[i].name; i++) {
        if (!strcasecmp(name, request_formats[i].name)) {
            return request_formats[i].bit;
        }
    }
    return 0;
}

const char *batch_request_formats_text(apr_pool_t *p, int formats)
{
    apr_array_header_t *names = apr_array_make(p, 3, sizeof(const char *));
    int i;

    for (i = 0; request_formats[i].name; i++) {
        if (formats & request_formats[i].bit) {
            APR_ARRAY_PUSH(names, const char *) = request_formats[i].name;
        }
    }
    return apr_array_pstrcat(p, names, ' ');
}

int batch_request_format(const char *media_type)
{
    if (batch_media_type_is_json_batch(media_type)) {
        return BATCH_FORMATS_JSON;
    }
    if (batch_media_type_is_multipart(media_type)) {
        return BATCH_FORMATS_MULTIPART;
    }
    if (batch_media_type_is_form(media_type)) {
        return BATCH_FORMATS_FORM;
    }
    return 0;
}

const batch_format_t *batch_format_for(apr_pool_t *p,
                                       const batch_format_t *forced,
                                       const char *content_type,
                                       int *by_shape, batch_error_t **err)
{
    const char *type = batch_media_type(p, content_type);
    int i;

    *by_shape = 0;
    if (batch_media_type_is_json_batch(type)) {
        *by_shape = 1;
        return forced ? forced : formats[0];
    }
    for (i = 0; type && formats[i]; i++) {
        if (!formats[i]->accepts || !formats[i]->accepts(type)) {
            continue;
        }
        /* a dialect read from another media type is a dialect all the
         * same: a location forcing another one does not take it */
        if (formats[i]->fits && forced && forced != formats[i]) {
            *err = batch_error_make(
                p, 415, BATCH_E_MEDIA_TYPE, NULL, "Content-Type %s is a "
                "%s batch, and this location's BatchDialect is %s; send "
                "application/json", content_type, formats[i]->name,
                forced->name);
            return NULL;
        }
        return formats[i];
    }
    *err = batch_error_make(p, 415, BATCH_E_MEDIA_TYPE, NULL,
                            "Content-Type %s is not a batch format; send "
                            "application/json or multipart/mixed",
                            content_type ? content_type : "(none)");
    return NULL;
}

static const batch_format_t *shape_of(json_object *root)
{
    int i;

    for (i = 0; formats[i]; i++) {
        if (formats[i]->fits && formats[i]->fits(root)) {
            return formats[i];
        }
    }
    return NULL;
}

const batch_format_t *batch_format_by_shape(apr_pool_t *p,
                                            const batch_format_t *forced,
                                            const char *body, apr_size_t len,
                                            apr_pool_t *tree_pool,
                                            json_object **tree,
                                            batch_error_t **err)
{
    const batch_format_t *found = NULL;
    json_object *root = batch_json_parse(tree_pool, body, len, NULL, NULL);

    *tree = root;
    if (root) {
        found = shape_of(root);
    }
    /* a body that is not JSON is refused by the parser, in its words */
    if (!root || (!forced && !found)) {
        return forced ? forced : formats[0];
    }
    if (!forced) {
        return found;
    }
    if (found != forced) {
        *err = batch_error_make(p, 400, BATCH_E_INVALID_REQUEST, NULL,
                                "this location takes %s batches "
                                "(BatchDialect %s): the document must be %s"
                                "%s%s", forced->name, forced->name,
                                forced->shape, found ? ", not a batch of "
                                "the dialect " : "", found ? found->name
                                : "");
        return NULL;
    }
    return forced;
}
