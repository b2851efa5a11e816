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

/* json-c wrapped with pool cleanups, in the manner of mod_md's md_json. */
#include <stdint.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_hash.h>
#include <apr_lib.h>

#include "batch_json.h"
#include "batch_text.h"

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

/*
 * A strict RFC 8259 check. json-c's JSON_TOKENER_STRICT still takes NaN,
 * Infinity, single quotes, "1." and raw control characters in strings, and
 * an answer embedded as JSON must be JSON or the whole aggregate breaks.
 */
typedef struct scan_t {
    const unsigned char *p;
    const unsigned char *end;
    int depth;
    int max_depth;
    int flags;
    const char *why;
    /* set: member names must be unique (json-c keeps the last of two, which
     * a filter in front of httpd may read as the first) */
    apr_pool_t *names_pool;
} scan_t;

static int scan_value(scan_t *sc);

static int scan_fail(scan_t *sc, const char *why)
{
    if (!sc->why) {
        sc->why = sc->p >= sc->end ? "unexpected end of document"
                  : *sc->p == '\0' ? "NUL byte" : why;
    }
    return 0;
}

static void scan_space(scan_t *sc)
{
    while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t'
                               || *sc->p == '\r' || *sc->p == '\n')) {
        sc->p++;
    }
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
           || (c >= 'A' && c <= 'F');
}

/* The code unit of the \uXXXX escape at u (u points at 'u'), or -1. */
static long unicode_escape(const unsigned char *u, const unsigned char *end)
{
    long v = 0;
    int i;

    if (end - u < 5 || *u != 'u') {
        return -1;
    }
    for (i = 1; i <= 4; i++) {
        if (!is_hex(u[i])) {
            return -1;
        }
        v = v * 16 + (apr_isdigit(u[i]) ? u[i] - '0'
                      : apr_tolower(u[i]) - 'a' + 10);
    }
    return v;
}

static int is_high_surrogate(long v)
{
    return v >= 0xd800 && v <= 0xdbff;
}

static int is_low_surrogate(long v)
{
    return v >= 0xdc00 && v <= 0xdfff;
}

static int scan_escape(scan_t *sc, int key)
{
    const unsigned char *u = sc->p + 1;
    long v;

    if (u >= sc->end) {
        return scan_fail(sc, "unterminated string");
    }
    if (strchr("\"\\/bfnrt", *u) && *u) {
        sc->p += 2;
        return 1;
    }
    if (*u != 'u') {
        return scan_fail(sc, "invalid escape in a string");
    }
    if ((v = unicode_escape(u, sc->end)) < 0) {
        return scan_fail(sc, "invalid \\u escape in a string");
    }
    /* json-c cuts object keys at a NUL, so a key holding one would be
     * read as another name */
    if (key && (sc->flags & BATCH_JSON_NO_NUL_KEYS) && v == 0) {
        return scan_fail(sc, "NUL character in an object key");
    }
    /* a lone surrogate is no character: json-c and other readers each
     * make something different of it */
    if (is_low_surrogate(v)
        || (is_high_surrogate(v)
            && (u + 6 >= sc->end || u[5] != '\\'
                || !is_low_surrogate(unicode_escape(u + 6, sc->end))))) {
        return scan_fail(sc, "lone UTF-16 surrogate escape in a string");
    }
    sc->p += is_high_surrogate(v) ? 12 : 6;
    return 1;
}

static int scan_string(scan_t *sc, int key)
{
    sc->p++;
    while (sc->p < sc->end) {
        unsigned char c = *sc->p;
        apr_size_t n;

        if (c == '"') {
            sc->p++;
            return 1;
        }
        if (c >= 0x20 && c < 0x80 && c != '\\') {
            sc->p++;
            continue;
        }
        if (c < 0x20) {
            return scan_fail(sc, "control character in a string");
        }
        if (c == '\\') {
            if (!scan_escape(sc, key)) {
                return 0;
            }
            continue;
        }
        n = batch_utf8_seq_len((const char *)sc->p,
                               (apr_size_t)(sc->end - sc->p));
        if (!n) {
            return scan_fail(sc, "invalid UTF-8 in a string");
        }
        sc->p += n;
    }
    return scan_fail(sc, "unterminated string");
}

static int scan_digits(scan_t *sc)
{
    const unsigned char *start = sc->p;

    while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
        sc->p++;
    }
    return sc->p > start;
}

static int scan_number(scan_t *sc)
{
    if (*sc->p == '-') {
        sc->p++;
    }
    if (sc->p < sc->end && *sc->p == '0') {
        sc->p++;
    }
    else if (!scan_digits(sc)) {
        return scan_fail(sc, "invalid number");
    }
    if (sc->p < sc->end && *sc->p == '.') {
        sc->p++;
        if (!scan_digits(sc)) {
            return scan_fail(sc, "invalid number");
        }
    }
    if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
        sc->p++;
        if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-')) {
            sc->p++;
        }
        if (!scan_digits(sc)) {
            return scan_fail(sc, "invalid number");
        }
    }
    return 1;
}

