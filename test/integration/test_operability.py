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

"""Every operation is seen by the administrator like a request
(docs/operating.md): one access-log line per op through mod_log_config,
with its own request line, status, bytes, duration, user, headers and
environment; the batch's own line keeps its own figures; BATCH_ID,
BATCH_OPERATION and BATCH_OPERATION_INDEX tie them together; the answers
the module makes up are in the error log; mod_status shows the module's
figures; BatchServerTiming. Read from the real log files and status page,
sequentially and under BATCH_CONCURRENCY."""

import concurrent.futures
import html
import json
import re
import socket
import time

import pytest
import requests

from httpd import MODULES_DIR
from support import (basic, ok_batch, post_batch, reconfigured,
                     subrequest_only, token)
from support import status_figures as _status

FIELDS = ["host", "user", "method", "path", "query", "final", "first",
          "bytes", "usec", "agent", "location", "batch", "op", "index",
          "unique", "in", "out", "ran", "failed", "not_run", "request"]
OPS_FORMAT = "|".join([
    "%h", "%u", "%m", "%U", "%q", "%>s", "%s", "%b", "%D",
    "%{User-Agent}i", "%{Location}o", "%{BATCH_ID}e", "%{BATCH_OPERATION}e",
    "%{BATCH_OPERATION_INDEX}n", "%{UNIQUE_ID}e", "%I", "%O",
    "%{BATCH_OPERATIONS_RUN}n", "%{BATCH_OPERATIONS_FAILED}n",
    "%{BATCH_OPERATIONS_NOT_RUN}n", "%r"]).replace('"', '\\"')

# written for direct requests, as a fail2ban filter's failregex is
FAIL2BAN = re.compile(
    r'^(?P<host>\d+\.\d+\.\d+\.\d+) \S+ \S+ \[[^\]]+\] '
    r'"POST /wp-login\.php[^"]*" (200|403) ')


@pytest.fixture(scope="module")
def logged(httpd):
    if httpd.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    d = httpd.dir
    extra = [
        "LoadModule unique_id_module %s/mod_unique_id.so" % MODULES_DIR,
        'CustomLog "%s/logs/ops_log" "%s" env=!dontlog' % (d, OPS_FORMAT),
        'CustomLog "%s/logs/second_log" "%%r %%>s"' % d,
        'SetEnvIf Request_URI "^/static/a\\.txt$" dontlog',
        'ScriptAlias /wp-login.php "%s/cgi-bin/status.cgi"' % d,
        '<Location "/unlogged-batch">',
        "    SetHandler batch",
        "    BatchLogOperations Off",
        "</Location>",
        '<Location "/timed-batch">',
        "    SetHandler batch",
        "    BatchServerTiming On",
        "</Location>",
        '<Location "/timeout-batch">',
        "    SetHandler batch",
        "    BatchTimeout 1",
        "</Location>",
        '<Location "/budget-batch">',
        "    SetHandler batch",
        "    BatchConcurrency 1",
        "    BatchMaxMemory 100000",
        "</Location>",
        'ScriptAlias /small-body "%s/cgi-bin/echo.cgi"' % d,
        '<Location "/small-body">',
        "    LimitRequestBody 16",
        "</Location>",
        "LoadModule status_module %s/mod_status.so" % MODULES_DIR,
        "ExtendedStatus On",
        '<Location "/server-status">',
        "    SetHandler server-status",
        "</Location>",
    ]
    with reconfigured(httpd, server_extra=extra) as s:
        yield s


def _lines(path, want, seconds=10):
    """The lines of a log once want(lines) holds (the batch's own line is
    written after its answer reached the client)."""
    deadline = time.time() + seconds
    lines = []
    while time.time() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if want(lines):
            return lines
        time.sleep(0.05)
    return lines


def _records(server, tok, count):
    """The ops_log records whose request line has tok, once count are
    there."""
    path = server.dir / "logs" / "ops_log"
    lines = _lines(path, lambda ls: len([x for x in ls if tok in x]) >= count)
    records = [dict(zip(FIELDS, x.split("|"))) for x in lines if tok in x]
    return records


