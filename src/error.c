/* Refusals of whole batches, and answers the module makes for an operation. */
#include <stdarg.h>
#include <apr_strings.h>

#include "batch.h"
#include "batch_json.h"

batch_error_t *batch_error_make(apr_pool_t *p, int status, const char *code,
                                const char *operation, const char *fmt, ...)
{
    batch_error_t *err = apr_pcalloc(p, sizeof(*err));
    va_list ap;

    va_start(ap, fmt);
    err->message = apr_pvsprintf(p, fmt, ap);
    va_end(ap);
    err->status = status;
    err->code = code;
    err->operation = operation;
    return err;
}

const char *batch_op_where(apr_pool_t *p, const batch_op_t *op)
{
    if (op->id && *op->id) {
        return op->id;
    }
    return apr_psprintf(p, "requests[%d]", op->index);
}

static json_object *error_object(const char *code, const char *message,
                                 const char *operation)
{
    json_object *inner = json_object_new_object();
    json_object *outer = json_object_new_object();

    json_object_object_add(inner, "code", json_object_new_string(code));
    json_object_object_add(inner, "message",
                           json_object_new_string(message));
    if (operation) {
        json_object_object_add(inner, "operation",
                               json_object_new_string(operation));
    }
    json_object_object_add(outer, "error", inner);
    return outer;
}

const char *batch_error_json(apr_pool_t *p, const batch_error_t *err)
{
    json_object *obj = error_object(err->code, err->message, err->operation);
    const char *text = batch_json_text(p, obj, NULL);

    json_object_put(obj);
    return text;
}

batch_result_t *batch_result_error(apr_pool_t *p, int status,
                                   const char *reason, const char *code,
                                   const char *message)
{
    batch_result_t *res = apr_pcalloc(p, sizeof(*res));
    json_object *obj = error_object(code, message, NULL);

    res->status = status;
    res->reason = reason;
    res->content_type = "application/json";
    res->headers = apr_table_make(p, 1);
    apr_table_setn(res->headers, "Content-Type", res->content_type);
    res->body = batch_json_text(p, obj, &res->body_len);
    json_object_put(obj);
    return res;
}
