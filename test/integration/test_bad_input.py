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

"""The hostile-input corpus: every input a client may use against the
batch endpoint, in one place, sent to a real httpd.

REFUSED: batches refused whole before anything runs. Each case
puts a record.cgi operation before the bad part; the refusal must come with
the expected status, code and operation, a message naming the problem, no
record line, and httpd must answer a good batch right after.

LIKE_DIRECT: targets the module does not refuse up front because httpd
itself answers them (%00, %2f, dot segments...): the operation gets what a
direct request gets, and its record.cgi target never runs.

HIDDEN_BATCH_ROUTES: URLs that reach a batch handler only after httpd's
translate phase (Alias, mod_rewrite): the operation answers 508 and its
inner batch never runs; the other operations do.

test_validation.py and test_multipart.py test the validation rules one by
one; this file is the list of attacks.
"""

import collections
import json

import pytest
import requests

from support import (JSON, TIMEOUT, BatchResult, assert_refused, error_code,
                     ok_batch, raw_request, record_op, token)

MIB = 1024 * 1024
BOUNDARY = "bx"
MULTIPART = "multipart/mixed; boundary=" + BOUNDARY

Case = collections.namedtuple(
    "Case", "id build status code operation says path")


def case(case_id, build, status, code, operation, says, path="/batch"):
    """build(tok) gives (body bytes, Content-Type); says: words the error
    message must contain (what is wrong, and where)."""
    return pytest.param(Case(case_id, build, status, code, operation,
                             tuple(says), path), id=case_id)


# --------------------------------------------------------------------------
# Building hostile bodies

def _json_bytes(value):
    return json.dumps(value).encode("utf-8")


def ops(*bad_ops, **top):
    """A JSON batch: the recorder, then bad_ops (dicts)."""
    def build(tok):
        doc = dict({"requests": [record_op(tok)] + list(bad_ops)}, **top)
        return _json_bytes(doc), "application/json"
    return build


def op_text(text):
    """A JSON batch: the recorder, then an operation written as raw text
    (bytes or str), for what json.dumps cannot write."""
    raw = text if isinstance(text, bytes) else text.encode("utf-8")

    def build(tok):
        head = b'{"requests": [' + _json_bytes(record_op(tok)) + b", "
        return head + raw + b"]}", "application/json"
    return build


def doc_text(template):
    """A whole JSON document as text; {rec} is replaced by the recorder."""
    def build(tok):
        rec = _json_bytes(record_op(tok))
        return template.replace(b"{rec}", rec), "application/json"
    return build


def nested(depth):
    return b"[" * depth + b"]" * depth


def crlf(text):
    return text.replace(b"\n", b"\r\n")


def http_part(message, content_id=None):
    head = b"Content-Type: application/http\r\n"
    if content_id is not None:
        head += b"Content-ID: " + content_id + b"\r\n"
    return head + b"\r\n" + message


def record_part(tok):
    return http_part(b"GET /cgi/record.cgi?t=" + tok.encode() +
                     b" HTTP/1.1\r\n\r\n")


def multipart(*parts, close=True):
    """A multipart batch: the recorder, then parts (bytes)."""
    def build(tok):
        delim = b"--" + BOUNDARY.encode()
        body = b"".join(delim + b"\r\n" + p + b"\r\n"
                        for p in (record_part(tok),) + parts)
        if close:
            body += delim + b"--\r\n"
        return body, MULTIPART
    return build


def request(line, *headers, body=b""):
    """An inner HTTP request message."""
    return line + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + \
        b"\r\n" + body


def inner_batch(tok):
    return {"requests": [record_op(tok, "inner")]}


def nested_op(url):
    return {"id": "n", "method": "POST", "url": url,
            "body": {"requests": [{"id": "i", "url": "/static/a.txt"}]}}


# --------------------------------------------------------------------------
# The corpus of refusals