def _is_batch(record):
    return record["path"].endswith("batch")


def _batch_record(records):
    return [r for r in records if _is_batch(r)]


def _op_records(records):
    return [r for r in records if not _is_batch(r)]


def test_one_line_per_operation_with_its_own_figures(logged):
    tok = token()
    ops = [
        {"id": "a", "method": "GET", "url": "/static/hello.json?t=" + tok,
         "headers": {"User-Agent": "op-agent/1.0"}},
        {"id": "b", "method": "GET", "url": "/static/missing?t=" + tok},
        {"id": "c", "method": "GET",
         "url": "/cgi/status.cgi?code=302&location=/elsewhere&t=" + tok},
        {"id": "d", "method": "GET", "url": "/cgi/redirect.cgi?t=" + tok},
    ]
    res = ok_batch(logged, ops, headers={"X-T": tok})
    records = _records(logged, tok, 4)
    op = {r["op"]: r for r in _op_records(records)}
    assert sorted(op) == ["a", "b", "c", "d"], records
    assert op["a"]["request"] == "GET /static/hello.json?t=%s HTTP/1.1" % tok
    assert (op["a"]["method"], op["a"]["path"], op["a"]["query"]) == \
        ("GET", "/static/hello.json", "?t=" + tok)
    assert op["a"]["host"] == "127.0.0.1"
    assert op["a"]["agent"] == "op-agent/1.0"
    hello = (logged.dir / "htdocs" / "static" / "hello.json").read_bytes()
    assert op["a"]["bytes"] == str(len(hello))
    assert (op["a"]["final"], op["a"]["first"]) == ("200", "200")
    assert (op["b"]["final"], op["b"]["first"]) == ("404", "404")
    assert res["b"]["status"] == 404
    assert op["c"]["final"] == "302"
    assert op["c"]["location"] == "/elsewhere"
    for i, name in enumerate("abcd"):
        assert op[name]["index"] == str(i)
    # an internal redirect: the line is the op's, with its final status
    assert op["d"]["request"] == "GET /cgi/redirect.cgi?t=%s HTTP/1.1" % tok
    assert op["d"]["final"] == "200"
    assert op["d"]["bytes"] == str(len(hello))


def test_operation_duration_is_its_own(logged):
    tok = token()
    ops = [
        {"id": "slow", "method": "GET", "url": "/cgi/sleep.cgi?ms=600&t=x"
         + tok},
        {"id": "fast", "method": "GET", "url": "/static/hello.json?t=" + tok,
         "dependsOn": ["slow"]},
    ]
    ok_batch(logged, ops)
    records = _records(logged, tok, 2)
    op = {r["op"]: r for r in _op_records(records)}
    assert int(op["slow"]["usec"]) >= 600000, op
    # measured from its own start, not from the batch's
    assert int(op["fast"]["usec"]) < 400000, op


def test_operation_user_is_the_one_it_authenticated_as(logged):
    tok = token()
    ops = [{"id": "p", "method": "GET",
            "url": "/private/data.json?t=" + tok,
            "headers": {"Authorization": basic("alice", "secret")}},
           {"id": "anon", "method": "GET",
            "url": "/private/data.json?u=" + tok}]
    res = ok_batch(logged, ops)
    assert res["p"]["status"] == 200
    records = _records(logged, tok, 2)
    op = {r["op"]: r for r in _op_records(records)}
    assert op["p"]["user"] == "alice"
    assert op["anon"]["final"] == "401"
    assert op["anon"]["user"] in ("-", "")


