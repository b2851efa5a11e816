/*
 * The httpd side of mod_batch: configuration, the operation runner, the
 * executor and the handler entry. Only these files include httpd headers.
 */
#ifndef MOD_BATCH_H
#define MOD_BATCH_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <util_filter.h>

#include "batch.h"
#include "batch_format.h"

extern module AP_MODULE_DECLARE_DATA batch_module;

#define BATCH_HANDLER "batch"
/* Module-unique message tags; httpd's AH numbers are for in-tree modules. */
#define BATCH_LOGNO(n) "BATCH" #n ": "

/* ---- configuration (src/config.c) ---- */

typedef struct batch_dir_conf_t {
    int max_operations;
    apr_off_t max_request_size;
    apr_off_t max_op_response_size;
    apr_array_header_t *allow_methods;  /* upper-case const char * */
    const char *base_url;
    int base_url_set;
    int inherit_headers;
    apr_interval_time_t timeout;        /* 0: none */
    int concurrency;
    const batch_format_t *dialect;      /* BatchDialect; NULL: auto */
    int dialect_set;
} batch_dir_conf_t;

extern const command_rec batch_cmds[];
void *batch_create_dir_conf(apr_pool_t *p, char *dir);
void *batch_merge_dir_conf(apr_pool_t *p, void *base, void *add);

/* The effective settings for a request, defaults applied. */
typedef struct batch_settings_t {
    batch_limits_t limits;
    apr_off_t max_request_size;
    apr_off_t max_op_response_size;
    int inherit_headers;
    apr_interval_time_t timeout;        /* BatchTimeout; 0: none */
    int concurrency;                    /* BatchConcurrency; 1: sequential */
    const batch_format_t *dialect;      /* BatchDialect; NULL: auto */
    /* the innermost section's path (<Location /batch>), NULL for a
     * regex; for the path after it (array) and nesting */
    const char *location;
} batch_settings_t;

void batch_settings_get(request_rec *r, batch_settings_t *s);

/* ---- output capture and op input (src/capture_filter.c) ---- */

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

/* ---- running one operation (src/operation.c) ---- */

typedef struct batch_run_t {
    const batch_op_t *pending;  /* the op whose subrequest is being made */
    const batch_settings_t *settings;
    ap_filter_t *capture;       /* the pending op's capture filter */
    ap_conf_vector_t *auth_dir_config;
    /* the batch's request headers an op inherits (SPEC section 4), made
     * once per batch; the parent shows them while a subrequest is made */
    apr_table_t *inherited;
} batch_run_t;

int batch_create_request(request_rec *r);
int batch_restore_port(request_rec *r, int lookup);
batch_run_t *batch_run_begin(request_rec *r, const batch_settings_t *s);
batch_result_t *batch_op_run(request_rec *r, batch_run_t *run,
                             const batch_op_t *op, apr_pool_t *op_pool);

/* ---- operations in parallel (src/parallel.c) ---- */

/* The worker threads of one batch and everything its parallel operations
 * use; made and used by the request thread only. */
typedef struct batch_workers_t batch_workers_t;

apr_status_t batch_workers_make(request_rec *r, const batch_run_t *run,
                                int max, batch_workers_t **w);
/* Runs op on a secondary connection in a worker thread of its own, at most
 * max at once; its answer comes back through batch_workers_wait. */
void batch_workers_start(batch_workers_t *w, const batch_op_t *op,
                         int index);
/* Waits for an operation started before to finish: its index, its answer
 * and the pool holding it, which the caller destroys once it is written. */
int batch_workers_wait(batch_workers_t *w, batch_result_t **res,
                       apr_pool_t **pool);
/* Joins every worker thread (each finishes what was started), then frees
 * everything, answers not collected included. */
void batch_workers_finish(batch_workers_t *w);

/* ---- the executor (src/execute.c) ---- */

int batch_execute(request_rec *r, const batch_settings_t *s, batch_t *batch,
                  const batch_format_t *fmt);

/* ---- the handler's work (src/serve.c) ---- */

int batch_serve(request_rec *r);
/* A 400 refusal, made in p, when op targets the batch endpoint itself. */
batch_error_t *batch_check_nesting(request_rec *r, const batch_settings_t *s,
                                   const batch_op_t *op, apr_pool_t *p);

#endif /* MOD_BATCH_H */
