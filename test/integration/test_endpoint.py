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

"""The batch endpoint, its methods, and the shape of a response."""

import requests

from support import (GOOD_AUTH, TIMEOUT, media_type, ok_batch, post_batch,
                     record_op, token)


def test_get_is_405_with_allow(server):
    r = requests.get(server.url("/batch"), timeout=TIMEOUT)
    assert r.status_code == 405
    allow = [m.strip() for m in r.headers.get("Allow", "").split(",")]
    assert "POST" in allow


def test_other_methods_are_405(server):
    for method in ("PUT", "DELETE", "PATCH"):
        r = requests.request(method, server.url("/batch"), data=b"{}",
                             headers={"Content-Type": "application/json"},
                             timeout=TIMEOUT)
        assert r.status_code == 405, method
        assert "POST" in r.headers.get("Allow", ""), method


def test_options_lists_post_and_options(server):
    r = requests.options(server.url("/batch"), timeout=TIMEOUT)
    assert r.status_code == 200
    allow = [m.strip() for m in r.headers["Allow"].split(",")]
    assert allow == ["POST", "OPTIONS"]


def test_response_shape(server):
    res = ok_batch(server, [
        {"id": "1", "method": "GET", "url": "/static/hello.json"},
        {"id": "2", "url": "/static/a.txt"},
    ])
    assert set(res.json) == {"responses"}
    first, second = res.responses
    assert first["id"] == "1" and first["status"] == 200
    assert isinstance(first["headers"], dict)
    assert first["body"] == {"hello": "world"}
    assert second["status"] == 200
    assert second["body"] == "hello from a.txt\n"
    for entry in res.responses:
        assert isinstance(entry["status"], int)


def test_responses_in_request_order(server):
    ids = ["zeta", "alpha", "mid", "0", "b"]
    res = ok_batch(server, [{"id": i, "url": "/static/hello.json"}
                            for i in ids])
    assert res.ids() == ids


def test_method_defaults_to_get_and_is_upper_cased(server):
    res = ok_batch(server, [
        {"id": "d", "url": "/cgi/echo.cgi"},
        {"id": "l", "method": "post", "url": "/cgi/echo.cgi", "body": "x"},
        {"id": "m", "method": "Delete", "url": "/cgi/echo.cgi"},
    ])
    assert res["d"]["body"]["method"] == "GET"
    assert res["l"]["body"]["method"] == "POST"
    assert res["m"]["body"]["method"] == "DELETE"


def test_content_type_with_parameters_is_json(server):
    res = post_batch(server, [{"id": "1", "url": "/static/hello.json"}],
                     headers={"Content-Type":
                              "application/json; charset=utf-8"})
    assert res.status == 200, res
    assert res["1"]["body"] == {"hello": "world"}


def test_protected_batch_endpoint(server):
    tok = token()
    res = post_batch(server, [record_op(tok)], path="/private-batch")
    assert res.status == 401
    assert server.recorded(tok) == []
    res = post_batch(server, [record_op(tok),
                              {"id": "p", "url": "/private/data.json"}],
                     path="/private-batch", auth=GOOD_AUTH)
    assert res.status == 200, res
    assert media_type(res.headers["Content-Type"]) == "application/json"
    assert res["rec"]["status"] == 200
    assert res["p"]["status"] == 200
    assert res["p"]["body"] == {"secret": "private data"}
    assert len(server.recorded(tok)) == 1
