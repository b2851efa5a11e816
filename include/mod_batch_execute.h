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
 * The executor: runs a validated batch and streams its answers
 * (src/mod_batch_execute.c).
 */
#ifndef MOD_BATCH_EXECUTE_H
#define MOD_BATCH_EXECUTE_H

#include <httpd.h>
#include "batch.h"
#include "batch_format.h"
#include "mod_batch_config.h"

int batch_execute(request_rec *r, const batch_settings_t *s, batch_t *batch,
                  const batch_format_t *fmt);

#endif /* MOD_BATCH_EXECUTE_H */
