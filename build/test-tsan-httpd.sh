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

# Runs the integration tests of parallel operations (test_concurrency.py,
# test_thread_pool.py, test_connections.py, with every batch endpoint at
# BatchConcurrency 4) against mod_batch built with ThreadSanitizer, loaded
# into Debian's httpd with gcc's TSan runtime preloaded. Fails when a test
# fails, and when any httpd process wrote a ThreadSanitizer report, even if
# every test passed.
#
#   build/test-tsan-httpd.sh [more pytest arguments, e.g. -x]
#
# The module is built into build/tsan/; the normal build is not touched.
# gcc builds it and its libtsan is preloaded (clang 14's TSan runtime,
# preloaded into Debian's apache2, crashes before main). Only mod_batch is
# instrumented: httpd, APR and the other modules are not, so TSan sees
# their memory only through what it intercepts (pthread mutexes and
# condition variables, memcpy and friends, malloc) and what mod_batch's own
# code reads and writes. build/tsan-httpd.supp explains each suppression.
# APXS names apxs (default: the one on PATH). BATCH_TSAN_BASETEMP is
# pytest's --basetemp (default: a new directory, removed when the run is
# clean).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

apxs=${APXS:-$(command -v apxs || true)}
[ -n "$apxs" ] || { echo "apxs not found: install apache2-dev" >&2; exit 1; }
out=build/tsan
module=$out/mod_batch.so
# shellcheck source=build/sanitizer-common.sh
. build/sanitizer-common.sh

build_sanitized_module "$module" ThreadSanitizer -fsanitize=thread
libtsan=$(gcc -print-file-name=libtsan.so)
[ "$libtsan" != libtsan.so ] || { echo "gcc has no libtsan.so" >&2; exit 1; }

basetemp=${BATCH_TSAN_BASETEMP:-}
[ -n "$basetemp" ] || basetemp=$(mktemp -d -t mod_batch-tsan.XXXXXX)

# suppressions: build/tsan-httpd.supp, each line explained there.
# history_size=4: older accesses are remembered, so a report names both
#   sides. Options already in the environment come last, so they win.
export TSAN_OPTIONS="suppressions=$top/build/tsan-httpd.supp:history_size=4${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
# read by test/integration/httpd.py, which preloads it into apache2 only
export BATCH_HTTPD_PRELOAD="$libtsan"
export BATCH_MODULE="$top/$module"
export BATCH_CONCURRENCY=4

echo "== parallel tests against $module (reports: $basetemp)"
status=0
/usr/bin/python3 -m pytest -q -p no:cacheprovider --basetemp="$basetemp" \
    test/integration/test_concurrency.py test/integration/test_thread_pool.py \
    test/integration/test_connections.py "$@" || status=$?
if ! report_files "$basetemp"; then
    echo "== ThreadSanitizer reports: see above" >&2
    status=1
fi
if [ "$status" -eq 0 ]; then
    echo "== no ThreadSanitizer report"
    [ -n "${BATCH_TSAN_BASETEMP:-}" ] || rm -rf "$basetemp"
fi
exit "$status"
