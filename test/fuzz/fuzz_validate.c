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
 * libFuzzer: the validators of methods, URLs and headers, on one operation
 * built straight from the input (lines: method, url, header name, header
 * value, BatchBaseURL), and the UTF-8 checker against a reference decoder.
 */
#include "fuzz.h"
#include "batch.h"
#include "batch_text.h"
#include "batch_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* RFC 3629 decoding, written for clarity rather than speed. */
static int reference_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned c = s[i], cp, need, k;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1; cp = c & 0x1f;
        }
        else if (c >= 0xe0 && c <= 0xef) {
            need = 2; cp = c & 0x0f;
        }
        else if (c >= 0xf0 && c <= 0xf4) {
            need = 3; cp = c & 0x07;
        }
        else {
            return 0;
        }
        if (i + need >= len) {
            return 0;
        }
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000)
            || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
        i += need + 1;
    }
    return 1;
}

/* The next line of the input, without its LF; NUL bytes end it early, as
 * they would end a C string taken from a parser. */
static const char *next_line(apr_pool_t *p, const uint8_t **data,
                             size_t *size)
{
    const uint8_t *nl = memchr(*data, '\n', *size);
    size_t n = nl ? (size_t)(nl - *data) : *size;
    const char *line = apr_pstrndup(p, (const char *)*data, n);

    *data += nl ? n + 1 : n;
    *size -= nl ? n + 1 : n;
    return line;
}

/* Whether s has a control character other than the ones allowed. */
static int has_control(const char *s, const char *allowed)
{
    for (; *s; s++) {
        if (((unsigned char)*s < 0x20 || *s == 0x7f) && !strchr(allowed, *s)) {
            return 1;
        }
    }
    return 0;
}

/* BatchBaseURL's own rule (src/mod_batch_config.c), as apache2 -t enforces it. */
static int base_url_allowed(const char *base)
{
    return base[0] == '/' && base[1] != '/' && !strpbrk(base, "?# \t\\")
           && !has_control(base, "");
}

/* What an accepted operation must look like, whatever the input. */
static void check_accepted(const batch_op_t *op)
{
    const char *t = op->target;

    FUZZ_CHECK(t && t[0] == '/' && t[1] != '/', "target is a path");
    FUZZ_CHECK(!has_control(t, "") && !strchr(t, ' ') && !strchr(t, '#')
               && !strchr(t, '\\'), "target has no CTL, space, # or \\");
    FUZZ_CHECK(batch_is_token(op->method), "method is a token");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    batch_t *batch = apr_pcalloc(p, sizeof(*batch));
    batch_limits_t *limits = fuzz_limits(p);
    const char *name, *value;
    batch_error_t *err;
    batch_op_t *op;

    FUZZ_CHECK(batch_utf8_valid(fuzz_exact(p, data, size), size)
               == reference_utf8(data, size), "UTF-8 agrees with RFC 3629");
    batch->ops = apr_array_make(p, 1, sizeof(batch_op_t));
    op = apr_array_push(batch->ops);
    memset(op, 0, sizeof(*op));
    op->id = "1";
    op->method = next_line(p, &data, &size);
    op->url = next_line(p, &data, &size);
    op->headers = apr_table_make(p, 1);
    name = next_line(p, &data, &size);
    value = next_line(p, &data, &size);
    if (*name) {
        apr_table_set(op->headers, name, value);
    }
    if (size) {
        const char *base = next_line(p, &data, &size);

        limits->base_url = base_url_allowed(base) ? base : NULL;
    }
    if ((err = batch_validate(p, batch, limits))) {
        fuzz_check_refusal(p, err);
    }
    else {
        check_accepted(op);
        FUZZ_CHECK(!*name || (batch_is_token(name)
                              && batch_is_header_value(value)),
                   "accepted header is a token and field content");
        FUZZ_CHECK(!*name || !has_control(value, "\t"),
                   "accepted header value has no CTL but HTAB");
    }
    apr_pool_destroy(p);
    return 0;
}
