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
 * One module's hooks of one phase, run for a request
 * (src/mod_batch_hooks.c).
 */
#ifndef MOD_BATCH_HOOKS_H
#define MOD_BATCH_HOOKS_H

#include <httpd.h>

/* Runs the hooks module_name registered in one of httpd's hook arrays of
 * int (request_rec *), in order, for r; the first result other than OK or
 * DECLINED, else OK. */
int batch_run_module_hooks(const apr_array_header_t *hooks,
                           const char *module_name, request_rec *r);

#endif /* MOD_BATCH_HOOKS_H */
