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

"""To the application, an operation is the direct request
(docs/operation.md, How an operation runs).

Differential tests: the same request sent directly and as an operation, in
the JSON and the multipart format, sequentially and in parallel, answers
the same status, every header but the hop-by-hop and framing ones, and the
same body. The applications are real runtimes: CGI, a Flask app under
mod_wsgi daemon mode, a mod_perl handler and PHP under php-fpm."""

import json
import re

import pytest

from support import post_batch, raw_response, subrequest_only
from test_multipart import http_request, multipart, part, post, strict_parse

# what differs between two answers however faithful the operation is
FRAMING = {"date", "server", "connection", "keep-alive", "transfer-encoding",
           "content-length"}
PATHS = ["/sequential-batch", "/parallel-batch"]
FORMATS = ["json", "multipart"]


class Answer:
    """Status, headers as (name, value) pairs, body bytes."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = [(k, v) for k, v in headers
                        if k.lower() not in FRAMING]
        self.body = body

    def header(self, name):
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(values) if values else None

    def merged(self):
        """The headers as the JSON format gives them: one member per name,
        repeated ones joined with ", "."""
        out = {}
        for k, v in self.headers:
            key = k.lower()
            out[key] = out[key] + ", " + v if key in out else v
        return out

    def __repr__(self):
        return "<%d %r %r>" % (self.status, self.headers, self.body[:300])


def direct(server, method, target, headers=(), body=None):
    return Answer(*raw_response(server, method, target, dict(headers), body))


def as_json_op(server, path, method, target, headers=(), body=None):
    """The answer of the operation in the JSON format: (status, headers
    dict with lower-case names, body value)."""
    # the url as JSON text: the bytes of the request line, read as UTF-8
    op = {"id": "op", "method": method,
          "url": target.encode("latin-1").decode("utf-8")}
    if headers:
        op["headers"] = dict(headers)
    if body is not None:
        op["body"] = body.decode("utf-8")
    res = post_batch(server, [op], path=path)
    assert res.status == 200, res
    entry = res["op"]
    hdrs = {k.lower(): v for k, v in (entry.get("headers") or {}).items()
            if k.lower() not in FRAMING}
    return entry["status"], hdrs, entry.get("body")


def as_multipart_op(server, path, method, target, headers=(), body=None):
    resp = post(server, multipart([part(http_request(
        method, target, list(headers), body))]), path=path)
    assert resp.status_code == 200, resp.text[:2000]
    boundary = re.match(r"^multipart/mixed; boundary=(\S+)$",
                        resp.headers["Content-Type"]).group(1)
    (p,) = strict_parse(resp.content, boundary)
    return Answer(p.status, p.headers, p.body)


def json_body_of(answer):
    """What the JSON format makes of a direct answer's body."""
    if not answer.body:
        return None
    ctype = (answer.header("Content-Type") or "").split(";")[0].strip()
    if ctype == "application/json" or ctype.endswith("+json"):
        try:
            return json.loads(answer.body)
        except ValueError:
            pass
    return answer.body.decode("utf-8")


def assert_same(server, fmt, path, method, target, headers=(), body=None):
    """Sends the request directly and as an operation; returns the direct
    answer once both agree."""
    want = direct(server, method, target, headers, body)
    if fmt == "json":
        got = as_json_op(server, path, method, target, headers, body)
        assert got == (want.status, want.merged(), json_body_of(want)), \
            "%s %s\ndirect:    %r\noperation: %r" % (method, target, want,
                                                     got)
    else:
        got = as_multipart_op(server, path, method, target, headers, body)
        assert (got.status, sorted(got.headers), got.body) == \
            (want.status, sorted(want.headers), want.body), \
            "%s %s\ndirect:    %r\noperation: %r" % (method, target, want,
                                                     got)
    return want


# --------------------------------------------------------------------------
# Runtimes, each loaded only for the tests that use it

@pytest.fixture(scope="module")
def runtimes(httpd, php_fpm):
    """The main server with mod_wsgi, mod_perl and php-fpm behind it."""
    if httpd.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    httpd.restart(server_extra=httpd.wsgi_lines() + httpd.perl_lines()
                  + php_fpm.httpd_lines())
    try:
        yield httpd
    finally:
        httpd.restart(server_extra=[], batch_extra=[])


