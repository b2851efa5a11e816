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
 * Directives and the effective settings of a batch location
 * (src/mod_batch_config.c).
 */
#ifndef MOD_BATCH_CONFIG_H
#define MOD_BATCH_CONFIG_H

#include <httpd.h>
#include <http_config.h>
#include "batch.h"
#include "batch_format.h"

/* BatchEngine: how an operation runs (docs/design.md) */
#define BATCH_ENGINE_SUBREQUEST 0       /* ap_sub_req_method_uri */
#define BATCH_ENGINE_REQUEST 1          /* a main request on a secondary
                                         * connection */

typedef struct batch_dir_conf_t {
    int max_operations;
    apr_off_t max_request_size;
    apr_off_t max_op_response_size;
    apr_off_t max_memory;
    apr_array_header_t *allow_methods;  /* upper-case const char * */
    const char *base_url;
    int base_slash;                     /* LeadingSlash=base */
    int base_url_set;
    int inherit_headers;
    int cookie_jar;
    int log_operations;
    int server_timing;
    apr_interval_time_t timeout;        /* 0: none */
    int concurrency;
    const batch_format_t *dialect;      /* BatchDialect; NULL: auto */
    int dialect_set;
    int formats;                        /* BatchFormats bits; 0: unset */
    int engine;                         /* BatchEngine: BATCH_ENGINE_* */
} batch_dir_conf_t;

/* the main server's: one pool of threads per process */
typedef struct batch_server_conf_t {
    int max_threads;                    /* BatchMaxThreads; 0: default */
} batch_server_conf_t;

extern const command_rec batch_cmds[];
void *batch_create_dir_conf(apr_pool_t *p, char *dir);
void *batch_merge_dir_conf(apr_pool_t *p, void *base, void *add);
void *batch_create_server_conf(apr_pool_t *p, server_rec *s);

/* BatchMaxThreads of the main server s; 0 for ThreadsPerChild. */
int batch_max_threads(const server_rec *s);

/* The effective settings for a request, defaults applied. */
typedef struct batch_settings_t {
    batch_limits_t limits;
    apr_off_t max_request_size;
    apr_off_t max_op_response_size;
    /* BatchMaxMemory: answers held (finished, not yet written, values
     * kept for references) above which no operation starts */
    apr_off_t max_memory;
    int inherit_headers;
    int cookie_jar;                     /* BatchCookieJar */
    int log_operations;                 /* BatchLogOperations */
    int server_timing;                  /* BatchServerTiming */
    apr_interval_time_t timeout;        /* BatchTimeout; 0: none */
    int concurrency;                    /* BatchConcurrency; 1: sequential */
    const batch_format_t *dialect;      /* BatchDialect; NULL: auto */
    int formats;                        /* BatchFormats: BATCH_FORMATS_* */
    int engine;                         /* BatchEngine: BATCH_ENGINE_* */
    /* the innermost section's path (<Location /batch>), NULL for a
     * regex; for the path after it (array) and nesting */
    const char *location;
} batch_settings_t;

void batch_settings_get(request_rec *r, batch_settings_t *s);
/* The settings conf gives in server srv, defaults applied; no location. */
void batch_settings_of(const batch_dir_conf_t *conf, const server_rec *srv,
                       apr_pool_t *p, batch_settings_t *s);
/* The settings as directives, "BatchMaxOperations 100, ...", for the log. */
const char *batch_settings_text(apr_pool_t *p, const batch_settings_t *s);

#endif /* MOD_BATCH_CONFIG_H */
