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


"""BatchEngine request: an operation is a request of its own, so it meets
what a direct request meets where a subrequest cannot (differential tests:
the same request sent directly and as an operation, in JSON and in
multipart/mixed). Endpoints (httpd.py): /request-batch (BatchEngine request,
one at a time), /request-parallel-batch (four at once), /waf-request-batch
(ModSecurity + CRS, every format)."""

import json
import time

import pytest
import requests

from httpd import ENGINE, MODULES_DIR
from support import TIMEOUT, ok_batch, reconfigured, token
from test_fidelity import runtimes  # noqa: F401 (a fixture)
from test_multipart import batch as multipart_batch
from test_multipart import op as multipart_op
from test_waf import PAYLOADS, TAKEN, json_base64_body, multipart_mixed, post

ENDPOINTS = ["/request-batch", "/request-parallel-batch"]
FORMATS = ["json", "multipart"]
# what mod_ratelimit lets through per second, and a file that takes
# about a second at that rate
RATE_KIB = 16
SLOW_SIZE = 20 * 1024


def engine_lines(server):
    d = server.dir
    return [
        "LoadModule ratelimit_module %s/mod_ratelimit.so" % MODULES_DIR,
        "LoadModule unique_id_module %s/mod_unique_id.so" % MODULES_DIR,
        "LoadModule remoteip_module %s/mod_remoteip.so" % MODULES_DIR,
        "RemoteIPHeader X-Forwarded-For",
        "RemoteIPTrustedProxy 127.0.0.1",
        # a login gate written as a redirect, and a rule for main requests
        'Alias /gate/ "%s/htdocs/static/"' % d,
        "RewriteCond %{HTTP_COOKIE} !(^|;\\s*)session=",
        "RewriteRule ^/gate/ /login [R=302,L]",
        'Alias /ns-only/ "%s/htdocs/static/"' % d,
        "RewriteRule ^/ns-only/ - [NS,F]",
        'Alias /slow/ "%s/htdocs/static/"' % d,
        "<Location /slow/>",
        "    SetOutputFilter RATE_LIMIT",
        "    SetEnv rate-limit %d" % RATE_KIB,
        "</Location>",
        # post_read_request (server context) and header_parser (per
        # directory) hooks of mod_setenvif
        'BrowserMatch "^EngineBot" engine_bot=1',
        'ScriptAlias /hooked/ "%s/cgi-bin/"' % d,
        "<Location /hooked/>",
        "    SetEnvIf X-Dir ^yes$ dir_seen=1",
        "</Location>",
        'CustomLog "%s/logs/engine_log" "%%r %%>s %%{BATCH_OPERATION}e"' % d,
    ]


@pytest.fixture(scope="module")
def engine(httpd):
    if httpd.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    slow = httpd.dir / "htdocs" / "static" / "slow.bin"
    slow.write_bytes(b"s" * SLOW_SIZE)
    with reconfigured(httpd, server_extra=engine_lines(httpd)):
        yield httpd


def direct(server, url, headers=None):
    return requests.get(server.url(url), headers=headers or {},
                        allow_redirects=False, timeout=TIMEOUT)


def as_operation(server, fmt, path, url, headers=None):
    """(status, headers, body bytes) of url sent as the only operation."""
    headers = headers or {}
    if fmt == "json":
        res = ok_batch(server, [{"id": "o", "url": url, "headers": headers}],
                       path=path)
        entry = res["o"]
        body = entry.get("body")
        if not isinstance(body, str):
            body = json.dumps(body)
        return entry["status"], entry.get("headers", {}), body.encode()
    got = multipart_batch(server, [multipart_op("GET", url, list(
        headers.items()))], path=path)
    part = got.parts[0]
    return part.status, dict(part.headers), part.body


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_redirect_login_gate_holds_as_directly(engine, fmt, path):
    """mod_rewrite's [R=302] gate, skipped for a subrequest, holds."""
    alone = direct(engine, "/gate/a.txt")
    assert alone.status_code == 302
    status, headers, _ = as_operation(engine, fmt, path, "/gate/a.txt")
    assert status == 302
    assert headers["Location"] == alone.headers["Location"]
    cookie = {"Cookie": "session=1"}
    assert direct(engine, "/gate/a.txt", cookie).status_code == 200
    assert as_operation(engine, fmt, path, "/gate/a.txt", cookie)[0] == 200


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_ns_rule_applies_as_directly(engine, fmt, path):
    """A [NS] rule is for main requests only: an operation is one."""
    assert direct(engine, "/ns-only/a.txt").status_code == 403
    assert as_operation(engine, fmt, path, "/ns-only/a.txt")[0] == 403
    # the subrequest engine's operation is not a main request
    assert as_operation(engine, fmt, "/sequential-batch",
                        "/ns-only/a.txt")[0] == (
        403 if ENGINE == "request" else 200)


