#!/bin/sh
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

# Derives the dependency graph of units (C files) from the symbols their
# objects define and use (nm), prints it, and fails when it has a cycle: a
# unit that, through others, depends on itself.
#
#   build/deps.sh src/*.o
#
# A unit is named after its object file, without directory, extension and
# automake's per-target prefix (libbatchcore_la-batch_json.lo: batch_json).
set -eu
[ $# -gt 0 ] || { echo "usage: $0 OBJECT..." >&2; exit 2; }

for obj in "$@"; do
    unit=$(basename "$obj")
    unit=${unit%.*}
    unit=${unit##*-}
    # libtool objects (.lo) are text files naming the real one
    [ "${obj##*.}" = lo ] && obj=$(dirname "$obj")/.libs/$(basename "${obj%.lo}").o
    nm "$obj" | awk -v unit="$unit" '
        $1 == "U" { print "use", unit, $2; next }
        NF == 3 && $2 ~ /^[TDRBC]$/ { print "def", unit, $3 }'
done | awk '
    $1 == "def" { owner[$3] = $2; units[$2] = 1; next }
    { uses[++n] = $2 " " $3 }
    END {
        for (i = 1; i <= n; i++) {
            split(uses[i], u, " ")
            if ((u[2] in owner) && owner[u[2]] != u[1])
                edge[u[1], owner[u[2]]] = 1
        }
        for (a in units) {
            line = ""
            for (b in units)
                if ((a, b) in edge)
                    line = line " " b
            printf "%s ->%s\n", a, line | "sort"
        }
        close("sort")
        # reach[a, b]: b can be reached from a (Warshall over ~20 units)
        for (k in units) for (a in units) for (b in units)
            if (!((a, b) in edge) && ((a, k) in edge) && ((k, b) in edge))
                edge[a, b] = 1
        cycles = 0
        for (a in units)
            if ((a, a) in edge) {
                members = ""
                for (b in units)
                    if (((a, b) in edge) && ((b, a) in edge))
                        members = members " " b
                printf "cycle:%s\n", members | "sort -u"
                cycles = 1
            }
        close("sort -u")
        if (cycles) {
            print "dependency cycles between units (see above)"
            exit 1
        }
        print "no dependency cycle between units"
    }'