def test_batch_line_keeps_its_own_bytes_and_counts(logged):
    tok = token()
    ops = [
        {"id": "ok", "method": "GET", "url": "/static/hello.json?t=" + tok},
        {"id": "bad", "method": "GET", "url": "/static/missing?t=" + tok},
        {"id": "after", "method": "GET", "url": "/static/a.txt?t=" + tok,
         "dependsOn": ["bad"]},
    ]
    body = ('{"requests": %s, "pad": "%s"}'
            % (__import__("json").dumps(ops), "x" * 3000)).encode()
    res = post_batch(logged, data=body, path="/batch?t=" + tok)
    assert res.status == 200
    assert res["after"]["status"] == 424
    records = _records(logged, tok, 3)
    batch = _batch_record(records)
    assert len(batch) == 1, records
    b = batch[0]
    # mod_logio's counters of the batch's connection, untouched by the ops'
    assert int(b["in"]) >= len(body), b
    assert int(b["out"]) >= len(res.resp.content), b
    assert (b["ran"], b["failed"], b["not_run"]) == ("2", "1", "1"), b
    assert len(_op_records(records)) == 2


def test_conditional_logging_and_several_logs(logged):
    tok = token()
    ops = [{"id": "quiet", "method": "GET", "url": "/static/a.txt?t=" + tok},
           {"id": "loud", "method": "GET",
            "url": "/static/hello.json?t=" + tok}]
    ok_batch(logged, ops)
    second = _lines(logged.dir / "logs" / "second_log",
                    lambda ls: len([x for x in ls if tok in x]) >= 2)
    assert "GET /static/a.txt?t=%s HTTP/1.1 200" % tok in second
    assert "GET /static/hello.json?t=%s HTTP/1.1 200" % tok in second
    records = _records(logged, tok, 1)
    assert [r["op"] for r in _op_records(records)] == ["loud"]


def test_correlation_ids(logged):
    tok = token()
    ops = [{"id": "e1", "method": "GET", "url": "/cgi/env.cgi?t=" + tok},
           {"id": "e2", "method": "GET", "url": "/cgi/env.cgi?u=" + tok}]
    res = ok_batch(logged, ops, headers={"X-T": tok})
    env = {i: res[i]["body"] for i in ("e1", "e2")}
    records = _records(logged, tok, 2)
    ops_seen = {r["op"]: r for r in _op_records(records)}
    batch_id = ops_seen["e1"]["batch"]
    assert batch_id and batch_id != "-"
    assert ops_seen["e2"]["batch"] == batch_id
    for i, name in enumerate(("e1", "e2")):
        assert env[name]["BATCH_ID"] == batch_id
        assert env[name]["BATCH_OPERATION"] == name
        assert env[name]["BATCH_OPERATION_INDEX"] == str(i)
    uniques = {env["e1"]["UNIQUE_ID"], env["e2"]["UNIQUE_ID"], batch_id}
    assert len(uniques) == 3, uniques
    assert ops_seen["e1"]["unique"] == env["e1"]["UNIQUE_ID"]
    for u in uniques:
        assert re.fullmatch(r"[A-Za-z0-9@_-]{19,}", u), u


def test_fail2ban_filter_matches_operation_lines(logged):
    tok = token()
    ops = [{"id": str(i), "method": "POST",
            "url": "/wp-login.php?code=403&t=%s" % tok,
            "body": "log=admin&pwd=guess%d" % i,
            "headers": {"Content-Type":
                        "application/x-www-form-urlencoded"}}
           for i in range(3)]
    res = ok_batch(logged, ops)
    assert [e["status"] for e in res.responses] == [403] * 3
    lines = _lines(logged.access_log,
                   lambda ls: len([x for x in ls if tok in x]) >= 3)
    hits = [x for x in lines if tok in x and FAIL2BAN.match(x)]
    assert len(hits) == 3, lines[-5:]
    assert all(FAIL2BAN.match(x).group("host") == "127.0.0.1" for x in hits)


def test_batch_log_operations_off(logged):
    tok = token()
    ops = [{"id": "x", "method": "GET", "url": "/static/hello.json?t=" + tok}]
    ok_batch(logged, ops, path="/unlogged-batch?t=" + tok)
    records = _records(logged, tok, 1)
    time.sleep(0.3)
    records = _records(logged, tok, 1)
    assert [r["path"] for r in records] == ["/unlogged-batch"], records


def _error_lines(server, tag, text, seconds=10):
    deadline = time.time() + seconds
    found = []
    while time.time() < deadline:
        found = [x for x in server.error_log.read_text().splitlines()
                 if tag + ":" in x and text in x]
        if found:
            return found
        time.sleep(0.05)
    return found


