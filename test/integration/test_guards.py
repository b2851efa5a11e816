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

"""An operation meets the guards of a direct request to its URL
(docs/security.md): nesting over a proxy (Batch-Depth), the target's
request limits, its own environment (SetEnvIf), mod_rewrite redirect gates
with their [F] twins, inherited credentials behind mod_proxy.

Every test runs on a sequential and on a parallel endpoint. The module's
configuration (GUARD_LINES, plus the recipe block of docs/security.md) is
put in place once for the module.
"""

import re

import pytest
import requests

from httpd import REPO
from support import (GOOD_AUTH, JSON, TIMEOUT, basic, ok_batch, post_batch,
                     raw_request, reconfigured, record_op, subrequest_only,
                     token)

ENDPOINTS = ["/sequential-batch", "/parallel-batch"]
SITE_ENDPOINTS = ["/site/public/batch", "/site/public/parallel-batch"]
FIELDS_LIMIT = 50
LINE_LIMIT = 300
BODY_LIMIT = 1000


def recipe_block():
    """The apache block of docs/security.md that holds the [F] twins."""
    text = (REPO / "docs" / "security.md").read_text()
    blocks = re.findall(r"```apache\n(.*?)```", text, re.S)
    found = [b for b in blocks if "IS_SUBREQ" in b]
    assert len(found) == 1, "docs/security.md: no single recipe block"
    return found[0].splitlines()


def guard_lines(server):
    d = server.dir
    auth = [x for x in server._auth() if "Require" not in x]
    return [
        "# test_guards.py",
        # item 5: a way back to this server's batch endpoints over HTTP
        "ProxyPass /self/ http://127.0.0.1:%d/" % server.port,
        # item 6
        "LimitRequestFields %d" % FIELDS_LIMIT,
        "LimitRequestLine %d" % LINE_LIMIT,
        'ScriptAlias /small-body/ "%s/cgi-bin/"' % d,
        "<Location /small-body/>",
        "    LimitRequestBody %d" % BODY_LIMIT,
        "</Location>",
        # item 7: an open area whose batch must not open the private one
        'SetEnvIf Request_URI "^/site/public/" no_auth=1',
        'SetEnvIf Request_URI "batch$" batch_only=1',
        'BrowserMatch "^GuardBot" guard_bot=1',
        'ScriptAliasMatch "^/site/(?:public|private)/(.*\\.cgi)$" '
        '"%s/cgi-bin/$1"' % d,
        "<Location /site/>",
    ] + auth + [
        "    <RequireAny>",
        "        Require env no_auth",
        "        Require valid-user",
        "    </RequireAny>",
        "</Location>",
        "<Location /site/public/batch>",
        "    SetHandler batch",
        "</Location>",
        "<Location /site/public/parallel-batch>",
        "    SetHandler batch",
        "    BatchConcurrency 8",
        "</Location>",
        'ScriptAlias /envdir/ "%s/cgi-bin/"' % d,
        "<Location /envdir/>",
        "    SetEnvIf X-Token ^letmein$ dir_token_ok",
        "    SetEnv from_setenv yes",
        "    Require env dir_token_ok",
        "</Location>",
        # item 8: the documented gates, and one without its twin
        'ScriptAlias /app/ "%s/cgi-bin/"' % d,
        'ScriptAlias /account/ "%s/cgi-bin/"' % d,
        'ScriptAlias /open-gate/ "%s/cgi-bin/"' % d,
        "RewriteCond %{HTTP_COOKIE} !(^|;\\s*)session=",
        "RewriteRule ^/open-gate/ /login [R=302,L]",
    ] + recipe_block()


@pytest.fixture(scope="module")
def guards(httpd):
    if httpd.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    with reconfigured(httpd, server_extra=guard_lines(httpd)):
        yield httpd


def direct(server, method, url, headers=None, data=None):
    return requests.request(method, server.url(url), headers=headers or {},
                            data=data, allow_redirects=False,
                            timeout=TIMEOUT)


