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

"""BatchConcurrency N. Operations whose dependencies are done run
in parallel, at most N at once, each on its own secondary connection in a
worker thread; the aggregate is still written in request order.

Endpoints (httpd.py): /sequential-batch (BatchConcurrency 1),
/parallel-batch (8), /pair-batch (2), /pair-timeout-batch (2, BatchTimeout 1).
sleep.cgi answers {"started", "ended", "ms"} (seconds since the epoch), so
tests read when each operation ran from the answers themselves.
"""

import json
import socket
import threading
import time

import pytest
import requests

from support import (BAD_AUTH, GOOD_AUTH, JSON, TIMEOUT, error_code, header,
                     ok_batch, record_op, token)

SLEEP_MS = 300


def sleep_op(op_id, ms=SLEEP_MS, tok=None, **extra):
    url = "/cgi/sleep.cgi?ms=%d" % ms
    if tok:
        url += "&t=%s-%s" % (tok, op_id)
    return dict({"id": op_id, "url": url}, **extra)


def timed_batch(server, path, ops, **kw):
    started = time.monotonic()
    res = ok_batch(server, ops, path=path, **kw)
    return res, time.monotonic() - started


def span(entry):
    """(started, ended) of a sleep.cgi answer."""
    assert entry["status"] == 200, entry
    return entry["body"]["started"], entry["body"]["ended"]


def most_at_once(entries):
    """The largest number of sleep.cgi answers whose run overlapped."""
    spans = [span(e) for e in entries]
    return max(sum(1 for s, e in spans if s <= start < e)
               for start, _ in spans)


def without_volatile(entries):
    """Entries with the headers that differ from one run to the next
    (the proxy backend's Date) left out."""
    out = []
    for e in entries:
        e = dict(e)
        if isinstance(e.get("headers"), dict):
            e["headers"] = {k: v for k, v in e["headers"].items()
                            if k.lower() != "date"}
        out.append(e)
    return out


# --------------------------------------------------------------------------
# The proof: 8 x 300 ms in well under a second, same answers

def test_eight_sleeping_operations_run_at_once(server):
    ops = [sleep_op(str(i)) for i in range(8)]
    seq, seq_time = timed_batch(server, "/sequential-batch", ops)
    par, par_time = timed_batch(server, "/parallel-batch", ops)
    print("8 x %d ms: sequential %.3f s, BatchConcurrency 8 %.3f s"
          % (SLEEP_MS, seq_time, par_time))
    assert seq_time >= 8 * SLEEP_MS / 1000.0, seq_time
    assert par_time < 1.5, (
        "8 operations of %d ms took %.3f s with BatchConcurrency 8 "
        "(sequential: %.3f s)" % (SLEEP_MS, par_time, seq_time))
    assert par.ids() == [str(i) for i in range(8)]
    assert most_at_once(par.responses) >= 4, par.responses
    for s, p in zip(seq.responses, par.responses):
        assert p["status"] == s["status"] == 200
        assert p["headers"] == s["headers"]
        assert p["body"]["ms"] == s["body"]["ms"] == SLEEP_MS


def mixed_operations():
    """Operations through most of the pipeline: static files, HEAD, errors
    with ErrorDocument, redirects (external, internal, trailing slash), CGI
    with bodies, per-op auth, Require ip, mod_headers, mod_substitute,
    mod_rewrite, mod_proxy, a nested batch, dependencies."""
    return [
        {"id": "static", "url": "/static/hello.json"},
        {"id": "text", "url": "/static/a.txt"},
        {"id": "binary", "url": "/static/blob.bin"},
        {"id": "head", "method": "HEAD", "url": "/static/a.txt"},
        {"id": "missing", "url": "/static/missing.json"},
        {"id": "errordoc", "url": "/docs/missing.json"},
        {"id": "redirect", "url": "/old-hello"},
        {"id": "internal", "url": "/cgi/redirect.cgi"},
        {"id": "slash", "url": "/static/dir"},
        {"id": "echo", "method": "POST", "url": "/cgi/echo.cgi?x=1",
         "headers": {"Content-Type": "text/plain", "X-Op": "echo"},
         "body": "a body of its own"},
        {"id": "teapot", "url": "/cgi/status.cgi?code=418"},
        {"id": "broken", "url": "/cgi/broken.cgi"},
        {"id": "anonymous", "url": "/private/data.json"},
        {"id": "alice", "url": "/private/data.json",
         "headers": {"Authorization": GOOD_AUTH}},
        {"id": "wrong", "url": "/private/data.json",
         "headers": {"Authorization": BAD_AUTH}},
        {"id": "alice-cgi", "url": "/private/echo.cgi",
         "headers": {"Authorization": GOOD_AUTH}},
        {"id": "denied", "url": "/denied/secret.json"},
        {"id": "hdr", "url": "/hdr/a.txt"},
        {"id": "subst", "url": "/subst/a.txt"},
        {"id": "rewrite", "url": "/rw/hello.json"},
        {"id": "proxy", "method": "POST", "url": "/proxy/items?x=2",
         "body": {"title": "x"}},
        {"id": "proxy-404", "url": "/proxy/gone?status=404"},
        {"id": "loop", "method": "POST", "url": "/sneaky-batch",
         "body": {"requests": []}},
        {"id": "after", "url": "/static/a.txt", "dependsOn": ["echo"]},
        {"id": "skipped", "url": "/static/a.txt", "dependsOn": ["broken"]},
    ]


