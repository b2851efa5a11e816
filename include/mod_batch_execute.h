/*
 * The executor: runs a validated batch and streams its answers
 * (src/mod_batch_execute.c).
 */
#ifndef MOD_BATCH_EXECUTE_H
#define MOD_BATCH_EXECUTE_H

#include <httpd.h>
#include "batch.h"
#include "batch_format.h"
#include "mod_batch_config.h"

int batch_execute(request_rec *r, const batch_settings_t *s, batch_t *batch,
                  const batch_format_t *fmt);

#endif /* MOD_BATCH_EXECUTE_H */
