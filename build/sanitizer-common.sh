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

# What build/test-sanitized-httpd.sh and build/test-tsan-httpd.sh share,
# sourced by both from the top of the tree, with $apxs set.
# shellcheck shell=bash disable=SC2154  # apxs: set by the sourcing script

# build_sanitized_module MODULE WHAT FLAGS...: the module built with gcc and
# these -fsanitize flags into MODULE.
build_sanitized_module() {
    local module=$1 what=$2 apr_config apu_config version
    shift 2
    version=$(sed -n 's/^AC_INIT(\[mod_batch\], \[\([^]]*\)\])$/\1/p' configure.ac)
    apr_config=$("$apxs" -q APR_CONFIG)
    apu_config=$("$apxs" -q APU_CONFIG)
    echo "== building $module ($what)"
    mkdir -p "$(dirname "$module")"
    # -O1 keeps the reports' stacks close to the source; the warnings are
    # those of the normal build
    # shellcheck disable=SC2046  # the config tools print several flags
    gcc -shared -fPIC -g -O1 -fno-omit-frame-pointer "$@" \
        -Wall -Wextra -Werror -std=gnu99 -DBATCH_VERSION="\"$version\"" \
        -Iinclude -I"$("$apxs" -q INCLUDEDIR)" \
        $("$apr_config" --cppflags --includes) $("$apu_config" --includes) \
        $(pkg-config --cflags json-c) \
        -o "$module" mod_batch.c src/*.c $(pkg-config --libs json-c)
}

# report_files DIR: prints the report files test/integration/httpd.py had
# the sanitizers write in each server's logs/sanitizer/ under DIR; fails
# if there is one.
report_files() {
    local found=0 f
    while IFS= read -r -d '' f; do
        found=1
        echo "---- $f" >&2
        cat "$f" >&2
    done < <(find "$1" -path '*/logs/sanitizer/*' -type f -print0 | sort -z)
    [ "$found" -eq 0 ]
}
