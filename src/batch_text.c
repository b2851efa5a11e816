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
 * The small text helpers every other unit uses: UTF-8, HTTP tokens and
 * field values, media types and their parameters, percent-encoding. A
 * leaf: it uses APR only, so no unit that needs one of them depends on
 * a larger one.
 */
#include <string.h>
#include <apr_strings.h>
#include <apr_lib.h>

#include "batch_text.h"

apr_size_t batch_utf8_seq_len(const char *s, apr_size_t left)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char c = *p;
    apr_size_t n, i;
    apr_uint32_t cp;

    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        cp = c & 0x1f;
    }
    else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        cp = c & 0x0f;
    }
    else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        cp = c & 0x07;
    }
    else {
        return 0;
    }
    if (left <= n) {
        return 0;
    }
    for (i = 1; i <= n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    /* overlong forms, surrogates, beyond U+10FFFF */
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)
        || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
        return 0;
    }
    return n + 1;
}

int batch_utf8_valid(const char *s, apr_size_t len)
{
    apr_size_t i = 0;

    while (i < len) {
        apr_size_t n;

        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        n = batch_utf8_seq_len(s + i, len - i);
        if (!n) {
            return 0;
        }
        i += n;
    }
    return 1;
}

/* RFC 9110 tchar */
static int is_tchar(unsigned char c)
{
    return apr_isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

int batch_is_token(const char *s)
{
    if (!s || !*s) {
        return 0;
    }
    for (; *s; s++) {
        if (!is_tchar((unsigned char)*s)) {
            return 0;
        }
    }
    return 1;
}

/* RFC 9110 field-value: VCHAR, obs-text, SP and HTAB; no CR, LF, NUL. */
int batch_is_header_value(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return 0;
        }
    }
    return 1;
}

const char *batch_first_bad_header(const apr_table_t *t)
{
    const apr_array_header_t *arr = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int i;

    for (i = 0; i < arr->nelts; i++) {
        if (!batch_is_token(e[i].key) || !batch_is_header_value(e[i].val)) {
            return e[i].key;
        }
    }
    return NULL;
}

const char *batch_media_type(apr_pool_t *p, const char *content_type)
{
    apr_size_t n, i;
    char *type;

    if (!content_type) {
        return NULL;
    }
    while (*content_type == ' ' || *content_type == '\t') {
        content_type++;
    }
    n = strcspn(content_type, "; \t");
    type = apr_pstrmemdup(p, content_type, n);
    for (i = 0; i < n; i++) {
        type[i] = apr_tolower(type[i]);
    }
    return type;
}

int batch_media_type_is_json(const char *media_type)
{
    apr_size_t n;

    if (!media_type) {
        return 0;
    }
    n = strcspn(media_type, "; \t");
    return (n == 16 && !strncasecmp(media_type, "application/json", n))
           || (n > 5 && !strncasecmp(media_type + n - 5, "+json", 5));
}

int batch_media_type_is_json_batch(const char *media_type)
{
    return media_type && !strcasecmp(media_type, "application/json");
}

int batch_media_type_is_multipart(const char *media_type)
{
    return media_type && !strcasecmp(media_type, "multipart/mixed");
}

int batch_media_type_is_urlencoded(const char *media_type)
{
    return media_type
           && !strcasecmp(media_type, "application/x-www-form-urlencoded");
}

int batch_media_type_is_form_data(const char *media_type)
{
    return media_type && !strcasecmp(media_type, "multipart/form-data");
}

int batch_media_type_is_form(const char *media_type)
{
    return batch_media_type_is_urlencoded(media_type)
           || batch_media_type_is_form_data(media_type);
}

/* A parameter value at *s, a token or a quoted-string (RFC 2045); *s
 * moves past it. NULL for an unterminated quoted-string. */
static char *param_value(apr_pool_t *p, const char **s)
{
    const char *v = *s;
    char *out, *o;

    if (*v != '"') {
        apr_size_t n = strcspn(v, "; \t");

        *s = v + n;
        return apr_pstrmemdup(p, v, n);
    }
    o = out = apr_palloc(p, strlen(v));
    for (v++; *v && *v != '"'; v++) {
        if (*v == '\\' && v[1]) {
            v++;
        }
        *o++ = *v;
    }
    *o = '\0';
    if (!*v) {
        return NULL;
    }
    *s = v + 1;
    return out;
}

const char *batch_header_param(apr_pool_t *p, const char *value,
                               const char *name)
{
    const char *s = strchr(value, ';');
    apr_size_t want = strlen(name);

    while (s && *s == ';') {
        const char *key;
        apr_size_t n;
        char *v;

        for (s++; *s == ' ' || *s == '\t'; s++)
            ;
        key = s;
        n = strcspn(s, "=; \t");
        s += n;
        if (*s != '=') {
            s = strchr(s, ';');
            continue;
        }
        s++;
        v = param_value(p, &s);
        if (!v || (n == want && !strncasecmp(key, name, n))) {
            return v;
        }
        s = strchr(s, ';');
    }
    return NULL;
}

const char *batch_percent_encode(apr_pool_t *p, const char *s,
                                 int (*encode)(unsigned char c))
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *u;
    apr_size_t n = 0;
    char *out, *o;

    for (u = (const unsigned char *)s; *u; u++) {
        n += encode(*u) ? 3 : 1;
    }
    if (n == strlen(s)) {
        return s;
    }
    o = out = apr_palloc(p, n + 1);
    for (u = (const unsigned char *)s; *u; u++) {
        if (encode(*u)) {
            *o++ = '%';
            *o++ = hex[*u >> 4];
            *o++ = hex[*u & 0x0f];
        }
        else {
            *o++ = (char)*u;
        }
    }
    *o = '\0';
    return out;
}
