/*
 * The keyed dialect (src/batch_dialect_keyed.c).
 */
#ifndef BATCH_DIALECT_KEYED_H
#define BATCH_DIALECT_KEYED_H

#include "batch.h"
#include "batch_format.h"

extern const batch_format_t batch_format_keyed;
batch_t *batch_parse_keyed(apr_pool_t *p, const batch_input_t *in,
                           batch_error_t **err);

#endif /* BATCH_DIALECT_KEYED_H */
