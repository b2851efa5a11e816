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
