/*
 * An operation's output capture and its own input (src/mod_batch_capture.c).
 */
#ifndef MOD_BATCH_CAPTURE_H
#define MOD_BATCH_CAPTURE_H

#include <httpd.h>
#include <util_filter.h>
#include "batch.h"

typedef struct batch_capture_t {
    char *buf;                  /* malloc'd, freed with the op's pool */
    apr_size_t len;
    apr_size_t cap;
    apr_size_t limit;           /* BatchMaxOperationResponseSize */
    apr_size_t discarded;       /* body bytes dropped for HEAD */
    int header_only;
    int overflow;               /* the body grew past the limit */
    int backend_error;          /* an error bucket arrived (proxy broke) */
} batch_capture_t;

void batch_capture_register(void);
/* A standalone filter (r = NULL, next = NULL) at the end of every op's
 * chain: output reaching it never goes further (DESIGN-NOTES §3). */
ap_filter_t *batch_capture_create(apr_pool_t *p, conn_rec *c,
                                  apr_size_t limit, int header_only,
                                  batch_capture_t **cap);
/* Serves an op's own body to its handler, then EOS; never reads the
 * batch request's input. */
void batch_op_input_add(request_rec *rnew, const batch_op_t *op);

#endif /* MOD_BATCH_CAPTURE_H */
