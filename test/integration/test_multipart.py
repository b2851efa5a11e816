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

"""multipart/mixed, with validation and streaming as they apply to it.

Responses are read twice: with Python's email package, the way Google's,
OData's and flask-batch's clients read them, and with a strict CRLF reader
(`strict_parse`) that checks the framing byte for byte (CRLF line ends,
`Content-Type: application/http` first, one Content-Length matching the body).
Both readings must agree.
"""

import base64
import email.parser
import email.policy
import hashlib
import json
import re
import shutil
import subprocess
from email.feedparser import FeedParser
from pathlib import Path

import pytest
import requests

from httpd import BIG_FILE_SIZE, CONCURRENCY, ENGINE, REPO
from support import (BAD_AUTH, GOOD_AUTH, TIMEOUT, BatchResult,
                     assert_refused, reconfigured, sequential_only,
                     subrequest_only, token)

CRLF = b"\r\n"
LF = b"\n"
BOUNDARY = "batch_x"
VECTORS = REPO / "test" / "vectors"
STATIC = Path(__file__).resolve().parent / "fixtures" / "htdocs" / "static"

RESPONSE_BOUNDARY = re.compile(r"^batch_[0-9a-f]{8,}$")
CHANGESET_BOUNDARY = re.compile(r"^changeset_[0-9a-f]{8,}$")
STATUS_LINE = re.compile(rb"^HTTP/1\.1 (\d{3}) ([^\r\n]+)$")

REASONS = {200: "OK", 201: "Created", 204: "No Content",
           304: "Not Modified", 401: "Unauthorized", 404: "Not Found",
           424: "Failed Dependency", 500: "Internal Server Error"}


def _b(value):
    return value if isinstance(value, bytes) else value.encode("latin-1")


# --------------------------------------------------------------------------
# Building requests

def http_request(method, target, headers=(), body=None, nl=CRLF,
                 version=True, content_length=True):
    """An inner HTTP request message; Content-Length is added for a body
    unless content_length is False."""
    line = _b(method) + b" " + _b(target)
    if version:
        line += b" HTTP/1.1"
    hdrs = [(_b(k), _b(v)) for k, v in headers]
    if body is not None and content_length:
        hdrs.append((b"Content-Length", str(len(body)).encode()))
    out = line + nl + b"".join(k + b": " + v + nl for k, v in hdrs) + nl
    return out + (_b(body) if body is not None else b"")


def part(message, content_id=None, ctype="application/http", nl=CRLF,
         extra=()):
    """A body part: its headers, a blank line, message."""
    hdrs = [("Content-Type", ctype)]
    if content_id is not None:
        hdrs.append(("Content-ID", content_id))
    hdrs += list(extra)
    return b"".join(_b(k) + b": " + _b(v) + nl for k, v in hdrs) + nl + \
        _b(message)


def op(method, target, headers=(), body=None, content_id=None, nl=CRLF,
       version=True, content_length=True, ctype="application/http",
       extra=()):
    """A part holding one operation."""
    return part(http_request(method, target, headers, body, nl, version,
                             content_length),
                content_id, ctype, nl, extra)


def multipart(parts, boundary=BOUNDARY, nl=CRLF, epilogue=True):
    delim = b"--" + _b(boundary)
    out = b"".join(delim + nl + p + nl for p in parts) + delim + b"--"
    return out + (nl if epilogue else b"")


def changeset(parts, boundary="changeset_q", nl=CRLF):
    """A change set part (OData): nested multipart/mixed."""
    return part(multipart(parts, boundary, nl, epilogue=False),
                ctype="multipart/mixed; boundary=" + boundary, nl=nl)


def record(tok, content_id=None, method="GET", nl=CRLF):
    """An operation that leaves a trace in the record file when it runs."""
    return op(method, "/cgi/record.cgi?t=" + tok, content_id=content_id,
              nl=nl)


def post(server, body, boundary=BOUNDARY, path="/batch", headers=None,
         quoted=False, ctype=None):
    if ctype is None:
        ctype = "multipart/mixed; boundary=" + (
            '"%s"' % boundary if quoted else boundary)
    hdrs = {"Content-Type": ctype}
    hdrs.update(headers or {})
    return requests.post(server.url(path), data=body, headers=hdrs,
                         timeout=TIMEOUT)


def batch(server, parts, boundary=BOUNDARY, nl=CRLF, **kw):
    """Posts the parts as a batch and reads the answer; asserts it is a
    well-formed multipart answer."""
    resp = post(server, multipart(parts, boundary, nl), boundary, **kw)
    return Multi(resp)


def refused(server, body, status, code, operation, tok, **kw):
    res = BatchResult(post(server, body, **kw))
    return assert_refused(res, status, code, operation, server, tok)


# --------------------------------------------------------------------------
# Reading responses

class Part:
    """One response part: an HTTP response, or a change set of them."""

    def __init__(self, part_headers, content_id):
        self.part_headers = part_headers
        self.content_id = content_id
        self.members = None         # a change set: [Part]
        self.changeset_boundary = None
        self.status = None
        self.reason = None
        self.headers = []
        self.body = b""

    def header(self, name):
        values = self.headers_named(name)
        return values[0] if values else None

    def headers_named(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body)

    def key(self):
        """What both readings must agree on."""
        if self.members is not None:
            return ("changeset", self.content_id, self.changeset_boundary,
                    [m.key() for m in self.members])
        return (self.content_id, self.status, self.reason, self.headers,
                self.body)

    def __repr__(self):
        if self.members is not None:
            return "<changeset %r>" % (self.members,)
        return "<part %s %s %s %r %r>" % (self.content_id, self.status,
                                          self.reason, self.headers,
                                          self.body[:300])


def parse_http_response(part, message):
    """Reads the HTTP/1.1 response message of a part into it."""
    head, sep, body = message.partition(CRLF + CRLF)
    assert sep, "no blank line after the response headers: %r" % message
    lines = head.split(CRLF)
    m = STATUS_LINE.match(lines[0])
    assert m, "bad status line %r" % lines[0]
    part.status = int(m.group(1))
    part.reason = m.group(2).decode("latin-1")
    for line in lines[1:]:
        assert b"\n" not in line and b"\r" not in line, \
            "bare CR or LF in a response header line: %r" % line
        name, colon, value = line.partition(b":")
        assert colon and name and name.strip() == name, line
        part.headers.append((name.decode("latin-1"),
                             value.strip().decode("latin-1")))
    part.body = body
    lengths = part.headers_named("Content-Length")
    assert len(lengths) <= 1, part
    if lengths:
        assert int(lengths[0]) == len(body), (
            "Content-Length %s but %d body bytes" % (lengths[0], len(body)))
    else:
        assert body == b"", "a body without Content-Length: %r" % part
    return part


def _strict_headers(block):
    lines = block.split(CRLF)
    for line in lines:
        assert b"\n" not in line and b"\r" not in line, \
            "bare CR or LF in a part header line: %r" % line
    out = []
    for line in lines:
        name, colon, value = line.partition(b": ")
        assert colon, "bad part header line %r" % line
        out.append((name.decode("latin-1"), value.decode("latin-1")))
    return out


