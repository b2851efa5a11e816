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
                         NULL, NULL, NULL };
    batch_error_t *err = NULL;
    batch_t *batch = batch_format_json.parse(p, &in, &err);

    fuzz_check_parsed(p, batch, err);
    return 0;
}
