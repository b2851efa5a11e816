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
 * The multipart/mixed format (Google API batching, OData $batch,
 * flask-batch): one application/http part per operation, each holding an
 * HTTP/1.1 request message; a nested multipart/mixed part is an OData change
 * set. Real clients differ on the wire, so CRLF and bare LF are both line
 * ends everywhere, the boundary may be quoted, the request line may lack its
 * version, the inner header block may lack its blank line, and an absolute
 * URL naming this server is reduced to its path.
 */
#include <string.h>
#include <apr_fnmatch.h>
#include <apr_strings.h>
#include <apr_lib.h>
#include <apr_uri.h>

#include "batch_parse_multipart.h"
#include "batch.h"
#include "batch_error.h"
#include "batch_format.h"
#include "batch_text.h"

/* A part's or an inner request's header block: what httpd itself allows
 * (DEFAULT_LIMIT_REQUEST_FIELDSIZE and _FIELDS). */
#define MAX_HEADER_LINE 8190
#define MAX_HEADERS 100

typedef struct mp_t {
    apr_pool_t *pool;
    const batch_input_t *in;
    batch_t *batch;
    batch_error_t *err;
    int groups;
} mp_t;

static int fail(mp_t *mp, const char *at, const char *where,
                const char *message)
{
    if (!mp->err) {
        mp->err = batch_error_make(
            mp->pool, 400, BATCH_E_INVALID_MULTIPART, where,
            "%s%s%s (byte offset %" APR_SIZE_T_FMT ")", where ? where : "",
            where ? ": " : "", message, (apr_size_t)(at - mp->in->body));
    }
    return 0;
}

/* A delimiter line: "--boundary" at the start of a line, optional "--",
 * optional blanks, then a line end or the end. */
int batch_multipart_delimiter(const char *start, const char *from,
                              const char *end, const char *dash,
                              apr_size_t dlen, batch_delim_t *d)
{
    const char *lower = from;
    const char *hit;

    while (from < end
           && (hit = memmem(from, (apr_size_t)(end - from), dash, dlen))) {
        const char *q = hit + dlen;

        from = hit + 1;
        if (hit != start && hit[-1] != '\n') {
            continue;
        }
        d->close = end - q >= 2 && q[0] == '-' && q[1] == '-';
        if (d->close) {
            q += 2;
        }
        while (q < end && (*q == ' ' || *q == '\t')) {
            q++;
        }
        if (q < end && *q == '\r' && q + 1 < end && q[1] == '\n') {
            q++;
        }
        if (q < end && *q != '\n') {
            continue;
        }
        d->after = q < end ? q + 1 : end;
        d->content_end = hit;
        if (hit != start) {
            d->content_end--;
            if (d->content_end > start && d->content_end[-1] == '\r') {
                d->content_end--;
            }
        }
        /* an empty part: its delimiter's line end is the previous one's */
        if (d->content_end < lower) {
            d->content_end = lower;
        }
        return 1;
    }
    return 0;
}

/* One line from *pos: its text without CR/LF; *pos moves past it. */
static const char *next_line(const char **pos, const char *end,
                             apr_size_t *len)
{
    const char *line = *pos;
    const char *lf = memchr(line, '\n', (apr_size_t)(end - line));
    const char *stop = lf ? lf : end;

    *pos = lf ? lf + 1 : end;
    if (stop > line && stop[-1] == '\r') {
        stop--;
    }
    *len = (apr_size_t)(stop - line);
    return line;
}

/* Header lines up to a blank line or the end of the block. */
static int parse_headers(mp_t *mp, const char **pos, const char *end,
                         apr_table_t *into, const char *where)
{
    int count = 0;

    while (*pos < end) {
        const char *at = *pos;
        apr_size_t n, name_len;
        const char *line = next_line(pos, end, &n);
        const char *colon, *v, *vend;

        if (n == 0) {
            return 1;
        }
        if (n > MAX_HEADER_LINE) {
            return fail(mp, at, where, "header line too long");
        }
        if (++count > MAX_HEADERS) {
            return fail(mp, at, where, "too many header lines");
        }
        if (*line == ' ' || *line == '\t') {
            return fail(mp, at, where, "folded header line (obsolete "
                        "line folding is not accepted)");
        }
        colon = memchr(line, ':', n);
        name_len = colon ? (apr_size_t)(colon - line) : 0;
        if (!name_len || line[name_len - 1] == ' '
            || line[name_len - 1] == '\t') {
            return fail(mp, at, where, "malformed header line (expected "
                        "'Name: value')");
        }
        if (memchr(line, '\0', n)) {
            return fail(mp, at, where, "NUL byte in a header line");
        }
        for (v = colon + 1; v < line + n && (*v == ' ' || *v == '\t'); v++)
            ;
        for (vend = line + n; vend > v && (vend[-1] == ' '
                                           || vend[-1] == '\t'); vend--)
            ;
        apr_table_addn(into, apr_pstrmemdup(mp->pool, line, name_len),
                       apr_pstrmemdup(mp->pool, v, (apr_size_t)(vend - v)));
    }
    return 1;
}