def _batch_id(server, tok):
    """The BATCH_ID on the line of the batch posted with ?t=tok."""
    batch = _batch_record(_records(server, "?t=" + tok, 1))
    assert len(batch) == 1, batch
    return batch[0]["batch"]


def test_answers_made_up_are_in_the_error_log(logged):
    tok = token()
    ops = [
        {"id": "slow" + tok, "method": "GET", "url": "/cgi/sleep.cgi?ms=1500"},
        {"id": "late" + tok, "method": "GET", "url": "/static/a.txt",
         "dependsOn": ["slow" + tok]},
    ]
    res = post_batch(logged, ops, path="/timeout-batch?t=" + tok)
    assert res["late" + tok]["status"] == 504
    batch_id = _batch_id(logged, tok)
    late = _error_lines(logged, "BATCH2451", "late" + tok)
    assert len(late) == 1 and "batch %s" % batch_id in late[0], late
    assert "[batch:warn]" in late[0]

    tok = token()
    ops = [{"id": "gone" + tok, "method": "GET", "url": "/static/missing"},
           {"id": "dep" + tok, "method": "GET", "url": "/static/a.txt",
            "dependsOn": ["gone" + tok]},
           {"id": "big" + tok, "method": "GET",
            "url": "/cgi/big.cgi?n=70000"}]
    res = post_batch(logged, ops, path="/limited-batch?t=" + tok)
    assert res["dep" + tok]["status"] == 424
    assert res["big" + tok]["status"] == 502
    batch_id = _batch_id(logged, tok)
    dep = _error_lines(logged, "BATCH2453", "dep" + tok)
    assert len(dep) == 1 and "batch %s" % batch_id in dep[0], dep
    assert "[batch:info]" in dep[0]
    big = _error_lines(logged, "BATCH2454", "big" + tok)
    assert len(big) == 1 and "batch %s" % batch_id in big[0], big
    assert "[batch:warn]" in big[0]


def _made_up_lines(server, op_id, seconds=10):
    """The error-log lines above debug about operation op_id, once there is
    one."""
    def lines():
        return [x for x in server.error_log.read_text().splitlines()
                if "operation %s " % op_id in x and ":debug]" not in x
                and ":trace" not in x]

    deadline = time.time() + seconds
    found = lines()
    while not found and time.time() < deadline:
        time.sleep(0.05)
        found = lines()
    if found:
        # a second line would be written with the first
        time.sleep(0.2)
        found = lines()
    return found


def _assert_one_line(server, batch_id, op_id, tag, level):
    lines = _made_up_lines(server, op_id)
    assert len(lines) == 1, lines
    assert tag + ":" in lines[0] and "[batch:%s]" % level in lines[0], \
        lines[0]
    assert "batch %s" % batch_id in lines[0], lines[0]


@subrequest_only(
    "these answers are httpd's own for a request (its reader's 414 and "
    "400, LimitRequestBody's 413, its header filter's 500, cut off), "
    "logged by httpd")