def test_parallel_answers_equal_sequential_answers(server, backend):
    ops = mixed_operations()
    seq = ok_batch(server, ops, path="/sequential-batch")
    par = ok_batch(server, ops, path="/parallel-batch")
    statuses = {e["id"]: e["status"] for e in par.responses}
    assert statuses["alice"] == 200 and statuses["anonymous"] == 401
    assert statuses["loop"] == 508 and statuses["skipped"] == 424
    for s, p in zip(without_volatile(seq.responses),
                    without_volatile(par.responses)):
        assert p == s, "operation %s differs:\nsequential %r\nparallel   %r" \
            % (s["id"], s, p)


# --------------------------------------------------------------------------
# Scheduling: at most N, dependencies, request order, streaming

def test_at_most_n_operations_run_at_once(server):
    ops = [sleep_op(str(i)) for i in range(6)]
    res, took = timed_batch(server, "/pair-batch", ops)
    print("6 x %d ms with BatchConcurrency 2: %.3f s" % (SLEEP_MS, took))
    assert took >= 3 * SLEEP_MS / 1000.0, took
    assert most_at_once(res.responses) == 2, res.responses


def test_dependencies_wait_for_their_end(server):
    ops = [
        sleep_op("a", 200),
        sleep_op("b", 100, dependsOn=["a"]),
        sleep_op("c", 100, dependsOn=["b"]),
        sleep_op("d", 100, dependsOn=["a"]),
        sleep_op("e", 300),
        sleep_op("f", 100, dependsOn=["b", "e"]),
    ]
    res = ok_batch(server, ops, path="/parallel-batch")
    s = {e["id"]: span(e) for e in res.responses}
    for op in ops:
        for dep in op.get("dependsOn", []):
            assert s[op["id"]][0] >= s[dep][1], (
                "%s started before its dependency %s ended: %r"
                % (op["id"], dep, s))
    # what does not depend on a ran beside it
    assert s["e"][0] < s["a"][1], s


def test_forward_dependency_keeps_request_order(server):
    ops = [sleep_op("first", 100, dependsOn=["last"]),
           sleep_op("middle", 100),
           sleep_op("last", 200)]
    res = ok_batch(server, ops, path="/parallel-batch")
    assert res.ids() == ["first", "middle", "last"]
    s = {e["id"]: span(e) for e in res.responses}
    assert s["first"][0] >= s["last"][1], s


def test_entries_stream_as_the_prefix_finishes(server):
    doc = {"requests": [sleep_op("quick", 50), sleep_op("slow", 1200)]}
    started = time.monotonic()
    with requests.post(server.url("/parallel-batch"), data=json.dumps(doc),
                       headers=JSON, timeout=TIMEOUT, stream=True) as r:
        assert r.status_code == 200
        seen, first_at = b"", None
        for chunk in r.iter_content(chunk_size=None):
            seen += chunk
            if first_at is None and b'"quick"' in seen:
                first_at = time.monotonic() - started
        total = time.monotonic() - started
    assert first_at is not None, seen
    print("first entry after %.3f s, all after %.3f s" % (first_at, total))
    assert first_at < total - 0.5, (first_at, total)
    assert [e["id"] for e in json.loads(seen)["responses"]] == \
        ["quick", "slow"]