REFUSED = [
    # -- the document --------------------------------------------------------
    case("json-nesting-40-in-body",
         ops({"id": "d", "url": "/static/a.txt",
              "body": json.loads(nested(40))}),
         400, "invalid_json", None, ["nesting too deep", "byte offset"]),
    case("json-nesting-600",
         op_text(b'{"id": "d", "url": "/static/a.txt", "body": ' +
                 nested(600) + b"}"),
         400, "invalid_json", None, ["nesting too deep", "byte offset"]),
    case("json-nesting-500000-unclosed",
         op_text(b"[" * 500000),
         400, "invalid_json", None, ["nesting too deep", "byte offset"]),
    case("json-10mb-string-in-body",
         ops({"id": "b", "method": "POST", "url": "/cgi/echo.cgi",
              "body": "y" * (10 * MIB)}),
         413, "request_too_large", None, ["BatchMaxRequestSize"]),
    case("json-10mb-string-in-url",
         ops({"id": "u", "url": "/static/" + "a" * (10 * MIB)}),
         413, "request_too_large", None, ["BatchMaxRequestSize"]),
    case("json-nul-in-key",
         op_text(b'{"id": "k", "u\\u0000rl": "/static/a.txt"}'),
         400, "invalid_json", None, ["NUL character in an object key"]),
    case("json-raw-nul-in-string",
         op_text(b'{"id": "k", "url": "/static/a\x00.txt"}'),
         400, "invalid_json", None, ["NUL byte", "byte offset"]),
    case("json-raw-nul-between-tokens",
         op_text(b'{"id": "k",\x00 "url": "/static/a.txt"}'),
         400, "invalid_json", None, ["NUL byte", "byte offset"]),
    case("json-escaped-nul-in-url",
         ops({"id": "u", "url": "/static/a.txt\u0000.php"}),
         400, "invalid_url", "u", ["url of u", "NUL character"]),
    case("json-utf8-overlong-slash",
         op_text(b'{"id": "k", "url": "/static/\xc0\xaf..\xc0\xafetc"}'),
         400, "invalid_json", None, ["invalid UTF-8", "byte offset"]),
    case("json-utf8-encoded-surrogate",
         op_text(b'{"id": "k", "url": "/static/\xed\xa0\x80"}'),
         400, "invalid_json", None, ["invalid UTF-8", "byte offset"]),
    case("json-utf8-truncated",
         op_text(b'{"id": "k", "url": "/static/\xe2\x82"}'),
         400, "invalid_json", None, ["invalid UTF-8", "byte offset"]),
    case("json-utf8-invalid-in-key",
         op_text(b'{"id": "k", "url": "/static/a.txt", "\xff": 1}'),
         400, "invalid_json", None, ["invalid UTF-8", "byte offset"]),
    case("json-lone-surrogate-escape",
         op_text(b'{"id": "\\ud800", "url": "/static/a.txt"}'),
         400, "invalid_json", None, ["surrogate", "byte offset"]),
    case("json-duplicate-url",
         op_text(b'{"id": "k", "url": "/static/a.txt", '
                 b'"url": "/cgi/record.cgi?t=dup"}'),
         400, "invalid_json", None, ['duplicate member name "url"',
                                     "byte offset"]),
    case("json-duplicate-url-escaped",
         op_text(b'{"id": "k", "url": "/static/a.txt", '
                 b'"\\u0075rl": "/cgi/record.cgi?t=dup"}'),
         400, "invalid_json", None, ['duplicate member name "url"']),
    case("json-duplicate-method",
         op_text(b'{"id": "k", "method": "GET", "method": "DELETE", '
                 b'"url": "/static/a.txt"}'),
         400, "invalid_json", None, ['duplicate member name "method"']),
    case("json-duplicate-requests",
         doc_text(b'{"requests": [{rec}], "requests": '
                  b'[{"id": "x", "url": "/static/a.txt"}]}'),
         400, "invalid_json", None, ['duplicate member name "requests"']),
    case("json-duplicate-header",
         op_text(b'{"id": "k", "url": "/static/a.txt", "headers": '
                 b'{"Authorization": "Basic a", "Authorization": "Basic b"}}'),
         400, "invalid_json", None, ['duplicate member name '
                                     '"Authorization"']),
    case("json-header-in-two-spellings",
         ops({"id": "h", "url": "/static/a.txt",
              "headers": {"Authorization": "Basic a",
                          "authorization": "Basic b"}}),
         400, "invalid_header", "h", ["authorization", "twice"]),
    case("json-duplicate-in-body",
         op_text(b'{"id": "k", "method": "POST", "url": "/cgi/echo.cgi", '
                 b'"body": {"role": "user", "role": "admin"}}'),
         400, "invalid_json", None, ['duplicate member name "role"']),
    case("json-id-number",
         ops({"id": 1, "url": "/static/a.txt"}),
         400, "invalid_request", "requests[1]", ["id of requests[1]",
                                                 "string"]),
    case("json-id-boolean",
         ops({"id": True, "url": "/static/a.txt"}),
         400, "invalid_request", "requests[1]", ["id of requests[1]",
                                                 "boolean"]),
    case("json-id-object",
         ops({"id": {"$ne": ""}, "url": "/static/a.txt"}),
         400, "invalid_request", "requests[1]", ["id of requests[1]",
                                                 "object"]),
    case("json-id-array",
         ops({"id": ["rec"], "url": "/static/a.txt"}),
         400, "invalid_request", "requests[1]", ["id of requests[1]",
                                                 "array"]),
    case("json-id-reused",
         ops({"id": "rec", "url": "/static/a.txt"}),
         400, "invalid_request", {"rec", "requests[1]"}, ["rec", "twice"]),
    case("json-101-operations",
         ops(*[{"id": str(i), "method": "HEAD", "url": "/static/empty.txt"}
               for i in range(100)]),
         413, "too_many_operations", None, ["101", "BatchMaxOperations"]),
    # -- headers -------------------------------------------------------------
    case("json-10000-headers",
         ops({"id": "h", "url": "/static/a.txt",
              "headers": {"X-H%d" % i: "v" for i in range(10000)}}),
         400, "invalid_header", "h", ["10000 headers",
                                      "LimitRequestFields"]),
    case("json-header-value-100kb",
         ops({"id": "h", "url": "/static/a.txt",
              "headers": {"X-Big": "v" * 100000}}),
         400, "invalid_header", "h", ["X-Big", "LimitRequestFieldSize"]),
    case("json-header-name-crlf",
         ops({"id": "h", "url": "/static/a.txt",
              "headers": {"X-Ok\r\nX-Injected": "1"}}),
         400, "invalid_header", "h", ["operation h", "invalid name"]),
    case("json-header-value-crlf",
         ops({"id": "h", "url": "/static/a.txt",
              "headers": {"X-Ok": "1\r\nX-Injected: 1"}}),
         400, "invalid_header", "h", ["X-Ok", "CR, LF"]),
    case("json-header-value-bare-lf",
         ops({"id": "h", "url": "/static/a.txt",
              "headers": {"Cookie": "a=1\nSet-Cookie: b=2"}}),
         400, "invalid_header", "h", ["Cookie", "CR, LF"]),
    # -- urls ----------------------------------------------------------------
    case("json-url-backslash",
         ops({"id": "u", "url": "/static/..\\..\\..\\etc\\passwd"}),
         400, "invalid_url", "u", ["url of operation u", "backslash"]),
    case("json-url-ssrf-metadata",
         ops({"id": "u", "url": "http://169.254.169.254/latest/meta-data/"}),
         400, "invalid_url", "u", ["url of operation u", "absolute URL"]),
    case("json-url-ssrf-other-scheme",
         ops({"id": "u", "url": "gopher://127.0.0.1:25/x"}),
         400, "invalid_url", "u", ["url of operation u", "absolute URL"]),
    case("json-url-network-path",
         ops({"id": "u", "url": "//evil.example/x"}),
         400, "invalid_url", "u", ["url of operation u", "network-path"]),
    case("json-url-8191-bytes",
         ops({"id": "u", "url": "/static/" + "a" * 8183}),
         400, "invalid_url", "u", ["8191 bytes", "LimitRequestLine"]),
    case("json-url-request-splitting",
         ops({"id": "u", "url": "/static/a.txt HTTP/1.1\r\nHost: evil"}),
         400, "invalid_url", "u", ["url of operation u", "CR or LF"]),
    case("json-url-fragment",
         ops({"id": "u", "url": "/static/a.txt#/../../private/data.json"}),
         400, "invalid_url", "u", ["url of operation u", "fragment"]),
    # -- methods -------------------------------------------------------------
    case("json-method-with-space",
         ops({"id": "m", "method": "GET /private/data.json",
              "url": "/static/a.txt"}),
         400, "method_not_allowed", "m", ["operation m",
                                          "not a valid HTTP method"]),
    case("json-method-connect",
         ops({"id": "m", "method": "CONNECT", "url": "/static/a.txt"}),
         400, "method_not_allowed", "m", ["CONNECT", "BatchAllowMethods"]),
    case("json-method-trace",
         ops({"id": "m", "method": "TRACE", "url": "/cgi/echo.cgi"}),
         400, "method_not_allowed", "m", ["TRACE", "BatchAllowMethods"]),
    case("json-method-trace-lowercase",
         ops({"id": "m", "method": "trace", "url": "/cgi/echo.cgi"}),
         400, "method_not_allowed", "m", ["TRACE", "BatchAllowMethods"]),
    case("json-method-crlf",
         ops({"id": "m", "method": "GET\r\nX-Injected: 1",
              "url": "/static/a.txt"}),
         400, "method_not_allowed", "m", ["not a valid HTTP method"]),
    # -- the batch endpoint as a target ----------------------------------------
    case("json-target-batch",
         ops(nested_op("/batch")),
         400, "nested_batch", "n", ["operation n", "/batch"]),
    case("json-target-batch-slash",
         ops(nested_op("/batch/")),
         400, "nested_batch", "n", ["operation n", "/batch"]),
    case("json-target-batch-dot-segment",
         ops(nested_op("/./batch")),
         400, "nested_batch", "n", ["operation n", "/batch"]),
    case("json-target-batch-dot-dot",
         ops(nested_op("/static/../batch?x=1")),
         400, "nested_batch", "n", ["operation n", "/batch"]),
    case("json-target-batch-percent-encoded",
         ops(nested_op("/%62atch")),
         400, "nested_batch", "n", ["operation n", "/batch"]),
    case("json-target-batch-percent-encoded-below",
         ops(nested_op("/b%61t%63h/x")),
         400, "nested_batch", "n", ["operation n", "/batch"]),
    case("json-target-batch-double-slash",
         ops(nested_op("//batch")),
         400, "invalid_url", "n", ["network-path"]),
    case("json-target-batch-merged-slashes",
         ops(nested_op("/static//..//batch")),
         400, "nested_batch", "n", ["operation n", "/batch"]),
    # -- multipart -----------------------------------------------------------
    case("mp-not-closed",
         multipart(http_part(b"GET /static/a.txt HTTP/1.1\r\n\r\n"),
                   close=False),
         400, "invalid_multipart", "part 2", ["part 2", "not closed"]),
    case("mp-body-shorter-than-content-length",
         multipart(http_part(request(b"POST /cgi/echo.cgi HTTP/1.1",
                                     b"Content-Length: 100", body=b"abc"))),
         400, "invalid_multipart", "part 2", ["part 2", "shorter"]),
    case("mp-smuggled-request-after-content-length",
         multipart(http_part(request(
             b"GET /static/a.txt HTTP/1.1", b"Content-Length: 0",
             body=b"DELETE /cgi/record.cgi?t=smuggled HTTP/1.1\r\n\r\n"))),
         400, "invalid_multipart", "part 2", ["part 2", "after the body"]),
    case("mp-conflicting-content-lengths",
         multipart(http_part(request(b"POST /cgi/echo.cgi HTTP/1.1",
                                     b"Content-Length: 3",
                                     b"Content-Length: 5", body=b"abcde"))),
         400, "invalid_multipart", "part 2", ["part 2", "Content-Length"]),
    case("mp-chunked-body",
         multipart(http_part(request(b"POST /cgi/echo.cgi HTTP/1.1",
                                     b"Transfer-Encoding: chunked",
                                     body=b"3\r\nabc\r\n0\r\n\r\n"))),
         400, "invalid_multipart", "part 2", ["part 2", "Transfer-Encoding"]),
    case("mp-10000-header-lines",
         multipart(http_part(request(b"GET /static/a.txt HTTP/1.1",
                                     *[b"X-H%d: v" % i
                                       for i in range(10000)]))),
         400, "invalid_multipart", "part 2", ["part 2", "too many header"]),
    case("mp-header-line-over-8190",
         multipart(http_part(request(b"GET /static/a.txt HTTP/1.1",
                                     b"X-Big: " + b"v" * 8190))),
         400, "invalid_multipart", "part 2", ["part 2", "too long"]),
    case("mp-request-line-over-8190",
         multipart(http_part(request(b"GET /static/" + b"a" * 8190 +
                                     b" HTTP/1.1"))),
         400, "invalid_multipart", "part 2", ["part 2",
                                              "request line too long"]),
    case("mp-nul-in-request-line",
         multipart(http_part(request(b"GET /static/a.txt\x00.php HTTP/1.1"))),
         400, "invalid_multipart", "part 2", ["part 2", "NUL byte"]),
    case("mp-nul-in-header",
         multipart(http_part(request(b"GET /static/a.txt HTTP/1.1",
                                     b"X-A: a\x00b"))),
         400, "invalid_multipart", "part 2", ["part 2", "NUL byte"]),
    case("mp-folded-header",
         multipart(http_part(request(b"GET /static/a.txt HTTP/1.1",
                                     b"X-A: a", b" X-Injected: 1"))),
         400, "invalid_multipart", "part 2", ["part 2", "folded"]),
    case("mp-bare-cr-in-header-value",
         multipart(http_part(request(b"GET /static/a.txt HTTP/1.1",
                                     b"X-A: a\rX-Injected: 1"))),
         400, "invalid_header", "part 2", ["X-A", "CR, LF"]),
    case("mp-method-with-space",
         multipart(http_part(request(b"GE T /static/a.txt HTTP/1.1"))),
         400, "invalid_multipart", "part 2", ["part 2", "request line"]),
    case("mp-method-trace",
         multipart(http_part(request(b"TRACE /cgi/echo.cgi HTTP/1.1"))),
         400, "method_not_allowed", "part 2", ["TRACE",
                                               "BatchAllowMethods"]),
    case("mp-ssrf-absolute-url",
         multipart(http_part(request(
             b"GET http://169.254.169.254/latest/meta-data/ HTTP/1.1"))),
         400, "invalid_url", "part 2", ["part 2", "another server"]),
    case("mp-ssrf-userinfo",
         multipart(http_part(request(
             b"GET http://127.0.0.1@evil.example/x HTTP/1.1"))),
         400, "invalid_url", "part 2", ["part 2", "another server"]),
    case("mp-network-path",
         multipart(http_part(request(b"GET //evil.example/x HTTP/1.1"))),
         400, "invalid_url", "part 2", ["network-path"]),
    case("mp-backslash",
         multipart(http_part(request(b"GET /static\\..\\..\\etc HTTP/1.1"))),
         400, "invalid_url", "part 2", ["backslash"]),
    case("mp-target-batch",
         multipart(http_part(request(b"POST /%62atch HTTP/1.1",
                                     b"Content-Type: application/json",
                                     b"Content-Length: 2", body=b"{}"))),
         400, "nested_batch", "part 2", ["part 2", "/batch"]),
    case("mp-invalid-utf8-content-id",
         multipart(http_part(request(b"GET /static/a.txt HTTP/1.1"),
                             content_id=b"<\xff\xfe>")),
         400, "invalid_request", "requests[1]", ["not valid UTF-8"]),
    case("mp-control-character-in-content-id",
         multipart(http_part(request(b"GET /static/a.txt HTTP/1.1"),
                             content_id=b"<a\x01b>")),
         400, "invalid_multipart", "part 2", ["Content-ID"]),
    case("mp-part-not-application-http",
         multipart(b"Content-Type: text/plain\r\n\r\nGET /static/a.txt\r\n"),
         400, "invalid_multipart", "part 2", ["part 2", "text/plain"]),
]