CGI_TARGETS = [
    "/cgi/cgivars.cgi",
    "/cgi/cgivars.cgi?a=1&b=%20x",
    "/cgi/cgivars.cgi/extra/path?q=1",
    "/cgi/cgivars.cgi/caf%C3%A9/a%20b/%25",
    # raw UTF-8 and what else a request line carries unencoded: the bytes
    # as Latin-1 characters (raw_response sends each as its byte)
    "/cgi/cgivars.cgi/caf\u00c3\u00a9?q=caf\u00c3\u00a9&v={x}|\"y\"",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("target", CGI_TARGETS)
def test_cgi_sees_the_direct_requests_variables(server, fmt, path, target):
    want = assert_same(server, fmt, path, "GET", target)
    seen = json.loads(want.body)
    assert seen["SERVER_PROTOCOL"] == "HTTP/1.1", seen
    assert seen["SCRIPT_NAME"] == "/cgi/cgivars.cgi", seen


@pytest.mark.parametrize("path", PATHS)
def test_cgi_post_with_path_info(server, path):
    for fmt in FORMATS:
        assert_same(server, fmt, path, "POST", "/cgi/cgivars.cgi/x/y",
                    [("Content-Type", "text/plain")], b"hello")


# (method, target, headers, body) for each runtime
RUNTIME_REQUESTS = [
    # Flask under mod_wsgi daemon mode: url_for and Location come from
    # SCRIPT_NAME and PATH_INFO
    ("GET", "/flask/env", (), None),
    ("GET", "/flask/env/a/b?x=1", (), None),
    ("GET", "/flask/env/caf%C3%A9?q=%C3%A9", (), None),
    ("GET", "/flask/items/6", (), None),
    ("POST", "/flask/items", [("Content-Type", "application/json")],
     b'{"id": 6}'),
    ("DELETE", "/flask/empty", (), None),
    # mod_perl: %ENV, $r->uri and $r->path_info; httpd's 405 for a POST
    ("GET", "/perl", (), None),
    ("GET", "/perl/items/6?x=%C3%A9", (), None),
    ("GET", "/perl/caf%C3%A9/a%20b", (), None),
    ("POST", "/perl/items", [("Content-Type", "text/plain")], b"x"),
    ("GET", "/perl/c?cookies=1", (), None),
    # PHP under php-fpm through mod_proxy_fcgi
    ("GET", "/fpm/vars.php", (), None),
    ("GET", "/fpm/vars.php/extra/caf%C3%A9?q=1", (), None),
    ("POST", "/fpm/vars.php/p", [("Content-Type", "text/plain")], b"x"),
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("request_", RUNTIME_REQUESTS,
                         ids=["%s %s" % r[:2] for r in RUNTIME_REQUESTS])
def test_runtime_answers_as_directly(runtimes, fmt, path, request_):
    assert_same(runtimes, fmt, path, *request_)


PHP_REQUESTS = [r for r in RUNTIME_REQUESTS if r[1].startswith("/fpm/")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("request_", PHP_REQUESTS,
                         ids=["%s %s" % r[:2] for r in PHP_REQUESTS])
def test_mod_php_answers_as_directly(php_server, fmt, request_):
    """mod_php under prefork (operations one at a time): fpm/vars.php is
    also at /php/vars.php there."""
    method, target, headers, body = request_
    assert_same(php_server, fmt, "/batch", method,
                target.replace("/fpm/", "/php/"), headers, body)


def test_flask_location_under_its_mount_point(runtimes):
    want = assert_same(runtimes, "json", PATHS[0], "POST", "/flask/items",
                       [("Content-Type", "application/json")], b'{"id": 7}')
    assert want.status == 201
    assert want.header("Location") == "/flask/items/7", want


def test_allow_of_an_httpd_405(runtimes):
    """httpd's 405 lists the target's methods in Allow, not the batch
    endpoint's POST and OPTIONS."""
    want = assert_same(runtimes, "json", PATHS[0], "POST", "/perl/items",
                       [("Content-Type", "text/plain")], b"x")
    assert want.status == 405
    assert "POST" not in want.header("Allow"), want


@pytest.mark.parametrize("path", PATHS)
def test_set_cookie_values_kept_apart(runtimes, path):
    """The JSON format's headers join the cookies with ", " as one string
    (what the Graph SDKs read); setCookies keeps each one."""
    want = direct(runtimes, "GET", "/perl/c?cookies=1")
    cookies = [v for k, v in want.headers if k.lower() == "set-cookie"]
    assert cookies == ["a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT",
                       "b=2; Path=/"], want
    res = post_batch(runtimes, [{"id": "c", "url": "/perl/c?cookies=1"}],
                     path=path)
    entry = res["c"]
    assert entry["setCookies"] == cookies, entry
    assert entry["headers"]["Set-Cookie"] == ", ".join(cookies), entry


@subrequest_only(
    "an op has no parent request (r->main) to see")
def test_parallel_and_sequential_ops_see_the_same_parent(runtimes):
    seen = {}
    for path in PATHS:
        res = post_batch(runtimes, [{"id": "p", "url": "/perl?main=1"}],
                         path=path)
        assert res.status == 200, res
        seen[path] = res["p"]["body"]
        assert seen[path].pop("main_uri") == path, seen
    assert seen["/sequential-batch"]["main_handler"] == "batch", seen
    assert seen["/sequential-batch"] == seen["/parallel-batch"], seen


@subrequest_only(
    "an op is an initial request (test_engine.py pins "
    "is_initial_req true)")
def test_mod_perl_initial_request_idiom(runtimes):
    """$r->is_initial_req is false in an operation (it is a subrequest);
    docs/operation.md's idiom tells both a direct request and an operation
    apart from the subrequests they make."""
    alone = json.loads(direct(runtimes, "GET", "/perl?main=1").body)
    assert (alone["is_initial_req"], alone["initial_or_operation"]) == (1, 1)
    for path in PATHS:
        res = post_batch(runtimes, [{"id": "p", "url": "/perl?main=1"}],
                         path=path)
        seen = res["p"]["body"]
        assert (seen["is_initial_req"], seen["initial_or_operation"]) == \
            (0, 1), (path, seen)


# --------------------------------------------------------------------------
# What httpd's own filters and defaults do to a direct answer

@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("fmt", FORMATS)
@subrequest_only(
    "an NPH script answers an op as it answers a direct request, "
    "on the op's own connection")
def test_nph_script_stays_refused(server, fmt, path):
    """An NPH script writes its own status line to the connection; as an
    operation it is refused (403), as a subrequest always was, and nothing
    of it reaches the batch's client."""
    if fmt == "json":
        res = post_batch(server, [{"id": "n", "url": "/cgi/nph-hello.cgi"}],
                         path=path)
        assert res.status == 200, res
        assert res["n"]["status"] == 403, res
        assert "nph\n" not in res.resp.text
    else:
        got = as_multipart_op(server, path, "GET", "/cgi/nph-hello.cgi")
        assert got.status == 403, got
    assert direct(server, "GET", "/cgi/nph-hello.cgi").body == b"nph\n"


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_content_loses_its_content_headers_and_body(server, fmt, path):
    want = assert_same(server, fmt, path, "GET", "/cgi/nocontent.cgi")
    assert want.status == 204 and want.body == b"", want
    assert want.header("Content-Type") is None, want


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_not_modified_static_file(server, fmt, path):
    etag = direct(server, "GET", "/static/hello.json").header("ETag")
    want = assert_same(server, fmt, path, "GET", "/static/hello.json",
                       [("If-None-Match", etag)])
    assert want.status == 304, want


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_vary_joined_once(server, fmt, path):
    want = assert_same(server, fmt, path, "GET", "/cgi/vary.cgi")
    assert want.header("Vary") == "Accept,Cookie,X-Mode", want



@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_options_on_a_static_file_keeps_mod_headers(server, fmt, path):
    """Header set (mod_headers) adds to the direct answer of OPTIONS."""
    want = assert_same(server, fmt, path, "OPTIONS", "/hdr/hello.json")
    assert want.header("X-Added") == "yes", want


RANGES = [
    [("Range", "bytes=0-4")],
    [("Range", "bytes=-4")],
    [("Range", "bytes=0-4"), ("If-Range", '"not-the-etag"')],
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("headers", RANGES, ids=["first", "last", "if-range"])
def test_own_range_honoured(server, fmt, path, headers):
    want = assert_same(server, fmt, path, "GET", "/static/a.txt", headers)
    assert want.status == (200 if len(headers) == 2 else 206), want


def _unbounded(answer):
    """A multipart/byteranges answer with its boundary (made from the
    request's time and connection) replaced by a fixed one."""
    ctype = answer.header("Content-Type")
    boundary = ctype.split("boundary=", 1)[1]
    return (answer.status, ctype.replace(boundary, "B"),
            answer.body.replace(boundary.encode(), b"B"))


@pytest.mark.parametrize("path", PATHS)
def test_own_range_multipart_byteranges(server, path):
    headers = [("Range", "bytes=0-1,6-9")]
    want = _unbounded(direct(server, "GET", "/static/a.txt", headers))
    got = _unbounded(as_multipart_op(server, path, "GET", "/static/a.txt",
                                     headers))
    assert want[0] == 206 and want[1].startswith("multipart/byteranges")
    assert got == want
