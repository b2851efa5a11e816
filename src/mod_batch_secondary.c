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
 * What a worker thread runs an operation on, made in the request thread
 * before a worker sees it, as mod_http2 makes it for a stream (h2_mplx.c
 * c2_transit_create, h2_c2.c h2_c2_create):
 *
 *  - a transit pool on the allocator of the thread that runs the
 *    operation (with a mutex: the request thread makes and destroys the
 *    pool), a child of the batch's pool (whose children only the request
 *    thread makes and destroys);
 *  - a secondary connection: a copy of the batch's connection with its own
 *    pool, bucket allocator, conn_config (so mod_logio's counters and
 *    mod_ssl's state of the real connection are never touched), notes and
 *    the process's dummy socket for modules that ask for one; no scoreboard handle,
 *    master = the real connection, and pre_connection run on it as
 *    mod_http2 does, so modules (the event MPM first) have their
 *    per-connection state. Its filters are never reached: output ends in
 *    the capture filter, input in the op's own input filter. Its id is
 *    unique while it runs: mod_cgid finds a script's pid by it;
 *  - a "fake parent": a request on that connection (ap_create_request, so
 *    core and other modules have their per-request state) mirroring the
 *    batch request as it is after its own auth ran: server, URI, request
 *    line, handler, file, headers, environment, user, per-dir
 *    configuration, client address, and the run state the create_request
 *    hook looks for.
 */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_connection.h>
#include <http_core.h>
#include <http_protocol.h>
#include <mpm_common.h>

#include "mod_batch_secondary.h"
#include "mod_batch.h"

/* A pool one thread at a time allocates from, on the allocator of the
 * thread that runs the operation: unlike an allocator of its own
 * (h2_mplx.c c2_transit_create), that keeps the memory an operation freed
 * for the next one, where APR (built to take its memory with mmap) would
 * map and unmap it for every operation. */
apr_pool_t *batch_transit_pool(apr_pool_t *parent, apr_allocator_t *allocator,
                               const char *tag)
{
    apr_pool_t *p;

    if (apr_pool_create_ex(&p, parent, NULL, allocator) != APR_SUCCESS) {
        ap_abort_on_oom();
    }
    apr_pool_tag(p, tag);
    return p;
}

/* (c1 + 1) << 16 | slot: the thread's number in the low 16 bits, the
 * batch's connection above them. Low 32 bits, which mod_unique_id and
 * others read (mod_unique_id.c gen_unique_id: thread_index), differ
 * between the operations running at once as long as the MPM's ids stay
 * below 65535 (ServerLimit x ThreadLimit); the whole id is above every
 * such id, so unique among the connections alive. */
long batch_secondary_id(long c1_id, int slot)
{
    return (long)((((unsigned long)c1_id + 1) << 16)
                  | ((unsigned long)slot & 0xffff));
}

conn_rec *batch_secondary_make(conn_rec *c1, apr_pool_t *pool,
                               apr_socket_t *dummy)
{
    conn_rec *c2 = apr_palloc(pool, sizeof(*c2));

    memcpy(c2, c1, sizeof(*c2));
    c2->master = c1->master ? c1->master : c1;
    c2->pool = pool;
    c2->conn_config = ap_create_conn_config(pool);
    c2->notes = apr_table_make(pool, 5);
    c2->input_filters = NULL;
    c2->output_filters = NULL;
    c2->sbh = NULL;
    c2->bucket_alloc = apr_bucket_alloc_create(pool);
    c2->cs = NULL;
    c2->data_in_input_filters = 0;
    c2->data_in_output_filters = 0;
    /* no MPM may poll this connection's socket */
    c2->clogging_input_filters = 1;
    c2->aborted = 0;
    c2->current_thread = NULL;
    c2->outgoing = 0;
    /* one per process, never read or written: it keeps modules that set
     * timeouts on "the client socket" away from the real one (h2_c2.c
     * does the same) */
    ap_set_core_module_config(c2->conn_config, dummy);
    /* Modules set up their per-connection state here, which their request
     * hooks rely on: the event MPM's post_read_request, run on internal
     * redirects, needs its own; mod_logio counts apart from the real
     * connection. They know secondaries by c->master from mod_http2, whose
     * h2_c2.c runs this hook too; core adds no network filters to them. As
     * there, the result is not checked: nothing here is a real client. */
    ap_run_pre_connection(c2, dummy);
    return c2;
}

/* The batch request as its operations' parent sees it. Strings and
 * configuration are shared read-only: the batch request outlives every
 * worker. Tables are copied here, in the request thread. */
request_rec *batch_secondary_parent(request_rec *r, conn_rec *c2,
                                    batch_run_t *run)
{
    request_rec *p = ap_create_request(c2);

    p->server = r->server;
    p->hostname = r->hostname;
    p->request_time = r->request_time;
    p->log = r->log;
    p->the_request = r->the_request;
    p->protocol = r->protocol;
    p->proto_num = r->proto_num;
    p->method = r->method;
    p->method_number = r->method_number;
    p->uri = r->uri;
    p->unparsed_uri = r->unparsed_uri;
    p->parsed_uri = r->parsed_uri;
    p->args = r->args;
    p->handler = r->handler;
    p->content_type = r->content_type;
    p->filename = r->filename;
    p->canonical_filename = r->canonical_filename;
    p->path_info = r->path_info;
    p->finfo = r->finfo;
    p->used_path_info = r->used_path_info;
    p->user = r->user;
    p->ap_auth_type = r->ap_auth_type;
    p->per_dir_config = r->per_dir_config;
    p->htaccess = r->htaccess;
    p->useragent_addr = r->useragent_addr;
    p->useragent_ip = r->useragent_ip;
    p->headers_in = apr_table_copy(p->pool, r->headers_in);
    p->trailers_in = apr_table_copy(p->pool, r->trailers_in);
    p->subprocess_env = apr_table_copy(p->pool, r->subprocess_env);
    ap_copy_method_list(p->allowed_methods, r->allowed_methods);
    ap_set_module_config(p->request_config, &batch_module, run);
    return p;
}
