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
 * libFuzzer: the multipart/mixed parser, then validation, then both
 * emitters. The input's first line is the batch's Content-Type, so the
 * boundary parameter is fuzzed too; the rest is the body.
 */
#include "fuzz.h"
#include "batch.h"
#include "batch_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const uint8_t *nl = memchr(data, '\n', size);
    size_t head = nl ? (size_t)(nl - data) : 0;
    batch_input_t in = { NULL, 0, NULL, "https", "www.example.com", 443,
                         NULL, NULL, NULL, NULL, NULL };
    batch_error_t *err = NULL;
    batch_t *batch;

    in.content_type = apr_pstrmemdup(p, (const char *)data, head);
    in.body = fuzz_exact(p, data + (nl ? head + 1 : 0),
                         size - (nl ? head + 1 : 0));
    in.len = size - (nl ? head + 1 : 0);
    batch = batch_format_named("multipart")->parse(p, &in, &err);
    fuzz_check_parsed(p, batch, err);
    return 0;
}