# --------------------------------------------------------------------------
# Item 5: a batch reaching a batch endpoint over HTTP is nested

@pytest.mark.parametrize("path", ENDPOINTS)
def test_batch_through_a_proxy_back_to_this_server_is_refused(server, guards,
                                                              path):
    tok = token()
    res = ok_batch(server, [
        {"id": "nested", "method": "POST", "url": "/self/batch",
         "headers": JSON, "body": {"requests": [record_op(tok)]}},
        {"id": "after", "url": "/static/hello.json"},
    ], path=path)
    assert res["nested"]["status"] == 508, res
    assert res["after"]["status"] == 200, res
    assert server.recorded(tok) == []


@pytest.mark.parametrize("path", ENDPOINTS)
def test_many_proxied_nested_batches_hold_no_worker(server, guards, path):
    """The issue's amplification: many nested batches over the proxy, each
    with a slow operation; every one is refused at once."""
    ops = [{"id": "n%d" % i, "method": "POST", "url": "/self/batch",
            "headers": JSON,
            "body": {"requests": [{"id": "s",
                                   "url": "/cgi/sleep.cgi?ms=1000"}]}}
           for i in range(30)]
    res = ok_batch(server, ops, path=path)
    assert {e["status"] for e in res.responses} == {508}, res


def test_client_sending_batch_depth_gets_its_batch_refused(server, guards):
    tok = token()
    res = post_batch(server, [record_op(tok)],
                     headers={"Batch-Depth": "0"})
    assert res.status == 508, res
    assert server.recorded(tok) == []


@pytest.mark.parametrize("path", ENDPOINTS)
def test_operation_cannot_set_or_drop_batch_depth(server, backend, guards,
                                                  path):
    res = ok_batch(server, [
        {"id": "p", "url": "/proxy/depth", "headers": {"Batch-Depth": "0"}},
    ], path=path)
    assert res["p"]["status"] == 200, res
    seen = {k.lower(): v for k, v in res["p"]["body"]["headers"].items()}
    assert seen.get("batch-depth") == "1", seen


# --------------------------------------------------------------------------
# Item 6: the target's limits apply to the operation

@pytest.mark.parametrize("path", ENDPOINTS)
def test_body_over_the_targets_limit_request_body(server, guards, path):
    tok = token()
    big = "x" * (BODY_LIMIT * 5)
    d = direct(server, "POST", "/small-body/echo.cgi", data=big)
    assert d.status_code == 413
    res = ok_batch(server, [
        {"id": "big", "method": "POST", "url": "/small-body/echo.cgi",
         "body": big},
        {"id": "rec", "method": "POST",
         "url": "/small-body/record.cgi?t=" + tok, "body": big},
        {"id": "fits", "method": "POST", "url": "/small-body/echo.cgi",
         "body": "y" * BODY_LIMIT},
    ], path=path)
    assert res["big"]["status"] == d.status_code, res
    assert res["rec"]["status"] == 413, res
    assert server.recorded(tok) == []
    assert res["fits"]["status"] == 200, res
    assert res["fits"]["body"]["body_length"] == BODY_LIMIT


def numbered(prefix, n):
    return {"X-%s-%d" % (prefix, i): "v" for i in range(n)}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_inherited_and_own_headers_count_together(server, guards, path):
    """30 inherited and 30 own headers under LimitRequestFields 50: the
    direct request with all of them gets 400, and so does the operation."""
    tok = token()
    inherited = numbered("Inh", 30)
    own = numbered("Own", 30)
    d = direct(server, "GET", "/cgi/echo.cgi", dict(inherited, **own))
    assert d.status_code == 400
    few = direct(server, "GET", "/cgi/echo.cgi",
                 dict(inherited, **numbered("Own", 5)))
    assert few.status_code == 200
    res = ok_batch(server, [
        {"id": "many", "url": "/cgi/echo.cgi", "headers": own},
        {"id": "rec", "url": "/cgi/record.cgi?t=" + tok, "headers": own},
        {"id": "few", "url": "/cgi/echo.cgi",
         "headers": numbered("Own", 5)},
    ], path=path, headers=inherited)
    assert res["many"]["status"] == d.status_code, res
    assert res["rec"]["status"] == 400, res
    assert server.recorded(tok) == []
    assert res["few"]["status"] == few.status_code, res


