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
 * BatchEngine request: an operation runs as a main request on a secondary
 * connection of the batch's connection, as mod_http2 runs a stream
 * (h2_c2.c c2_process: a request read by httpd's own reader, then
 * ap_process_request). Nothing goes over a socket:
 *
 *  - the op is written out as an HTTP/1.1 request (request line, the
 *    headers the subrequest engine would give it, Host the batch's own,
 *    Content-Length, body) and served from memory by a NETWORK input filter;
 *    ap_read_request (server/protocol.c) reads it, so LimitRequestLine,
 *    LimitRequestFields, LimitRequestFieldSize and HttpProtocolOptions apply
 *    as to any request, and post_read_request runs;
 *  - ap_process_request (modules/http/http_request.c) runs every hook of a
 *    direct request; the HTTP/1.1 filters http_core.c gives a main request
 *    (byte ranges, Content-Length, the header filter, chunking) write its
 *    answer, which a NETWORK output filter reads back with
 *    src/batch_http1.c into the same result the subrequest engine makes;
 *  - that filter destroys the request's EOR bucket (server/eor_bucket.c),
 *    which runs log_transaction, the op's own access-log line, and frees
 *    the request's pool; the connection goes with the op's pool.
 */
#include <string.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_connection.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_filter.h>

#include "mod_batch_request.h"
#include "batch.h"
#include "batch_error.h"
#include "batch_http1.h"
#include "mod_batch.h"
#include "mod_batch_capture.h"
#include "mod_batch_oplog.h"
#include "mod_batch_secondary.h"
#include "mod_batch_status.h"
#include "mod_batch_threads.h"

APLOG_USE_MODULE(batch);

#define OP_NET_IN_FILTER "BATCH_OP_NET_IN"
#define OP_NET_OUT_FILTER "BATCH_OP_NET_OUT"

/* Filter handles: written once in register_hooks, read-only afterwards. */
static ap_filter_rec_t *net_in_frec;
static ap_filter_rec_t *net_out_frec;

/* What an op's secondary connection carries, in its conn_config. */
typedef struct op_conn_t {
    const batch_run_t *run;
    const batch_op_t *op;
    request_rec *batch;         /* the batch (a worker's fake parent) */
    server_rec *server;         /* the batch's virtual host */
    apr_sockaddr_t *useragent_addr; /* the batch's client */
    char *useragent_ip;
    const char *input;          /* the op as an HTTP/1.1 request */
    apr_size_t input_len;
    apr_size_t input_pos;
    batch_http1_t *answer;      /* what the HTTP/1.1 filters wrote */
    int backend_error;          /* an error bucket of 502: cut off */
    int nested;                 /* it reached a batch endpoint */
} op_conn_t;

static op_conn_t *op_conn_get(const conn_rec *c)
{
    return c->master ? ap_get_module_config(c->conn_config, &batch_module)
                     : NULL;
}

/* The Host the op carries: the batch's, so that it is read in the
 * batch's virtual host whatever the op sent (Host is not settable). */
static const char *batch_host(const request_rec *r)
{
    const char *host = apr_table_get(r->headers_in, "Host");

    return host ? host : r->hostname ? r->hostname
                                     : r->server->server_hostname;
}

static int write_field(void *data, const char *name, const char *value)
{
    apr_array_header_t *lines = data;

    APR_ARRAY_PUSH(lines, const char *) = apr_pstrcat(
        lines->pool, name, ": ", value, "\r\n", NULL);
    return 1;
}