@pytest.mark.parametrize("fmt", FORMATS)
def test_rate_limited_file_takes_as_long_as_directly(engine, fmt):
    """mod_ratelimit's filter, which skips subrequests, paces the op."""
    started = time.monotonic()
    alone = direct(engine, "/slow/slow.bin")
    took_alone = time.monotonic() - started
    assert len(alone.content) == SLOW_SIZE
    assert took_alone >= 0.5, took_alone
    started = time.monotonic()
    status, _, body = as_operation(engine, fmt, "/request-batch",
                                   "/slow/slow.bin")
    took = time.monotonic() - started
    assert (status, len(body)) == (200, SLOW_SIZE)
    assert took >= 0.7 * took_alone, (took, took_alone)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_hooks_of_a_direct_request_run_for_an_operation(engine, path):
    """post_read_request (mod_unique_id, server-context SetEnvIf),
    header_parser (per-directory SetEnvIf) and log_transaction (the
    operation's own line) run; each op has its own UNIQUE_ID."""
    ops = [{"id": i, "url": "/hooked/env.cgi?t=" + token(),
            "headers": {"User-Agent": "EngineBot/1", "X-Dir": "yes"}}
           for i in ("a", "b")]
    res = ok_batch(engine, ops, path=path)
    env = {i: res[i]["body"] for i in ("a", "b")}
    for i in ("a", "b"):
        assert res[i]["status"] == 200, res
        assert env[i]["engine_bot"] == "1"
        assert env[i]["dir_seen"] == "1"
        assert env[i]["BATCH_OPERATION"] == i
    assert env["a"]["UNIQUE_ID"] != env["b"]["UNIQUE_ID"]
    assert env["a"]["UNIQUE_ID"] != env["a"]["BATCH_ID"]
    log = engine.dir / "logs" / "engine_log"
    lines = []
    for _ in range(50):
        lines = [x for x in log.read_text().splitlines()
                 if ops[0]["url"] in x or ops[1]["url"] in x]
        if len(lines) == 2:
            break
        time.sleep(0.1)
    assert sorted(x.split()[-1] for x in lines) == ["a", "b"], lines


@pytest.mark.parametrize("path", ENDPOINTS)
def test_client_address_is_the_batch_clients(engine, path):
    """mod_remoteip gives the batch the client its trusted proxy names;
    an op's own X-Forwarded-For changes nothing, as for a subrequest."""
    ops = [{"id": "own", "url": "/cgi/echo.cgi"},
           {"id": "spoof", "url": "/cgi/echo.cgi",
            "headers": {"X-Forwarded-For": "10.255.255.1"}}]
    res = ok_batch(engine, ops, path=path,
                   headers={"X-Forwarded-For": "192.0.2.7"})
    assert res["own"]["body"]["remote_addr"] == "192.0.2.7", res
    assert res["spoof"]["body"]["remote_addr"] == "192.0.2.7", res


def test_mod_perl_sees_an_initial_request(runtimes):  # noqa: F811
    """$r->is_initial_req is true in an operation, as directly."""
    alone = direct(runtimes, "/perl?main=1").json()
    assert alone["is_initial_req"] == 1
    for path in ENDPOINTS:
        res = ok_batch(runtimes, [{"id": "p", "url": "/perl?main=1"}],
                       path=path)
        assert res["p"]["body"]["is_initial_req"] == 1, res


REQUEST_WAF = "/waf-request-batch"


@pytest.mark.parametrize("shape", TAKEN + [json_base64_body, multipart_mixed],
                         ids=lambda f: f.__name__)
def test_crs_blocks_an_sql_injection_in_every_format(waf_server, shape):
    """CRS blocks the payload sent directly (test_waf.py); in an op it
    never runs either, whatever the format: ModSecurity refuses the batch
    where it reads it, and the op, a request of its own, where it does
    not (a base64 body, multipart/mixed)."""
    tok = token()
    mark = waf_server.log_size()
    resp, ran = post(waf_server, REQUEST_WAF, shape, tok, PAYLOADS["sqli"])
    assert ran == [], resp.text
    assert "ModSecurity: Access denied with code 403" in \
        waf_server.log_since(mark)
    if shape in (json_base64_body, multipart_mixed):
        assert resp.status_code == 200, resp.text
        assert "403 Forbidden" in resp.text
    else:
        assert resp.status_code == 403, resp.text
