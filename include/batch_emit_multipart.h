/*
 * The multipart/mixed emitter (src/batch_emit_multipart.c).
 */
#ifndef BATCH_EMIT_MULTIPART_H
#define BATCH_EMIT_MULTIPART_H

#include "batch.h"
#include "batch_format.h"

const char *batch_emit_multipart_type(batch_emit_t *e);
apr_status_t batch_emit_multipart_begin(batch_emit_t *e);
apr_status_t batch_emit_multipart_result(batch_emit_t *e,
                                         const batch_op_t *op,
                                         const batch_result_t *res);
apr_status_t batch_emit_multipart_end(batch_emit_t *e);

#endif /* BATCH_EMIT_MULTIPART_H */