/* "METHOD target HTTP/1.1", the headers, an empty line, the body. */
static void write_request(op_conn_t *oc, const request_rec *batch,
                          apr_pool_t *p)
{
    const batch_op_t *op = oc->op;
    apr_table_t *headers = apr_table_copy(p, oc->run->inherited);
    apr_array_header_t *lines = apr_array_make(p, 16, sizeof(const char *));
    const char *head;
    apr_size_t head_len;
    char *buf;

    batch_op_set_headers(headers, op, p);
    apr_table_setn(headers, "Host", batch_host(batch));
    APR_ARRAY_PUSH(lines, const char *) = apr_pstrcat(
        p, op->method, " ", op->target, " HTTP/1.1\r\n", NULL);
    apr_table_do(write_field, lines, headers, NULL);
    APR_ARRAY_PUSH(lines, const char *) = "\r\n";
    head = apr_array_pstrcat(p, lines, 0);
    head_len = strlen(head);
    oc->input_len = head_len + (op->body ? op->body_len : 0);
    buf = apr_palloc(p, oc->input_len + 1);
    memcpy(buf, head, head_len);
    if (op->body && op->body_len) {
        memcpy(buf + head_len, op->body, op->body_len);
    }
    oc->input = buf;
}

/* The client end of the op's connection: the request, then end of input
 * (APR_EOF, as core_input_filter in server/core_filters.c answers for a
 * closed socket). ap_rgetline_core puts lines longer than one read
 * together and applies the limits. */
static apr_status_t net_in_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                  ap_input_mode_t mode,
                                  apr_read_type_e block, apr_off_t readbytes)
{
    op_conn_t *oc = f->ctx;
    apr_size_t left = oc->input_len - oc->input_pos;
    apr_size_t n;

    (void)block;
    if (mode == AP_MODE_INIT || mode == AP_MODE_EATCRLF) {
        return APR_SUCCESS;
    }
    if (left == 0) {
        return APR_EOF;
    }
    n = batch_input_size(oc->input + oc->input_pos, left, mode, readbytes);
    /* the input lives in the op's pool, beyond the connection */
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_immortal_create(
        oc->input + oc->input_pos, n, f->c->bucket_alloc));
    if (mode != AP_MODE_SPECULATIVE) {
        oc->input_pos += n;
    }
    return APR_SUCCESS;
}

/* The client end of the op's connection: reads the answer back. An EOR
 * bucket is destroyed here, once the rest of its brigade is gone, as
 * core_output_filter (server/core_filters.c) does once it has written
 * what came before: that logs the op and frees its request. */
static apr_status_t net_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    op_conn_t *oc = f->ctx;
    apr_bucket *b, *eor = NULL;
    apr_status_t rv = APR_SUCCESS;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        const char *data;
        apr_size_t n;

        if (AP_BUCKET_IS_EOR(b)) {
            eor = b;
            continue;
        }
        if (AP_BUCKET_IS_ERROR(b)
            && ((ap_bucket_error *)b->data)->status == HTTP_BAD_GATEWAY) {
            oc->backend_error = 1;
        }
        if (APR_BUCKET_IS_METADATA(b)
            || batch_http1_state(oc->answer) != BATCH_HTTP1_MORE) {
            continue;
        }
        rv = apr_bucket_read(b, &data, &n, APR_BLOCK_READ);
        if (rv != APR_SUCCESS) {
            break;
        }
        batch_http1_feed(oc->answer, data, n);
    }
    if (eor) {
        APR_BUCKET_REMOVE(eor);
    }
    apr_brigade_cleanup(bb);
    if (eor) {
        apr_bucket_destroy(eor);
    }
    if (rv == APR_SUCCESS
        && batch_http1_state(oc->answer) == BATCH_HTTP1_BODY_TOO_LARGE) {
        /* the handler stops writing, as for a client gone */
        rv = APR_ENOSPC;
    }
    return rv;
}

/* As ap_read_request (server/protocol.c) ends a request it refuses: the
 * error answer through the output filters, then the EOR bucket. */
static void refuse(request_rec *r, int status)
{
    conn_rec *c = r->connection;
    apr_bucket_brigade *bb = apr_brigade_create(c->pool, c->bucket_alloc);

    r->status = HTTP_OK;
    ap_die(status, r);
    APR_BRIGADE_INSERT_TAIL(bb, ap_bucket_eor_create(c->bucket_alloc, r));
    ap_pass_brigade(c->output_filters, bb);
    apr_brigade_cleanup(bb);
}

/* Reads and runs the op's request on c2. An op is read in the batch's
 * virtual host (its Host is the batch's); should name-based selection
 * (ap_check_request_header, server/vhost.c) put it in another, it is
 * refused with 421 rather than run there. */
