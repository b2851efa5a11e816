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

"""BatchCookieJar (docs/cookies.md): an operation gets the cookies the
operations it depends on set. A PHP app with sessions (fixtures/fpm/
wiki.php) under mod_php and under php-fpm: log in with a login token bound
to the session, take a CSRF token, edit, in one batch; the storage rules
(replacement, deletion, Path, Secure) and the limits."""

import json
import re
import urllib.parse

import pytest

from support import post_batch, ok_batch, record_op, token
from test_multipart import batch as multipart_batch
from test_multipart import changeset, op as mp_op

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PAST = "Thu, 01 Jan 1970 00:00:00 GMT"


# (server fixture, the app's URL, batch endpoints with the jar)
APPS = {
    "mod_php": ("php_server", "/php/wiki.php", ["/jar-batch"]),
    "php-fpm": ("fpm_server", "/fpm/wiki.php",
                ["/jar-batch", "/jar-parallel-batch"]),
}
FLOWS = [(app, path) for app, (_, _, paths) in APPS.items()
         for path in paths]


def app(request, name):
    fixture, url, _ = APPS[name]
    return request.getfixturevalue(fixture), url


def edits(server):
    log = server.record_file.parent / "wiki-edits.log"
    return log.read_text() if log.exists() else ""


def session_cookies(entry):
    return [c for c in entry.get("setCookies", [])
            if c.startswith("wikisession=")]


def login_then_edit(url, text):
    """MediaWiki's bot flow: login token, login by result reference, CSRF
    token, edit by result reference."""
    return [
        {"id": "lt", "url": url + "?action=token"},
        {"id": "login", "method": "POST", "url": url + "?action=login",
         "headers": FORM,
         "body": "user=alice&token={result=lt:$.logintoken}"},
        {"id": "csrf", "url": url + "?action=csrf", "dependsOn": ["login"]},
        {"id": "edit", "method": "POST", "url": url + "?action=edit",
         "headers": FORM,
         "body": "title=Sandbox&text=" + text
                 + "&token={result=csrf:$.csrftoken}"},
    ]


@pytest.mark.parametrize("name,path", FLOWS)
def test_login_then_edit_in_one_batch(request, name, path):
    server, url = app(request, name)
    text = token()
    res = ok_batch(server, login_then_edit(url, text), path=path)
    assert res["login"]["status"] == 200, res
    assert res["login"]["body"] == {"result": "Success", "user": "alice"}
    assert res["csrf"]["body"]["user"] == "alice", res
    assert res["edit"]["status"] == 200, res
    assert res["edit"]["body"] == {"result": "Success", "user": "alice"}
    assert "alice\tSandbox\t%s\n" % text in edits(server)
    # every Set-Cookie still reaches the client: the first session, and
    # the new one session_regenerate_id gave at login
    first, = session_cookies(res["lt"])
    second, = session_cookies(res["login"])
    assert first.split(";")[0] != second.split(";")[0]


@pytest.mark.parametrize("name", APPS)
def test_without_the_jar_the_login_fails_and_nothing_is_edited(request,
                                                               name):
    server, url = app(request, name)
    text = token()
    res = post_batch(server, login_then_edit(url, text), path="/batch")
    assert res.status == 200, res
    assert res["login"]["status"] == 403, res
    assert res["login"]["body"]["reason"] == "no session"
    assert res["edit"]["status"] == 424, res
    assert text not in edits(server)


@pytest.mark.parametrize("name", APPS)
def test_login_then_edit_multipart(request, name):
    """multipart has no result references: a change set orders a password
    login after the form that starts its session; the session then reaches
    the operations after it, and only those."""
    server, url = app(request, name)
    res = multipart_batch(server, [
        changeset([
            mp_op("GET", url + "?action=form", content_id="form"),
            mp_op("POST", url + "?action=login", headers=FORM.items(),
                  body="user=bob&password=secret", content_id="login"),
            mp_op("GET", url + "?action=whoami", content_id="who"),
        ]),
        mp_op("GET", url + "?action=whoami", content_id="outside"),
    ], path="/jar-batch")
    assert res["login"].status == 200, res
    assert res["login"].json() == {"result": "Success", "user": "bob"}
    assert res["who"].json()["user"] == "bob", res
    assert res["outside"].json() == {"user": None, "session": None}, res
    assert any(c.startswith("wikisession=")
               for c in res["form"].headers_named("Set-Cookie")), res
    assert any(c.startswith("wikisession=")
               for c in res["login"].headers_named("Set-Cookie")), res


