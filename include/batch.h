/* Copyright 2026 The mod_batch authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/*
 * The operation model shared by every batch format.
 *
 * A parser turns a request body into a batch_t of operations; validation
 * checks the whole batch before anything runs; the executor runs each
 * operation and hands a batch_result_t to the format's emitter. Nothing in
 * this header depends on httpd, so parsers, validators and emitters are
 * unit-tested without a server.
 */
#ifndef BATCH_H
#define BATCH_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_buckets.h>
#include <apr_time.h>

/* One operation of a batch, as the client asked for it. */
typedef struct batch_op_t {
    int index;                  /* position in the request, from 0 */
    const char *id;             /* client id, echoed in the response */
    const char *method;         /* upper-case after validation */
    const char *url;            /* as the client wrote it */
    const char *target;         /* origin-form path and query, validated */
    apr_table_t *headers;       /* the operation's own request headers */
    const char *body;           /* request body, NULL for none */
    apr_size_t body_len;
    const char *group;          /* atomicityGroup or change set, or NULL */
    const char *content_id;     /* multipart Content-ID as sent, or NULL */
    apr_array_header_t *depends_on; /* ids (const char *) as written */
    apr_array_header_t *deps;   /* indexes (int) into batch_t.ops */
    /* a 2xx answer is left out of the aggregate (rails' silent,
     * facebook's omit_response_on_success) */
    int silent;
    /* the answer's headers are left out (facebook's include_headers) */
    int hide_headers;
    /* how result references in body are substituted: BATCH_BODY_TEXT (0),
     * BATCH_BODY_JSON or BATCH_BODY_BYTES (include/batch_reference.h) */
    int body_kind;
    /* set by validation: indexes (int) of the operations whose answers
     * its result references read, NULL when it has none */
    apr_array_header_t *refers_to;
    int referenced;             /* another operation reads its answer */
} batch_op_t;

typedef enum {
    BATCH_ON_ERROR_CONTINUE = 0,
    BATCH_ON_ERROR_STOP
} batch_on_error_e;

typedef struct batch_t {
    apr_array_header_t *ops;    /* batch_op_t, in request order */
    batch_on_error_e on_error;
    int sequential;             /* one at a time, whatever BatchConcurrency */
    int *order;                 /* execution order, set by validation */
    /* "{result=" is plain text here (multipart, which is no JSON dialect) */
    int no_references;
} batch_t;

/* Why a whole batch is refused; nothing runs when there is one. */
typedef struct batch_error_t {
    int status;                 /* 400, 413 or 415 */
    const char *code;           /* machine-readable, e.g. "invalid_url" */
    const char *message;        /* says what is wrong and where */
    const char *operation;      /* id, or "requests[3]"; NULL: whole batch */
} batch_error_t;

/* What validation needs to know of the configuration. */
typedef struct batch_limits_t {
    int max_operations;
    const apr_array_header_t *allow_methods; /* upper-case const char * */
    const char *base_url;       /* NULL, or a prefix starting with '/' */
    int base_slash;             /* a url starting with '/' is under it too */
    /* what a direct request may send (LimitRequestLine, LimitRequestFields,
     * LimitRequestFieldSize); 0 for no limit */
    int max_target;             /* bytes of a target */
    int max_headers;            /* headers an operation sets */
    int max_header_size;        /* bytes of "Name: value" */
    /* bytes of a body with its result references substituted
     * (BatchMaxRequestSize: no more than a batch could carry); 0 for no
     * limit */
    apr_size_t max_body;
} batch_limits_t;

/* What one operation answered. Emitters rely on it being sendable: the
 * reason and header values free of control characters (but HTAB), header
 * names tokens (batch_first_bad_header). */
typedef struct batch_result_t {
    int status;
    const char *reason;         /* reason phrase, e.g. "Not Found" */
    apr_table_t *headers;       /* response headers, no Content-Length */
    const char *content_type;   /* NULL when the answer had none */
    const char *body;
    apr_size_t body_len;
    apr_interval_time_t elapsed; /* how long it ran; 0 if it did not */
} batch_result_t;

/* Error codes used in refusals and in synthesized operation answers. */
#define BATCH_E_INVALID_JSON      "invalid_json"
#define BATCH_E_INVALID_MULTIPART "invalid_multipart"
#define BATCH_E_INVALID_REQUEST   "invalid_request"
#define BATCH_E_INVALID_URL       "invalid_url"
#define BATCH_E_INVALID_HEADER    "invalid_header"
#define BATCH_E_INVALID_BODY      "invalid_body"
#define BATCH_E_METHOD            "method_not_allowed"
#define BATCH_E_DEPENDENCY        "invalid_dependency"
#define BATCH_E_NESTED            "nested_batch"
#define BATCH_E_TOO_MANY          "too_many_operations"
#define BATCH_E_TOO_LARGE         "request_too_large"
#define BATCH_E_MEDIA_TYPE        "unsupported_media_type"
#define BATCH_E_FAILED_DEP        "failed_dependency"
#define BATCH_E_RESPONSE_TOO_LARGE "response_too_large"
#define BATCH_E_LOOP              "loop_detected"
#define BATCH_E_NOT_RUN           "not_run"
#define BATCH_E_TIMEOUT           "timeout"
#define BATCH_E_INVALID_RESPONSE  "invalid_response"
#define BATCH_E_INVALID_REFERENCE "invalid_reference"
#define BATCH_E_UNRESOLVED_REFERENCE "unresolved_reference"
#define BATCH_E_URL_TOO_LONG      "url_too_long"
#define BATCH_E_BODY_TOO_LARGE    "body_too_large"
#define BATCH_E_MEMORY            "batch_memory_exceeded"
#define BATCH_E_CROSS_SITE        "cross_site_form"

#endif /* BATCH_H */