/* host is this server's name as the client gave it, or another of its
 * names. */
static int is_self_name(const batch_input_t *in, const char *host)
{
    int i;

    if (in->self_host && !strcasecmp(host, in->self_host)) {
        return 1;
    }
    for (i = 0; in->self_names && i < in->self_names->nelts; i++) {
        if (apr_fnmatch(APR_ARRAY_IDX(in->self_names, i, const char *), host,
                        APR_FNM_CASE_BLIND) == APR_SUCCESS) {
            return 1;
        }
    }
    return 0;
}

/* scheme://host:port is one of the origins the client reaches us by. */
static int is_self_origin(const batch_input_t *in, const char *scheme,
                          int port)
{
    int i;

    if (in->self_scheme && !strcasecmp(scheme, in->self_scheme)
        && port == in->self_port) {
        return 1;
    }
    for (i = 0; in->self_origins && i < in->self_origins->nelts; i++) {
        const batch_origin_t *o = &APR_ARRAY_IDX(in->self_origins, i,
                                                 batch_origin_t);

        if (!strcasecmp(scheme, o->scheme) && port == o->port) {
            return 1;
        }
    }
    return 0;
}

/* An absolute request URL is accepted only when it names this server as
 * the client reached it, or by another of its names; it becomes its path
 * and query. */
static const char *reduce_absolute(mp_t *mp, const char *url,
                                   const char *at, const char *where)
{
    const batch_input_t *in = mp->in;
    apr_uri_t uri;
    apr_port_t port;

    if (apr_uri_parse(mp->pool, url, &uri) != APR_SUCCESS || !uri.scheme
        || !uri.hostname) {
        fail(mp, at, where, "unreadable absolute URL in the request line");
        return NULL;
    }
    port = uri.port_str ? uri.port : apr_uri_port_of_scheme(uri.scheme);
    if (!is_self_name(in, uri.hostname)
        || !is_self_origin(in, uri.scheme, port) || uri.user
        || uri.password) {
        mp->err = batch_error_make(
            mp->pool, 400, BATCH_E_INVALID_URL, where, "%s: the URL %s "
            "names another server than this one (%s://%s:%d); a batch "
            "never sends a request elsewhere", where, url,
            in->self_scheme ? in->self_scheme : "?",
            in->self_host ? in->self_host : "?", in->self_port);
        return NULL;
    }
    if (uri.fragment) {
        fail(mp, at, where, "fragment in the request URL");
        return NULL;
    }
    return apr_pstrcat(mp->pool, uri.path ? uri.path : "/",
                       uri.query ? "?" : "", uri.query ? uri.query : "",
                       NULL);
}