@pytest.mark.parametrize("path", ["/jar-batch", "/jar-parallel-batch"])
def test_only_operations_that_depend_on_the_login_get_its_session(
        fpm_server, path):
    url = "/fpm/wiki.php"
    ops = login_then_edit(url, token())[:2]
    ops += [{"id": "after%d" % i, "url": url + "?action=whoami",
             "dependsOn": ["login"]} for i in range(3)]
    ops += [{"id": "alone%d" % i, "url": url + "?action=whoami"}
            for i in range(6)]
    res = ok_batch(fpm_server, ops, path=path)
    assert res["login"]["status"] == 200, res
    for i in range(3):
        assert res["after%d" % i]["body"]["user"] == "alice", res
    for i in range(6):
        assert res["alone%d" % i]["body"] == {"user": None,
                                              "session": None}, res


def set_op(op_id, url, cookies, **extra):
    query = urllib.parse.urlencode([("action", "set")]
                                   + [("h[]", c) for c in cookies])
    return dict({"id": op_id, "url": url + "?" + query}, **extra)


def cookies_op(op_id, url, deps, **extra):
    return dict({"id": op_id, "url": url + "?action=cookies",
                 "dependsOn": deps}, **extra)


def replace_and_delete(url):
    return [
        set_op("s1", url, ["a=1; Path=/", "b=2; Path=/"]),
        set_op("s2", url, ["a=; Path=/; Max-Age=0", "b=3; Path=/",
                           "d=; Path=/; Expires=" + PAST],
               dependsOn=["s1"]),
        cookies_op("after", url, ["s2"]),
        cookies_op("own", url, ["s2"],
                   headers={"Cookie": "b=mine; z=1"}),
        cookies_op("first", url, ["s1"]),
        cookies_op("alone", url, []),
    ]


@pytest.mark.parametrize("path", ["/jar-batch", "/jar-parallel-batch"])
def test_replaced_and_deleted_cookies(fpm_server, path):
    url = "/fpm/wiki.php"
    res = ok_batch(fpm_server, replace_and_delete(url), path=path,
                   headers={"Cookie": "d=batch; e=keep"})
    assert res["after"]["body"]["cookie"] == "e=keep; b=3", res
    assert res["own"]["body"]["cookie"] == "b=mine; z=1; e=keep", res
    assert res["first"]["body"]["cookie"] == "d=batch; e=keep; a=1; b=2"
    # an operation that depends on no cookie-setting one: as without a jar
    assert res["alone"]["body"]["cookie"] == "d=batch; e=keep", res
    assert res["s2"]["setCookies"] == [
        "a=; Path=/; Max-Age=0", "b=3; Path=/", "d=; Path=/; Expires=" + PAST]


def test_the_jar_starts_empty_without_inherited_headers(fpm_server):
    url = "/fpm/wiki.php"
    res = ok_batch(fpm_server, replace_and_delete(url),
                   path="/jar-noinherit-batch",
                   headers={"Cookie": "d=batch; e=keep"})
    assert res["after"]["body"]["cookie"] == "b=3", res
    assert res["own"]["body"]["cookie"] == "b=mine; z=1", res
    assert res["first"]["body"]["cookie"] == "a=1; b=2", res
    assert res["alone"]["body"]["cookie"] is None, res


def test_an_emptied_jar_hides_the_batchs_cookie(fpm_server):
    url = "/fpm/wiki.php"
    res = ok_batch(fpm_server, [
        set_op("logout", url, ["sid=; Path=/; Max-Age=0"]),
        cookies_op("after", url, ["logout"]),
    ], path="/jar-batch", headers={"Cookie": "sid=secret"})
    assert not res["after"]["body"]["cookie"], res


def test_cookies_go_where_their_path_matches(fpm_server):
    url = "/fpm/wiki.php"
    res = ok_batch(fpm_server, [
        set_op("set", url, ["p1=1; Path=/fpm/wiki.php", "p2=2; Path=/fpm/wik",
                            "p3=3; Path=/other", "p4=4", "p5=5; Path=/"]),
        cookies_op("get", url, ["set"]),
    ], path="/jar-batch")
    # longer paths first; p4's default path is the script's directory
    assert res["get"]["body"]["cookie"] == "p1=1; p4=4; p5=5", res


