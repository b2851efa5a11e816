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

# The mod_batch benchmark (docs/performance.md): starts a throwaway httpd (mpm_event,
# mod_batch, mod_include, mod_http2 with `Protocols h2c http/1.1`) on
# loopback and prints one table: keep-alive, HTTP/2, SSI and batch
# throughput, latency through a relay that adds 25 ms each way, RSS growth
# for a batch of 100 × 1 MiB, instructions per operation (callgrind),
# parallel operations at BatchConcurrency 1 and 8 side by side (cheap ops:
# ops/s and CPU per op; ops that wait on a proxied backend: ops/s), and
# the ratios against its targets. test/bench/bench.py does the
# work; `make bench` runs it. It takes about 2 minutes.
#
# Needs (Debian 12; installs nothing): apache2 wrk nghttp2-client valgrind
# and a built module.
#
# Settings, from the environment:
#   BENCH_QUICK=1          a short run (< 60 s) proving the harness works;
#                          its figures mean little
#   BENCH_RUNS             measured runs per throughput figure (5)
#   BENCH_SECONDS          seconds per run (3)
#   BENCH_WARMUP_SECONDS   the warm-up run before them (2)
#   BENCH_CONNECTIONS      wrk and h2load connections (4)
#   BENCH_H2_STREAMS       concurrent streams per h2load connection (10)
#   BENCH_DELAY_MS         the relay's delay each way (25)
#   BENCH_RELAY_RUNS       runs per latency figure (5)
#   BENCH_CALLGRIND_RUNS   runs per instruction count (3)
#   BENCH_PARALLEL_CONNECTIONS  wrk connections, cheap parallel ops (16)
#   BENCH_PARALLEL_RUNS    measured runs of cheap parallel ops (9)
#   BENCH_WAIT_CONNECTIONS wrk connections, ops that wait (2)
#   BENCH_WAIT_OPS         GETs a batch of ops that wait (32)
#   BENCH_WAIT_MS          how long the backend of ops that wait sleeps (10)
#   BENCH_ONLY=parallel    only the parallel figures (BatchConcurrency 1|8)
#   BATCH_MODULE           the module (<repo>/.libs/mod_batch.so)
# Speed never fails it. Exit status: 0 done, 1 something broken (a non-200,
# a missing entry, a socket error, a crash), 2 could not run.
set -euo pipefail
cd "$(dirname "$0")/../.."

export BATCH_MODULE="${BATCH_MODULE:-$PWD/.libs/mod_batch.so}"
exec /usr/bin/python3 test/bench/bench.py
