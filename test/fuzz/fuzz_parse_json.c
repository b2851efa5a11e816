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
 * libFuzzer: the canonical JSON parser, then validation, then both emitters
 * on whatever was accepted.
 */
#include "fuzz.h"
#include "batch.h"
#include "batch_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    batch_input_t in = { fuzz_exact(p, data, size), size,
                         "application/json", "http", "127.0.0.1", 80,
                         NULL, NULL, NULL, NULL, NULL };
    batch_error_t *err = NULL;
    batch_t *batch = batch_format_named("graph")->parse(p, &in, &err);

    fuzz_check_parsed(p, batch, err);
    return 0;
}
