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
 * The multipart/mixed format, OData's and Google's batches (the parser is
 * src/batch_parse_multipart.c, the emitter src/batch_emit_multipart.c).
 */
#include "batch_format.h"
#include "batch_emit_multipart.h"
#include "batch_parse_multipart.h"
#include "batch_text.h"

const batch_format_t batch_format_multipart = {
    .name = "multipart",
    .accepts = batch_media_type_is_multipart,
    .parse = batch_parse_multipart,
    .response_type = batch_emit_multipart_type,
    .begin = batch_emit_multipart_begin,
    .result = batch_emit_multipart_result,
    .end = batch_emit_multipart_end
};
