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

"""The JSON dialects -- detection, BatchDialect, and each dialect
end to end against the real fixtures (rails, array, keyed)."""

import json
import time
from pathlib import Path

from support import (assert_refused, media_type, post_batch, reconfigured,
                     token)

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def record_url(tok):
    return "/cgi/record.cgi?t=" + tok


def post_doc(server, doc, path="/batch"):
    return post_batch(server, doc=doc, path=path)


def ok_doc(server, doc, path="/batch"):
    res = post_doc(server, doc, path)
    assert res.status == 200, res
    assert media_type(res.headers.get("Content-Type")) == "application/json"
    return res.json


def rails(*ops, **extra):
    doc = {"ops": list(ops), "sequential": True}
    doc.update(extra)
    return doc


# -- detection and BatchDialect ---------------------------------------------

def test_graph_document_still_answers_graph(server):
    body = ok_doc(server, {"requests": [{"id": "a",
                                          "url": "/static/hello.json"}]})
    assert body["responses"][0]["body"] == {"hello": "world"}


def test_forced_graph_refuses_rails(server):
    tok = token()
    with reconfigured(server, batch_extra=["BatchDialect graph"]):
        res = post_doc(server, rails({"url": record_url(tok)}))
        err = assert_refused(res, 400, "invalid_request", server=server,
                             tok=tok)
    assert "BatchDialect graph" in err["message"], err


def configtest_output(server, line):
    res = server.configtest(batch_extra=[line], name="dialect.conf")
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    return out


def test_batch_dialect_unknown_fails_configtest(server):
    out = configtest_output(server, "BatchDialect soap")
    assert "'soap' is not a batch dialect" in out, out


# -- rails (batch_api) --------------------------------------------------------

def test_rails_forced_refuses_graph(server):
    tok = token()
    with reconfigured(server, batch_extra=["BatchDialect rails"]):
        res = post_batch(server, [{"id": "r", "url": record_url(tok)}])
        err = assert_refused(res, 400, "invalid_request", server=server,
                             tok=tok)
    assert "BatchDialect rails" in err["message"], err
    assert '"ops" array' in err["message"], err


def test_rails_vector_shape_end_to_end(server):
    """The gem's README request, its URLs pointed at the fixtures."""
    doc = json.loads((VECTORS / "batch_api.request.json").read_text())
    urls = ["/static/hello.json", "/cgi/echo.cgi",
            "/cgi/status.cgi?code=500", "/cgi/echo.cgi"]
    for op, url in zip(doc["ops"], urls):
        op["url"] = url
    want = json.loads((VECTORS / "batch_api.response.json").read_text())
    body = ok_doc(server, doc)
    assert set(body) == set(want), body
    assert len(body["results"]) == len(want["results"])
    for entry in body["results"]:
        assert set(entry) <= {"status", "body", "headers"}, entry
        assert isinstance(entry["status"], int), entry
        assert isinstance(entry.get("headers", {}), dict), entry
    got = body["results"]
    assert got[0]["body"] == {"hello": "world"}
    assert got[1]["body"]["method"] == "POST"
    assert got[1]["body"]["body"] == "dish_id=123"
    assert got[1]["body"]["content_type"] == \
        "application/x-www-form-urlencoded"
    assert got[2]["status"] == 500
    assert got[2]["body"]["code"] == 500
    assert got[2]["headers"]["X-Cgi"] == "status"
    assert got[3]["body"]["method"] == "DELETE"
    assert got[1]["body"]["headers"].get("HTTP_BREAK") is None
    assert "fast" not in json.dumps(got[0])


def test_rails_headers_reach_the_operation(server):
    body = ok_doc(server, rails({"url": "/cgi/echo.cgi",
                                 "headers": {"break": "fast"}}))
    assert body["results"][0]["body"]["headers"]["HTTP_BREAK"] == "fast"