def padded_target(tok, line_length):
    """A record.cgi target whose GET request line has line_length bytes."""
    base = "/cgi/record.cgi?t=%s&pad=" % tok
    pad = line_length - len("GET  HTTP/1.1") - len(base)
    return base + "p" * pad


@pytest.mark.parametrize("path", ENDPOINTS)
def test_request_line_over_limit_request_line(server, guards, path):
    """httpd takes a request line of up to LimitRequestLine + 1 bytes; the
    operation's (METHOD target HTTP/1.1) is measured the same way."""
    over, fits = token(), token()
    over_target = padded_target(over, LINE_LIMIT + 2)
    fits_target = padded_target(fits, LINE_LIMIT + 1)
    assert raw_request(server, "GET", over_target)[0] == 414
    assert raw_request(server, "GET", fits_target)[0] == 200
    assert len(server.recorded(fits)) == 1
    res = ok_batch(server, [
        {"id": "over", "url": over_target},
        {"id": "fits", "url": fits_target},
    ], path=path)
    assert res["over"]["status"] == 414, res
    assert server.recorded(over) == []
    assert res["fits"]["status"] == 200, res
    assert len(server.recorded(fits)) == 2


@pytest.mark.parametrize("path", ENDPOINTS)
def test_inherited_field_at_limit_request_field_size_runs(server, guards,
                                                          path):
    """A header line as long as httpd takes (LimitRequestFieldSize + 1
    bytes, default 8190) is no reason to refuse an operation inheriting
    it; one byte more and the batch request itself is refused."""
    value = "v" * (8190 + 1 - len("X-Big: "))
    assert direct(server, "GET", "/cgi/echo.cgi",
                  {"X-Big": value}).status_code == 200
    assert direct(server, "GET", "/cgi/echo.cgi",
                  {"X-Big": value + "v"}).status_code == 400
    res = ok_batch(server, [{"id": "e", "url": "/cgi/echo.cgi"}],
                   path=path, headers={"X-Big": value})
    assert res["e"]["status"] == 200, res
    assert res["e"]["body"]["headers"]["HTTP_X_BIG"] == value


# --------------------------------------------------------------------------
# Item 7: an operation's environment is a direct request's

@pytest.mark.parametrize("path", SITE_ENDPOINTS)
def test_batch_under_an_open_area_does_not_open_the_private_one(server,
                                                                guards,
                                                                path):
    """SetEnvIf Request_URI ^/site/public/ no_auth=1 with Require env
    no_auth: the batch posted there gets no_auth, its operations to
    /site/private/ must not."""
    url = "/site/private/guarded.cgi"
    assert direct(server, "GET", url).status_code == 401
    assert direct(server, "GET", url,
                  {"Authorization": GOOD_AUTH}).status_code == 200
    assert direct(server, "GET", "/site/public/guarded.cgi").status_code \
        == 200
    res = ok_batch(server, [
        {"id": "private", "url": url},
        {"id": "alice", "url": url, "headers": {"Authorization": GOOD_AUTH}},
        {"id": "public", "url": "/site/public/guarded.cgi"},
    ], path=path)
    assert res["private"]["status"] == 401, res
    assert "guarded content" not in str(res["private"].get("body")), res
    assert res["alice"]["status"] == 200, res
    assert res["public"]["status"] == 200, res