def _post(server, data, ctype, path="/batch"):
    resp = requests.post(server.url(path), data=data,
                         headers={"Content-Type": ctype}, timeout=TIMEOUT)
    return BatchResult(resp)


def assert_alive(server):
    """httpd still answers a good batch."""
    res = ok_batch(server, [{"id": "ok", "url": "/static/hello.json"}])
    assert res["ok"]["status"] == 200
    assert res["ok"]["body"] == {"hello": "world"}


def test_corpus_is_large_and_unique():
    ids = [p.values[0].id for p in REFUSED]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    assert len(ids) >= 25
    assert any(i.startswith("mp-") for i in ids)
    assert any(i.startswith("json-") for i in ids)


@pytest.mark.parametrize("case", REFUSED)
def test_refused(server, case):
    tok = token()
    data, ctype = case.build(tok)
    res = _post(server, data, ctype, case.path)
    err = assert_refused(res, case.status, case.code, case.operation,
                         server, tok)
    # strict UTF-8 JSON, as clients that do not guess encodings read it
    assert json.loads(res.resp.content.decode("utf-8"))["error"] == err
    for words in case.says:
        assert words in err["message"], (
            "the message should say %r: %r" % (words, err["message"]))
    assert_alive(server)


# --------------------------------------------------------------------------
# Answered as httpd answers a direct request; the target never runs

