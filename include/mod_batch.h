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
 * What every httpd-side unit (mod_batch.c, src/mod_batch_*.c) shares: the
 * module record, the handler name and the log tag. Only these files
 * include httpd headers.
 */
#ifndef MOD_BATCH_H
#define MOD_BATCH_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <ap_mmn.h>

/* httpd 2.4.49 (module magic 20120211.116) made what a worker's secondary
 * connection and the nesting check are made of: ap_create_request(),
 * ap_normalize_path() and conn_rec's outgoing (docs/design.md). */
#if !AP_MODULE_MAGIC_AT_LEAST(20120211, 116)
#error "mod_batch needs httpd 2.4.49 or later"
#endif

extern module AP_MODULE_DECLARE_DATA batch_module;

#define BATCH_HANDLER "batch"
/* configure.ac's version, passed by the build (Makefile.am) */
#ifndef BATCH_VERSION
#error "BATCH_VERSION is not defined: build with ./configure && make"
#endif
/* what the server's version string and the startup notice show */
#define BATCH_PRODUCT "mod_batch/" BATCH_VERSION

/* Module-unique message tags; httpd's AH numbers are for in-tree modules. */
#define BATCH_LOGNO(n) "BATCH" #n ": "

#endif /* MOD_BATCH_H */
