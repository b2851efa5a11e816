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

"""A bad batch runs nothing.

Every bad batch starts with a record.cgi operation: had validation not
covered the whole batch before running anything, it would leave a line in
the record file.
"""

import json

import pytest
import requests

from support import (TIMEOUT, assert_refused, error_code, numbers_in,
                     ok_batch, post_batch, raw_request, record_op, token)


def refused(server, ops, status, code, operation, path="/batch", **kw):
    tok = token()
    res = post_batch(server, [record_op(tok)] + ops, path=path, **kw)
    return assert_refused(res, status, code, operation, server, tok)


# -- document structure --------------------------------------------------------

def test_not_json_gives_offset(server):
    tok = token()
    good = json.dumps({"requests": [record_op(tok)]})
    text = good[:-2] + ", oops]}"
    offset = text.index("oops")
    res = post_batch(server, data=text.encode())
    err = assert_refused(res, 400, "invalid_json", None, server, tok)
    assert any(abs(n - offset) <= 2 for n in numbers_in(err["message"])), \
        (offset, err["message"])


@pytest.mark.parametrize("data", [b"", b"{", b"\xff\xfe{}", b"[1, 2",
                                  b'{"requests": [] trailing'])
def test_not_json_variants(server, data):
    res = post_batch(server, data=data)
    assert_refused(res, 400, "invalid_json", None)


# (a top-level array is left out: it is the "array" dialect)
@pytest.mark.parametrize("doc", ["requests", 42, None, True],
                         ids=["string", "number", "null", "true"])
def test_top_level_not_an_object(server, doc):
    res = post_batch(server, doc=doc)
    assert_refused(res, 400, "invalid_request", None)


@pytest.mark.parametrize("doc", [{}, {"requests": {}}, {"requests": "x"},
                                 {"requests": None}, {"reqs": []}],
                         ids=["empty", "object", "string", "null", "typo"])
def test_no_requests_array(server, doc):
    res = post_batch(server, doc=doc)
    assert_refused(res, 400, "invalid_request", None)


def test_op_not_an_object(server):
    refused(server, ["GET /static/a.txt"], 400, "invalid_request",
            "requests[1]")
    refused(server, [["GET", "/static/a.txt"]], 400, "invalid_request",
            "requests[1]")


# -- operation fields ----------------------------------------------------------

OK = {"url": "/static/a.txt"}


@pytest.mark.parametrize("op,where", [
    ({"id": "2"}, "2"),
    ({"id": "2", "url": None}, "2"),
    ({"id": "2", "url": 7}, "2"),
    ({"id": 2, "url": "/static/a.txt"}, "requests[1]"),
    ({"id": None, "url": "/static/a.txt"}, "requests[1]"),
    ({"url": "/static/a.txt"}, "requests[1]"),
    ({"id": "2", "url": "/static/a.txt", "headers": ["X: y"]}, "2"),
    ({"id": "2", "url": "/static/a.txt", "headers": "X: y"}, "2"),
    ({"id": "2", "url": "/static/a.txt", "headers": {"X-N": 5}}, "2"),
    ({"id": "2", "url": "/static/a.txt", "headers": {"X-N": None}}, "2"),
    ({"id": "2", "url": "/static/a.txt", "dependsOn": "rec"}, "2"),
    ({"id": "2", "url": "/static/a.txt", "dependsOn": [1]}, "2"),
    ({"id": "2", "url": "/static/a.txt", "method": 5}, "2"),
    ({"id": "2", "url": "/static/a.txt", "method": ["GET"]}, "2"),
], ids=["missing-url", "null-url", "number-url", "number-id", "null-id",
        "missing-id", "headers-array", "headers-string", "header-number",
        "header-null", "dependsOn-string", "dependsOn-numbers",
        "method-number", "method-array"])
def test_invalid_request_fields(server, op, where):
    refused(server, [op], 400, "invalid_request", where)


