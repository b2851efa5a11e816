/*
 * The rails dialect (the batch_api gem) (src/batch_dialect_rails.c).
 */
#ifndef BATCH_DIALECT_RAILS_H
#define BATCH_DIALECT_RAILS_H

#include "batch.h"
#include "batch_format.h"

extern const batch_format_t batch_format_rails;
batch_t *batch_parse_rails(apr_pool_t *p, const batch_input_t *in,
                           batch_error_t **err);

#endif /* BATCH_DIALECT_RAILS_H */