def test_finished_answers_held_for_a_slow_first_are_bounded(server):
    # two slots: 0 is slow; 1 and 2 finish and wait for it (two answers
    # held); 3 and later start only once 0's entry is written
    ops = [sleep_op("0", 800)] + [sleep_op(str(i), 10) for i in range(1, 6)]
    res = ok_batch(server, ops, path="/pair-batch")
    s = {e["id"]: span(e) for e in res.responses}
    assert s["1"][0] < s["0"][1] and s["2"][0] < s["0"][1], s
    for i in range(3, 6):
        assert s[str(i)][0] >= s["0"][1], (i, s)


def test_atomicity_group_runs_in_order_beside_others(server):
    tok = token()
    ops = [sleep_op("g1", 200, tok, atomicityGroup="g"),
           sleep_op("g2", 100, tok, atomicityGroup="g"),
           sleep_op("g3", 100, tok, atomicityGroup="g"),
           sleep_op("free", 300, tok)]
    res = ok_batch(server, ops, path="/parallel-batch")
    s = {e["id"]: span(e) for e in res.responses}
    assert s["g1"][1] <= s["g2"][0] and s["g2"][1] <= s["g3"][0], s
    assert s["free"][0] < s["g1"][1], s


def test_atomicity_group_stops_at_first_failure(server):
    tok = token()
    res = ok_batch(server, [
        {"id": "g1", "url": "/static/missing.json", "atomicityGroup": "g"},
        dict(record_op(tok + "-g2", "g2"), atomicityGroup="g"),
        record_op(tok + "-free", "free"),
    ], path="/parallel-batch")
    assert res["g1"]["status"] == 404
    assert res["g2"]["status"] == 424
    assert error_code(res["g2"]) == "failed_dependency"
    assert res["free"]["status"] == 200
    assert server.recorded(tok + "-g2") == []


# --------------------------------------------------------------------------
# Errors: 424, onError stop, BatchTimeout

def test_failed_dependency_is_not_run(server):
    tok = token()
    res = ok_batch(server, [
        {"id": "fail", "url": "/cgi/status.cgi?code=500"},
        dict(record_op(tok + "-dep", "dep"), dependsOn=["fail"]),
        dict(record_op(tok + "-dep2", "dep2"), dependsOn=["dep"]),
        record_op(tok + "-free", "free"),
        dict(record_op(tok + "-okdep", "okdep"), dependsOn=["free"]),
    ], path="/parallel-batch")
    assert res["fail"]["status"] == 500
    for op_id in ("dep", "dep2"):
        assert res[op_id]["status"] == 424
        assert error_code(res[op_id]) == "failed_dependency"
    assert res["free"]["status"] == res["okdep"]["status"] == 200
    assert server.recorded(tok + "-dep") == []
    assert len(server.recorded(tok + "-okdep")) == 1


def test_on_error_stop_starts_nothing_after_a_failure(server):
    tok = token()
    # two slots: the 404 and the slow one start together; the 404 ends
    # first, so neither recorder may start
    res = ok_batch(server, [
        {"id": "bad", "url": "/static/missing.json"},
        sleep_op("slow", 500),
        record_op(tok + "-1", "r1"),
        record_op(tok + "-2", "r2"),
    ], path="/pair-batch", on_error="stop")
    assert res["bad"]["status"] == 404
    assert res["slow"]["status"] == 200, "a running operation is not cut off"
    for op_id in ("r1", "r2"):
        assert res[op_id]["status"] == 424, res[op_id]
        assert error_code(res[op_id]) == "not_run"
    assert server.recorded(tok) == []


def test_timeout_answers_504_for_operations_not_started(server):
    res = ok_batch(server, [
        sleep_op("slow1", 1300),
        sleep_op("slow2", 1300),
        {"id": "late", "url": "/static/hello.json"},
        {"id": "later", "method": "POST", "url": "/cgi/echo.cgi",
         "body": {"a": 1}},
    ], path="/pair-timeout-batch")
    for slow in ("slow1", "slow2"):
        assert res[slow]["status"] == 200
        assert res[slow]["body"]["ms"] == 1300
    for late in ("late", "later"):
        assert res[late]["status"] == 504
        assert error_code(res[late]) == "timeout"