def test_rails_get_params_become_the_query(server):
    body = ok_doc(server, rails({"method": "get", "url": "/cgi/echo.cgi?a=1",
                                 "params": {"b": "x y", "c": [1, 2]}}))
    assert body["results"][0]["body"]["query"] == \
        "a=1&b=x+y&c%5b%5d=1&c%5b%5d=2"


def test_rails_args_are_a_form_body(server):
    body = ok_doc(server, rails({"method": "PATCH", "url": "/cgi/echo.cgi",
                                 "args": {"name": "Ann"}}))
    echo = body["results"][0]["body"]
    assert echo["method"] == "PATCH"
    assert echo["body"] == "name=Ann"


def test_rails_silent_success_is_empty(server):
    body = ok_doc(server, rails(
        {"url": "/static/hello.json", "silent": True},
        {"url": "/cgi/status.cgi?code=404", "silent": True}))
    assert body["results"][0] == {}
    assert body["results"][1]["status"] == 404


def test_rails_empty_body_is_left_out(server):
    body = ok_doc(server, rails({"url": "/cgi/status.cgi?code=204"}))
    assert body["results"][0]["status"] == 204
    assert "body" not in body["results"][0], body


def test_rails_runs_one_at_a_time_under_concurrency(server):
    ops = [{"url": "/cgi/sleep.cgi?ms=400"} for _ in range(3)]
    with reconfigured(server, batch_extra=["BatchConcurrency 4"]):
        start = time.monotonic()
        body = ok_doc(server, rails(*ops))
        took = time.monotonic() - start
    assert [e["status"] for e in body["results"]] == [200] * 3, body
    assert took >= 1.2, "the ops overlapped: %.2fs" % took


def test_rails_no_ops_is_422(server):
    res = post_doc(server, {"ops": [], "sequential": True})
    err = assert_refused(res, 422, "invalid_request")
    assert "no operations" in err["message"]


def test_rails_missing_sequential_is_422(server):
    tok = token()
    res = post_doc(server, {"ops": [{"url": record_url(tok)}]})
    err = assert_refused(res, 422, "invalid_request", server=server, tok=tok)
    assert "sequential" in err["message"]


def test_rails_too_many_ops_is_422(server):
    tok = token()
    with reconfigured(server, batch_extra=["BatchMaxOperations 2"]):
        res = post_doc(server, rails(*[{"url": record_url(tok)}] * 3))
        assert_refused(res, 422, "too_many_operations", server=server,
                       tok=tok)


def test_rails_invalid_op_runs_nothing(server):
    tok = token()
    res = post_doc(server, rails({"url": record_url(tok)},
                                 {"method": "BR EW", "url": "/x"}))
    assert_refused(res, 422, "method_not_allowed", operation="ops[1]",
                   server=server, tok=tok)


def test_rails_nested_batch_refused(server):
    tok = token()
    res = post_doc(server, rails({"url": record_url(tok)},
                                 {"url": "/batch"}))
    assert_refused(res, 422, "nested_batch", operation="ops[1]",
                   server=server, tok=tok)


# -- array --------------------------------------------------------------------

def test_array_runs_each_operation(server):
    body = ok_doc(server, [
        {"method": "GET", "url": "/static/hello.json"},
        {"method": "POST", "url": "/cgi/echo.cgi", "body": {"n": 1}},
        {"url": "/cgi/status.cgi?code=404&ct=text/plain"},
    ])
    assert [e["responseCode"] for e in body] == [200, 200, 404]
    assert body[0]["responseBody"] == {"hello": "world"}
    assert body[1]["responseBody"]["body"] == '{"n":1}'
    assert body[1]["responseBody"]["content_type"] == "application/json"
    assert isinstance(body[2]["responseBody"], str)
    for entry in body:
        assert set(entry) == {"responseCode", "responseBody"}, entry