def strict_parse(raw, boundary):
    """Reads a multipart body written with CRLF only, as the format says the
    response always is; any other framing fails an assertion."""
    delim = b"--" + _b(boundary)
    assert raw.startswith(delim + CRLF), raw[:300]
    end = CRLF + delim + b"--" + CRLF
    assert raw.endswith(end), raw[-300:]
    inner = raw[len(delim) + 2:-len(end)]
    return [_strict_part(p) for p in inner.split(CRLF + delim + CRLF)]


def _strict_part(data):
    block, sep, rest = data.partition(CRLF + CRLF)
    assert sep, "part headers without a blank line: %r" % data[:300]
    hdrs = _strict_headers(block)
    assert hdrs[0][0] == "Content-Type", hdrs
    cids = [v for k, v in hdrs if k.lower() == "content-id"]
    assert len(cids) <= 1, hdrs
    p = Part(hdrs, cids[0] if cids else None)
    if hdrs[0][1].startswith("multipart/mixed; boundary="):
        p.changeset_boundary = hdrs[0][1].split("=", 1)[1]
        cs = _b(p.changeset_boundary)
        delim = b"--" + cs
        assert rest.startswith(delim + CRLF), rest[:300]
        assert rest.endswith(CRLF + delim + b"--"), rest[-300:]
        inner = rest[len(delim) + 2:-len(CRLF + delim + b"--")]
        p.members = [_strict_part(x) for x in inner.split(CRLF + delim + CRLF)]
        for m in p.members:
            assert m.members is None, "a change set inside a change set"
        return p
    assert hdrs[0] == ("Content-Type", "application/http"), hdrs
    return parse_http_response(p, rest)


def email_parse(ctype, raw):
    """Reads the response as clients do, with the email package."""
    msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
        b"Content-Type: " + _b(ctype) + CRLF + CRLF + raw)
    assert msg.is_multipart(), ctype
    assert not msg.defects, msg.defects
    return [_email_part(p) for p in msg.get_payload()]


def _email_part(msg):
    assert not msg.defects, msg.defects
    p = Part(list(msg.items()), msg["Content-ID"])
    if msg.get_content_type() == "multipart/mixed":
        p.changeset_boundary = msg.get_param("boundary")
        p.members = [_email_part(m) for m in msg.get_payload()]
        return p
    assert msg.get_content_type() == "application/http", msg.items()
    return parse_http_response(p, msg.get_payload(decode=True))


class Multi:
    """A multipart batch answer, read both ways."""

    def __init__(self, resp):
        self.resp = resp
        assert resp.status_code == 200, (resp.status_code, resp.text[:2000])
        self.ctype = resp.headers.get("Content-Type", "")
        m = re.match(r"^multipart/mixed; boundary=(\S+)$", self.ctype)
        assert m, self.ctype
        self.boundary = m.group(1)
        assert RESPONSE_BOUNDARY.match(self.boundary), self.boundary
        assert resp.headers.get("Transfer-Encoding", "").lower() == \
            "chunked", resp.headers
        assert "Content-Length" not in resp.headers, resp.headers
        self.raw = resp.content
        self.parts = email_parse(self.ctype, self.raw)
        strict = strict_parse(self.raw, self.boundary)
        assert [p.key() for p in self.parts] == [p.key() for p in strict]
        for p in self.parts:
            if p.members is not None:
                assert CHANGESET_BOUNDARY.match(p.changeset_boundary), p
                assert p.changeset_boundary != self.boundary

    def ops(self):
        """Every operation's part, change sets flattened, in order."""
        out = []
        for p in self.parts:
            out.extend(p.members if p.members is not None else [p])
        return out

    def __getitem__(self, content_id):
        found = [p for p in self.ops() if p.content_id == content_id]
        assert len(found) == 1, (content_id, self.ops())
        return found[0]

    def __repr__(self):
        return "<Multi %r>" % (self.parts,)


def assert_ok(p, status=200):
    assert p.status == status, p
    assert p.reason == REASONS[status], p


def error_code(p):
    assert p.header("Content-Type").startswith("application/json"), p
    return p.json()["error"]["code"]


# --------------------------------------------------------------------------
# The client libraries' own readers (googleapiclient/http.py, flask_batch)

def googleapiclient_read(ctype, content):
    """BatchHttpRequest._execute's reading: {request id: (status, reason,
    headers, content)}."""
    parser = FeedParser()
    parser.feed("content-type: %s\r\n\r\n" % ctype + content.decode("utf-8"))
    mime_response = parser.close()
    assert mime_response.is_multipart()
    out = {}
    for part_msg in mime_response.get_payload():
        header = part_msg["Content-ID"]
        # _header_to_id
        assert header[0] == "<" and header[-1] == ">", header
        assert "+" in header, header
        _, request_id = header[1:-1].split(" + ", 1)
        # _deserialize_response
        payload = part_msg.get_payload()
        status_line, payload = payload.split("\n", 1)
        protocol, status, reason = status_line.split(" ", 2)
        p = FeedParser()
        p.feed(payload)
        msg = p.close()
        assert int(protocol.split("/", 1)[1].replace(".", "")) == 11
        body = payload.split("\r\n\r\n", 1)[1]
        out[request_id] = (int(status), reason.strip(), msg, body.encode())
    return out


def flask_batch_read(ctype, content):
    """flask_batch.client.decode_batch_response: [(status, reason, body)]."""
    boundary = ctype.split("=", 1)[1][1:-1].encode("ascii")
    payloads = [x.split(b"\r\n\r\n", 1)[1]
                for x in content.split(boundary)[1:-1]]
    out = []
    for data in payloads:
        header, body = data.split(b"\r\n\r\n", 1)
        body, _ = body.rsplit(b"\r\n", 1)
        status, _headers = header.split(b"\r\n", 1)
        _, code, reason = status.split(b" ", 2)
        out.append((int(code), reason.decode(), body))
    return out


# --------------------------------------------------------------------------
# The vectors, sent to the real server

def test_client_readers_read_the_vector_responses(server):
    """The client readers above, checked on the vectors' own responses
    (server is only asked for so this skips with BATCH_MODULE=none)."""
    def response(name):
        head, _, body = (VECTORS / name).read_bytes().partition(CRLF + CRLF)
        ctype = [line.split(b": ", 1)[1] for line in head.split(CRLF)
                 if line.lower().startswith(b"content-type:")][0]
        return ctype.decode(), body

    read = googleapiclient_read(*response("googleapiclient.response.txt"))
    assert {k: v[:2] for k, v in read.items()} == {
        "1": (200, "OK"), "2": (412, "Precondition Failed")}
    assert json.loads(read["1"][3])["animalName"] == "pony"
    read = flask_batch_read(*response("flask-batch.response.txt"))
    assert read == [(200, "OK", b'{"name": "fance"}'),
                    (200, "OK", b'{"name": "duhbob"}')]
    parts = email_parse(*response("odata-multipart.response.txt"))
    assert [p.status for p in parts if p.members is None] == [200, 404]
    assert [(m.content_id, m.status) for m in parts[1].members] == [
        ("1", 201), ("2", 204)]


def load_vector(name):
    path = VECTORS / name
    if not path.exists():
        pytest.fail("vector %s is missing" % path, pytrace=False)
    raw = path.read_bytes()
    head, _, body = raw.partition(CRLF + CRLF)
    lines = head.split(CRLF)
    headers = {}
    for line in lines[1:]:
        k, _, v = line.decode().partition(":")
        if k.lower() not in ("host", "content-length"):
            headers[k] = v.strip()
    return headers, body


