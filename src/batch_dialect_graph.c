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
 * The canonical JSON format, the "graph" dialect: {"requests": [...]}
 * answered {"responses": [...]} (the parser is src/batch_parse_json.c,
 * the emitter src/batch_emit_json.c, which the other dialects share).
 */
#include "batch_format.h"
#include "batch_emit_json.h"
#include "batch_json.h"
#include "batch_parse_json.h"

static int fits_graph(json_object *root)
{
    return batch_json_has_array(root, "requests");
}

const batch_format_t batch_format_graph = {
    .name = "graph",
    .fits = fits_graph,
    .shape = "an object with a \"requests\" array",
    .parse = batch_parse_json_input,
    .response_type = batch_emit_json_type,
    .begin = batch_emit_json_begin,
    .result = batch_emit_json_result,
    .end = batch_emit_json_end
};