LIKE_DIRECT = [
    ("percent-00", "/cgi/record.cgi%00.txt?t={tok}"),
    ("percent-00-in-dir", "/cgi%00/record.cgi?t={tok}"),
    ("encoded-slash", "/cgi%2frecord.cgi?t={tok}"),
    ("encoded-slash-after-script", "/cgi/record.cgi%2f..%2f?t={tok}"),
    ("encoded-dot-dot-above-root", "/cgi/%2e%2e/%2e%2e/cgi-bin/record.cgi"
                                   "?t={tok}"),
    ("dot-dot-out-of-scriptalias", "/cgi/../cgi-bin/record.cgi?t={tok}"),
    ("dot-dot-above-root", "/../../cgi-bin/record.cgi?t={tok}"),
    ("mixed-dot-dot", "/static/.%2e/%2e./cgi-bin/record.cgi?t={tok}"),
    ("bad-escape", "/cgi/record.cgi%zz?t={tok}"),
    ("batch-upper-case", "/BATCH?t={tok}"),
    ("batch-with-parameter", "/batch;x=1?t={tok}"),
]


@pytest.mark.parametrize("name,url", LIKE_DIRECT,
                         ids=[n for n, _ in LIKE_DIRECT])
def test_answered_like_a_direct_request(server, name, url):
    tok = token()
    url = url.format(tok=tok)
    direct_status, _, _ = raw_request(server, "POST", url,
                                      dict(JSON), _json_bytes(inner_batch(tok)))
    res = ok_batch(server, [
        {"id": "t", "method": "POST", "url": url, "body": inner_batch(tok)},
        {"id": "after", "url": "/static/a.txt"},
    ])
    assert res["t"]["status"] == direct_status, (url, res["t"])
    assert direct_status in (400, 403, 404), (url, direct_status)
    assert res["after"]["status"] == 200
    assert server.recorded(tok) == [], \
        "%s ran a script: %r" % (url, server.recorded(tok))


