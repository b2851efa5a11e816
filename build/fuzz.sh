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

# Builds the libFuzzer harnesses of test/fuzz with clang (ASan+UBSan),
# replays the regression inputs, then fuzzes each harness for FUZZ_SECONDS
# (default 300) from the seeds made of test/vectors. A crash stops the run
# with the input saved under build/fuzz/crashes/; put it in
# test/fuzz/regressions/<harness>/ with a unit test once fixed.
#
#   make fuzz                     FUZZ_SECONDS=300 per harness
#   make fuzz FUZZ_SECONDS=15     what CI runs
#   make fuzz FUZZ_ONLY=emit      one harness
#
# FUZZ_SOURCES (the core), FUZZ_CFLAGS and FUZZ_LIBS (APR, APR-util,
# json-c) come from make. Each harness is linked with
# test/support/pool_shim.c, which makes every APR pool allocation a malloc
# block of its own, so ASan sees past its end.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-300}
harnesses=(${FUZZ_ONLY:-parse_json parse_multipart parse_dialects validate
            emit reference http1 cookie})
# the core's sources: Makefile.am's list, which make passes
read -r -a core_src <<<"${FUZZ_SOURCES:?run through make fuzz}"
core_src+=(test/support/pool_shim.c)
out=build/fuzz
mkdir -p "$out/bin" "$out/corpus" "$out/crashes"

/usr/bin/python3 test/fuzz/seeds.py "$out/seeds"
summary=()
for h in "${harnesses[@]}"; do
    bin="$out/bin/fuzz_$h"
    # shellcheck disable=SC2086
    clang -g -O1 -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined -Wall -Wextra -Werror -std=gnu99 \
        -Iinclude ${FUZZ_CFLAGS:-} -o "$bin" "test/fuzz/fuzz_$h.c" \
        "${core_src[@]}" ${FUZZ_LIBS:-}
    if compgen -G "test/fuzz/regressions/$h/*" >/dev/null; then
        echo "== fuzz_$h: regression inputs"
        "$bin" test/fuzz/regressions/"$h"/* 2>&1 | grep -E '^(Running|Executed)' \
            || true
        "$bin" test/fuzz/regressions/"$h"/* >/dev/null 2>&1
    fi
    echo "== fuzz_$h: ${seconds}s"
    mkdir -p "$out/corpus/$h"
    log="$out/fuzz_$h.log"
    if ! "$bin" -max_total_time="$seconds" -print_final_stats=1 \
            -artifact_prefix="$out/crashes/${h}-" \
            "$out/corpus/$h" "$out/seeds/$h" >"$log" 2>&1; then
        tail -60 "$log"
        echo "fuzz_$h FAILED; the input is in $out/crashes/"
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    summary+=("fuzz_$h: $runs executions in ${seconds}s, $cov, no crash")
done
printf '%s\n' "== fuzz summary" "${summary[@]}"