def test_duplicate_id(server):
    tok = token()
    res = post_batch(server, [record_op(tok, "a"),
                              {"id": "b", "url": "/static/a.txt"},
                              {"id": "a", "url": "/static/hello.json"}])
    assert_refused(res, 400, "invalid_request", {"a", "requests[2]"},
                   server, tok)


def test_empty_requests_array(server):
    res = post_batch(server, [])
    # nothing to run is either a valid empty batch or a refusal
    if res.status == 200:
        assert res.json == {"responses": []}
    else:
        assert_refused(res, 400, "invalid_request", None)


# -- URLs ----------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://127.0.0.1/static/a.txt",
    "https://example.com/x",
    "//evil.example/x",
    "/static/a.txt\r\nX-Injected: 1",
    "/static/\ra.txt",
    "/static/a.txt\n",
    "/static/a\u0000.txt",
    "/static/a.txt#frag",
    "/static/a.txt\t",
    "static/a.txt",
    "a.txt",
    "",
    "*",
], ids=["absolute", "https", "network-path", "crlf", "cr", "lf", "nul",
        "fragment", "tab", "relative", "bare-name", "empty", "star"])
def test_invalid_url(server, url):
    refused(server, [{"id": "bad", "url": url}], 400, "invalid_url", "bad")


def test_unencoded_space_is_percent_encoded(server):
    """Graph clients send "$filter=city eq null" unencoded; the module
    encodes such bytes as a browser would rather than refusing them."""
    res = ok_batch(server, [
        {"id": "q", "url": "/cgi/echo.cgi?$filter=city eq null"},
        {"id": "p", "url": "/static/a b.txt"},
    ])
    assert res["q"]["status"] == 200
    assert res["q"]["body"]["query"] == "$filter=city%20eq%20null"
    assert res["p"]["status"] == 404


# -- headers -------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {"Bad Name": "x"},
    {"X:Y": "x"},
    {"": "x"},
    {"X-Ok\r\nX-Evil": "x"},
    {"X-Value": "a\r\nX-Evil: 1"},
    {"X-Value": "a\nb"},
    {"X-Value": "a\rb"},
    {"X-Value": "a\u0000b"},
    {"X-Ünicode": "x"},
], ids=["space", "colon", "empty", "crlf-in-name", "crlf-in-value",
        "lf-in-value", "cr-in-value", "nul-in-value", "non-token-name"])
def test_invalid_header(server, headers):
    refused(server, [{"id": "h", "url": "/static/a.txt",
                      "headers": headers}], 400, "invalid_header", "h")


# -- methods -------------------------------------------------------------------

@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "GE T", "trace",
                                    "PROPFIND", "GET\r\n"])
def test_method_not_allowed(server, method):
    refused(server, [{"id": "m", "method": method, "url": "/static/a.txt"}],
            400, "method_not_allowed", "m")


def test_allow_methods_directive(server):
    # /readonly-batch: BatchAllowMethods GET HEAD PROPFIND
    refused(server, [{"id": "p", "method": "POST", "url": "/cgi/echo.cgi"}],
            400, "method_not_allowed", "p", path="/readonly-batch")
    res = ok_batch(server, [{"id": "pf", "method": "PROPFIND",
                             "url": "/cgi/echo.cgi"}], path="/readonly-batch")
    assert res["pf"]["body"]["method"] == "PROPFIND"


# -- other field types: the code is not pinned down, but nothing may run -------