static int parse_request_line(mp_t *mp, const char **pos, const char *end,
                              batch_op_t *op, const char *where)
{
    const char *at, *line, *sp1, *sp2, *version = NULL;
    apr_size_t n;

    /* some writers put blank lines before the request line */
    do {
        at = *pos;
        line = next_line(pos, end, &n);
    } while (n == 0 && *pos < end);
    if (n > MAX_HEADER_LINE) {
        return fail(mp, at, where, "request line too long");
    }
    if (memchr(line, '\0', n)) {
        return fail(mp, at, where, "NUL byte in the request line");
    }
    sp1 = n ? memchr(line, ' ', n) : NULL;
    if (!sp1 || sp1 == line) {
        return fail(mp, at, where, "no request line (METHOD target "
                    "[HTTP/1.1])");
    }
    op->method = apr_pstrmemdup(mp->pool, line, (apr_size_t)(sp1 - line));
    sp1++;
    sp2 = memchr(sp1, ' ', (apr_size_t)(line + n - sp1));
    op->url = apr_pstrmemdup(mp->pool, sp1, (apr_size_t)((sp2 ? sp2
                                                          : line + n)
                                                         - sp1));
    if (sp2) {
        version = apr_pstrmemdup(mp->pool, sp2 + 1,
                                 (apr_size_t)(line + n - sp2 - 1));
        if (strcmp(version, "HTTP/1.1") && strcmp(version, "HTTP/1.0")) {
            return fail(mp, at, where, "request line must be METHOD target "
                        "[HTTP/1.1]");
        }
    }
    if (!*op->url) {
        return fail(mp, at, where, "no target in the request line");
    }
    if (!strncasecmp(op->url, "http://", 7)
        || !strncasecmp(op->url, "https://", 8)) {
        op->url = reduce_absolute(mp, op->url, at, where);
    }
    return op->url != NULL;
}

/* The body: Content-Length bytes, or else the rest of the part without
 * the blank lines clients leave after it. */
static int same_value(void *data, const char *name, const char *value)
{
    const char **first = data;

    (void)name;
    if (!*first) {
        *first = value;
        return 1;
    }
    return strcmp(*first, value) == 0;
}

static int only_line_ends(const char *s, const char *end)
{
    while (s < end && (*s == '\r' || *s == '\n')) {
        s++;
    }
    return s == end;
}

static int parse_body(mp_t *mp, const char *pos, const char *end,
                      batch_op_t *op, const char *where)
{
    const char *clen = NULL;
    apr_size_t left = (apr_size_t)(end - pos);

    /* as httpd refuses a request with conflicting lengths */
    if (!apr_table_do(same_value, &clen, op->headers, "Content-Length",
                      NULL)) {
        return fail(mp, pos, where, "conflicting Content-Length headers");
    }

    if (apr_table_get(op->headers, "Transfer-Encoding")) {
        return fail(mp, pos, where, "Transfer-Encoding in a part; send the "
                    "body with a Content-Length");
    }
    if (clen) {
        char *stop;
        apr_int64_t n = apr_strtoi64(clen, &stop, 10);

        if (!apr_isdigit(*clen) || *stop || n < 0) {
            return fail(mp, pos, where, "invalid Content-Length");
        }
        if ((apr_uint64_t)n > left) {
            return fail(mp, pos, where, "the body is shorter than its "
                        "Content-Length");
        }
        /* bytes after the body would be a second request on a
         * connection; in a part they are a smuggling attempt or a lie */
        if (!only_line_ends(pos + n, end)) {
            return fail(mp, pos + n, where, "data after the body's "
                        "Content-Length; a part holds one request");
        }
        left = (apr_size_t)n;
    }
    else {
        while (left && (pos[left - 1] == '\n' || pos[left - 1] == '\r')) {
            left--;
        }
    }
    if (left) {
        op->body = apr_pstrmemdup(mp->pool, pos, left);
        op->body_len = left;
    }
    return 1;
}

static int parse_http_part(mp_t *mp, const char *pos, const char *end,
                           const char *content_id, const char *group,
                           const char *where)
{
    batch_op_t *op = apr_array_push(mp->batch->ops);

    memset(op, 0, sizeof(*op));
    op->index = mp->batch->ops->nelts - 1;
    op->content_id = content_id;
    op->id = content_id ? content_id : where;
    op->group = group;
    op->headers = apr_table_make(mp->pool, 8);
    return parse_request_line(mp, &pos, end, op, where)
           && parse_headers(mp, &pos, end, op->headers, where)
           && parse_body(mp, pos, end, op, where);
}

static int parse_parts(mp_t *mp, const char *body, const char *end,
                       const char *boundary, const char *group,
                       const char *prefix);

static int check_transfer_encoding(mp_t *mp, apr_table_t *h, const char *at,
                                   const char *where)
{
    const char *cte = apr_table_get(h, "Content-Transfer-Encoding");

    if (cte && strcasecmp(cte, "binary") && strcasecmp(cte, "8bit")
        && strcasecmp(cte, "7bit")) {
        return fail(mp, at, where, apr_psprintf(
            mp->pool, "Content-Transfer-Encoding %s is not supported (use "
            "binary)", cte));
    }
    return 1;
}

