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

static json_object *envelope(apr_pool_t *p, const batch_op_t *op,
                             const batch_result_t *res)
{
    json_object *env = json_object_new_object();
    headers_ctx_t ctx = { p, NULL, json_object_new_object() };

    json_object_object_add(env, "id", json_object_new_string(op->id));
    if (op->group) {
        json_object_object_add(env, "atomicityGroup",
                               json_object_new_string(op->group));
    }
    json_object_object_add(env, "status", json_object_new_int(res->status));
    if (res->headers) {
        ctx.merged = apr_table_make(p, apr_table_elts(res->headers)->nelts);
        apr_table_do(merge_header, &ctx, res->headers, NULL);
        apr_table_do(add_header, &ctx, ctx.merged, NULL);
    }
    json_object_object_add(env, "headers", ctx.obj);
    return env;
}

static int is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A JSON answer is embedded as it is, without its surrounding blanks. */
static apr_status_t write_json_body(apr_bucket_brigade *bb,
                                    const char *body, apr_size_t len)
{
    while (len && is_json_space(*body)) {
        body++;
        len--;
    }
    while (len && is_json_space(body[len - 1])) {
        len--;
    }
    apr_brigade_puts(bb, NULL, NULL, ",\"body\":");
    return apr_brigade_write(bb, NULL, NULL, body, len);
}

static apr_status_t write_body(batch_emit_t *e, apr_pool_t *p,
                               const batch_result_t *res)
{
    apr_bucket_brigade *bb = e->bb;

    if (batch_media_type_is_json(res->content_type)
        && batch_json_valid(res->body, res->body_len)) {
        return write_json_body(bb, res->body, res->body_len);
    }
    if (batch_utf8_valid(res->body, res->body_len)) {
        json_object *s = json_object_new_string_len(res->body,
                                                    (int)res->body_len);
        size_t n;
        const char *text = json_object_to_json_string_length(
            s, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
        apr_status_t rv;

        apr_brigade_puts(bb, NULL, NULL, ",\"body\":");
        rv = apr_brigade_write(bb, NULL, NULL, text, n);
        json_object_put(s);
        return rv;
    }
    else {
        char *b64 = apr_palloc(p,
                               apr_base64_encode_len((int)res->body_len));
        int n = apr_base64_encode_binary(
            b64, (const unsigned char *)res->body, (int)res->body_len);

        apr_brigade_puts(bb, NULL, NULL, ",\"bodyEncoding\":\"base64\","
                         "\"body\":\"");
        apr_brigade_write(bb, NULL, NULL, b64, (apr_size_t)(n - 1));
        return apr_brigade_puts(bb, NULL, NULL, "\"");
    }
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
