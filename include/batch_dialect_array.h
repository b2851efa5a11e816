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
 * The array dialect (src/batch_dialect_array.c).
 */
#ifndef BATCH_DIALECT_ARRAY_H
#define BATCH_DIALECT_ARRAY_H

#include "batch.h"
#include "batch_format.h"

extern const batch_format_t batch_format_array;
batch_t *batch_parse_array(apr_pool_t *p, const batch_input_t *in,
                           batch_error_t **err);

#endif /* BATCH_DIALECT_ARRAY_H */