# --------------------------------------------------------------------------
# Each operation is its own request: auth, bodies, backends

def test_authentication_is_checked_per_operation(server):
    ops = []
    for i in range(4):
        ops += [{"id": "none%d" % i, "url": "/private/data.json"},
                {"id": "good%d" % i, "url": "/private/echo.cgi",
                 "headers": {"Authorization": GOOD_AUTH}},
                {"id": "bad%d" % i, "url": "/private/data.json",
                 "headers": {"Authorization": BAD_AUTH}}]
    res = ok_batch(server, ops, path="/parallel-batch")
    for i in range(4):
        assert res["none%d" % i]["status"] == 401
        assert header(res["none%d" % i], "WWW-Authenticate")
        assert res["bad%d" % i]["status"] == 401
        good = res["good%d" % i]
        assert good["status"] == 200, good
        assert good["body"]["remote_user"] == "alice"


def test_batch_credentials_reach_every_operation(server):
    res = ok_batch(server, [{"id": str(i), "url": "/private/data.json"}
                            for i in range(6)],
                   path="/parallel-batch", auth=GOOD_AUTH)
    assert [e["status"] for e in res.responses] == [200] * 6


def test_cgi_operations_read_their_own_bodies(server):
    sizes = [0, 1, 1000, 100000, 7, 65536, 3, 250000]
    ops = [{"id": str(i), "method": "POST", "url": "/cgi/echo.cgi",
            "headers": {"Content-Type": "text/plain"},
            "body": chr(ord("a") + i) * n} for i, n in enumerate(sizes)]
    res = ok_batch(server, ops, path="/parallel-batch")
    for i, n in enumerate(sizes):
        body = res[str(i)]["body"]
        assert body["body_length"] == n, (i, body["body_length"])
        assert body["body"] == chr(ord("a") + i) * n
        assert body["method"] == "POST"


def test_proxied_operations(server, backend):
    tag = token()
    ops = [{"id": str(i), "method": "POST", "url": "/proxy/%s/%d" % (tag, i),
            "body": {"n": i}} for i in range(6)]
    res = ok_batch(server, ops, path="/parallel-batch")
    for i in range(6):
        seen = res[str(i)]["body"]
        assert seen["path"] == "/%s/%d" % (tag, i)
        assert json.loads(seen["body"]) == {"n": i}
    paths = sorted(s["path"] for s in backend.seen if tag in s["path"])
    assert paths == sorted("/%s/%d" % (tag, i) for i in range(6))


# --------------------------------------------------------------------------
# A client that goes away; many parallel batches at once

def test_client_disconnect_mid_batch(server):
    tok = token()
    ops = [sleep_op(str(i), 300, tok) for i in range(12)]
    body = json.dumps({"requests": ops}).encode()
    mark = server.log_size()
    with socket.create_connection(("127.0.0.1", server.port),
                                  timeout=TIMEOUT) as s:
        s.sendall(b"POST /pair-batch HTTP/1.1\r\nHost: %s\r\n"
                  b"Content-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n"
                  % (server.host_header.encode(), len(body)) + body)
        got = b""
        while b'"id":"0"' not in got.replace(b" ", b""):
            chunk = s.recv(4096)
            assert chunk, got
            got += chunk
    # nothing new starts once a write fails; what runs finishes
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if "client went away" in server.log_since(mark):
            break
        time.sleep(0.1)
    log = server.log_since(mark)
    assert "client went away" in log, log
    ran = len(server.recorded(tok))
    assert ran < len(ops), "every operation ran after the client left"
    time.sleep(0.5)
    assert len(server.recorded(tok)) == ran, "an operation started late"
    r = requests.get(server.url("/static/a.txt"), timeout=TIMEOUT)
    assert r.status_code == 200


LOAD_THREADS = 8
LOAD_BATCHES = 20