# --------------------------------------------------------------------------
# A batch handler reached through Alias or mod_rewrite: 508, nothing nested
# runs, the rest of the batch does

HIDDEN_BATCH_ROUTES = ["/alias-batch", "/alias-batch/x?y=1",
                       "/sneaky-batch", "/loop"]


@pytest.mark.parametrize("url", HIDDEN_BATCH_ROUTES)
def test_hidden_batch_route_is_508(server, url):
    outer, inner = token(), token()
    res = ok_batch(server, [
        record_op(outer, "before"),
        {"id": "n", "method": "POST", "url": url, "body": inner_batch(inner)},
        {"id": "after", "url": "/static/hello.json"},
    ])
    entry = res["n"]
    assert entry["status"] == 508, entry
    assert error_code(entry) == "loop_detected", entry
    assert "operation n" in entry["body"]["error"]["message"], entry
    assert res["before"]["status"] == 200
    assert res["after"]["status"] == 200
    assert res["after"]["body"] == {"hello": "world"}
    assert len(server.recorded(outer)) == 1
    assert server.recorded(inner) == []


def test_hidden_batch_route_any_method_is_508(server):
    res = ok_batch(server, [{"id": "g", "url": "/alias-batch"},
                            {"id": "o", "method": "OPTIONS",
                             "url": "/sneaky-batch"}])
    for op_id in ("g", "o"):
        assert res[op_id]["status"] == 508, res[op_id]
        assert error_code(res[op_id]) == "loop_detected"