def rewrite(body, replacements):
    for old, new in replacements:
        assert _b(old) in body, old
        body = body.replace(_b(old), _b(new))
    return body


def send_vector(server, name, replacements, path="/batch", host=None):
    headers, body = load_vector(name)
    body = rewrite(body, replacements)
    if host:
        headers["Host"] = host
    return Multi(requests.post(server.url(path), data=body, headers=headers,
                               timeout=TIMEOUT))


def direct(server, path, **kw):
    return requests.get(server.url(path), timeout=TIMEOUT, **kw)


def test_vector_google(server):
    res = send_vector(server, "google.request.txt", [
        ("GET /farm/v1/animals/pony\r\n", "GET /static/hello.json\r\n"),
        ("PUT /farm/v1/animals/sheep\r\n",
         "PUT /cgi/echo.cgi/farm/v1/animals/sheep\r\n"),
        ("GET /farm/v1/animals\r\n", "GET /static/a.txt\r\n"),
    ])
    assert [p.content_id for p in res.parts] == [
        "<response-item%d:12930812@barnyard.example.com>" % i
        for i in (1, 2, 3)]
    pony, sheep, animals = res.parts
    assert_ok(pony)
    assert pony.header("Content-Type") == "application/json"
    assert pony.body == direct(server, "/static/hello.json").content
    assert_ok(sheep)
    echo = sheep.json()
    assert echo["method"] == "PUT"
    assert echo["path_info"] == "/farm/v1/animals/sheep"
    assert echo["content_type"] == "application/json"
    # the CRLF after the body is outside its Content-Length: not sent
    assert echo["content_length"] == "75"
    assert echo["body"].startswith("{\r\n") and echo["body"].endswith("\r\n}")
    assert json.loads(echo["body"]) == {"animalName": "sheep",
                                        "animalAge": "5",
                                        "peltColor": "green"}
    assert echo["headers"]["HTTP_IF_MATCH"] == '"etag/sheep"'
    assert echo["headers"]["HTTP_AUTHORIZATION"] == "Bearer your_auth_token"
    # "etag/animals" does not match a.txt's ETag
    assert_ok(animals)
    assert animals.body == b"hello from a.txt\n"
    assert animals.header("ETag") == direct(server, "/static/a.txt") \
        .headers["ETag"]


def test_conditional_part_not_modified(server):
    """google.response.txt answers its If-None-Match part with 304, as a
    direct request with a matching ETag gets."""
    etag = direct(server, "/static/a.txt").headers["ETag"]
    assert direct(server, "/static/a.txt",
                  headers={"If-None-Match": etag}).status_code == 304
    res = batch(server, [op("GET", "/static/a.txt",
                            [("If-None-Match", etag)], version=False)])
    p = res.parts[0]
    assert (p.status, p.reason) == (304, "Not Modified"), p
    assert p.header("ETag") == etag
    assert p.header("Content-Length") is None
    assert p.body == b""


def test_vector_googleapiclient(server, backend):
    before = len(backend.seen)
    res = send_vector(server, "googleapiclient.request.txt", [
        ("GET /farm/v1/animals/pony?alt=json HTTP/1.1\n",
         "GET /static/hello.json?alt=json HTTP/1.1\n"),
        ("PUT /farm/v1/animals/sheep?alt=json HTTP/1.1\n",
         "PUT /proxy/farm/v1/animals/sheep?alt=json HTTP/1.1\n"),
    ])
    read = googleapiclient_read(res.ctype, res.raw)
    assert sorted(read) == ["1", "2"]
    status, reason, msg, body = read["1"]
    assert (status, reason) == (200, "OK")
    assert msg["Content-Type"] == "application/json"
    assert body == direct(server, "/static/hello.json").content
    status, reason, msg, body = read["2"]
    assert (status, reason) == (200, "OK")
    assert msg["X-Backend"] == "yes"
    seen = json.loads(body)
    assert seen["method"] == "PUT"
    assert seen["path"] == "/farm/v1/animals/sheep"
    assert seen["query"] == "alt=json"
    assert seen["body"] == ('{"animalName": "sheep", "animalAge": "5", '
                            '"peltColor": "green"}')
    assert seen["content_length"] == "63"
    hdrs = {k.lower(): v for k, v in seen["headers"].items()}
    assert hdrs["authorization"] == "Bearer ya29.EXAMPLE"
    assert hdrs["x-goog-api-client"] == "gdcl/2.100.0 gl-python/3.11.7"
    assert len(backend.seen) == before + 1
    assert [p.content_id for p in res.parts] == [
        "<response-b29c5de2-0db4-490b-b421-6a51b598bd22 + %d>" % i
        for i in (1, 2)]


ODATA = [
    ("GET /service/Customers('ALFKI') HTTP/1.1",
     "GET /proxy/service/Customers('ALFKI') HTTP/1.1"),
    ("POST /service/Customers HTTP/1.1",
     "POST /proxy/service/Customers?status=201 HTTP/1.1"),
    ("PATCH /service/Customers('ALFKI') HTTP/1.1",
     "PATCH /proxy/service/Customers('ALFKI')?status=204 HTTP/1.1"),
    ("GET /service/Products HTTP/1.1",
     "GET /static/service/Products HTTP/1.1"),
]


def test_vector_odata(server, backend):
    before = len(backend.seen)
    res = send_vector(server, "odata-multipart.request.txt", ODATA)
    # the shape of odata-multipart.response.txt
    assert len(res.parts) == 3
    first, cs, last = res.parts
    assert first.members is None and first.content_id is None
    assert_ok(first)
    assert json.loads(first.body)["path"] == "/service/Customers('ALFKI')"
    assert cs.members is not None and cs.content_id is None
    assert [m.content_id for m in cs.members] == ["1", "2"]
    created, patched = cs.members
    assert_ok(created, 201)
    assert created.json()["body"] == ('{"CustomerID": "POIUY", '
                                      '"CompanyName": "Poiuy Traders"}')
    assert_ok(patched, 204)
    assert patched.body == b"" and patched.header("Content-Length") is None
    assert last.members is None and last.content_id is None
    assert_ok(last, 404)
    assert last.body == direct(server, "/static/service/Products").content
    # what reached the backend, in order (in parallel, the GET may come
    # anywhere; the change set's members never swap)
    seen = backend.seen[before:]
    calls = [(s["method"], s["path"]) for s in seen]
    expected = [("GET", "/service/Customers('ALFKI')"),
                ("POST", "/service/Customers"),
                ("PATCH", "/service/Customers('ALFKI')")]
    if CONCURRENCY > 1:
        assert sorted(calls) == sorted(expected), calls
        assert calls.index(expected[1]) < calls.index(expected[2]), calls
    else:
        assert calls == expected
    patch = seen[calls.index(expected[2])]
    assert patch["body"] == '{"CompanyName": "Alfreds Futterkiste GmbH"}'
    hdrs = {k.lower(): v for k, v in patch["headers"].items()}
    assert hdrs["prefer"] == "return=minimal"
    assert hdrs["odata-version"] == "4.0"     # inherited from the batch
    # If-Match: test_conditional_headers_reach_the_proxy_backend


@pytest.mark.xfail(ENGINE == "subrequest", strict=True, reason=(
    "httpd's mod_proxy drops If-* request headers for every subrequest "
    "(proxy_util.c, ap_proxy_create_hdrbrgd); documented in the README"))
