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

/* The table of batch formats and media type helpers. */
#include <string.h>
#include <apr_strings.h>
#include <apr_lib.h>

#include "batch_format.h"
#include "batch_dialect_facebook.h"
#include "batch_emit_json.h"
#include "batch_emit_multipart.h"
#include "batch_parse_json.h"
#include "batch_parse_multipart.h"
#include "batch_text.h"

const batch_format_t batch_format_json = {
    "json",
    batch_media_type_is_json,
    batch_parse_json_input,
    batch_emit_json_type,
    batch_emit_json_begin,
    batch_emit_json_result,
    batch_emit_json_end,
    NULL
};

const batch_format_t batch_format_multipart = {
    "multipart",
    batch_media_type_is_multipart,
    batch_parse_multipart,
    batch_emit_multipart_type,
    batch_emit_multipart_begin,
    batch_emit_multipart_result,
    batch_emit_multipart_end,
    NULL
};

/* the first that accepts a media type reads it: JSON is graph's (and,
 * told by its shape, another dialect's), a form facebook's */
static const batch_format_t *const formats[] = {
    &batch_format_json,
    &batch_format_multipart,
    &batch_format_facebook,
    NULL
};

const batch_format_t *batch_format_for(apr_pool_t *p,
                                       const char *content_type)
{
    const char *type = batch_media_type(p, content_type);
    int i;

    for (i = 0; type && formats[i]; i++) {
        if (formats[i]->accepts(type)) {
            return formats[i];
        }
    }
    return NULL;
}
