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
 * What the error log says of the batch endpoints at startup
 * (src/mod_batch_startup.c).
 */
#ifndef MOD_BATCH_STARTUP_H
#define MOD_BATCH_STARTUP_H

#include <httpd.h>

/* At LogLevel batch:info, one line per <Location> or <Directory> section
 * of each server whose SetHandler is batch, with its effective settings. */
void batch_startup_log_locations(apr_pool_t *ptemp, server_rec *main_server);

#endif /* MOD_BATCH_STARTUP_H */