def test_secure_cookies_are_not_kept_over_plain_http(fpm_server):
    # over TLS: test_cookie_jar_tls.py
    url = "/fpm/wiki.php"
    before = fpm_server.log_size()
    res = ok_batch(fpm_server, [
        set_op("set", url, ["s=1; Secure; Path=/", "n=1; Path=/"]),
        cookies_op("get", url, ["set"]),
    ], path="/jar-batch")
    assert res["get"]["body"]["cookie"] == "n=1", res
    assert res["set"]["setCookies"] == ["s=1; Secure; Path=/", "n=1; Path=/"]
    assert re.search(r"BATCH2502: a Set-Cookie of operation set of batch "
                     r"\S+ is not stored in the batch's cookie jar: a "
                     r"Secure cookie over plain HTTP",
                     fpm_server.log_since(before))


def test_a_cookie_header_over_limit_request_field_size_is_not_run(
        fpm_server):
    """Three cookies of 4000 bytes: 12 KB, over the default 8190."""
    url = "/fpm/wiki.php"
    tok = token()
    ops = [set_op("big%d" % i, url, ["big%d=%s; Path=/" % (i, "x" * 4000)],
                  **({"dependsOn": ["big%d" % (i - 1)]} if i else {}))
           for i in range(3)]
    ops += [dict(record_op(tok, "rec"), dependsOn=["big2"]),
            cookies_op("two", url, ["big1"])]
    before = fpm_server.log_size()
    res = ok_batch(fpm_server, ops, path="/jar-batch")
    assert res["rec"]["status"] == 400, res
    assert res["rec"]["body"]["error"]["code"] == "invalid_header", res
    assert "LimitRequestFieldSize" in res["rec"]["body"]["error"]["message"]
    assert not fpm_server.recorded(tok)
    assert len(res["two"]["body"]["cookie"]) == 2 * 4005 + 2, res
    assert "BATCH2501: operation rec of batch " in \
        fpm_server.log_since(before)


@pytest.mark.parametrize("name", APPS)
def test_login_then_edit_in_the_facebook_dialect(request, name):
    """Another JSON dialect: the flow by result references and depends_on,
    every Set-Cookie in the answers' header lists."""
    server, url = app(request, name)
    rel = url.lstrip("/")
    text = token()
    res = post_batch(server, path="/jar-batch", doc={"batch": [
        {"method": "GET", "name": "lt", "relative_url": rel + "?action=token",
         "omit_response_on_success": False},
        {"method": "POST", "name": "login",
         "relative_url": rel + "?action=login",
         "body": "user=carol&token={result=lt:$.logintoken}",
         "omit_response_on_success": False},
        {"method": "GET", "name": "csrf", "relative_url": rel + "?action=csrf",
         "depends_on": "login"},
        {"method": "POST", "relative_url": rel + "?action=edit",
         "body": "title=Talk&text=" + text
                 + "&token={result=csrf:$.csrftoken}"},
    ]})
    assert res.status == 200, res
    lt, login, csrf, edit = res.resp.json()
    assert csrf is None, res
    assert edit["code"] == 200, res
    assert json.loads(edit["body"]) == {"result": "Success", "user": "carol"}
    assert "carol\tTalk\t%s\n" % text in edits(server)
    for entry in (lt, login):
        assert [h for h in entry["headers"] if h["name"] == "Set-Cookie"
                and h["value"].startswith("wikisession=")], entry


def test_a_reference_carries_the_session_in_the_keyed_dialect(fpm_server):
    """keyed has no dependsOn: a result reference makes the dependency;
    its answers carry setCookies."""
    url = "/fpm/wiki.php"
    res = post_batch(fpm_server, path="/jar-batch", doc={
        "lt": {"path": url + "?action=token"},
        "login": {"method": "POST", "path": url + "?action=login",
                  "headers": FORM,
                  "payload": "user=dave&token={result=lt:$.logintoken}"},
        "who": {"path": url + "?action=whoami&as={result=login:$.user}"},
        "alone": {"path": url + "?action=whoami"},
    })
    assert res.status == 200, res
    doc = res.resp.json()
    assert doc["who"]["payload"]["user"] == "dave", doc
    assert doc["alone"]["payload"] == {"user": None, "session": None}, doc
    for name in ("lt", "login"):
        assert [c for c in doc[name]["setCookies"]
                if c.startswith("wikisession=")], doc