def test_conditional_headers_reach_the_proxy_backend(server, backend):
    """OData's PATCH carries If-Match: W/"1" (odata-multipart.request.txt);
    a direct request through ProxyPass forwards it; an operation cannot."""
    conditional = [("If-Match", 'W/"1"'), ("If-None-Match", '"x"'),
                   ("If-Unmodified-Since", "Sat, 01 Jan 2000 00:00:00 GMT")]
    requests.patch(server.url("/proxy/direct"), data=b"{}",
                   headers=dict(conditional), timeout=TIMEOUT)
    seen = {k.lower(): v for k, v in backend.seen[-1]["headers"].items()}
    assert seen["if-match"] == 'W/"1"'      # the direct request
    res = batch(server, [op("PATCH", "/proxy/op", conditional + [
        ("X-Own", "1"), ("Content-Type", "application/json")], "{}")])
    seen = {k.lower(): v for k, v in res.parts[0].json()["headers"].items()}
    assert seen["x-own"] == "1"
    missing = [k for k, _ in conditional if k.lower() not in seen]
    assert not missing, "not forwarded to the backend: %s" % missing


def test_vector_flask_batch(server, backend):
    before = len(backend.seen)
    res = send_vector(server, "flask-batch.request.txt", [
        ("http://localhost:5000/cat/",
         "http://%s/proxy/cat/" % server.host_header)])
    assert [p.content_id for p in res.parts] == [None, None]
    read = flask_batch_read(res.ctype, res.raw)
    assert [(s, r) for s, r, _ in read] == [(200, "OK"), (200, "OK")]
    alice, bob = [json.loads(b) for _, _, b in read]
    assert (alice["method"], alice["path"]) == ("PATCH", "/cat/alice")
    assert alice["body"] == '{"name": "fance"}'
    assert (bob["method"], bob["path"]) == ("PATCH", "/cat/bob")
    assert bob["body"] == '{"name": "duhbob"}'
    assert len(backend.seen) == before + 2


def test_vector_flask_batch_self_url_per_host_header(server, backend):
    """"this server as seen by the batch request": the Host header the
    client sent (flask-batch talks to localhost:5000)."""
    before = len(backend.seen)
    res = send_vector(server, "flask-batch.request.txt", [
        ("http://localhost:5000/cat/", "http://localhost:5000/proxy/cat/")],
        host="localhost:5000")
    assert [p.status for p in res.parts] == [200, 200]
    # sorted: with BatchConcurrency > 1 the two run side by side
    assert sorted(s["path"] for s in backend.seen[before:]) == [
        "/cat/alice", "/cat/bob"]


@pytest.mark.parametrize("name,replacements", [
    ("google.request.txt", [("/farm/v1/animals/pony\r\n",
                             "/static/hello.json\r\n")]),
    ("googleapiclient.request.txt", []),
    ("odata-multipart.request.txt", ODATA),
    ("flask-batch.request.txt", [("http://localhost:5000/cat/",
                                  "http://{host}/proxy/cat/")]),
], ids=["google", "googleapiclient", "odata", "flask-batch"])
def test_vector_accept_json_still_multipart(server, name, replacements):
    headers, body = load_vector(name)
    body = rewrite(body, [(a, b.format(host=server.host_header))
                          for a, b in replacements])
    headers["Accept"] = "application/json"
    res = Multi(requests.post(server.url("/batch"), data=body,
                              headers=headers, timeout=TIMEOUT))
    assert len(res.ops()) == {"google.request.txt": 3,
                              "googleapiclient.request.txt": 2,
                              "odata-multipart.request.txt": 4,
                              "flask-batch.request.txt": 2}[name]


# --------------------------------------------------------------------------
# The response's shape

def test_response_shape(server):
    res = batch(server, [op("GET", "/static/hello.json", content_id="<a>"),
                         op("GET", "/static/a.txt")])
    assert res.boundary != BOUNDARY
    # each part's headers begin with Content-Type: application/http
    for p in res.parts:
        assert p.part_headers[0] == ("Content-Type", "application/http")
    a, b = res.parts
    assert_ok(a)
    assert a.header("Content-Type") == "application/json"
    assert a.body == (STATIC / "hello.json").read_bytes()
    assert_ok(b)
    assert b.body == b"hello from a.txt\n"
    assert b.header("Content-Type").startswith("text/plain")
    # the raw framing, for the record
    assert res.raw.startswith(b"--" + _b(res.boundary) + CRLF +
                              b"Content-Type: application/http\r\n"
                              b"Content-ID: <response-a>\r\n\r\n"
                              b"HTTP/1.1 200 OK\r\n")
    again = batch(server, [op("GET", "/static/a.txt")])
    assert again.boundary != res.boundary


@pytest.mark.parametrize("quoted", [False, True], ids=["bare", "quoted"])
@pytest.mark.parametrize("nl", [CRLF, LF], ids=["crlf", "lf"])
def test_line_ends_and_boundary_quoting(server, nl, quoted):
    tok = token()
    parts = [op("GET", "/static/hello.json", content_id="<g>", nl=nl),
             op("POST", "/cgi/echo.cgi", [("Content-Type", "text/plain")],
                "line one" + "\n" + "line two", content_id="<p>", nl=nl),
             changeset([op("PUT", "/cgi/echo.cgi", body="cs body",
                           content_id="1", nl=nl),
                        record(tok, "2", nl=nl)], nl=nl)]
    boundary = "=====b 42=="
    res = Multi(post(server, multipart(parts, boundary, nl), boundary,
                     quoted=True) if quoted else
                post(server, multipart(parts, BOUNDARY, nl)))
    assert_ok(res["<response-g>"])
    echo = res["<response-p>"].json()
    assert echo["body"] == "line one\nline two"
    assert echo["content_length"] == str(len("line one\nline two"))
    assert res["1"].json()["body"] == "cs body"
    assert res["1"].json()["method"] == "PUT"
    assert_ok(res["2"])
    assert len(server.recorded(tok)) == 1


def test_part_header_variants(server):
    """application/http with parameters, Content-Transfer-Encoding: binary,
    MIME-Version, any header case, no version in the request line, no
    blank line after the inner headers, blank lines after the body."""
    body = b"".join([
        b"--batch_x\r\n",
        b"content-type: Application/HTTP; msgtype=request\r\n",
        b"content-transfer-encoding: binary\r\nMIME-Version: 1.0\r\n",
        b"content-id: <one>\r\n\r\n",
        b"GET /static/hello.json\r\n",
        b"--batch_x\r\n",
        b"Content-Type: application/http\r\nContent-ID: <two>\r\n\r\n",
        b"POST /cgi/echo.cgi HTTP/1.1\r\nContent-Type: text/plain\r\n\r\n",
        b"abc\r\n\r\n\r\n",
        b"--batch_x\r\n",
        b"Content-Type: application/http\r\nContent-ID: <three>\r\n\r\n",
        b"\r\nGET /static/a.txt HTTP/1.1\r\nX-A: 1\r\n",
        b"--batch_x--",
    ])
    res = Multi(post(server, body))
    assert [p.content_id for p in res.parts] == [
        "<response-one>", "<response-two>", "<response-three>"]
    assert_ok(res.parts[0])
    echo = res.parts[1].json()
    assert echo["body"] == "abc" and echo["content_length"] == "3"
    assert res.parts[2].body == b"hello from a.txt\n"