def load_batch(tag, n):
    ops = [{"id": "s%d" % i, "url": "/static/hello.json"} for i in range(4)]
    ops += [
        {"id": "text", "url": "/static/a.txt"},
        {"id": "head", "method": "HEAD", "url": "/static/a.txt"},
        {"id": "missing", "url": "/static/missing.json"},
        {"id": "errordoc", "url": "/docs/missing.json"},
        {"id": "alice", "url": "/private/data.json",
         "headers": {"Authorization": GOOD_AUTH}},
        {"id": "anonymous", "url": "/private/data.json"},
        {"id": "hdr", "url": "/hdr/a.txt"},
        {"id": "subst", "url": "/subst/a.txt"},
        {"id": "rewrite", "url": "/rw/hello.json"},
        {"id": "proxy", "method": "POST", "url": "/proxy/%s/%d" % (tag, n),
         "body": {"tag": tag, "n": n}},
        {"id": "cgi", "url": "/cgi/sleep.cgi?ms=0"},
        {"id": "dep", "url": "/static/a.txt", "dependsOn": ["proxy"]},
    ]
    return ops


def check_load_answer(tag, n, data):
    entries = {e["id"]: e for e in data["responses"]}
    assert len(entries) == 16
    for i in range(4):
        assert entries["s%d" % i]["body"] == {"hello": "world"}
    assert entries["missing"]["status"] == 404
    assert entries["errordoc"]["body"] == {"error": "custom not found page"}
    assert entries["alice"]["status"] == 200
    assert entries["anonymous"]["status"] == 401
    assert entries["hdr"]["headers"]["X-Added"] == "yes"
    assert entries["subst"]["body"].startswith("HELLO")
    assert json.loads(entries["proxy"]["body"]["body"]) == {"tag": tag,
                                                             "n": n}
    assert entries["cgi"]["status"] == entries["dep"]["status"] == 200


def run_load(server, tag):
    errors = []

    def client(k):
        with requests.Session() as s:
            for n in range(LOAD_BATCHES):
                try:
                    r = s.post(server.url("/parallel-batch"),
                               json={"requests": load_batch(tag, n)},
                               timeout=TIMEOUT)
                    assert r.status_code == 200, r.status_code
                    check_load_answer(tag, n, r.json())
                except Exception as e:  # reported in the test thread
                    errors.append((k, n, repr(e)[:500]))

    threads = [threading.Thread(target=client, args=(k,))
               for k in range(LOAD_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_many_parallel_batches_at_once(server, backend):
    assert run_load(server, token()) == []  # warm-up: pools, threads, cgid
    before = sum(server.rss_kib().values())
    started = time.monotonic()
    errors = run_load(server, token())
    took = time.monotonic() - started
    after = sum(server.rss_kib().values())
    print("%d batches of 16 operations from %d clients: %.1f s, RSS %+d KiB"
          % (LOAD_THREADS * LOAD_BATCHES, LOAD_THREADS, took, after - before))
    assert errors == []
    # a leak of one pool or thread stack per operation would be > 100 MiB
    assert after - before < 32 * 1024, (before, after)


# --------------------------------------------------------------------------
# Configuration: threaded MPMs only

def _message(res):
    return res.stdout + res.stderr


def test_prefork_refuses_parallel_operations(php_server):
    res = php_server.configtest(batch_extra=["BatchConcurrency 4"],
                                name="prefork-parallel.conf")
    out = _message(res)
    assert res.returncode != 0, "prefork accepted BatchConcurrency 4:\n" + out
    assert "BatchConcurrency 4" in out, out
    assert "threaded MPM" in out and "prefork" in out, out


def test_prefork_refuses_parallel_operations_in_a_virtual_host(php_server):
    res = php_server.configtest(server_extra=[
        "<VirtualHost 127.0.0.1:%d>" % php_server.port,
        "    ServerName other.example",
        '    <Location "/vh-batch">',
        "        SetHandler batch",
        "        BatchConcurrency 2",
        "    </Location>",
        "</VirtualHost>"], name="prefork-vhost.conf")
    assert res.returncode != 0, _message(res)
    assert "BatchConcurrency 2" in _message(res), _message(res)


def test_prefork_accepts_sequential_operations(php_server):
    res = php_server.configtest(batch_extra=["BatchConcurrency 1"],
                                name="prefork-sequential.conf")
    assert res.returncode == 0, _message(res)


@pytest.mark.parametrize("value", ["2", "64"])
def test_threaded_mpm_accepts_parallel_operations(server, value):
    res = server.configtest(server_extra=["BatchConcurrency " + value],
                            name="event-parallel.conf")
    assert res.returncode == 0, _message(res)