def test_array_path_after_location_is_the_target(server):
    """POST /batch/users creates each user through the real /users."""
    users = 'ScriptAlias /users "%s/cgi-bin/echo.cgi"' % server.dir
    with reconfigured(server, server_extra=[users]):
        body = ok_doc(server, [{"method": "POST", "body": {"name": "ann"}},
                               {"method": "POST", "body": {"name": "bob"}}],
                      path="/batch/users")
    assert [e["responseCode"] for e in body] == [200, 200]
    assert [json.loads(e["responseBody"]["body"])["name"] for e in body] == \
        ["ann", "bob"]
    assert {e["responseBody"]["request_uri"] for e in body} == {"/users"}


def test_array_op_url_wins_over_the_path(server):
    body = ok_doc(server, [{"url": "/static/hello.json"}],
                  path="/batch/cgi/echo.cgi")
    assert body[0]["responseBody"] == {"hello": "world"}


def test_array_without_url_or_path_runs_nothing(server):
    tok = token()
    res = post_doc(server, [{"url": record_url(tok)}, {"method": "POST"}])
    assert_refused(res, 400, "invalid_request", operation="[1]",
                   server=server, tok=tok)


def test_array_invalid_url_runs_nothing(server):
    tok = token()
    res = post_doc(server, [{"url": record_url(tok)},
                            {"url": "http://elsewhere.example/"}])
    assert_refused(res, 400, "invalid_url", operation="[1]", server=server,
                   tok=tok)


def test_array_under_a_path_still_refuses_the_batch_location(server):
    tok = token()
    res = post_doc(server, [{"url": record_url(tok)}, {"url": "/batch/x"}],
                   path="/batch/users")
    err = assert_refused(res, 400, "nested_batch", operation="[1]",
                         server=server, tok=tok)
    assert "/batch;" in err["message"], err


def test_array_apisix_like_bodies(server):
    doc = json.loads((VECTORS / "apisix.request.json").read_text())
    ops = [{"method": op["method"], "url": "/cgi/echo.cgi",
            "body": op["body"]} for op in doc["pipeline"]]
    body = ok_doc(server, ops)
    assert [e["responseBody"]["body"] for e in body] == ["test", "test2"]


# -- keyed --------------------------------------------------------------------

def test_keyed_forced_takes_its_shape(server):
    with reconfigured(server, batch_extra=["BatchDialect keyed"]):
        body = ok_doc(server, {"k": {"path": "/static/hello.json"}})
    assert body["k"]["payload"] == {"hello": "world"}


def test_keyed_answers_by_name(server):
    body = ok_doc(server, {
        "get1": {"method": "GET", "path": "/cgi/echo.cgi",
                 "query": {"q": "a b"}},
        "post1": {"method": "POST", "path": "/cgi/echo.cgi",
                  "payload": {"title": "x"}},
        "missing": {"method": "GET", "path": "/static/none.json"},
    })
    assert list(body) == ["get1", "post1", "missing"]
    assert body["get1"]["code"] == 200
    assert body["get1"]["payload"]["query"] == "q=a+b"
    assert body["post1"]["payload"]["body"] == '{"title":"x"}'
    assert body["missing"]["code"] == 404
    assert "payload" not in body["missing"] and "error" in body["missing"]
    for entry in body.values():
        assert entry["time"]["unit"] == "microseconds"
        assert isinstance(entry["time"]["value"], int)
        assert entry["time"]["value"] > 0, entry


def test_keyed_time_is_the_operation_duration(server):
    body = ok_doc(server, {"slow": {"path": "/cgi/sleep.cgi?ms=300"}})
    assert body["slow"]["code"] == 200, body
    assert body["slow"]["time"]["value"] >= 300000, body


def test_keyed_invalid_op_runs_nothing(server):
    tok = token()
    res = post_doc(server, {"rec": {"path": record_url(tok)},
                            "bad": {"method": "TRACE", "path": "/x"}})
    assert_refused(res, 400, "method_not_allowed", operation="bad",
                   server=server, tok=tok)