def test_preamble_epilogue_padding_and_case(server):
    """RFC 2046: a preamble before the first delimiter, blanks after a
    delimiter (transport padding), an epilogue; media type and parameter
    names in any case; a lower-case method."""
    body = (b"This is a multi-part message in MIME format.\r\n"
            b"--batch_x \t\r\n"
            b"Content-Type: application/http\r\n\r\n"
            b"get /static/a.txt HTTP/1.1\r\n\r\n"
            b"--batch_x--  \r\n"
            b"epilogue\r\n--batch_x\r\nnot a part\r\n")
    res = Multi(post(server, body,
                     ctype="Multipart/Mixed; BOUNDARY=batch_x; x=y"))
    assert len(res.parts) == 1
    assert_ok(res.parts[0])
    assert res.parts[0].body == b"hello from a.txt\n"


# --------------------------------------------------------------------------
# Operations reaching CGI and the proxy backend

def test_cgi_methods_and_bodies(server):
    res = batch(server, [
        op("GET", "/cgi/echo.cgi?x=1", content_id="<get>"),
        op("POST", "/cgi/echo.cgi/a/b?y=2",
           [("Content-Type", "application/json")], '{"a": 1}',
           content_id="<post>"),
        op("PUT", "/cgi/echo.cgi", [("Content-Type", "text/plain")],
           "put body", content_id="<put>"),
        op("DELETE", "/cgi/echo.cgi?id=7", content_id="<delete>"),
    ])
    get = res["<response-get>"].json()
    assert (get["method"], get["request_uri"]) == ("GET", "/cgi/echo.cgi?x=1")
    assert get["body"] == "" and get["content_length"] in (None, "", "0")
    post_ = res["<response-post>"].json()
    assert post_["method"] == "POST"
    assert post_["request_uri"] == "/cgi/echo.cgi/a/b?y=2"
    assert post_["path_info"] == "/a/b"
    assert post_["content_type"] == "application/json"
    assert (post_["content_length"], post_["body"]) == ("8", '{"a": 1}')
    put = res["<response-put>"].json()
    assert (put["method"], put["body"], put["content_length"]) == \
        ("PUT", "put body", "8")
    delete = res["<response-delete>"].json()
    assert (delete["method"], delete["request_uri"]) == \
        ("DELETE", "/cgi/echo.cgi?id=7")
    for p in res.parts:
        assert_ok(p)
        assert p.header("X-Echo") == "yes"


def test_body_without_content_length(server):
    """The rest of the part, minus the blank lines after it."""
    res = batch(server, [
        op("POST", "/cgi/echo.cgi", [("Content-Type", "text/plain")],
           "no length\r\nsecond line\r\n\r\n", content_length=False),
        op("POST", "/cgi/echo.cgi", [("Content-Type", "text/plain")],
           "lf\n\n", content_length=False, nl=LF),
    ])
    assert res.parts[0].json()["body"] == "no length\r\nsecond line"
    assert res.parts[0].json()["content_length"] == "22"
    assert res.parts[1].json()["body"] == "lf"


BINARY = bytes(range(256)) + b"\x00\xff\xfe\x00\r\n--batch_y\r\n\r\n\n"


def test_binary_body_is_byte_exact(server, backend):
    before = len(backend.seen)
    res = batch(server, [
        op("POST", "/cgi/echo.cgi",
           [("Content-Type", "application/octet-stream")], BINARY),
        op("PUT", "/proxy/blob", [("Content-Type",
                                   "application/octet-stream")], BINARY),
    ])
    echo = res.parts[0].json()
    assert base64.b64decode(echo["body_base64"]) == BINARY
    assert echo["content_length"] == str(len(BINARY))
    seen = res.parts[1].json()
    assert seen["method"] == "PUT" and seen["body_length"] == len(BINARY)
    assert seen["content_length"] == str(len(BINARY))
    assert len(backend.seen) == before + 1


def test_binary_response_body_is_byte_exact(server):
    res = batch(server, [op("GET", "/static/blob.bin")])
    assert res.parts[0].body == (STATIC / "blob.bin").read_bytes()
    assert res.parts[0].header("Content-Length") == \
        str((STATIC / "blob.bin").stat().st_size)


@sequential_only("the backend sees independent operations in any order")
def test_proxy_methods_and_bodies(server, backend):
    before = len(backend.seen)
    res = batch(server, [
        op("GET", "/proxy/items?limit=5", content_id="1"),
        op("POST", "/proxy/items", [("Content-Type", "application/json")],
           '{"title": "x"}', content_id="2"),
        op("PUT", "/proxy/items/7", [("Content-Type", "text/plain")],
           "seven", content_id="3"),
        op("DELETE", "/proxy/items/7", content_id="4"),
        op("GET", "/proxy/gone?status=404", content_id="5"),
    ])
    seen = backend.seen[before:]
    assert [(s["method"], s["path"], s["body"]) for s in seen] == [
        ("GET", "/items", ""), ("POST", "/items", '{"title": "x"}'),
        ("PUT", "/items/7", "seven"), ("DELETE", "/items/7", ""),
        ("GET", "/gone", "")]
    assert seen[1]["content_length"] == "14"
    for cid in "1234":
        assert_ok(res[cid])
        assert res[cid].header("X-Backend") == "yes"
        assert res[cid].json()["method"] == seen[int(cid) - 1]["method"]
    assert_ok(res["5"], 404)
    assert res["5"].json()["path"] == "/gone"


# --------------------------------------------------------------------------
# Authentication per part

def test_auth_per_part(server):
    res = batch(server, [
        op("GET", "/private/data.json", content_id="<none>"),
        op("GET", "/private/data.json", [("Authorization", GOOD_AUTH)],
           content_id="<good>"),
        op("GET", "/private/data.json", [("Authorization", BAD_AUTH)],
           content_id="<bad>"),
    ])
    none = res["<response-none>"]
    assert_ok(none, 401)
    assert none.header("WWW-Authenticate").startswith("Basic")
    assert b"private data" not in none.body
    good = res["<response-good>"]
    assert_ok(good)
    assert good.json() == {"secret": "private data"}
    assert_ok(res["<response-bad>"], 401)


def test_auth_inherited_from_the_batch(server):
    res = batch(server, [
        op("GET", "/private/data.json"),
        op("GET", "/private/data.json", [("Authorization", BAD_AUTH)]),
        op("GET", "/private/echo.cgi"),
    ], headers={"Authorization": GOOD_AUTH})
    inherited, own_bad, cgi = res.parts
    assert_ok(inherited)
    assert inherited.json() == {"secret": "private data"}
    assert_ok(own_bad, 401)
    assert cgi.json()["remote_user"] == "alice"


# --------------------------------------------------------------------------
# Errors and HEAD

def test_static_404_has_the_direct_body(server):
    res = batch(server, [op("GET", "/static/missing.json"),
                         op("GET", "/static/hello.json")])
    missing, ok = res.parts
    want = direct(server, "/static/missing.json")
    assert_ok(missing, 404)
    assert missing.body == want.content
    assert missing.header("Content-Type") == want.headers["Content-Type"]
    assert_ok(ok)