@pytest.mark.parametrize("extra", [
    {"onError": "sometimes"},
    {"onError": 5},
], ids=["onError-word", "onError-number"])
def test_bad_on_error(server, extra):
    tok = token()
    doc = dict({"requests": [record_op(tok)]}, **extra)
    res = post_batch(server, doc=doc)
    assert res.status == 400, res
    assert_refused(res, 400, res.json["error"]["code"], None, server, tok)
    assert res.json["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("op", [
    {"bodyEncoding": "hex", "body": "6869"},
    {"bodyEncoding": 5, "body": "aGk="},
    {"bodyEncoding": "base64", "body": {"not": "a string"}},
], ids=["hex", "number", "base64-object"])
def test_bad_body_encoding(server, op):
    tok = token()
    res = post_batch(server, [record_op(tok),
                              dict({"id": "b", "method": "POST",
                                    "url": "/cgi/echo.cgi"}, **op)])
    assert res.status == 400, res
    assert res.json["error"]["code"] in ("invalid_request", "invalid_body")
    assert_refused(res, 400, res.json["error"]["code"], "b", server, tok)


# -- dependencies --------------------------------------------------------------

def test_depends_on_unknown_id(server):
    refused(server, [{"id": "d", "url": "/static/a.txt",
                      "dependsOn": ["nope"]}],
            400, "invalid_dependency", "d")


# a cycle spans several operations: the error may name one of them or none
CYCLE_WHERE = {None}


def test_dependency_cycle(server):
    refused(server, [
        {"id": "a", "url": "/static/a.txt", "dependsOn": ["c"]},
        {"id": "b", "url": "/static/a.txt", "dependsOn": ["a"]},
        {"id": "c", "url": "/static/a.txt", "dependsOn": ["b"]},
    ], 400, "invalid_dependency", CYCLE_WHERE | {"a", "b", "c"})


def test_self_dependency(server):
    refused(server, [{"id": "s", "url": "/static/a.txt",
                      "dependsOn": ["s"]}],
            400, "invalid_dependency", CYCLE_WHERE | {"s"})


def test_cycle_through_the_recorder(server):
    tok = token()
    rec = dict(record_op(tok), dependsOn=["x"])
    res = post_batch(server, [rec, {"id": "x", "url": "/static/a.txt",
                                    "dependsOn": ["rec"]}])
    assert_refused(res, 400, "invalid_dependency", CYCLE_WHERE | {"rec", "x"},
                   server, tok)


# -- bodies --------------------------------------------------------------------

@pytest.mark.parametrize("body", ["not base64!", "====", "a===",
                                  "aGVs\u00e9bG8="])
def test_invalid_base64_body(server, body):
    refused(server, [{"id": "b", "method": "POST", "url": "/cgi/echo.cgi",
                      "body": body, "bodyEncoding": "base64"}],
            400, "invalid_body", "b")


# -- content type --------------------------------------------------------------

@pytest.mark.parametrize("ctype", ["text/plain", "application/xml",
                                   "application/x-www-form-urlencoded-x"])
def test_unsupported_media_type(server, ctype):
    tok = token()
    res = post_batch(server, [record_op(tok)],
                     headers={"Content-Type": ctype})
    assert_refused(res, 415, "unsupported_media_type", None, server, tok)


def test_missing_content_type(server):
    tok = token()
    body = json.dumps({"requests": [record_op(tok)]}).encode()
    status, _, data = raw_request(server, "POST", "/batch", {}, body)
    # sniffing is left open: refused with 415, or run as JSON
    if status == 415:
        assert json.loads(data)["error"]["code"] == "unsupported_media_type"
        assert server.recorded(tok) == []
    else:
        assert status == 200, data
        assert json.loads(data)["responses"][0]["status"] == 200


# -- nested batches ------------------------------------------------------------

@pytest.mark.parametrize("url", ["/batch", "/batch/x", "/batch?x=1"])
def test_nested_batch_refused_up_front(server, url):
    inner_tok = token()
    inner = {"requests": [record_op(inner_tok)]}
    refused(server, [{"id": "n", "method": "POST", "url": url,
                      "body": inner}], 400, "nested_batch", "n")
    assert server.recorded(inner_tok) == []


