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

# Runs the whole integration suite against mod_batch built with
# AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer, loaded
# into Debian's httpd with the sanitizer runtime preloaded. Fails when a
# test fails, and when any httpd process wrote a sanitizer report, even if
# every test passed.
#
#   build/test-sanitized-httpd.sh [more pytest arguments, e.g. -x]
#
# The sanitized module is built into build/sanitized/; the normal build
# (.libs/mod_batch.so) is not touched. gcc builds it, and its own libasan
# and libubsan are preloaded. APXS names apxs (default: the one on PATH).
# BATCH_SANITIZER_BASETEMP is pytest's --basetemp (default: a new directory
# under $TMPDIR or /tmp, removed when the run is clean).
#
# test/support/pool_shim.c, built as build/sanitized/pool_shim.so, is
# preloaded too: every APR pool allocation, httpd's and mod_batch's, becomes
# a malloc block of its own, so ASan sees an overflow past its end and a use
# after its pool was cleared. BATCH_POOL_SHIM=0 runs without it.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

apxs=${APXS:-$(command -v apxs || true)}
[ -n "$apxs" ] || { echo "apxs not found: install apache2-dev" >&2; exit 1; }
out=build/sanitized
module=$out/mod_batch.so
shim=$out/pool_shim.so
# shellcheck source=build/sanitizer-common.sh
. build/sanitizer-common.sh

runtime() {
    local lib
    lib=$(gcc -print-file-name="$1")
    # gcc prints the bare name back when it has no such library
    [ "$lib" != "$1" ] || { echo "gcc has no $1" >&2; exit 1; }
    echo "$lib"
}

build_pool_shim() {
    local apr_config
    apr_config=$("$apxs" -q APR_CONFIG)
    echo "== building $shim (APR pool allocations as malloc blocks)"
    # shellcheck disable=SC2046
    gcc -shared -fPIC -g -O1 -fno-omit-frame-pointer -fsanitize=address \
        -Wall -Wextra -Werror -std=gnu99 \
        $("$apr_config" --cppflags --includes) \
        -o "$shim" test/support/pool_shim.c
}

# Prints every sanitizer report of the run and fails if there is one:
# test/integration/httpd.py has ASan and LeakSanitizer write theirs in
# <server dir>/logs/sanitizer/; UBSan writes to the error_log.
check_reports() {
    local found=0 f
    report_files "$1" || found=1
    while IFS= read -r -d '' f; do
        found=1
        echo "---- $f" >&2
        grep -A40 -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
            -e ': runtime error: ' "$f" >&2
    done < <(find "$1" -name error_log -type f -exec grep -lZ \
        -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
        -e ': runtime error: ' {} +)
    [ "$found" -eq 0 ] || echo "== sanitizer reports written: see above" >&2
    [ "$found" -eq 0 ]
}

build_sanitized_module "$module" "ASan+UBSan" \
    -fsanitize=address,undefined -fno-sanitize-recover=undefined
[ "${BATCH_POOL_SHIM:-1}" = 0 ] || build_pool_shim

basetemp=${BATCH_SANITIZER_BASETEMP:-}
[ -n "$basetemp" ] || basetemp=$(mktemp -d -t mod_batch-sanitized.XXXXXX)

# detect_leaks: on; build/lsan-httpd.supp names the exit-time leaks of httpd
#   and its libraries, each with its reason.
# quarantine_size_mb=8: the default 256 MB keeps freed memory resident, and
#   the streaming tests bound the growth of the children's RSS (30 MiB).
# fast_unwind_on_malloc=0: APR, PCRE2 and json-c have no frame pointers;
#   the slow unwinder gives whole stacks, which the suppressions match.
# UBSan: -fno-sanitize-recover makes the first report end the process.
# Options already in the environment come last, so they win.
export ASAN_OPTIONS="detect_leaks=1:quarantine_size_mb=8:fast_unwind_on_malloc=0:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$top/build/lsan-httpd.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# read by test/integration/httpd.py, which preloads these into apache2 only
asan=$(runtime libasan.so)
ubsan=$(runtime libubsan.so)
export BATCH_HTTPD_PRELOAD="$asan $ubsan"
[ "${BATCH_POOL_SHIM:-1}" = 0 ] || BATCH_HTTPD_PRELOAD+=" $top/$shim"
export BATCH_MODULE="$top/$module"

echo "== integration tests against $module (reports: $basetemp)"
status=0
/usr/bin/python3 -m pytest -q -p no:cacheprovider --basetemp="$basetemp" \
    test/integration "$@" || status=$?
check_reports "$basetemp" || status=1
if [ "$status" -eq 0 ]; then
    echo "== no sanitizer report"
    [ -n "${BATCH_SANITIZER_BASETEMP:-}" ] || rm -rf "$basetemp"
fi
exit "$status"