def test_cgi_error_status(server):
    res = batch(server, [op("GET", "/cgi/status.cgi?code=500"),
                         op("GET", "/cgi/broken.cgi"),
                         op("GET", "/static/hello.json")])
    status500, broken, ok = res.parts
    assert status500.status == 500
    assert status500.json() == {"code": 500, "method": "GET"}
    assert status500.header("X-Cgi") == "status"
    assert status500.reason == "Internal Server Error", (
        "status line %r: a CGI's 'Status: 500' has no reason phrase of its "
        "own; a direct request says 'Internal Server Error'"
        % ("HTTP/1.1 %d %s" % (status500.status, status500.reason)))
    assert_ok(broken, 500)
    assert_ok(ok)


@pytest.mark.parametrize("code", [201, 304, 404])
def test_cgi_status_reason_phrase(server, code):
    direct_line = requests.get(
        server.url("/cgi/status.cgi?code=%d" % code), timeout=TIMEOUT).reason
    res = batch(server, [op("GET", "/cgi/status.cgi?code=%d" % code)])
    p = res.parts[0]
    assert p.status == code
    assert p.reason == direct_line == REASONS[code], (p.reason, direct_line)


def test_bodyless_answers_have_no_content_length(server):
    """HEAD, 204 and 304: no body and no Content-Length in the part."""
    res = batch(server, [op("HEAD", "/static/hello.json"),
                         op("HEAD", "/cgi/echo.cgi"),
                         op("GET", "/cgi/status.cgi?code=204"),
                         op("GET", "/cgi/status.cgi?code=304"),
                         op("DELETE", "/proxy/gone?status=204"),
                         op("GET", "/static/hello.json")])
    head_static, head_cgi, cgi204, cgi304, proxy204, get = res.parts
    for p in res.parts[:5]:
        assert p.body == b"", p
        assert p.header("Content-Length") is None, p
    assert_ok(head_static)
    assert head_static.header("Content-Type") == "application/json"
    assert head_static.header("ETag")
    assert_ok(head_cgi)
    assert head_cgi.header("X-Echo") == "yes"
    assert (cgi204.status, cgi304.status) == (204, 304)
    assert cgi204.header("X-Cgi") == cgi304.header("X-Cgi") == "status"
    assert_ok(proxy204, 204)
    assert proxy204.header("X-Backend") == "yes"
    assert_ok(get)
    assert get.header("Content-Length") == str(len(get.body))
    assert get.body == (STATIC / "hello.json").read_bytes()


# --------------------------------------------------------------------------
# Change sets

@sequential_only("the part after the change set may run beside it; the "
                 "members' order is tested with atomicity groups in "
                 "test_concurrency.py")
def test_changeset_runs_in_order(server):
    tok = token()
    res = batch(server, [
        changeset([record(tok + "-1", "1"), record(tok + "-2", "2"),
                   record(tok + "-3", "3")]),
        record(tok + "-after"),
    ])
    cs, after = res.parts
    assert [m.content_id for m in cs.members] == ["1", "2", "3"]
    for m in cs.members:
        assert_ok(m)
    assert_ok(after)
    order = [line.split("?t=")[1].split()[0]
             for line in server.recorded(tok)]
    assert order == [tok + "-1", tok + "-2", tok + "-3", tok + "-after"]


def test_changeset_stops_at_first_failure(server):
    tok = token()
    res = batch(server, [
        record(tok + "-before", "<before>"),
        changeset([op("GET", "/static/missing.json", content_id="1"),
                   record(tok + "-member", "2"),
                   op("POST", "/cgi/echo.cgi", body="x", content_id="3")]),
        record(tok + "-after", "<after>"),
    ])
    assert_ok(res["<response-before>"])
    assert_ok(res["1"], 404)
    for cid in ("2", "3"):
        assert_ok(res[cid], 424)
        assert error_code(res[cid]) == "failed_dependency"
    assert_ok(res["<response-after>"])
    assert server.recorded(tok + "-member") == []
    assert len(server.recorded(tok + "-before")) == 1
    assert len(server.recorded(tok + "-after")) == 1


def test_changeset_failure_in_the_middle(server):
    tok = token()
    res = batch(server, [
        changeset([record(tok + "-first", "1"),
                   op("GET", "/cgi/status.cgi?code=500", content_id="2"),
                   record(tok + "-third", "3")]),
        changeset([record(tok + "-other", "4")], boundary="changeset_r"),
    ])
    assert len(res.parts) == 2
    assert_ok(res["1"])
    assert res["2"].status == 500
    assert_ok(res["3"], 424)
    assert_ok(res["4"])
    assert len(server.recorded(tok + "-first")) == 1
    assert server.recorded(tok + "-third") == []
    assert len(server.recorded(tok + "-other")) == 1
    # two change sets: two nested parts, each with its own boundary
    assert res.parts[0].changeset_boundary != res.parts[1].changeset_boundary


# --------------------------------------------------------------------------
# Content-ID, Accept, Prefer

def test_content_id_mapping(server):
    res = batch(server, [
        op("GET", "/static/a.txt", content_id="<item1:1@example.com>"),
        op("GET", "/static/a.txt", content_id="1"),
        op("GET", "/static/a.txt"),
        op("GET", "/static/a.txt", content_id="<b29c + 2>"),
        op("GET", "/static/a.txt", content_id="x-7"),
    ])
    assert [p.content_id for p in res.parts] == [
        "<response-item1:1@example.com>", "1", None, "<response-b29c + 2>",
        "x-7"]
    third = res.parts[2]
    assert [k for k, _ in third.part_headers] == ["Content-Type"]


def test_accept_json_still_gets_multipart(server):
    res = batch(server, [op("GET", "/static/hello.json")],
                headers={"Accept": "application/json"})
    assert_ok(res.parts[0])


@sequential_only("operations after the failing one may have started "
                 "beside it; test_concurrency.py covers stopping")
def test_prefer_continue_on_error_false(server):
    tok = token()
    parts = [op("GET", "/static/hello.json", content_id="1"),
             op("GET", "/static/missing.json", content_id="2"),
             record(tok, "3"),
             op("GET", "/static/a.txt", content_id="4")]
    res = batch(server, parts,
                headers={"Prefer": "odata.continue-on-error=false"})
    assert_ok(res["1"])
    assert_ok(res["2"], 404)
    for cid in ("3", "4"):
        assert_ok(res[cid], 424)
        assert error_code(res[cid]) == "not_run"
    assert server.recorded(tok) == []
    # among other preferences
    tok2 = token()
    parts[2] = record(tok2, "3")
    res = batch(server, parts, headers={
        "Prefer": "return=minimal, odata.continue-on-error=false"})
    assert [p.status for p in res.parts] == [200, 404, 424, 424]
    assert server.recorded(tok2) == []


def test_default_continues_after_errors(server):
    tok = token()
    res = batch(server, [op("GET", "/static/missing.json"), record(tok),
                         op("GET", "/cgi/status.cgi?code=500"),
                         op("GET", "/static/a.txt")])
    assert [p.status for p in res.parts] == [404, 200, 500, 200]
    assert len(server.recorded(tok)) == 1
    res = batch(server, [op("GET", "/static/missing.json"),
                         op("GET", "/static/a.txt")],
                headers={"Prefer": "odata.continue-on-error=true"})
    assert [p.status for p in res.parts] == [404, 200]


# --------------------------------------------------------------------------
# Absolute URLs

