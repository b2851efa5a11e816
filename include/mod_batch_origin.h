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
 * Cross-site form batches: an HTML form on any site can post a form batch
 * without a CORS preflight, and the browser adds the victim's cookies; its
 * operations would then run with them. Where the batch names another site
 * (Origin, else Sec-Fetch-Site or Referer) and its operations would inherit
 * credentials, it is refused.
 */
#ifndef MOD_BATCH_ORIGIN_H
#define MOD_BATCH_ORIGIN_H

#include <httpd.h>
#include "batch.h"
#include "mod_batch_config.h"

/* A 403 refusal of a form batch from another site while its operations
 * would inherit the batch's Cookie or Authorization; NULL to go on. */
batch_error_t *batch_check_cross_site_form(request_rec *r,
                                           const batch_settings_t *s);

#endif /* MOD_BATCH_ORIGIN_H */