def test_nested_batch_through_rewrite_is_508(server):
    outer_tok, inner_tok = token(), token()
    res = ok_batch(server, [
        record_op(outer_tok, "before"),
        {"id": "n", "method": "POST", "url": "/sneaky-batch",
         "body": {"requests": [record_op(inner_tok, "inner")]}},
        {"id": "after", "url": "/static/hello.json"},
    ])
    assert res["n"]["status"] == 508
    assert error_code(res["n"]) == "loop_detected"
    assert res["before"]["status"] == 200
    assert res["after"]["status"] == 200
    assert res["after"]["body"] == {"hello": "world"}
    assert len(server.recorded(outer_tok)) == 1
    assert server.recorded(inner_tok) == []


def test_other_batch_endpoint_is_not_run(server):
    inner_tok = token()
    tok = token()
    res = post_batch(server, [
        record_op(tok),
        {"id": "n", "method": "POST", "url": "/limited-batch",
         "body": {"requests": [record_op(inner_tok, "inner")]}},
    ])
    # refused up front (400 nested_batch) or answered inline with 508
    if res.status == 400:
        assert_refused(res, 400, "nested_batch", "n", server, tok)
    else:
        assert res.status == 200, res
        assert res["n"]["status"] == 508
        assert error_code(res["n"]) == "loop_detected"
    assert server.recorded(inner_tok) == []


# -- path traversal ------------------------------------------------------------

TRAVERSALS = [
    "/../etc/passwd",
    "/static/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2fetc/passwd",
    "/cgi/../../../../etc/passwd",
    "/rw/../../etc/passwd",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_path_traversal_like_direct(server, url):
    status, _, body = raw_request(server, "GET", url)
    assert b"root:" not in body
    res = ok_batch(server, [{"id": "t", "url": url},
                            {"id": "after", "url": "/static/a.txt"}])
    assert res["t"]["status"] == status, (url, res["t"])
    assert res["t"]["status"] in (400, 403, 404)
    assert "root:" not in json.dumps(res.json)
    assert res["after"]["status"] == 200


def test_dot_segments_normalized(server):
    urls = {"n": "/static/dir/../hello.json",
            "e": "/static/%2e/hello.json",
            "s": "/static//hello.json"}
    res = ok_batch(server, [{"id": k, "url": v} for k, v in urls.items()])
    assert res["n"]["status"] == 200
    for op_id, url in urls.items():
        status, _, body = raw_request(server, "GET", url)
        assert res[op_id]["status"] == status, (url, res[op_id])
        if status == 200:
            assert res[op_id]["body"] == json.loads(body) == \
                {"hello": "world"}


def test_valid_batch_with_recorder_runs(server):
    """Sanity: the same ops as the refusal tests run when they are valid."""
    tok = token()
    res = ok_batch(server, [record_op(tok), {"id": "2", **OK}])
    assert res["rec"]["status"] == 200
    assert len(server.recorded(tok)) == 1
    r = requests.get(server.url("/static/a.txt"), timeout=TIMEOUT)
    assert r.status_code == 200


def test_dependency_cycle_names_an_operation_on_it(server):
    err = refused(server, [
        {"id": "waits", "url": "/static/a.txt", "dependsOn": ["b"]},
        {"id": "a", "url": "/static/a.txt", "dependsOn": ["c"]},
        {"id": "b", "url": "/static/a.txt", "dependsOn": ["a"]},
        {"id": "c", "url": "/static/a.txt", "dependsOn": ["b"]},
    ], 400, "invalid_dependency", {"a", "b", "c"})
    assert "cycle" in err["message"], err


def test_self_dependency_names_the_operation(server):
    err = refused(server, [{"id": "s", "url": "/static/a.txt",
                            "dependsOn": ["s"]}],
                  400, "invalid_dependency", "s")
    assert "depends on itself" in err["message"], err


def test_self_reference_names_the_operation(server):
    err = refused(server, [{"id": "s", "url": "/static/a.txt?x={result=s:$.a}"}],
                  400, "invalid_dependency", "s")
    assert "depends on itself" in err["message"], err