def test_each_answer_made_up_has_one_error_line_at_its_level(logged):
    """warn for what the server failed at, info for what the client sent;
    each line names the operation and its batch."""
    tok = token()
    many = {"X-Inh-%d" % i: "v" for i in range(60)}
    long_target = "/static/a.txt?" + "p" * (8192 - len("GET  HTTP/1.1")
                                           - len("/static/a.txt?"))
    ops = [
        {"id": "big" + tok, "method": "POST", "url": "/small-body",
         "body": "x" * 17, "headers": {"Content-Type": "text/plain"}},
        {"id": "line" + tok, "method": "GET", "url": long_target},
        {"id": "fields" + tok, "method": "GET", "url": "/static/a.txt",
         "headers": {"X-Own-%d" % i: "v" for i in range(50)}},
        {"id": "nest" + tok, "method": "POST", "url": "/sneaky-batch"},
        {"id": "cut" + tok, "method": "GET", "url": "/proxy/cut?cut=5000"},
        {"id": "txt" + tok, "method": "GET", "url": "/static/a.txt"},
        {"id": "ref" + tok, "method": "GET",
         "url": "/static/a.txt?v={result=txt%s:$}" % tok},
        {"id": "ctl" + tok, "method": "GET", "url": "/cgi/badheader.cgi"},
    ]
    res = post_batch(logged, ops, path="/batch?t=" + tok, headers=many)
    assert [res[o["id"]]["status"] for o in ops] == \
        [413, 414, 400, 508, 502, 200, 424, 500], res
    batch_id = _batch_id(logged, tok)
    for op_id, tag, level in [("big", "BATCH2102", "info"),
                              ("line", "BATCH2103", "info"),
                              ("fields", "BATCH2103", "info"),
                              ("nest", "BATCH1001", "warn"),
                              ("cut", "BATCH2455", "warn"),
                              ("ref", "BATCH1600", "info"),
                              ("ctl", "BATCH1003", "error")]:
        _assert_one_line(logged, batch_id, op_id + tok, tag, level)
    assert _made_up_lines(logged, "txt" + tok, seconds=0) == []

    tok = token()
    ops = [{"id": "gone" + tok, "method": "GET", "url": "/static/missing"},
           {"id": "stopped" + tok, "method": "GET", "url": "/static/a.txt",
            "dependsOn": ["gone" + tok]}]
    res = post_batch(logged, ops, path="/batch?t=" + tok, on_error="stop")
    assert res["stopped" + tok]["status"] == 424
    _assert_one_line(logged, _batch_id(logged, tok), "stopped" + tok,
                     "BATCH2452", "info")

    # "first" waits for "last", so the big answer before it is held
    tok = token()
    ops = [{"id": "first" + tok, "method": "GET", "url": "/static/a.txt",
            "dependsOn": ["last" + tok]},
           {"id": "held" + tok, "method": "GET", "url": "/static/big.txt"},
           {"id": "last" + tok, "method": "GET", "url": "/static/a.txt"}]
    res = post_batch(logged, ops, path="/budget-batch?t=" + tok)
    assert [res[o["id"]]["status"] for o in ops] == [424, 200, 503], res
    batch_id = _batch_id(logged, tok)
    _assert_one_line(logged, batch_id, "last" + tok, "BATCH2002", "warn")
    _assert_one_line(logged, batch_id, "first" + tok, "BATCH2453", "info")


def test_debug_traces_each_operation_with_its_duration(logged):
    tok = token()
    ok_batch(logged, [{"id": "traced" + tok, "method": "GET",
                       "url": "/cgi/sleep.cgi?ms=200"}],
             path="/batch?t=" + tok)
    batch_id = _batch_id(logged, tok)
    start = _error_lines(logged, "BATCH2450", "traced" + tok)
    assert len(start) == 1 and batch_id in start[0], start
    end = _error_lines(logged, "BATCH1002", "traced" + tok)
    assert len(end) == 1, end
    usec = int(re.search(r" in (\d+) us \(batch (\S+)\)", end[0]).group(1))
    assert usec >= 200000
    assert "(batch %s)" % batch_id in end[0]


def test_status_page_counts_batches_operations_failures_refusals(logged):
    before = _status(logged)
    assert set(before) >= {
        "BatchBatchesInFlight", "BatchOperationsInFlight",
        "BatchOperationsInParallel", "BatchBatchesTotal",
        "BatchOperationsTotal", "BatchOperationsFailedTotal",
        "BatchRefusedTotal"}, before
    ok_batch(logged, [{"id": "a", "method": "GET", "url": "/static/a.txt"},
                      {"id": "b", "method": "GET", "url": "/static/none"}])
    res = post_batch(logged, data=b"{not json")
    assert res.status == 400
    after = _status(logged)
    assert after["BatchBatchesTotal"] - before["BatchBatchesTotal"] == 1
    assert after["BatchOperationsTotal"] - before["BatchOperationsTotal"] == 2
    assert after["BatchOperationsFailedTotal"] \
        - before["BatchOperationsFailedTotal"] == 1
    assert after["BatchRefusedTotal"] - before["BatchRefusedTotal"] == 1
    html = requests.get(logged.url("/server-status"), timeout=10).text
    assert "mod_batch/" in html and "Operations in flight" in html