def test_absolute_self_url_is_reduced(server):
    base = server.base_url
    res = batch(server, [
        op("GET", base + "/static/hello.json"),
        op("POST", base + "/cgi/echo.cgi?q=1",
           [("Content-Type", "text/plain")], "abs"),
        op("GET", "HTTP://127.0.0.1:%d/static/a.txt" % server.port),
    ])
    assert_ok(res.parts[0])
    assert res.parts[0].json() == {"hello": "world"}
    echo = res.parts[1].json()
    assert echo["request_uri"] == "/cgi/echo.cgi?q=1"
    assert echo["body"] == "abs"
    assert res.parts[2].body == b"hello from a.txt\n"


@pytest.mark.parametrize("url", [
    "http://example.com/static/hello.json",
    "http://127.0.0.1:{other}/static/hello.json",
    "http://localhost:{port}/static/hello.json",
    "https://127.0.0.1:{port}/static/hello.json",
    "http://127.0.0.1/static/hello.json",
    "http://user:pw@127.0.0.1:{port}/static/hello.json",
], ids=["host", "port", "hostname", "scheme", "default-port", "userinfo"])
def test_absolute_url_to_another_server_is_refused(server, backend, url):
    tok = token()
    other = backend.port
    url = url.format(port=server.port, other=other)
    before = len(backend.seen)
    body = multipart([record(tok), op("GET", url)])
    refused(server, body, 400, "invalid_url", "part 2", tok)
    assert len(backend.seen) == before


def test_absolute_url_by_an_alias_or_the_public_origin(server, backend):
    """Behind a reverse proxy (ServerName https://public.example,
    UseCanonicalName On) clients name the public origin, or one of the
    virtual host's ServerAlias names; the connection's own origin still
    works, and every other host is refused."""
    vhost = [
        "<VirtualHost 127.0.0.1:%d>" % server.port,
        "    ServerName https://public.example",
        "    ServerAlias api.example *.alias.example",
        "    UseCanonicalName On",
        "</VirtualHost>",
    ]
    good = ["https://public.example/static/a.txt",
            "https://API.example/static/a.txt",
            "https://eu.alias.example:443/static/a.txt",
            server.base_url + "/static/a.txt"]
    bad = ["http://public.example/static/a.txt",
           "https://public.example:%d/static/a.txt" % server.port,
           "https://alias.example/static/a.txt",
           "https://other.example/static/a.txt",
           "http://127.0.0.1:%d/static/a.txt" % backend.port]
    with reconfigured(server, server_extra=vhost):
        res = batch(server, [op("GET", url) for url in good])
        for p in res.parts:
            assert_ok(p)
            assert p.body == b"hello from a.txt\n", p
        for url in bad:
            tok = token()
            refused(server, multipart([record(tok), op("GET", url)]), 400,
                    "invalid_url", "part 2", tok)


# --------------------------------------------------------------------------
# Refusals: a bad batch runs nothing

def good_parts(tok):
    return [record(tok), op("GET", "/static/a.txt")]


def test_refused_missing_boundary(server):
    tok = token()
    body = multipart(good_parts(tok))
    for ctype in ("multipart/mixed", "multipart/mixed; charset=utf-8",
                  "multipart/mixed; boundary=", 'multipart/mixed; boundary="'):
        refused(server, body, 400, "invalid_multipart", None, tok,
                ctype=ctype)


def test_refused_no_delimiter(server):
    tok = token()
    body = multipart(good_parts(tok), boundary="other_boundary")
    refused(server, body, 400, "invalid_multipart", None, tok)
    refused(server, b"GET /cgi/record.cgi?t=%s\r\n" % tok.encode(), 400,
            "invalid_multipart", None, tok)


def test_refused_truncated(server):
    tok = token()
    body = multipart(good_parts(tok))
    cut = body[:body.rindex(b"--batch_x--")]
    refused(server, cut, 400, "invalid_multipart", "part 2", tok)
    # the same, cut inside the second part
    refused(server, body[:body.index(b"GET /static/a.txt") + 5], 400,
            "invalid_multipart", "part 2", tok)
    # a change set without its closing delimiter
    cs = multipart([record(tok), changeset([op("GET", "/static/a.txt")])])
    cs = cs.replace(b"--changeset_q--", b"")
    refused(server, cs, 400, "invalid_multipart", {"part 2", "part 2.1"},
            tok)


def test_refused_part_not_application_http(server):
    tok = token()
    body = multipart([record(tok),
                      op("GET", "/static/a.txt", ctype="text/plain")])
    refused(server, body, 400, "invalid_multipart", "part 2", tok)
    no_type = multipart([record(tok),
                         b"Content-ID: <x>\r\n\r\nGET /static/a.txt\r\n"])
    refused(server, no_type, 400, "invalid_multipart", "part 2", tok)


@pytest.mark.parametrize("message", [b"", b"\r\n\r\n", b"GET\r\n",
                                     b" /static/a.txt HTTP/1.1\r\n",
                                     b"GET /static/a.txt HTTP/2\r\n",
                                     b"GET /static/a.txt HTTP/1.1 x\r\n"],
                         ids=["empty", "blank", "no-target", "no-method",
                              "version", "extra"])
def test_refused_no_request_line(server, message):
    tok = token()
    body = multipart([record(tok), part(message)])
    refused(server, body, 400, "invalid_multipart", "part 2", tok)


@pytest.mark.parametrize("line", [b"NoColonHere", b": no name",
                                  b"Bad Name: x", b" folded: x"],
                         ids=["no-colon", "no-name", "space-in-name",
                              "folded"])
def test_refused_bad_header_line(server, line):
    tok = token()
    msg = b"GET /static/a.txt HTTP/1.1\r\nX-Ok: 1\r\n" + line + b"\r\n\r\n"
    body = multipart([record(tok), part(msg)])
    res = BatchResult(post(server, body))
    # a space inside a name is a bad header name: invalid_header is fine too
    assert res.status == 400, res
    code = res.json["error"]["code"]
    assert code in (("invalid_multipart", "invalid_header")
                    if line == b"Bad Name: x" else ("invalid_multipart",)), res
    assert_refused(res, 400, code, "part 2", server, tok)


def test_refused_bad_part_header_line(server):
    tok = token()
    body = multipart([record(tok),
                      b"Content-Type: application/http\r\nBroken header\r\n"
                      b"\r\nGET /static/a.txt\r\n"])
    refused(server, body, 400, "invalid_multipart", "part 2", tok)


def test_refused_body_shorter_than_content_length(server):
    tok = token()
    msg = (b"POST /cgi/echo.cgi HTTP/1.1\r\nContent-Length: 100\r\n\r\n"
           b"only a few bytes")
    refused(server, multipart([record(tok), part(msg)]), 400,
            "invalid_multipart", "part 2", tok)
    bad = (b"POST /cgi/echo.cgi HTTP/1.1\r\nContent-Length: 1x\r\n\r\nab")
    refused(server, multipart([record(tok), part(bad)]), 400,
            "invalid_multipart", "part 2", tok)


def test_refused_conflicting_content_lengths(server):
    """Two different Content-Length values: httpd answers a direct request
    400, so the part's body length is ambiguous (nothing says which; this is
    what httpd itself does)."""
    tok = token()
    msg = (b"POST /cgi/echo.cgi HTTP/1.1\r\nContent-Length: 3\r\n"
           b"Content-Length: 10\r\n\r\nabcdefghij")
    refused(server, multipart([record(tok), part(msg)]), 400,
            "invalid_multipart", "part 2", tok)