static int scan_literal(scan_t *sc, const char *word)
{
    apr_size_t n = strlen(word);

    if ((apr_size_t)(sc->end - sc->p) < n || memcmp(sc->p, word, n)) {
        return scan_fail(sc, "unexpected character");
    }
    sc->p += n;
    return 1;
}

static char *put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    }
    else if (cp < 0x800) {
        *o++ = (char)(0xc0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    else {
        *o++ = (char)(0xf0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

/* What a scanned (so valid) string from its opening quote s to its closing
 * quote end stands for, so that "a" and "\u0061" are the same name. */
static char *decode_string(apr_pool_t *p, const unsigned char *s,
                           const unsigned char *end, apr_size_t *len)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    char *out = apr_palloc(p, (apr_size_t)(end - s) + 1);
    char *o = out;

    for (s++; s < end; s++) {
        unsigned long cp;

        if (*s != '\\') {
            *o++ = (char)*s;
            continue;
        }
        s++;
        if (*s != 'u') {
            *o++ = to[strchr(from, *s) - from];
            continue;
        }
        cp = (unsigned long)unicode_escape(s, end);
        s += 4;
        if (is_high_surrogate((long)cp)) {
            cp = 0x10000 + ((cp - 0xd800) << 10)
                 + ((unsigned long)unicode_escape(s + 2, end) - 0xdc00);
            s += 6;
        }
        o = put_utf8(o, cp);
    }
    *len = (apr_size_t)(o - out);
    return out;
}

/* Short printable names are quoted in the message; others are not shown. */
static const char *shown_name(apr_pool_t *p, const char *name,
                              apr_size_t len)
{
    apr_size_t i;

    if (len == 0 || len > 64) {
        return "";
    }
    for (i = 0; i < len; i++) {
        if (!apr_isprint(name[i]) || name[i] == '"' || name[i] == '\\') {
            return "";
        }
    }
    return apr_pstrcat(p, " \"", apr_pstrmemdup(p, name, len), "\"", NULL);
}

/* Records the member name scanned from start; fails on a second one. */
static int scan_unique_name(scan_t *sc, apr_hash_t *names,
                            const unsigned char *start)
{
    apr_pool_t *p = apr_hash_pool_get(names);
    apr_size_t len;
    const char *name = decode_string(p, start, sc->p - 1, &len);

    if (apr_hash_get(names, name, (apr_ssize_t)len)) {
        sc->p = start;
        return scan_fail(sc, apr_pstrcat(sc->names_pool, "duplicate member "
                                         "name", shown_name(sc->names_pool,
                                                            name, len),
                                         NULL));
    }
    apr_hash_set(names, name, (apr_ssize_t)len, "");
    return 1;
}

/* The members of an object or the elements of an array, after '{'/'['.
 * names: the member names seen so far, when they must be unique. */
static int scan_members(scan_t *sc, unsigned char close, int object,
                        apr_hash_t *names)
{
    sc->p++;
    scan_space(sc);
    if (sc->p < sc->end && *sc->p == close) {
        sc->p++;
        sc->depth--;
        return 1;
    }
    for (;;) {
        if (object) {
            if (sc->p >= sc->end || *sc->p != '"') {
                return scan_fail(sc, "expected a member name");
            }
            const unsigned char *name = sc->p;

            if (!scan_string(sc, 1)
                || (names && !scan_unique_name(sc, names, name))) {
                return 0;
            }
            scan_space(sc);
            if (sc->p >= sc->end || *sc->p != ':') {
                return scan_fail(sc, "expected ':'");
            }
            sc->p++;
        }
        if (!scan_value(sc)) {
            return 0;
        }
        if (sc->p < sc->end && *sc->p == ',') {
            sc->p++;
            scan_space(sc);
            continue;
        }
        if (sc->p < sc->end && *sc->p == close) {
            sc->p++;
            sc->depth--;
            return 1;
        }
        return scan_fail(sc, object ? "expected ',' or '}'"
                                    : "expected ',' or ']'");
    }
}

static int scan_container(scan_t *sc, unsigned char close, int object)
{
    apr_pool_t *names_pool = NULL;
    int ok;

    if (++sc->depth > sc->max_depth) {
        return scan_fail(sc, "nesting too deep");
    }
    /* one pool per open object; nesting is bounded by max_depth */
    if (object && sc->names_pool) {
        apr_pool_create(&names_pool, sc->names_pool);
    }
    ok = scan_members(sc, close, object,
                      names_pool ? apr_hash_make(names_pool) : NULL);
    if (names_pool) {
        apr_pool_destroy(names_pool);
    }
    return ok;
}

static int scan_value(scan_t *sc)
{
    int ok;

    scan_space(sc);
    if (sc->p >= sc->end) {
        return scan_fail(sc, "unexpected end of document");
    }
    switch (*sc->p) {
    case '{':
        ok = scan_container(sc, '}', 1);
        break;
    case '[':
        ok = scan_container(sc, ']', 0);
        break;
    case '"':
        ok = scan_string(sc, 0);
        break;
    case 't':
        ok = scan_literal(sc, "true");
        break;
    case 'f':
        ok = scan_literal(sc, "false");
        break;
    case 'n':
        ok = scan_literal(sc, "null");
        break;
    default:
        ok = (*sc->p == '-' || (*sc->p >= '0' && *sc->p <= '9'))
             ? scan_number(sc) : scan_fail(sc, "unexpected character");
        break;
    }
    scan_space(sc);
    return ok;
}

static int scan_document(scan_t *sc, const char *text, apr_size_t *where,
                         const char **why)
{
    int ok = scan_value(sc);

    if (ok && sc->p != sc->end) {
        ok = scan_fail(sc, "unexpected data after the document");
    }
    if (!ok) {
        if (where) {
            *where = (apr_size_t)(sc->p - (const unsigned char *)text);
        }
        if (why) {
            *why = sc->why;
        }
    }
    return ok;
}

int batch_json_check(const char *text, apr_size_t len, int max_depth,
                     int flags, apr_size_t *where, const char **why)
{
    scan_t sc = { (const unsigned char *)text,
                  (const unsigned char *)text + len, 0, max_depth, flags,
                  NULL, NULL };

    return scan_document(&sc, text, where, why);
}

json_object *batch_json_parse(apr_pool_t *p, const char *text,
                              apr_size_t len, apr_size_t *where,
                              const char **why)
{
    scan_t sc = { (const unsigned char *)text,
                  (const unsigned char *)text + len, 0, BATCH_JSON_MAX_DEPTH,
                  BATCH_JSON_NO_NUL_KEYS, NULL, p };
    json_tokener *tok;
    json_object *obj;

    if (!scan_document(&sc, text, where, why)) {
        return NULL;
    }
    if (len > INT32_MAX || !(tok = json_tokener_new_ex(
                                 BATCH_JSON_MAX_DEPTH + 1))) {
        if (where) {
            *where = 0;
        }
        if (why) {
            *why = "document too large";
        }
        return NULL;
    }
    obj = json_tokener_parse_ex(tok, text, (int)len);
    if (!obj && json_tokener_get_error(tok) == json_tokener_continue) {
        /* a bare number or literal ends only where more input could not */
        obj = json_tokener_parse_ex(tok, " ", 1);
    }
    if (!obj) {
        if (where) {
            *where = 0;
        }
        if (why) {
            *why = json_tokener_get_error(tok) == json_tokener_success
                   ? "the document is null" : "json-c could not read it";
        }
    }
    json_tokener_free(tok);
    if (!obj) {
        return NULL;
    }
    return batch_json_own(p, obj);
}

/* What json-c 0.16 allocates per node, rounded up (measured on amd64): an
 * object starts with a hash table of 16 slots; each value and string is a
 * node of its own (a double keeps its text too); arrays and tables grow
 * by doubling, a table of members before it is full. */
#define TREE_OBJECT 832
#define TREE_ARRAY 160
#define TREE_VALUE 80
#define TREE_DOUBLE 32
#define TREE_SLOT 8
#define TREE_MEMBER 64

apr_size_t batch_json_tree_cost(const char *text, apr_size_t len)
{
    apr_size_t cost = 0, i, start;
    int in_scalar = 0;

    for (i = 0; i < len; i++) {
        char c = text[i];

        if (c == '"') {
            for (start = i++; i < len && text[i] != '"'; i++) {
                i += text[i] == '\\';
            }
            cost += TREE_VALUE + TREE_SLOT + (i - start);
            in_scalar = 0;
        }
        else if (c == '{' || c == '[') {
            cost += (c == '{' ? TREE_OBJECT : TREE_ARRAY) + TREE_SLOT;
            in_scalar = 0;
        }
        else if (strchr(",]}: \t\r\n", c)) {
            cost += c == ':' ? TREE_MEMBER : 0;
            in_scalar = 0;
        }
        else if (!in_scalar) {
            cost += TREE_VALUE + TREE_SLOT;
            in_scalar = 1;
        }
        else if (in_scalar == 1 && strchr(".eE", c)) {
            cost += TREE_DOUBLE;
            in_scalar = 2;
        }
    }
    return cost;
}

int batch_json_valid(const char *text, apr_size_t len)
{
    return batch_json_check(text, len, BATCH_JSON_EMBED_DEPTH, 0, NULL,
                            NULL);
}

int batch_json_has_array(json_object *root, const char *name)
{
    json_object *v;

    return json_object_is_type(root, json_type_object)
           && json_object_object_get_ex(root, name, &v)
           && json_object_is_type(v, json_type_array);
}

const char *batch_json_c_string(json_object *s, apr_size_t *len)
{
    const char *v = json_object_get_string(s);
    apr_size_t n = (apr_size_t)json_object_get_string_len(s);

    if (strlen(v) != n) {
        return NULL;
    }
    if (len) {
        *len = n;
    }
    return v;
}