static void process(conn_rec *c2, op_conn_t *oc)
{
    request_rec *r = ap_read_request(c2);

    if (!r) {
        return;
    }
    if (r->server != oc->server) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, BATCH_LOGNO(2550)
                      "operation %s of batch %s was read in virtual host "
                      "%s, not the batch's; answered 421", oc->op->id,
                      oc->run->batch_id, r->server->server_hostname);
        refuse(r, HTTP_MISDIRECTED_REQUEST);
        return;
    }
    ap_process_request(r);
}

static int take_answer_header(void *data, const char *name,
                              const char *value)
{
    batch_result_t *res = data;

    /* Date and Server are the batch's; the subrequest engine's answers
     * never carry them either */
    if (!strcasecmp(name, "Content-Type")
        || (!batch_is_hop_header(name) && strcasecmp(name, "Date")
            && strcasecmp(name, "Server"))) {
        apr_table_addn(res->headers, name, value);
    }
    return 1;
}

static batch_result_t *read_back(request_rec *batch, op_conn_t *oc,
                                 apr_pool_t *p)
{
    batch_http1_t *h = oc->answer;
    batch_http1_state_e state = batch_http1_end(h);
    batch_result_t *res;

    if (oc->nested) {
        return batch_result_loop(oc->op, p);
    }
    if (state == BATCH_HTTP1_BODY_TOO_LARGE || oc->backend_error
        || state != BATCH_HTTP1_DONE) {
        if (state != BATCH_HTTP1_BODY_TOO_LARGE && !oc->backend_error) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, batch,
                          BATCH_LOGNO(2551) "operation %s of batch %s: its "
                          "answer could not be read back (%s)", oc->op->id,
                          oc->run->batch_id, batch_http1_error(h));
        }
        return batch_op_cut_off(batch, oc->run->batch_id, oc->op,
                                state == BATCH_HTTP1_BODY_TOO_LARGE,
                                (apr_size_t)
                                oc->run->settings->max_op_response_size, p);
    }
    res = apr_pcalloc(p, sizeof(*res));
    res->status = batch_http1_status(h);
    res->reason = batch_http1_reason(h);
    res->headers = apr_table_make(p, 8);
    apr_table_do(take_answer_header, res, batch_http1_headers(h), NULL);
    res->content_type = apr_table_get(res->headers, "Content-Type");
    res->body = batch_http1_body(h)->data;
    res->body_len = batch_http1_body(h)->len;
    return res;
}

/* The socket the op's connection shows modules that ask for one, never
 * read or written: the process's (src/mod_batch_threads.c), or, in a
 * child without the pool of threads, one of the op's own. */
static apr_socket_t *dummy_socket(const server_rec *s, apr_pool_t *pool)
{
    batch_threads_t *threads = batch_threads_of(s);
    apr_socket_t *dummy = NULL;

    if (threads) {
        return batch_threads_dummy_socket(threads);
    }
    if (apr_socket_create(&dummy, APR_INET, SOCK_STREAM, APR_PROTO_TCP,
                          pool) != APR_SUCCESS) {
        dummy = NULL;
    }
    return dummy;
}

/* A secondary connection of r's, with the op's filters at its network
 * end, in a pool of its own under op_pool. */
static conn_rec *make_connection(request_rec *r, op_conn_t *oc,
                                 apr_pool_t *op_pool)
{
    apr_pool_t *pool;
    conn_rec *c2;

    apr_pool_create(&pool, op_pool);
    apr_pool_tag(pool, "batch_op_conn");
    c2 = batch_secondary_make(r->connection, pool,
                              dummy_socket(r->server, pool));
    /* the id of the connection the op was started from, idle meanwhile:
     * unique among running connections (mod_cgid finds scripts by it) */
    c2->id = r->connection->id;
    c2->current_thread = r->connection->current_thread;
    ap_set_module_config(c2->conn_config, &batch_module, oc);
    ap_add_input_filter_handle(net_in_frec, oc, NULL, c2);
    ap_add_output_filter_handle(net_out_frec, oc, NULL, c2);
    return c2;
}

