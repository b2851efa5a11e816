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

"""Fixtures: the httpd under test, the PHP httpd and the proxy backend.

The module comes from $BATCH_MODULE (default <repo>/.libs/mod_batch.so).
BATCH_MODULE=none starts the servers without it: the batch tests are then
skipped and only the fixtures themselves are checked (test_fixtures.py).
With BATCH_HTTPD_PRELOAD (build/test-sanitized-httpd.sh) a sanitizer report
that httpd writes fails the test during which it appeared.
"""

import time

import pytest

import httpd as harness
from support import reconfigured

# servers started in this session, for the error-log reports
_SERVERS = []

CRASH_MARKERS = ("exit signal", "AH00052", "Segmentation fault",
                 "double free", "corrupted")


def _module_state():
    """(path to load or None, why not loaded or None)."""
    path = harness.module_setting()
    if path is None:
        return None, "skip"
    if not path.exists():
        return None, "missing"
    return path, None


def _require_module(server):
    _, why = _module_state()
    if why == "skip":
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    if why == "missing":
        pytest.fail("mod_batch.so not found at %s; %s" % (
            harness.module_setting(), harness.BUILD_HINT), pytrace=False)
    return server


def _sanitizer_reports(server):
    """The sanitizer reports the server wrote since the last look, as
    text (empty when none)."""
    return "\n".join("== %s\n%s" % (where, text)
                     for where, text in server.new_sanitizer_reports())


def _stop(server):
    """Stops the server; fails the last test's teardown if a sanitizer
    report appeared, as processes check for leaks when they exit."""
    server.stop()
    _SERVERS.remove(server)
    reports = _sanitizer_reports(server)
    if reports:
        pytest.fail("httpd (%s) wrote sanitizer reports while stopping:\n%s"
                    % (server.kind, reports), pytrace=False)


def _start(server):
    error = None
    try:
        server.start()
    except harness.HttpdError as e:
        error = str(e)
    if error:
        server.stop()   # in case it came up half-way
        pytest.fail("%s\n%s" % (error, _sanitizer_reports(server)),
                    pytrace=False)
    _SERVERS.append(server)
    return server


def _started(tmp_path_factory, name, kind, **options):
    """A server of this kind in a new directory, started, with the module
    when it is built."""
    module, _ = _module_state()
    server = harness.Httpd(tmp_path_factory.mktemp(name), kind,
                           module=module, **options)
    server.prepare()
    return _start(server)


@pytest.fixture(scope="session")
def backend():
    b = harness.Backend().start()
    yield b
    b.stop()


@pytest.fixture(scope="session")
def httpd(tmp_path_factory, backend):
    """The main server (mpm_event), with mod_batch when it is built."""
    server = _started(tmp_path_factory, "httpd-main", "main",
                      backend_port=backend.port)
    yield server
    _stop(server)


@pytest.fixture
def server(httpd):
    """The main server, for tests that need mod_batch loaded."""
    return _require_module(httpd)


@pytest.fixture(scope="session")
def php_httpd(tmp_path_factory):
    """A second server: mpm_prefork with mod_php (started on first use)."""
    if harness.php_module() is None:
        pytest.skip("mod_php (libphp*.so) is not installed")
    server = _started(tmp_path_factory, "httpd-php", "php")
    yield server
    _stop(server)


@pytest.fixture
def php_server(php_httpd):
    return _require_module(php_httpd)


@pytest.fixture(scope="session")
def waf_httpd(tmp_path_factory, backend):
    """A third server: the main configuration with Debian's ModSecurity 2
    and OWASP CRS loaded (started on first use; test_waf.py only)."""
    if not harness.waf_available():
        pytest.skip("libapache2-mod-security2 and modsecurity-crs are not "
                    "installed")
    if harness.PRELOAD:
        # Debian's mod_security2 leaks a block while reading its directives
        # and, under the pool shim, reads configuration memory after its
        # pool was cleared: reports about it, not about mod_batch
        pytest.skip("BATCH_HTTPD_PRELOAD: ModSecurity does not start clean "
                    "under the sanitizers")
    server = _started(tmp_path_factory, "httpd-waf", "main",
                      backend_port=backend.port, waf=True)
    yield server
    _stop(server)


@pytest.fixture
def waf_server(waf_httpd):
    return _require_module(waf_httpd)


@pytest.fixture(scope="session")
def php_fpm(tmp_path_factory):
    """Debian's php-fpm on a unix socket (started on first use); its
    httpd_lines() hand /fpm/*.php to it from the main server."""
    if harness.php_fpm_binary() is None:
        pytest.skip("php-fpm is not installed")
    fpm = harness.PhpFpm(tmp_path_factory.mktemp("php-fpm"))
    try:
        fpm.start()
    except harness.HttpdError as e:
        pytest.fail(str(e), pytrace=False)
    yield fpm
    fpm.stop()


@pytest.fixture(scope="module")
def fpm_server(httpd, php_fpm):
    """The main server with /fpm/*.php handed to php-fpm, for one test
    module; the usual configuration is restored after it."""
    if httpd.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    with reconfigured(httpd, server_extra=php_fpm.httpd_lines()):
        yield httpd


# --------------------------------------------------------------------------
# Error log: attach what httpd said during a failed test; fail on crashes
# and on sanitizer reports.

_previous_test = [None]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "setup":
        # what was logged since the previous test's report counts here too
        item._httpd_marks = [(s, getattr(s, "_log_consumed", s.log_size()))
                             for s in _SERVERS]
        return
    if rep.when != "call":
        return
    if rep.failed:
        # the parent logs a child's crash up to a second after it happened
        time.sleep(1.2)
    marks = getattr(item, "_httpd_marks", [])
    known = {id(s) for s, _ in marks}
    marks += [(s, 0) for s in _SERVERS if id(s) not in known]
    for server, offset in marks:
        text = server.log_since(offset)
        server._log_consumed = offset + len(text.encode("utf-8"))
        crashed = [line for line in text.splitlines()
                   if any(m in line for m in CRASH_MARKERS)]
        if crashed and not rep.failed:
            rep.outcome = "failed"
            rep.longrepr = (
                "httpd (%s) crashed during this test or just before it "
                "(after %s):\n%s" % (server.kind, _previous_test[0],
                                     "\n".join(crashed)))
        reports = _sanitizer_reports(server)
        if reports and not rep.failed:
            rep.outcome = "failed"
            rep.longrepr = (
                "httpd (%s) wrote sanitizer reports during this test or just "
                "before it (after %s):\n%s" % (server.kind, _previous_test[0],
                                                 reports))
        elif reports:
            rep.sections.append(("httpd %s sanitizer reports" % server.kind,
                                 reports))
        if rep.failed and text.strip():
            tail = "\n".join(text.splitlines()[-60:])
            rep.sections.append(("httpd %s error_log (%s)" % (
                server.kind, server.error_log), tail))
    _previous_test[0] = item.nodeid