def test_status_page_shows_operations_in_flight_and_in_parallel(logged):
    ops = [{"id": str(i), "method": "GET", "url": "/cgi/sleep.cgi?ms=1500"}
           for i in range(3)]
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(ok_batch, logged, ops, path="/parallel-batch")
        seen = {}
        deadline = time.time() + 5
        while time.time() < deadline and not running.done():
            now = _status(logged)
            if now["BatchOperationsInParallel"] >= 3:
                seen = now
                break
            time.sleep(0.05)
        running.result()
    assert seen, "no status page showed three operations in parallel"
    assert seen["BatchBatchesInFlight"] >= 1
    assert seen["BatchOperationsInFlight"] >= 3
    idle = _status(logged)
    assert idle["BatchOperationsInParallel"] == 0


def _workers_showing(server, wanted, seconds=5):
    """The request lines of the server-status page (HTML, ExtendedStatus
    On) once one of them has wanted."""
    deadline = time.time() + seconds
    shown = ""
    while time.time() < deadline:
        shown = html.unescape(requests.get(server.url("/server-status"),
                                           timeout=10).text)
        if wanted in shown:
            break
        time.sleep(0.05)
    return shown


def test_worker_shows_the_operation_in_progress_then_the_batch(logged):
    """The worker running a batch one operation at a time shows each
    operation's request line on server-status while it runs, and the
    batch's again after it."""
    tok = token()
    slow = "/cgi/sleep.cgi?ms=1500&t=" + tok
    # more than the kernel's socket buffers take (net.ipv4.tcp_wmem)
    big = "/cgi/big.cgi?n=8000000&t=" + tok
    body = json.dumps({"requests": [
        {"id": "big", "method": "GET", "url": big},
        {"id": "slow", "method": "GET", "url": slow}]}).encode()
    batch_line = "POST /sequential-batch?t=%s HTTP/1.1" % tok
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # a client that does not read yet holds the batch in its write of the
    # big answer, after that operation
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(30)
    sock.connect(("127.0.0.1", logged.port))
    try:
        sock.sendall(("POST /sequential-batch?t=%s HTTP/1.1\r\n"
                      "Host: %s\r\nContent-Type: application/json\r\n"
                      "Content-Length: %d\r\nConnection: close\r\n\r\n"
                      % (tok, logged.host_header, len(body))).encode()
                     + body)
        time.sleep(0.5)
        held = _workers_showing(logged, batch_line)
        assert batch_line in held
        assert "GET %s HTTP/1.1" % big not in held
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            reading = pool.submit(_read_all, sock)
            running = _workers_showing(logged, "GET %s HTTP/1.1" % slow)
            answer = reading.result()
    finally:
        sock.close()
    assert "GET %s HTTP/1.1" % slow in running
    assert batch_line not in running
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b'"slow"' in answer


def _read_all(sock):
    chunks = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def test_server_timing_on_each_answer(logged):
    res = ok_batch(logged, [
        {"id": "t", "method": "GET", "url": "/cgi/sleep.cgi?ms=100"},
        {"id": "missing", "method": "GET", "url": "/static/none"}],
        path="/timed-batch")
    for entry in res.responses:
        value = {k.lower(): v for k, v in entry["headers"].items()}
        timing = re.fullmatch(r"batch-op;dur=(\d+\.\d{3})",
                              value.get("server-timing", ""))
        assert timing, entry["headers"]
    assert float(re.search(r"dur=([\d.]+)", {
        k.lower(): v for k, v in res["t"]["headers"].items()}[
            "server-timing"]).group(1)) >= 100
    plain = ok_batch(logged, [{"id": "t", "method": "GET",
                               "url": "/static/a.txt"}])
    assert "server-timing" not in {k.lower() for k in plain["t"]["headers"]}
