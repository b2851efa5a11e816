/*
 * The facebook dialect (src/batch_dialect_facebook.c).
 * facebook reads a JSON body {"batch": [...]} or an HTML form with a
 * batch field; batch_format_for gives it for a form.
 */
#ifndef BATCH_DIALECT_FACEBOOK_H
#define BATCH_DIALECT_FACEBOOK_H

#include "batch.h"
#include "batch_format.h"

extern const batch_format_t batch_format_facebook;
batch_t *batch_parse_facebook(apr_pool_t *p, const batch_input_t *in,
                              batch_error_t **err);

#endif /* BATCH_DIALECT_FACEBOOK_H */
