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
 * Which JSON dialect a batch body speaks: told by the
 * shape of the document, or forced per location by BatchDialect.
 */
#include <string.h>
#include <apr_strings.h>
#include <apr_escape.h>

#include "batch_dialect.h"
#include "batch.h"
#include "batch_dialect_array.h"
#include "batch_dialect_facebook.h"
#include "batch_dialect_keyed.h"
#include "batch_dialect_rails.h"
#include "batch_error.h"
#include "batch_format.h"
#include "batch_json.h"

typedef struct dialect_t {
    const char *name;
    const batch_format_t *format;
    int (*fits)(json_object *root);
    const char *shape;              /* what fits, for refusals */
} dialect_t;

static int has_array(json_object *root, const char *name)
{
    json_object *v;

    return json_object_is_type(root, json_type_object)
           && json_object_object_get_ex(root, name, &v)
           && json_object_is_type(v, json_type_array);
}

static int fits_graph(json_object *root)
{
    return has_array(root, "requests");
}

static int fits_rails(json_object *root)
{
    return has_array(root, "ops");
}

static int fits_facebook(json_object *root)
{
    return has_array(root, "batch");
}

static int fits_array(json_object *root)
{
    return json_object_is_type(root, json_type_array);
}

/* Every member an operation object with a path; "ops" and "requests"
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

static const dialect_t dialects[] = {
    { "graph", &batch_format_json, fits_graph,
      "an object with a \"requests\" array" },
    { "rails", &batch_format_rails, fits_rails,
      "an object with an \"ops\" array" },
    { "facebook", &batch_format_facebook, fits_facebook,
      "an object with a \"batch\" array" },
    { "array", &batch_format_array, fits_array,
      "an array of operations" },
    { "keyed", &batch_format_keyed, fits_keyed,
      "an object whose every member is an operation object with a "
      "\"path\"" },
    { NULL, NULL, NULL, NULL }
};

const batch_format_t *batch_dialect_named(const char *name, int *known)
{
    int i;

    *known = 1;
    if (!strcasecmp(name, "auto")) {
        return NULL;
    }
    for (i = 0; dialects[i].name; i++) {
        if (!strcasecmp(name, dialects[i].name)) {
            return dialects[i].format;
        }
    }
    *known = 0;
    return NULL;
}

static const dialect_t *dialect_of(const batch_format_t *format)
{
    int i;

    for (i = 0; dialects[i].name; i++) {
        if (dialects[i].format == format) {
            return &dialects[i];
        }
    }
    return &dialects[0];
}

static const dialect_t *shape_of(json_object *root)
{
    int i;

    for (i = 0; dialects[i].name; i++) {
        if (dialects[i].fits(root)) {
            return &dialects[i];
        }
    }
    return NULL;
}

int batch_dialect_takes(const batch_format_t *forced,
                        const batch_format_t *fmt)
{
    return fmt != &batch_format_facebook || !forced || forced == fmt;
}

const batch_format_t *batch_dialect_choose(apr_pool_t *p,
                                           const batch_format_t *forced,
                                           const char *body, apr_size_t len,
                                           apr_pool_t *tree_pool,
                                           json_object **tree,
                                           batch_error_t **err)
{
    const dialect_t *want = forced ? dialect_of(forced) : NULL;
    const dialect_t *found = NULL;
    json_object *root = batch_json_parse(tree_pool, body, len, NULL, NULL);

    *tree = root;
    if (root) {
        found = shape_of(root);
    }
    /* a body that is not JSON is refused by the parser, in its words */
    if (!root || (!want && !found)) {
        return want ? want->format : &batch_format_json;
    }
    if (!want) {
        return found->format;
    }
    if (found != want) {
        *err = batch_error_make(p, 400, BATCH_E_INVALID_REQUEST, NULL,
                                "this location takes %s batches "
                                "(BatchDialect %s): the document must be %s"
                                "%s%s", want->name, want->name, want->shape,
                                found ? ", not a batch of the dialect "
                                : "", found ? found->name : "");
        return NULL;
    }
    return want->format;
}