static int parse_change_set(mp_t *mp, const char *pos, const char *end,
                            const char *ctype, const char *outer,
                            const char *group, const char *where)
{
    const char *boundary = batch_header_param(mp->pool, ctype, "boundary");

    if (group) {
        return fail(mp, pos, where, "a change set inside a change set");
    }
    if (!boundary || !*boundary || strlen(boundary) > BATCH_MAX_BOUNDARY) {
        return fail(mp, pos, where, "change set without a valid boundary");
    }
    if (!strcmp(boundary, outer)) {
        return fail(mp, pos, where, "change set reuses the batch's "
                    "boundary");
    }
    return parse_parts(mp, pos, end, boundary,
                       apr_psprintf(mp->pool, "changeset%d", ++mp->groups),
                       where);
}

static int parse_part(mp_t *mp, const char *pos, const char *end,
                      const char *boundary, const char *group,
                      const char *where)
{
    apr_table_t *h = apr_table_make(mp->pool, 4);
    const char *at = pos;
    const char *ctype, *type;

    if (!parse_headers(mp, &pos, end, h, where)
        || !check_transfer_encoding(mp, h, at, where)) {
        return 0;
    }
    ctype = apr_table_get(h, "Content-Type");
    type = batch_media_type(mp->pool, ctype);
    if (type && !strcmp(type, "application/http")) {
        const char *cid = apr_table_get(h, "Content-ID");

        /* it is written back into the response's part headers */
        if (cid && !batch_is_header_value(cid)) {
            return fail(mp, at, where, "control character in Content-ID");
        }
        return parse_http_part(mp, pos, end, cid, group, where);
    }
    if (batch_media_type_is_multipart(type)) {
        return parse_change_set(mp, pos, end, ctype, boundary, group, where);
    }
    return fail(mp, at, where, apr_psprintf(
        mp->pool, "Content-Type %s; a part must be application/http (or "
        "multipart/mixed for a change set)", ctype ? ctype : "missing"));
}

static int parse_parts(mp_t *mp, const char *body, const char *end,
                       const char *boundary, const char *group,
                       const char *prefix)
{
    const char *dash = apr_pstrcat(mp->pool, "--", boundary, NULL);
    apr_size_t dlen = strlen(dash);
    batch_delim_t d;
    int n = 0;

    if (!batch_multipart_delimiter(body, body, end, dash, dlen, &d)) {
        return fail(mp, body, prefix, apr_psprintf(
            mp->pool, "no delimiter line %s", dash));
    }
    if (d.close) {
        return fail(mp, body, prefix, "no parts (RFC 2046 needs one)");
    }
    while (!d.close) {
        const char *part = d.after;
        const char *where = prefix
            ? apr_psprintf(mp->pool, "%s.%d", prefix, ++n)
            : apr_psprintf(mp->pool, "part %d", ++n);

        if (!batch_multipart_delimiter(body, part, end, dash, dlen, &d)) {
            return fail(mp, part, where, apr_psprintf(
                mp->pool, "not closed: the delimiter %s-- is missing",
                dash));
        }
        if (!parse_part(mp, part, d.content_end, boundary, group, where)) {
            return 0;
        }
    }
    return 1;
}

batch_t *batch_parse_multipart(apr_pool_t *p, const batch_input_t *in,
                               batch_error_t **err)
{
    mp_t mp = { p, in, NULL, NULL, 0 };
    const char *boundary = in->content_type
        ? batch_header_param(p, in->content_type, "boundary") : NULL;

    if (!boundary || !*boundary || strlen(boundary) > BATCH_MAX_BOUNDARY) {
        *err = batch_error_make(p, 400, BATCH_E_INVALID_MULTIPART, NULL,
                                "Content-Type multipart/mixed needs a "
                                "boundary parameter of 1 to %d characters",
                                BATCH_MAX_BOUNDARY);
        return NULL;
    }
    mp.batch = apr_pcalloc(p, sizeof(*mp.batch));
    mp.batch->ops = apr_array_make(p, 8, sizeof(batch_op_t));
    mp.batch->no_references = 1;
    if (!parse_parts(&mp, in->body, in->body + in->len, boundary, NULL,
                     NULL)) {
        *err = mp.err;
        return NULL;
    }
    return mp.batch;
}
