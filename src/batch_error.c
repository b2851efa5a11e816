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

/* Refusals of whole batches, and answers the module makes for an operation. */
#include <stdarg.h>
#include <string.h>
#include <apr_strings.h>

#include "batch_error.h"
#include "batch.h"
#include "batch_json.h"
#include "batch_text.h"

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

/* s with each byte that is not part of valid UTF-8 replaced by U+FFFD:
 * messages quote what the client sent (a multipart Content-ID, URL or
 * header name may hold any byte), and JSON text must be UTF-8. */
static const char *utf8_text(apr_pool_t *p, const char *s)
{
    apr_size_t len = strlen(s), i = 0;
    char *out, *o;

    if (batch_utf8_valid(s, len)) {
        return s;
    }
    o = out = apr_palloc(p, len * 3 + 1);
    while (i < len) {
        apr_size_t n = batch_utf8_seq_len(s + i, len - i);

        if (n) {
            memcpy(o, s + i, n);
            o += n;
            i += n;
        }
        else {
            memcpy(o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    *o = '\0';
    return out;
}

static json_object *error_object(apr_pool_t *p, const char *code,
                                 const char *message, const char *operation)
{
    json_object *inner = json_object_new_object();
    json_object *outer = json_object_new_object();

    json_object_object_add(inner, "code", json_object_new_string(code));
    json_object_object_add(inner, "message",
                           json_object_new_string(utf8_text(p, message)));
    if (operation) {
        json_object_object_add(inner, "operation", json_object_new_string(
                                   utf8_text(p, operation)));
    }
    json_object_object_add(outer, "error", inner);
    return outer;
}

const char *batch_error_json(apr_pool_t *p, const batch_error_t *err)
{
    json_object *obj = error_object(p, err->code, err->message,
                                    err->operation);
    const char *text = batch_json_text(p, obj, NULL);

    json_object_put(obj);
    return text;
}

batch_result_t *batch_result_error(apr_pool_t *p, int status,
                                   const char *reason, const char *code,
                                   const char *message)
{
    batch_result_t *res = apr_pcalloc(p, sizeof(*res));
    json_object *obj = error_object(p, code, message, NULL);

    res->status = status;
    res->reason = reason;
    res->content_type = "application/json";
    res->headers = apr_table_make(p, 1);
    apr_table_setn(res->headers, "Content-Type", res->content_type);
    res->body = batch_json_text(p, obj, &res->body_len);
    json_object_put(obj);
    return res;
}