def test_hidden_batch_route_in_multipart_is_508(server):
    inner = token()
    body = json.dumps(inner_batch(inner)).encode()
    data, ctype = multipart(
        http_part(request(b"POST /alias-batch HTTP/1.1",
                          b"Content-Type: application/json",
                          b"Content-Length: %d" % len(body), body=body),
                  content_id=b"<n>"))(token())
    resp = requests.post(server.url("/batch"), data=data,
                         headers={"Content-Type": ctype}, timeout=TIMEOUT)
    assert resp.status_code == 200, resp.text
    assert b"Content-ID: <response-n>\r\n\r\nHTTP/1.1 508 Loop Detected\r\n" \
        in resp.content, resp.content
    assert b'"loop_detected"' in resp.content
    assert server.recorded(inner) == []


def test_hidden_routes_are_batch_endpoints_when_asked_directly(server):
    """The fixtures work: /alias-batch and /loop are batch endpoints."""
    for path in ("/alias-batch", "/loop"):
        tok = token()
        status, _, body = raw_request(server, "POST", path, dict(JSON),
                                      _json_bytes({"requests":
                                                   [record_op(tok)]}))
        assert status == 200, (path, body)
        assert json.loads(body)["responses"][0]["status"] == 200
        assert len(server.recorded(tok)) == 1


def test_rewrite_loop_terminates(server):
    """/loop is rewritten to /batch: a batch posted to /loop whose
    operation posts to /loop a batch that posts to /loop again."""
    tok = token()
    innermost = {"requests": [record_op(tok, "deepest")]}
    middle = {"requests": [{"id": "again", "method": "POST", "url": "/loop",
                            "body": innermost}]}
    outer = {"requests": [{"id": "loop", "method": "POST", "url": "/loop",
                           "body": middle},
                          {"id": "after", "url": "/static/a.txt"}]}
    status, _, body = raw_request(server, "POST", "/loop", dict(JSON),
                                  _json_bytes(outer))
    assert status == 200, body
    got = {e["id"]: e for e in json.loads(body)["responses"]}
    assert got["loop"]["status"] == 508
    assert error_code(got["loop"]) == "loop_detected"
    assert got["after"]["status"] == 200
    assert server.recorded(tok) == []
    assert_alive(server)
