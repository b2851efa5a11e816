#!/usr/bin/env bash
# Copyright 2026 The mod_batch authors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# The mod_batch soak: wrk posts JSON and multipart/mixed batches (static
# files, a 404, a CGI, a proxied POST, a HEAD) to a throwaway httpd on
# loopback for a few minutes, then checks that every batch answered 200 with
# the expected entries, that no child crashed, and that the children's RSS
# stayed flat. test/soak/soak.py does the work; `make soak` runs it.
#
# Settings, from the environment:
#   SOAK_SECONDS             how long the measured run lasts (180)
#   SOAK_CONNECTIONS         wrk connections (16)
#   SOAK_THREADS             wrk threads (2)
#   SOAK_WARMUP_SECONDS      a run before the first RSS sample (10)
#   SOAK_MAX_RSS_GROWTH_KIB  how much one child may grow from the first RSS
#                            sample to the last (8192)
#   BATCH_MODULE             the module (<repo>/.libs/mod_batch.so)
# Needs Debian's apache2 and wrk. Exit status: 0 passed, 1 failed, 2 could
# not run. On failure the generated tree (conf, logs, cores) is kept and
# its path printed.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v wrk >/dev/null; then
    echo "soak: wrk is not installed (apt-get install wrk)" >&2
    exit 2
fi
export BATCH_MODULE="${BATCH_MODULE:-$PWD/.libs/mod_batch.so}"
exec /usr/bin/python3 test/soak/soak.py
