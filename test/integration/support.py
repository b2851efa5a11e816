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

"""Client-side helpers shared by the integration tests."""

import base64
import contextlib
import http.client
import json
import re
import uuid

import pytest
import requests

from httpd import CONCURRENCY, ENGINE, HttpdError

TIMEOUT = 60
JSON = {"Content-Type": "application/json"}


def sequential_only(why):
    """Marks a test that holds only when operations run one at a time; it
    is skipped when the suite runs with BATCH_CONCURRENCY > 1."""
    return pytest.mark.skipif(
        CONCURRENCY > 1, reason="BATCH_CONCURRENCY=%d: %s" % (CONCURRENCY,
                                                              why))


def subrequest_only(why):
    """Marks a test that pins what only the subrequest engine does (an op
    as a subrequest differs there from a direct request); it is skipped
    when the suite runs with BATCH_ENGINE=request, where the op is a
    request of its own."""
    return pytest.mark.skipif(
        ENGINE != "subrequest", reason="BATCH_ENGINE=%s: %s" % (ENGINE, why))


def basic(user, password):
    raw = ("%s:%s" % (user, password)).encode()
    return "Basic " + base64.b64encode(raw).decode()


GOOD_AUTH = basic("alice", "secret")
BAD_AUTH = basic("alice", "wrong")


def token():
    """A unique marker for record.cgi queries."""
    return "t" + uuid.uuid4().hex[:16]


def record_op(tok, op_id="rec", method="GET"):
    """An operation that leaves a trace in the record file when it runs."""
    return {"id": op_id, "method": method, "url": "/cgi/record.cgi?t=" + tok}


class BatchResult:
    """A batch response: the HTTP response, its JSON, entries by id."""

    def __init__(self, resp):
        self.resp = resp
        self.status = resp.status_code
        self.headers = resp.headers
        try:
            self.json = resp.json()
        except ValueError:
            self.json = None

    @property
    def responses(self):
        assert isinstance(self.json, dict), "not a JSON object: %r" % (
            self.resp.text[:500],)
        assert isinstance(self.json.get("responses"), list), self.json
        return self.json["responses"]

    def __getitem__(self, op_id):
        for entry in self.responses:
            if entry.get("id") == op_id:
                return entry
        raise KeyError("no response with id %r in %r" % (op_id, self.json))

    def ids(self):
        return [e.get("id") for e in self.responses]

    def __repr__(self):
        return "<BatchResult %d %s>" % (self.status, self.resp.text[:2000])


def post_batch(server, requests_list=None, path="/batch", on_error=None,
               headers=None, doc=None, data=None, auth=None, session=None):
    """POSTs a batch, on session's connection if given; doc (a JSON value)
    or data (raw bytes/str/iterator) replaces the usual
    {"requests": [...]} document."""
    hdrs = dict(JSON)
    if auth:
        hdrs["Authorization"] = auth
    if headers:
        hdrs.update(headers)
    if data is None:
        if doc is None:
            doc = {"requests": requests_list}
            if on_error is not None:
                doc["onError"] = on_error
        data = json.dumps(doc).encode("utf-8")
    resp = (session or requests).post(server.url(path), data=data,
                                      headers=hdrs, timeout=TIMEOUT)
    return BatchResult(resp)


def ok_batch(server, requests_list, **kw):
    """post_batch, asserting the batch itself succeeded."""
    res = post_batch(server, requests_list, **kw)
    assert res.status == 200, res
    assert media_type(res.headers.get("Content-Type")) == "application/json"
    assert res.ids() == [op["id"] for op in requests_list], res
    return res


def media_type(value):
    return (value or "").split(";")[0].strip().lower()


def header(entry, name):
    """An op's response header, looked up case-insensitively."""
    for k, v in (entry.get("headers") or {}).items():
        if k.lower() == name.lower():
            return v
    return None


def assert_refused(res, status, code, operation=None, server=None, tok=None):
    """A refusal: status, {"error": {"code", "message", "operation"}}, and
    (given server and tok) nothing recorded by record.cgi.

    operation: None means a batch-level error (key absent or null); a str
    or a set of acceptable values otherwise.
    """
    assert res.status == status, res
    assert media_type(res.headers.get("Content-Type")) == "application/json", \
        res.headers
    assert isinstance(res.json, dict) and isinstance(res.json.get("error"),
                                                     dict), res
    err = res.json["error"]
    assert err.get("code") == code, res
    assert isinstance(err.get("message"), str) and err["message"], res
    if operation is None:
        assert err.get("operation") is None, res
    else:
        allowed = {operation} if isinstance(operation, str) else set(operation)
        assert err.get("operation") in allowed, res
    if server is not None and tok is not None:
        assert server.recorded(tok) == [], \
            "a refused batch executed an operation: %r" % server.recorded(tok)
    return err


def error_code(entry):
    body = entry.get("body")
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("code")
    return None


class _RawLineConnection(http.client.HTTPConnection):
    """Sends each character of the request line as the byte of its code
    (a str target holds raw UTF-8 as its Latin-1 reading)."""

    def _encode_request(self, request):
        return request.encode("latin-1")


def raw_response(server, method, target, headers=None, body=None):
    """A request with the target sent verbatim (no dot-segment cleanup,
    non-ASCII bytes as they are): status, headers as (name, value) pairs in
    the order received, body."""
    conn = _RawLineConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.getheaders(), data
    finally:
        conn.close()


def raw_request(server, method, target, headers=None, body=None):
    """raw_response with the headers as a dict."""
    status, hdrs, data = raw_response(server, method, target, headers, body)
    return status, dict(hdrs), data


def numbers_in(text):
    return [int(x) for x in re.findall(r"\d+", text)]


@contextlib.contextmanager
def reconfigured(server, server_extra=(), batch_extra=()):
    """Runs the block with extra configuration lines (server level and in
    <Location /batch>), then restores the usual configuration."""
    error = None
    try:
        server.restart(server_extra=list(server_extra),
                       batch_extra=list(batch_extra))
    except HttpdError as e:
        error = str(e)
    if error:
        server.server_extra, server.batch_extra = [], []
        server.stop()
        server.start()
        pytest.fail(error, pytrace=False)
    try:
        yield server
    finally:
        server.restart(server_extra=[], batch_extra=[])


def status_figures(server):
    """mod_batch's figures on the server-status page (?auto) of the child
    that answers: {name: int}."""
    text = requests.get(server.url("/server-status?auto"),
                        timeout=10).text
    return {k: int(v) for k, v in re.findall(r"^(Batch\w+): (\d+)$", text,
                                             re.M)}
