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

"""Order, dependsOn, onError."""

from support import error_code, ok_batch, record_op, sequential_only, token


@sequential_only("independent operations run in any order")
def test_sequential_in_request_order(server):
    tok = token()
    ops = [record_op(tok + "-%d" % i, str(i)) for i in range(4)]
    ok_batch(server, ops)
    lines = server.recorded(tok)
    assert [line.split("?t=")[1].split()[0] for line in lines] == \
        [tok + "-%d" % i for i in range(4)]


def test_depends_on_runs_dependency_first(server):
    tok = token()
    res = ok_batch(server, [
        dict(record_op(tok + "-a", "a"), dependsOn=["b"]),
        record_op(tok + "-b", "b"),
    ])
    assert res.ids() == ["a", "b"]
    assert res["a"]["status"] == res["b"]["status"] == 200
    order = [line.split("?t=")[1].split()[0] for line in server.recorded(tok)]
    assert order == [tok + "-b", tok + "-a"]


def test_failed_dependency_is_not_run(server):
    tok = token()
    res = ok_batch(server, [
        {"id": "fail", "url": "/cgi/status.cgi?code=500"},
        dict(record_op(tok + "-dep", "dep"), dependsOn=["fail"]),
        dict(record_op(tok + "-dep2", "dep2"), dependsOn=["dep"]),
        record_op(tok + "-free", "free"),
        {"id": "ok", "url": "/static/hello.json"},
        dict(record_op(tok + "-okdep", "okdep"), dependsOn=["ok"]),
    ])
    assert res["fail"]["status"] == 500
    assert res["dep"]["status"] == 424
    assert error_code(res["dep"]) == "failed_dependency"
    assert res["dep2"]["status"] == 424
    assert error_code(res["dep2"]) == "failed_dependency"
    assert res["free"]["status"] == 200
    assert res["okdep"]["status"] == 200
    assert server.recorded(tok + "-dep") == []
    assert len(server.recorded(tok + "-free")) == 1
    assert len(server.recorded(tok + "-okdep")) == 1


def test_dependency_on_a_404_fails_too(server):
    tok = token()
    res = ok_batch(server, [
        {"id": "missing", "url": "/static/missing.json"},
        dict(record_op(tok), dependsOn=["missing"]),
    ])
    assert res["rec"]["status"] == 424
    assert server.recorded(tok) == []


@sequential_only("operations after the failing one may have started "
                 "beside it; test_concurrency.py covers onError stop")
def test_on_error_stop(server):
    tok = token()
    res = ok_batch(server, [
        {"id": "ok", "url": "/cgi/status.cgi?code=200"},
        {"id": "bad", "url": "/cgi/status.cgi?code=404"},
        record_op(tok + "-1", "r1"),
        record_op(tok + "-2", "r2"),
    ], on_error="stop")
    assert res["ok"]["status"] == 200
    assert res["bad"]["status"] == 404
    for op_id in ("r1", "r2"):
        assert res[op_id]["status"] == 424, res[op_id]
        assert error_code(res[op_id]) == "not_run"
    assert server.recorded(tok) == []


def test_on_error_continue_is_default(server):
    tok = token()
    res = ok_batch(server, [
        {"id": "bad", "url": "/cgi/status.cgi?code=500"},
        record_op(tok),
    ])
    assert res["bad"]["status"] == 500
    assert res["rec"]["status"] == 200
    assert len(server.recorded(tok)) == 1
    res = ok_batch(server, [
        {"id": "bad", "url": "/cgi/status.cgi?code=500"},
        record_op(tok, "rec2"),
    ], on_error="continue")
    assert res["rec2"]["status"] == 200
    assert len(server.recorded(tok)) == 2


def test_on_error_stop_all_good(server):
    tok = token()
    res = ok_batch(server, [record_op(tok, "a"),
                            {"id": "r", "url": "/old-hello"},
                            record_op(tok, "b")], on_error="stop")
    # a redirect is not a failure
    assert [e["status"] for e in res.responses] == [200, 302, 200]
    assert len(server.recorded(tok)) == 2
