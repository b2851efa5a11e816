/*
 * The canonical JSON response: {"responses": [{"id", "status", "headers",
 * "body"[, "bodyEncoding"]}]}, one entry appended per result.
 */
#include <string.h>
#include <apr_strings.h>
#include <apr_base64.h>

#include "batch.h"
#include "batch_format.h"
#include "batch_json.h"

/* Header values are bytes; JSON needs UTF-8, so read others as Latin-1. */
static const char *header_utf8(apr_pool_t *p, const char *v)
{
    apr_size_t n = strlen(v), i, o = 0;
    char *u;

    if (batch_utf8_valid(v, n)) {
        return v;
    }
    u = apr_palloc(p, 2 * n + 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c < 0x80) {
            u[o++] = (char)c;
        }
        else {
            u[o++] = (char)(0xc0 | (c >> 6));
            u[o++] = (char)(0x80 | (c & 0x3f));
        }
    }
    u[o] = '\0';
    return u;
}

typedef struct headers_ctx_t {
    apr_pool_t *pool;
    apr_table_t *merged;
    json_object *obj;
} headers_ctx_t;

/* Repeated headers, whatever their case, become one list value, as HTTP
 * allows; apr_table_merge joins them with ", ". */
static int merge_header(void *data, const char *name, const char *value)
{
    headers_ctx_t *ctx = data;

    apr_table_merge(ctx->merged, name, header_utf8(ctx->pool, value));
    return 1;
}

static int add_header(void *data, const char *name, const char *value)
{
    headers_ctx_t *ctx = data;

    json_object_object_add(ctx->obj, name, json_object_new_string(value));
    return 1;
}

json_object *batch_emit_headers_object(apr_pool_t *p,
                                       const apr_table_t *headers)
{
    headers_ctx_t ctx = { p, NULL, json_object_new_object() };

    if (headers) {
        ctx.merged = apr_table_make(p, apr_table_elts(headers)->nelts);
        apr_table_do(merge_header, &ctx, headers, NULL);
        apr_table_do(add_header, &ctx, ctx.merged, NULL);
    }
    return ctx.obj;
}

static json_object *envelope(apr_pool_t *p, const batch_op_t *op,
                             const batch_result_t *res)
{
    json_object *env = json_object_new_object();

    json_object_object_add(env, "id", json_object_new_string(op->id));
    if (op->group) {
        json_object_object_add(env, "atomicityGroup",
                               json_object_new_string(op->group));
    }
    json_object_object_add(env, "status", json_object_new_int(res->status));
    json_object_object_add(env, "headers",
                           batch_emit_headers_object(p, res->headers));
    return env;
}

static int is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static apr_status_t write_string(apr_bucket_brigade *bb, const char *s,
                                 apr_size_t len)
{
    json_object *str = json_object_new_string_len(s, (int)len);
    size_t n;
    const char *text = json_object_to_json_string_length(
        str, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    apr_status_t rv = apr_brigade_write(bb, NULL, NULL, text, n);

    json_object_put(str);
    return rv;
}

static const char *base64_text(apr_pool_t *p, const batch_result_t *res,
                               apr_size_t *len)
{
    char *b64 = apr_palloc(p, apr_base64_encode_len((int)res->body_len));

    *len = (apr_size_t)apr_base64_encode_binary(
        b64, (const unsigned char *)res->body, (int)res->body_len) - 1;
    return b64;
}

static apr_status_t write_body_value(apr_bucket_brigade *bb, apr_pool_t *p,
                                     const batch_result_t *res)
{
    const char *b64;
    apr_size_t n;

    if (!res->body_len) {
        return apr_brigade_puts(bb, NULL, NULL, "null");
    }
    if (batch_media_type_is_json(res->content_type)
        && batch_json_valid(res->body, res->body_len)) {
        const char *body = res->body;

        n = res->body_len;
        while (n && is_json_space(*body)) {
            body++;
            n--;
        }
        while (n && is_json_space(body[n - 1])) {
            n--;
        }
        return apr_brigade_write(bb, NULL, NULL, body, n);
    }
    if (batch_utf8_valid(res->body, res->body_len)) {
        return write_string(bb, res->body, res->body_len);
    }
    b64 = base64_text(p, res, &n);
    return write_string(bb, b64, n);
}

apr_status_t batch_emit_entry(apr_bucket_brigade *bb, apr_pool_t *p,
                              json_object *entry, const char *name,
                              const batch_result_t *res)
{
    size_t n;
    const char *text = json_object_to_json_string_length(
        entry, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    apr_status_t rv;

    if (!name) {
        return apr_brigade_write(bb, NULL, NULL, text, n);
    }
    /* the entry without its closing brace, then the body, then '}' */
    apr_brigade_write(bb, NULL, NULL, text, n - 1);
    if (n > 2) {
        apr_brigade_puts(bb, NULL, NULL, ",");
    }
    write_string(bb, name, strlen(name));
    apr_brigade_puts(bb, NULL, NULL, ":");
    rv = write_body_value(bb, p, res);
    return rv == APR_SUCCESS ? apr_brigade_puts(bb, NULL, NULL, "}") : rv;
}

/* Graph's body member: the answer as JSON or a string when it can be,
 * else base64 with bodyEncoding. */
static apr_status_t write_body(batch_emit_t *e, apr_pool_t *p,
                               const batch_result_t *res)
{
    const char *b64;
    apr_size_t n;

    if ((batch_media_type_is_json(res->content_type)
         && batch_json_valid(res->body, res->body_len))
        || batch_utf8_valid(res->body, res->body_len)) {
        apr_brigade_puts(e->bb, NULL, NULL, ",\"body\":");
        return write_body_value(e->bb, p, res);
    }
    b64 = base64_text(p, res, &n);
    apr_brigade_puts(e->bb, NULL, NULL, ",\"bodyEncoding\":\"base64\","
                     "\"body\":");
    return write_string(e->bb, b64, n);
}

const char *batch_emit_json_type(batch_emit_t *e)
{
    (void)e;
    return "application/json";
}

apr_status_t batch_emit_json_begin(batch_emit_t *e)
{
    return apr_brigade_puts(e->bb, NULL, NULL, "{\"responses\":[");
}

apr_status_t batch_emit_json_result(batch_emit_t *e, const batch_op_t *op,
                                    const batch_result_t *res)
{
    apr_pool_t *p;
    json_object *env;
    size_t n;
    const char *text;
    apr_status_t rv;

    apr_pool_create(&p, e->pool);
    env = batch_json_own(p, envelope(p, op, res));
    text = json_object_to_json_string_length(
        env, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    if (e->written++) {
        apr_brigade_puts(e->bb, NULL, NULL, ",");
    }
    /* the envelope without its closing brace, then the body, then '}' */
    apr_brigade_write(e->bb, NULL, NULL, text, n - 1);
    rv = res->body_len ? write_body(e, p, res) : APR_SUCCESS;
    if (rv == APR_SUCCESS) {
        rv = apr_brigade_puts(e->bb, NULL, NULL, "}");
    }
    apr_pool_destroy(p);
    return rv;
}

apr_status_t batch_emit_json_end(batch_emit_t *e)
{
    return apr_brigade_puts(e->bb, NULL, NULL, "]}");
}
