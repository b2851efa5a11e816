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
 * libFuzzer: the batch cookie jar (src/batch_cookie.c). The input is a
 * byte of flags (bit 0: the batch came over TLS), then lines: the first
 * is the batch's Cookie header, the second the target of the requests,
 * each other a Set-Cookie value. A parsed cookie has a name, fits the
 * limits, lies on the host and starts its path with '/'; a Secure one
 * only over TLS. The jar stays within its limits, and the Cookie header
 * it writes is a sendable field value that holds no Secure cookie over
 * plain HTTP.
 */
#include "fuzz.h"
#include "batch_cookie.h"
#include "batch_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HOST "a.example.org"

static void check_cookie(const batch_cookie_t *c,
                         const batch_cookie_origin_t *from)
{
    const char *host = HOST;
    apr_size_t h = strlen(host), d = strlen(c->domain);

    FUZZ_CHECK(*c->name && !strpbrk(c->name, "=;"), "a name");
    FUZZ_CHECK(!strchr(c->value, ';'), "a value without ';'");
    FUZZ_CHECK(strlen(c->name) + strlen(c->value) <= BATCH_COOKIE_MAX_BYTES,
               "within the size limit");
    FUZZ_CHECK(batch_is_header_value(c->name)
               && batch_is_header_value(c->value), "sendable");
    FUZZ_CHECK(c->path[0] == '/', "a path");
    FUZZ_CHECK(!strcmp(c->domain, host)
               || (d < h && !strcmp(host + h - d, c->domain)
                   && host[h - d - 1] == '.'), "on the host");
    FUZZ_CHECK(!c->host_only || !strcmp(c->domain, host), "host-only");
    FUZZ_CHECK(!c->secure || from->secure, "Secure only over TLS");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    batch_cookie_origin_t from = { HOST, "/", 0, apr_time_from_sec(1) };
    batch_cookie_jar_t *jar = batch_cookie_jar_make(p, HOST);
    const char *own = NULL, *header;
    char *text, *line, *state;
    int n = 0;

    if (size < 1) {
        apr_pool_destroy(p);
        return 0;
    }
    from.secure = data[0] & 1;
    from.now = apr_time_from_sec(1767225600);
    text = apr_pstrmemdup(p, (const char *)data + 1, size - 1);
    for (line = apr_strtok(text, "\n", &state); line;
         line = apr_strtok(NULL, "\n", &state), n++) {
        const char *why = NULL;
        batch_cookie_t *c;

        if (n == 0) {
            batch_cookie_jar_load(jar, own = line);
            continue;
        }
        if (n == 1) {
            from.target = line;
            continue;
        }
        c = batch_cookie_parse(p, fuzz_exact(p, (const uint8_t *)line,
                                             strlen(line) + 1), &from, &why);
        FUZZ_CHECK(c || why, "an ignored cookie says why");
        if (c) {
            check_cookie(c, &from);
            batch_cookie_jar_store(jar, c);
        }
        FUZZ_CHECK(batch_cookie_jar_count(jar) <= BATCH_COOKIE_MAX_COOKIES,
                   "the jar stays within its total");
    }
    header = batch_cookie_jar_header(p, jar, from.target, from.secure, NULL);
    FUZZ_CHECK(batch_is_header_value(header) || !own
               || !batch_is_header_value(own), "a sendable Cookie header");
    header = batch_cookie_jar_header(p, jar, from.target, from.secure, own);
    FUZZ_CHECK(!own || !strncmp(header, own + strspn(own, " \t"),
                                strcspn(own + strspn(own, " \t"), " \t")),
               "the operation's own cookies come first");
    apr_pool_destroy(p);
    return 0;
}