@pytest.mark.parametrize("path", ENDPOINTS)
def test_batch_environment_does_not_reach_operations(server, guards, path):
    """What SetEnvIf and BrowserMatch set for the batch request stays
    there; evaluated with the operation's own headers and URL instead."""
    res = ok_batch(server, [
        {"id": "plain", "url": "/cgi/env.cgi",
         "headers": {"User-Agent": "Other"}},
        {"id": "bot", "url": "/cgi/env.cgi",
         "headers": {"User-Agent": "GuardBot/2"}},
    ], path=path, headers={"User-Agent": "GuardBot/1"})
    plain, bot = res["plain"]["body"], res["bot"]["body"]
    direct_env = direct(server, "GET", "/cgi/env.cgi",
                        {"User-Agent": "Other"}).json()
    for name in ("batch_only", "guard_bot"):
        assert name not in plain, plain
        assert name not in direct_env
    assert bot.get("guard_bot") == "1", bot
    assert "batch_only" not in bot
    # the server's own SetEnv still applies (mod_env, a fixup)
    assert plain.get("RECORD_FILE") == direct_env.get("RECORD_FILE")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_per_directory_setenvif_runs_for_operations(server, guards, path):
    """<Location /envdir/> SetEnvIf X-Token ... with Require env: httpd
    runs per-directory SetEnvIf in header_parser, never for a subrequest."""
    url = "/envdir/env.cgi"
    token_ok = {"X-Token": "letmein"}
    assert direct(server, "GET", url, token_ok).status_code == 200
    assert direct(server, "GET", url).status_code == 403
    res = ok_batch(server, [
        {"id": "ok", "url": url, "headers": token_ok},
        {"id": "none", "url": url},
    ], path=path)
    assert res["ok"]["status"] == 200, res
    assert res["ok"]["body"].get("dir_token_ok") == "1", res
    assert res["ok"]["body"].get("from_setenv") == "yes", res
    assert res["none"]["status"] == 403, res


# --------------------------------------------------------------------------
# Item 8: mod_rewrite [R] gates and their documented [F] twins

GATES = [("/app/guarded.cgi", 302), ("/account/guarded.cgi", 301)]


@pytest.mark.parametrize("path", ENDPOINTS)
@subrequest_only(
    "mod_rewrite's [R] holds for an op as directly (302, "
    "test_engine.py); the recipe's 403 twin is not reached")
def test_redirect_gates_hold_for_operations_with_the_recipe(server, guards,
                                                            path):
    cookie = {"Cookie": "session=abc"}
    ops = []
    for i, (url, status) in enumerate(GATES):
        assert direct(server, "GET", url).status_code == status
        ops.append({"id": "bare%d" % i, "url": url})
    assert direct(server, "GET", GATES[0][0], cookie).status_code == 200
    ops.append({"id": "cookie", "url": GATES[0][0], "headers": cookie})
    res = ok_batch(server, ops, path=path)
    for i in range(len(GATES)):
        assert res["bare%d" % i]["status"] == 403, res
        assert "guarded content" not in str(res["bare%d" % i]["body"]), res
    assert res["cookie"]["status"] == 200, res


@pytest.mark.parametrize("path", ENDPOINTS)
@subrequest_only(
    "mod_rewrite's [R] is not skipped for an op (test_engine.py)")
def test_redirect_gate_without_its_twin_is_bypassed(server, guards, path):
    """Why the recipe is needed: mod_rewrite skips [R] in subrequests."""
    url = "/open-gate/guarded.cgi"
    assert direct(server, "GET", url).status_code == 302
    res = ok_batch(server, [{"id": "g", "url": url}], path=path)
    assert res["g"]["status"] == 200, res


# --------------------------------------------------------------------------
# Item 15: inherited credentials reach proxied backends

@pytest.mark.parametrize("path,inherited", [("/batch", True),
                                            ("/noinherit-batch", False)])
def test_inherited_credentials_reach_proxied_backends(server, backend, path,
                                                      inherited):
    auth = basic("bob", "builder")
    res = ok_batch(server, [{"id": "p", "url": "/proxy/who"}], path=path,
                   headers={"Authorization": auth, "Cookie": "sid=1"})
    seen = {k.lower(): v for k, v in res["p"]["body"]["headers"].items()}
    assert (seen.get("authorization") == auth) is inherited, seen
    assert (seen.get("cookie") == "sid=1") is inherited, seen
