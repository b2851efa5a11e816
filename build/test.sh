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

# Installs what is missing (Debian 12), builds mod_batch, and runs every test:
# C unit tests under ASan+UBSan, a clang -Werror build check, a short run of
# each libFuzzer harness (FUZZ_SECONDS, default 15), a short soak (wrk
# posting batches), a quick run of the benchmark (its figures are not
# checked: it must only work), the integration tests against a real httpd on
# loopback, again with operations in parallel, and again with the module
# built with ASan+UBSan inside httpd, and the parallel operations' tests
# against it built with ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(apache2 apache2-dev apache2-utils libapache2-mod-php libjson-c-dev
          libcmocka-dev autoconf automake libtool pkg-config make gcc clang
          libclang-rt-14-dev python3 python3-pytest python3-requests curl
          wrk nghttp2-client valgrind php-fpm libapache2-mod-wsgi-py3
          python3-flask libapache2-mod-perl2 libapache2-mod-security2
          modsecurity-crs build-essential dpkg-dev debhelper openssl)

install_missing() {
    local missing=() p sudo=
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "== installing: ${missing[*]}"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
        --no-install-recommends "${missing[@]}"
}

build() {
    echo "== building"
    [ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi
    [ -f Makefile ] && [ Makefile -nt Makefile.am ] \
        || ./configure --with-apxs="$(command -v apxs)"
    make -j2
}

unit_tests() {
    echo "== unit tests (ASan+UBSan)"
    if ! make -j2 check; then
        cat test/unit/*.log 2>/dev/null || true
        return 1
    fi
    cat test/unit/*.log
}

integration_tests() {
    echo "== integration tests (real httpd)"
    BATCH_MODULE="$PWD/.libs/mod_batch.so" \
        /usr/bin/python3 -m pytest -q -p no:cacheprovider test/integration
}

fuzz_short() {
    echo "== fuzzing (${FUZZ_SECONDS:-15}s per harness)"
    make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
}

sanitized_integration_tests() {
    echo "== integration tests (module built with ASan+UBSan, in httpd)"
    make check-sanitized-httpd
}

# The same module with operations in parallel (BatchConcurrency 4), on
# the part of the suite where an operation's memory outlives its start
# and where the request thread and the pool's threads share a batch
# (about 2 min with the build).
sanitized_parallel_integration_tests() {
    echo "== integration tests again (module built with ASan+UBSan), operations in parallel (BatchConcurrency 4; a representative part)"
    BATCH_CONCURRENCY=4 bash build/test-sanitized-httpd.sh -k \
        "test_references or test_cookie_jar or test_dependencies or test_concurrency or test_operations or test_thread_pool or test_engine"
}

# The parallel operations' tests with the module built with TSan (about
# 70 s).
tsan_integration_tests() {
    echo "== parallel tests (module built with ThreadSanitizer, in httpd)"
    make check-tsan-httpd
}

# The same suite with every batch endpoint at BatchConcurrency 4: parallel
# operations must give the answers sequential ones give. Tests that hold
# only one at a time are marked sequential_only and skipped, with a reason.
parallel_integration_tests() {
    echo "== integration tests again, operations in parallel (BatchConcurrency 4)"
    BATCH_CONCURRENCY=4 BATCH_MODULE="$PWD/.libs/mod_batch.so" \
        /usr/bin/python3 -m pytest -q -p no:cacheprovider -rs test/integration
}

# The same suite with every batch endpoint at BatchEngine request:
# operations as requests of their own, one at a time and then four at once.
# Tests that pin what only the subrequest engine does are marked
# subrequest_only and skipped, with a reason.
request_engine_integration_tests() {
    echo "== integration tests again, operations as requests (BatchEngine request)"
    BATCH_ENGINE=request BATCH_MODULE="$PWD/.libs/mod_batch.so" \
        /usr/bin/python3 -m pytest -q -p no:cacheprovider -rs test/integration
    # in parallel, the part of the suite that runs operations in every way
    # (the whole suite passes so too; this keeps CI's time in bounds)
    echo "== integration tests again, operations as requests, in parallel (BatchEngine request, BatchConcurrency 4; a representative part)"
    BATCH_ENGINE=request BATCH_CONCURRENCY=4 \
        BATCH_MODULE="$PWD/.libs/mod_batch.so" \
        /usr/bin/python3 -m pytest -q -p no:cacheprovider -rs \
        test/integration/test_engine.py test/integration/test_concurrency.py \
        test/integration/test_operations.py \
        test/integration/test_multipart.py \
        test/integration/test_dependencies.py \
        test/integration/test_references.py \
        test/integration/test_streaming.py test/integration/test_auth.py \
        test/integration/test_guards.py test/integration/test_cookie_jar.py
}

# A short soak (the full one is `make soak`): before the integration tests,
# so that pytest's summary stays the last line.
soak_test() {
    echo "== soak (${SOAK_SECONDS:-15} s)"
    SOAK_SECONDS="${SOAK_SECONDS:-15}" SOAK_WARMUP_SECONDS=5 \
        BATCH_MODULE="$PWD/.libs/mod_batch.so" bash test/soak/soak.sh
}

# The benchmark's quick mode (the full one is `make bench`): proves the
# harness works end to end; slow figures never fail it.
bench_quick() {
    echo "== benchmark, quick mode (figures not meaningful)"
    BENCH_QUICK=1 BATCH_MODULE="$PWD/.libs/mod_batch.so" \
        bash test/bench/bench.sh
}

# The Debian package, built, installed into the system's apache2, used and
# purged (make check-package): a few minutes, the machine left as it was.
package_test() {
    echo "== Debian package (make check-package)"
    make check-package
}

install_missing
build
unit_tests
echo "== make install / uninstall (DESTDIR)"
make check-install
make check-clang
fuzz_short
soak_test
bench_quick
package_test
integration_tests
parallel_integration_tests
request_engine_integration_tests
sanitized_integration_tests
sanitized_parallel_integration_tests
tsan_integration_tests