def test_refused_unsupported_transfer_encodings(server):
    tok = token()
    refused(server, multipart([record(tok), op(
        "GET", "/static/a.txt",
        extra=[("Content-Transfer-Encoding", "base64")])]),
        400, "invalid_multipart", "part 2", tok)
    msg = (b"POST /cgi/echo.cgi HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
           b"\r\n3\r\nabc\r\n0\r\n\r\n")
    refused(server, multipart([record(tok), part(msg)]), 400,
            "invalid_multipart", "part 2", tok)


def test_refused_cr_in_header_value(server):
    tok = token()
    msg = b"GET /static/a.txt HTTP/1.1\r\nX-Evil: a\rInjected: b\r\n\r\n"
    refused(server, multipart([record(tok), part(msg)]), 400,
            "invalid_header", "part 2", tok)
    # bare LF line ends: the CR is inside the value
    msg = b"GET /static/a.txt HTTP/1.1\nX-Evil: a\rb\n\n"
    refused(server, multipart([record(tok), part(msg, nl=LF)], nl=LF), 400,
            "invalid_header", "part 2", tok)


def test_refused_method_not_allowed(server):
    tok = token()
    refused(server, multipart([record(tok), op("TRACE", "/static/a.txt")]),
            400, "method_not_allowed", "part 2", tok)
    refused(server, multipart([record(tok),
                               changeset([op("CONNECT", "/static/a.txt")])]),
            400, "method_not_allowed", "part 2.1", tok)


def test_refused_too_many_operations(server):
    tok = token()
    parts = [record(tok)] + [op("GET", "/static/a.txt")] * 3
    refused(server, multipart(parts), 413, "too_many_operations", None, tok,
            path="/limited-batch")
    # members of a change set count as operations
    parts = [record(tok), changeset([op("GET", "/static/a.txt")] * 3)]
    refused(server, multipart(parts), 413, "too_many_operations", None, tok,
            path="/limited-batch")
    res = batch(server, [record(tok)] + [op("GET", "/static/a.txt")] * 2,
                path="/limited-batch")
    assert len(res.parts) == 3
    assert len(server.recorded(tok)) == 1


def test_refused_relative_and_network_path_urls(server):
    tok = token()
    for url in ("static/a.txt", "//evil.example/x", "/static/a.txt#frag"):
        refused(server, multipart([record(tok), op("GET", url)]), 400,
                "invalid_url", "part 2", tok)


def test_refused_nested_changeset(server):
    tok = token()
    inner = changeset([op("GET", "/static/a.txt")], boundary="changeset_in")
    outer = changeset([inner], boundary="changeset_out")
    refused(server, multipart([record(tok), outer]), 400,
            "invalid_multipart", {"part 2", "part 2.1"}, tok)


# --------------------------------------------------------------------------
# Streaming and memory

MIB = 1024 * 1024
OPS = 50
MAX_GROWTH_KIB = 30 * 1024


def _big_expected():
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
    return (line * (BIG_FILE_SIZE // len(line) + 1))[:BIG_FILE_SIZE]


def _run_big(server, n):
    body = multipart([op("GET", "/static/big.txt", content_id="<%d>" % i)
                      for i in range(n)])
    with requests.post(server.url("/batch"), data=body, timeout=TIMEOUT,
                       headers={"Content-Type":
                                "multipart/mixed; boundary=batch_x"},
                       stream=True) as r:
        assert r.status_code == 200
        raw = r.raw.read(decode_content=True)
        return r.headers, raw


def test_many_large_parts_stream(server):
    _run_big(server, 3)
    before = server.rss_kib()
    headers, raw = _run_big(server, OPS)
    after = server.rss_kib()

    assert headers.get("Transfer-Encoding", "").lower() == "chunked"
    assert "Content-Length" not in headers
    boundary = headers["Content-Type"].split("boundary=", 1)[1]
    parts = strict_parse(raw, boundary)
    assert [p.content_id for p in parts] == ["<response-%d>" % i
                                             for i in range(OPS)]
    want = hashlib.sha256(_big_expected()).hexdigest()
    for p in parts:
        assert_ok(p)
        assert len(p.body) == MIB
        assert p.header("Content-Length") == str(MIB)
        assert hashlib.sha256(p.body).hexdigest() == want

    growth = sum(after.get(pid, 0) - before.get(pid, 0) for pid in after)
    assert growth < MAX_GROWTH_KIB, (
        "httpd children grew by %d KiB for a %d MiB multipart batch (before "
        "%r, after %r)" % (growth, OPS, before, after))


# --------------------------------------------------------------------------
# The multipart curl example of docs/formats.md (test_doc_examples.py runs
# it as printed too)

def test_curl_example(server, tmp_path):
    curl = shutil.which("curl")
    if not curl:
        pytest.skip("curl is not installed")
    batch_file = tmp_path / "batch.txt"
    batch_file.write_bytes(
        b"--batch_x\r\n"
        b"Content-Type: application/http\r\n"
        b"Content-ID: <a>\r\n"
        b"\r\n"
        b"GET /static/hello.json HTTP/1.1\r\n"
        b"\r\n"
        b"--batch_x\r\n"
        b"Content-Type: application/http\r\n"
        b"Content-ID: <b>\r\n"
        b"\r\n"
        b"POST /cgi/echo.cgi HTTP/1.1\r\n"
        b"Content-Type: application/json\r\n"
        b"\r\n"
        b'{"name": "x"}\r\n'
        b"--batch_x--\r\n")
    out = subprocess.run(
        [curl, "-sS", "-i", "--data-binary", "@" + str(batch_file),
         "-H", "Content-Type: multipart/mixed; boundary=batch_x",
         server.url("/batch")],
        capture_output=True, timeout=TIMEOUT, check=True).stdout
    head, _, body = out.partition(CRLF + CRLF)
    status_line, *header_lines = head.split(CRLF)
    assert status_line.startswith(b"HTTP/1.1 200"), out[:500]
    hdrs = {k.lower(): v.strip() for k, _, v in
            (line.decode().partition(":") for line in header_lines)}
    assert hdrs["transfer-encoding"] == "chunked"
    ctype = hdrs["content-type"]
    parts = email_parse(ctype, body)
    assert [p.content_id for p in parts] == ["<response-a>", "<response-b>"]
    assert parts[0].json() == {"hello": "world"}
    echo = parts[1].json()
    assert (echo["method"], echo["body"]) == ("POST", '{"name": "x"}')
    assert echo["content_type"] == "application/json"
    assert strict_parse(body, ctype.split("boundary=", 1)[1])[1].key() == \
        parts[1].key()


@subrequest_only(
    "httpd's own 500 for a bad header (http_filters.c) reaches "
    "the op as it reaches a direct client, with a Content-Length "
    "its body falls short of: a cut-off answer (502)")
def test_response_header_httpd_refuses_is_inline_500(server):
    m = batch(server, [op("GET", "/cgi/badheader.cgi", content_id="<a>"),
                       op("GET", "/static/hello.json", content_id="<b>")])
    assert_ok(m["<response-a>"], 500)
    assert error_code(m["<response-a>"]) == "invalid_response"
    assert b"\x1b" not in m.raw
    assert_ok(m["<response-b>"])
