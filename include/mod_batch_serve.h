/*
 * The handler's work: read, parse, validate, execute (src/mod_batch_serve.c).
 */
#ifndef MOD_BATCH_SERVE_H
#define MOD_BATCH_SERVE_H

#include <httpd.h>
#include "batch.h"
#include "mod_batch_config.h"

int batch_serve(request_rec *r);
/* A 400 refusal, made in p, when op targets the batch endpoint itself. */
batch_error_t *batch_check_nesting(request_rec *r, const batch_settings_t *s,
                                   const batch_op_t *op, apr_pool_t *p);

#endif /* MOD_BATCH_SERVE_H */
