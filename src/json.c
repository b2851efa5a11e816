/* json-c wrapped with pool cleanups, in the manner of mod_md's md_json. */
#include <stdint.h>
#include <string.h>
#include <apr_strings.h>

#include "batch_json.h"

static apr_status_t json_release(void *obj)
{
    json_object_put(obj);
    return APR_SUCCESS;
}

json_object *batch_json_own(apr_pool_t *p, json_object *obj)
{
    if (obj) {
        apr_pool_cleanup_register(p, obj, json_release,
                                  apr_pool_cleanup_null);
    }
    return obj;
}

const char *batch_json_text(apr_pool_t *p, json_object *obj,
                            apr_size_t *len)
{
    size_t n;
    const char *s = json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);

    if (len) {
        *len = n;
    }
    return apr_pstrmemdup(p, s, n);
}

static int only_whitespace(const char *s, apr_size_t len)
{
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
            return 0;
        }
    }
    return 1;
}

json_object *batch_json_parse(apr_pool_t *p, const char *text,
                              apr_size_t len, apr_size_t *where,
                              const char **why)
{
    json_tokener *tok;
    json_object *obj = NULL;
    const char *nul;
    apr_size_t end = len;
    const char *problem = NULL;

    /* json-c takes an int length and stops at NUL, which JSON never has */
    nul = memchr(text, '\0', len);
    if (nul) {
        end = (apr_size_t)(nul - text);
        problem = "NUL byte";
        goto leave;
    }
    if (len > INT32_MAX) {
        end = 0;
        problem = "document too large";
        goto leave;
    }
    tok = json_tokener_new_ex(BATCH_JSON_MAX_DEPTH);
    if (!tok) {
        end = 0;
        problem = "out of memory";
        goto leave;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT
                                | JSON_TOKENER_VALIDATE_UTF8);
    obj = json_tokener_parse_ex(tok, text, (int)len);
    end = json_tokener_get_parse_end(tok);
    if (!obj) {
        enum json_tokener_error e = json_tokener_get_error(tok);

        problem = e == json_tokener_continue || e == json_tokener_success
                  ? "unexpected end of document"
                  : json_tokener_error_desc(e);
        if (e == json_tokener_continue) {
            end = len;
        }
    }
    else if (!only_whitespace(text + end, len - end)) {
        json_object_put(obj);
        obj = NULL;
        problem = "unexpected data after the document";
    }
    json_tokener_free(tok);

leave:
    if (!obj) {
        if (where) {
            *where = end;
        }
        if (why) {
            *why = problem;
        }
        return NULL;
    }
    return batch_json_own(p, obj);
}

int batch_json_valid(apr_pool_t *p, const char *text, apr_size_t len)
{
    apr_pool_t *scratch;
    int ok;

    /* a scratch pool frees the parsed tree at once */
    if (apr_pool_create(&scratch, p) != APR_SUCCESS) {
        return 0;
    }
    ok = batch_json_parse(scratch, text, len, NULL, NULL) != NULL;
    apr_pool_destroy(scratch);
    return ok;
}