batch_result_t *batch_request_run(request_rec *r, batch_run_t *run,
                                  const batch_op_t *op, apr_pool_t *op_pool)
{
    apr_time_t started = batch_op_started(r, run, op);
    apr_size_t limit = (apr_size_t)run->settings->max_op_response_size;
    op_conn_t *oc = apr_pcalloc(op_pool, sizeof(*oc));
    batch_result_t *res;
    conn_rec *c2;

    oc->run = run;
    oc->op = op;
    oc->batch = r;
    oc->server = r->server;
    oc->useragent_addr = r->useragent_addr;
    oc->useragent_ip = r->useragent_ip;
    oc->answer = batch_http1_make(op_pool, limit, limit,
                                  !strcmp(op->method, "HEAD"));
    write_request(oc, r, op_pool);
    c2 = make_connection(r, oc, op_pool);
    process(c2, oc);
    batch_status_show_request(r);
    res = read_back(r, oc, op_pool);
    apr_pool_destroy(c2->pool);
    batch_op_finished(r, run, op, res, started, op_pool);
    return res;
}

/* create_request hook: an op's request carries the batch's correlation
 * variables from the start, so even a request line refused by the reader
 * logs them. An internal redirect gets its tables only after this hook
 * (http_request.c internal_internal_redirect): post_read_request gives
 * them to it. */
int batch_request_create(request_rec *r)
{
    op_conn_t *oc = op_conn_get(r->connection);

    if (oc && !r->main && !r->prev) {
        batch_oplog_op_vars(r, oc->run->batch_id, oc->op);
    }
    return DECLINED;
}

/* post_read_request hook, first: Batch-Depth marks the op as one (a batch
 * endpoint refuses it with 508), set once the reader has applied the
 * header limits, which it is not one of, as with the subrequest engine;
 * an internal redirect of the op, whose line mod_log_config writes,
 * carries the correlation variables too; the worker running the batch
 * shows the op on server-status until it is answered. */
int batch_request_post_read(request_rec *r)
{
    op_conn_t *oc = op_conn_get(r->connection);

    if (oc && !r->main) {
        apr_table_setn(r->headers_in, BATCH_DEPTH_HEADER, "1");
        batch_oplog_op_vars(r, oc->run->batch_id, oc->op);
        /* server-status: the batch's worker shows the op while it runs */
        batch_status_show_on(oc->batch->connection, r);
    }
    return DECLINED;
}

/* post_read_request hook, last: the op's client is the batch's, whatever
 * its own headers say to modules that take the client address from them
 * (mod_remoteip's X-Forwarded-For, in its post_read_request hook), as a
 * subrequest has its parent's (server/request.c make_sub_request). */
int batch_request_client(request_rec *r)
{
    op_conn_t *oc = op_conn_get(r->connection);

    if (oc && !r->main) {
        r->useragent_addr = oc->useragent_addr;
        r->useragent_ip = oc->useragent_ip;
    }
    return DECLINED;
}

/* log_transaction hook, first: with BatchLogOperations Off an op's
 * request writes no access-log line (DONE ends the hook's run,
 * server/protocol.c AP_IMPLEMENT_HOOK_RUN_ALL). */
int batch_request_log(request_rec *r)
{
    op_conn_t *oc = op_conn_get(r->connection);

    if (oc && !oc->run->settings->log_operations) {
        return DONE;
    }
    return DECLINED;
}

void batch_request_note_nested(request_rec *r)
{
    op_conn_t *oc = op_conn_get(r->connection);

    if (oc) {
        oc->nested = 1;
    }
}

void batch_request_register(void)
{
    /* NETWORK: the ends of the op's connection, where core's filters sit
     * on a real one (core adds none to a secondary, core.c
     * core_pre_connection) */
    net_in_frec = ap_register_input_filter(OP_NET_IN_FILTER, net_in_filter,
                                           NULL, AP_FTYPE_NETWORK);
    net_out_frec = ap_register_output_filter(OP_NET_OUT_FILTER,
                                             net_out_filter, NULL,
                                             AP_FTYPE_NETWORK);
}
