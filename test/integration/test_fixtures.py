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

"""The fixtures themselves, with direct requests (no batch involved).

These pass without mod_batch (BATCH_MODULE=none), and tell a harness
problem apart from a module problem: the batch tests compare against what
these direct requests get.
"""

import json
import socket

import requests

from support import GOOD_AUTH, BAD_AUTH, TIMEOUT, raw_request, token


def get(server, path, **kw):
    kw.setdefault("allow_redirects", False)
    return requests.get(server.url(path), timeout=TIMEOUT, **kw)


def test_static_json(httpd):
    r = get(httpd, "/static/hello.json")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"hello": "world"}


def test_static_text_and_binary(httpd):
    r = get(httpd, "/static/a.txt")
    assert r.status_code == 200 and r.text == "hello from a.txt\n"
    r = get(httpd, "/static/blob.bin")
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert b"\xff" in r.content and b"\x00" in r.content
    r = get(httpd, "/static/big.txt")
    assert len(r.content) == 1024 * 1024


def test_directory_redirect_and_index(httpd):
    r = get(httpd, "/static/dir")
    assert r.status_code == 301
    assert r.headers["Location"] == httpd.url("/static/dir/")
    r = get(httpd, "/static/dir/")
    assert r.status_code == 200 and "dir index" in r.text


def test_alias_redirect(httpd):
    r = get(httpd, "/old-hello")
    assert r.status_code == 302
    assert r.headers["Location"] == httpd.url("/static/hello.json")


def test_echo_cgi(httpd):
    r = requests.post(httpd.url("/cgi/echo.cgi?a=1&b=2"), data=b"payload",
                      headers={"Content-Type": "text/plain",
                               "X-Custom": "direct"}, timeout=TIMEOUT)
    assert r.status_code == 200
    e = r.json()
    assert e["method"] == "POST"
    assert e["query"] == "a=1&b=2"
    assert e["request_uri"] == "/cgi/echo.cgi?a=1&b=2"
    assert e["content_type"] == "text/plain"
    assert e["content_length"] == "7"
    assert e["body"] == "payload"
    assert e["headers"]["HTTP_X_CUSTOM"] == "direct"


def test_status_cgi(httpd):
    r = get(httpd, "/cgi/status.cgi?code=418")
    assert r.status_code == 418 and r.json()["code"] == 418
    r = get(httpd, "/cgi/status.cgi?code=201&location=/things/7")
    assert r.status_code == 201 and r.headers["Location"].endswith("/things/7")
    r = get(httpd, "/cgi/status.cgi?code=204")
    assert r.status_code == 204 and r.content == b""
    r = get(httpd, "/cgi/broken.cgi")
    assert r.status_code == 500


def test_redirect_cgi_is_internal(httpd):
    r = get(httpd, "/cgi/redirect.cgi")
    assert r.status_code == 200 and r.json() == {"hello": "world"}


def test_big_cgi(httpd):
    r = get(httpd, "/cgi/big.cgi?n=100000")
    assert r.status_code == 200 and r.content == b"x" * 100000


def test_record_cgi(httpd):
    tok = token()
    assert httpd.recorded(tok) == []
    r = get(httpd, "/cgi/record.cgi?t=" + tok)
    assert r.status_code == 200
    assert len(httpd.recorded(tok)) == 1
    assert httpd.recorded(tok)[0].startswith("GET /cgi/record.cgi?t=" + tok)


def test_basic_auth(httpd):
    assert get(httpd, "/private/data.json").status_code == 401
    assert "WWW-Authenticate" in get(httpd, "/private/data.json").headers
    r = get(httpd, "/private/data.json", headers={"Authorization": BAD_AUTH})
    assert r.status_code == 401
    r = get(httpd, "/private/data.json", headers={"Authorization": GOOD_AUTH})
    assert r.status_code == 200 and r.json() == {"secret": "private data"}
    r = get(httpd, "/private/echo.cgi", headers={"Authorization": GOOD_AUTH})
    assert r.status_code == 200
    assert r.json()["remote_user"] == "alice"


def test_require_ip(httpd):
    assert get(httpd, "/denied/secret.json").status_code == 403


def test_error_document(httpd):
    r = get(httpd, "/docs/missing.json")
    assert r.status_code == 404
    assert r.json() == {"error": "custom not found page"}
    r = get(httpd, "/static/missing.json")
    assert r.status_code == 404 and "Not Found" in r.text


def test_rewrite_headers_substitute(httpd):
    r = get(httpd, "/rw/hello.json")
    assert r.status_code == 200 and r.json() == {"hello": "world"}
    r = get(httpd, "/hdr/hello.json")
    assert r.headers.get("X-Added") == "yes"
    r = get(httpd, "/subst/a.txt")
    assert r.text == "HELLO from a.txt\n"


def test_path_traversal_direct(httpd):
    for target in ("/../etc/passwd", "/static/../../etc/passwd",
                   "/%2e%2e/%2e%2e/etc/passwd"):
        status, _, body = raw_request(httpd, "GET", target)
        assert status in (400, 403, 404), target
        assert b"root:" not in body
    status, _, body = raw_request(httpd, "GET", "/static/dir/../hello.json")
    assert status == 200 and json.loads(body) == {"hello": "world"}


def test_proxy_backend(httpd, backend):
    r = requests.post(httpd.url("/proxy/things?x=1"), data=b'{"a": 1}',
                      headers={"Content-Type": "application/json"},
                      timeout=TIMEOUT)
    assert r.status_code == 200 and r.headers["X-Backend"] == "yes"
    e = r.json()
    assert e["method"] == "POST" and e["path"] == "/things"
    assert e["query"] == "x=1" and e["body"] == '{"a": 1}'
    assert e["content_length"] == "8"
    r = get(httpd, "/proxy/gone?status=404")
    assert r.status_code == 404 and r.json()["path"] == "/gone"


def test_php(php_httpd):
    r = requests.post(php_httpd.url("/php/api.php?x=1"), json={"a": [1, 2]},
                      timeout=TIMEOUT)
    assert r.status_code == 201
    assert r.headers["X-Php"] == "yes"
    assert r.json()["input"] == {"a": [1, 2]}
    assert r.json()["method"] == "POST"
    assert r.json()["get"] == {"x": "1"}


def test_badheader_cgi_is_refused_by_httpd(httpd):
    # httpd will not send a control character in a header (http_filters.c);
    # it answers 500 and closes, so read the status line off a raw socket
    with socket.create_connection(("127.0.0.1", httpd.port),
                                  timeout=TIMEOUT) as s:
        s.sendall(b"GET /cgi/badheader.cgi HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n")
        status_line = s.makefile("rb").readline()
    assert status_line.startswith(b"HTTP/1.1 500 "), status_line
