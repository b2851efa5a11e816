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

"""Directives: limits, base URL; server-level configuration.

/limited-batch has BatchMaxOperations 3, BatchMaxRequestSize 2048 and
BatchMaxOperationResponseSize 65536; /based-batch has BatchBaseURL /static.
"""

import json

import requests

from support import (JSON, TIMEOUT, BatchResult, assert_refused, error_code,
                     ok_batch, post_batch, reconfigured, record_op, token)


# -- BatchMaxOperations --------------------------------------------------------

def test_max_operations(server):
    tok = token()
    ops = [record_op(tok)] + [{"id": str(i), "url": "/static/a.txt"}
                              for i in range(3)]
    res = post_batch(server, ops, path="/limited-batch")
    assert_refused(res, 413, "too_many_operations", None, server, tok)
    res = ok_batch(server, ops[:3], path="/limited-batch")
    assert len(server.recorded(tok)) == 1


def test_default_max_operations_is_100(server):
    ops = [{"id": str(i), "method": "HEAD", "url": "/static/empty.txt"}
           for i in range(101)]
    res = post_batch(server, ops)
    assert_refused(res, 413, "too_many_operations", None)
    res = ok_batch(server, ops[:100])
    assert all(e["status"] == 200 for e in res.responses)


# -- BatchMaxRequestSize -------------------------------------------------------

def _big_doc(tok, size):
    doc = {"requests": [record_op(tok),
                        {"id": "pad", "method": "POST", "url": "/cgi/echo.cgi",
                         "body": ""}]}
    pad = size - len(json.dumps(doc))
    doc["requests"][1]["body"] = "y" * pad
    data = json.dumps(doc).encode()
    assert len(data) == size
    return data


def test_request_size_declared(server):
    tok = token()
    res = post_batch(server, path="/limited-batch", data=_big_doc(tok, 4000))
    assert_refused(res, 413, "request_too_large", None, server, tok)


def test_request_size_chunked(server):
    tok = token()
    data = _big_doc(tok, 4000)

    def chunks():
        for i in range(0, len(data), 500):
            yield data[i:i + 500]

    r = requests.post(server.url("/limited-batch"), data=chunks(),
                      headers=JSON, timeout=TIMEOUT)
    assert_refused(BatchResult(r), 413, "request_too_large", None,
                   server, tok)


def test_request_size_at_limit_is_fine(server):
    tok = token()
    res = post_batch(server, path="/limited-batch", data=_big_doc(tok, 2048))
    assert res.status == 200, res
    assert res["pad"]["body"]["body_length"] > 1500
    assert len(server.recorded(tok)) == 1


# -- BatchMaxOperationResponseSize ---------------------------------------------

def test_operation_response_too_large(server):
    tok = token()
    res = ok_batch(server, [
        {"id": "big", "url": "/cgi/big.cgi?n=100000"},
        {"id": "file", "url": "/static/big.txt"},
        record_op(tok),
    ], path="/limited-batch")
    for op_id in ("big", "file"):
        assert res[op_id]["status"] == 502, res[op_id]
        assert error_code(res[op_id]) == "response_too_large"
    assert res["rec"]["status"] == 200
    assert len(server.recorded(tok)) == 1


def test_operation_response_size_edge(server):
    res = ok_batch(server, [
        {"id": "at", "url": "/cgi/big.cgi?n=65536"},
        {"id": "over", "url": "/cgi/big.cgi?n=65537"},
        {"id": "after", "url": "/static/a.txt"},
    ], path="/limited-batch")
    assert res["at"]["status"] == 200
    assert res["at"]["body"] == "x" * 65536
    assert res["over"]["status"] == 502
    assert error_code(res["over"]) == "response_too_large"
    assert res["after"]["body"] == "hello from a.txt\n"


# -- BatchBaseURL --------------------------------------------------------------

def test_base_url(server):
    res = ok_batch(server, [
        {"id": "rel", "url": "hello.json"},
        {"id": "sub", "url": "dir/index.html"},
        {"id": "q", "url": "a.txt?x=1"},
        {"id": "abs", "url": "/cgi/echo.cgi"},
    ], path="/based-batch")
    assert res["rel"]["status"] == 200
    assert res["rel"]["body"] == {"hello": "world"}
    assert res["sub"]["status"] == 200
    assert "dir index" in res["sub"]["body"]
    assert res["q"]["body"] == "hello from a.txt\n"
    assert res["abs"]["body"]["request_uri"] == "/cgi/echo.cgi"


def test_base_url_still_refuses_absolute_urls(server):
    tok = token()
    res = post_batch(server, [record_op(tok),
                              {"id": "x", "url": "http://evil.example/"}],
                     path="/based-batch")
    assert_refused(res, 400, "invalid_url", "x", server, tok)


# -- directives at server level, via a restart -----------------------------------

def test_server_level_directives(server):
    with reconfigured(server, server_extra=["BatchMaxOperations 2"],
                      batch_extra=["BatchBaseURL /cgi"]):
        tok = token()
        ops = [record_op(tok), {"id": "a", "url": "echo.cgi"},
               {"id": "b", "url": "/static/a.txt"}]
        res = post_batch(server, ops)
        assert_refused(res, 413, "too_many_operations", None, server, tok)
        res = ok_batch(server, ops[1:])
        assert res["a"]["body"]["request_uri"] == "/cgi/echo.cgi"
    # the usual configuration is back
    res = ok_batch(server, [{"id": str(i), "url": "/static/a.txt"}
                            for i in range(3)])
    assert len(res.responses) == 3
