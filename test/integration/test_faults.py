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

"""Faults around a batch: the client goes away, a backend is down or breaks,
an operation answers far too much, the batch body comes slowly, truncated or
malformed, httpd restarts gracefully. Each must leave an explicit answer (or
a clean close), run nothing it should not, and never crash a child.

Crashes are caught for every test by conftest.py (it scans the error log);
the tests below also check that the server still answers afterwards.
"""

import json
import re
import socket
import struct
import threading
import time

import requests

from support import (TIMEOUT, error_code, ok_batch, post_batch, reconfigured,
                     record_op, sequential_only, token)

# /limited-batch's BatchMaxOperationResponseSize
LIMITED_RESPONSE_SIZE = 65536
# What the children may grow by while answering 50 MB operations through a
# 64 KiB limit. Holding one of those answers would take >= 50 MiB; the slack
# is for malloc arenas, CGI and proxy buffers that a first use allocates.
MAX_RSS_GROWTH_KIB = 20 * 1024
HUGE = 50 * 1000 * 1000


# -- raw connections ----------------------------------------------------------

def _connect(server):
    sock = socket.create_connection(("127.0.0.1", server.port),
                                    timeout=TIMEOUT)
    return sock


def _request_head(server, length=None, path="/batch", chunked=False):
    lines = ["POST %s HTTP/1.1" % path, "Host: " + server.host_header,
             "Content-Type: application/json"]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    else:
        lines.append("Content-Length: %d" % length)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def _batch_body(ops):
    return json.dumps({"requests": ops}).encode("utf-8")


def _abort(sock):
    """Closes with a reset, as a client that dies does (SO_LINGER 0)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    sock.close()


def _read_until(sock, predicate, limit=1 << 20):
    data = b""
    while not predicate(data) and len(data) < limit:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _read_all(sock):
    """Everything until the server closes (or TIMEOUT); b"" on a reset."""
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
    except ConnectionResetError:
        return data


def _status_of(raw):
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", raw)
    return int(m.group(1)) if m else None


def _json_body_of(raw):
    """The JSON body of a Content-Length response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    m = re.search(rb"(?im)^content-length: *(\d+)", head)
    assert m, "no Content-Length in %r" % head
    return json.loads(body[:int(m.group(1))])


def _wait_for_log(server, offset, pattern, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        m = re.search(pattern, server.log_since(offset))
        if m:
            return m
        time.sleep(0.05)
    return None


def _access_log_status(server, marker, seconds=5):
    """The status the access log gives the request whose line has marker."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        for line in server.access_log.read_text().splitlines():
            if marker in line:
                return line.rsplit(" ", 2)[-2]
        time.sleep(0.05)
    return None


def _post_raw(server, head, body):
    sock = _connect(server)
    try:
        sock.sendall(head + body)
        return _read_all(sock)
    finally:
        sock.close()


def _assert_answers(server):
    r = requests.get(server.url("/static/a.txt"), timeout=TIMEOUT)
    assert r.status_code == 200 and r.text == "hello from a.txt\n", \
        "the server does not answer after the fault: %r" % r


# -- the client disconnects ---------------------------------------------------

GONE = re.compile(r"BATCH1101: client went away; (\d+) of (\d+) operations")


def _slow_output_ops(rounds):
    """Operations that write a lot and take time, so the aggregate is being
    streamed while the client goes away."""
    ops = []
    for i in range(rounds):
        ops.append({"id": "big%d" % i, "url": "/cgi/big.cgi?n=%d" % (
            256 * 1024)})
        ops.append({"id": "slow%d" % i, "url": "/cgi/sleep.cgi?ms=300"})
    return ops


def _assert_stopped_early(server, offset, tok, ops, max_started):
    """The executor logged that the client went away having started at most
    max_started operations (those before the client left, and the one
    running then); the record operations at the end of ops never ran."""
    m = _wait_for_log(server, offset, GONE, 10)
    assert m, "no 'client went away' in the error log:\n%s" % (
        server.log_since(offset),)
    started, total = int(m.group(1)), int(m.group(2))
    assert total == len(ops)
    assert started <= max_started, (
        "%d of %d operations were started; the client left during "
        "operation %d at the latest" % (started, total, max_started))
    # the log line is written once the loop is left: nothing starts later
    time.sleep(0.3)
    assert server.recorded(tok) == [], \
        "operations ran after the client left: %r" % server.recorded(tok)


@sequential_only("counts the operations started one at a time before the "
                 "client left; test_concurrency.py covers parallel aborts")
def test_disconnect_mid_stream_starts_no_further_operation(server):
    tok = token()
    ops = _slow_output_ops(4) + [record_op(tok, "rec%d" % i)
                                 for i in range(3)]
    body = _batch_body(ops)
    offset = server.log_size()
    sock = _connect(server)
    sock.sendall(_request_head(server, len(body)) + body)
    # the first entries (big0's 256 KiB body) are on their way
    got = _read_until(sock, lambda d: len(d) >= 16384)
    assert _status_of(got) == 200, got[:300]
    assert b'"id":"big0"' in got
    _abort(sock)

    # big0 was written, slow0 (or, on a busy machine, big1) was running
    _assert_stopped_early(server, offset, tok, ops, 3)
    _assert_answers(server)


@sequential_only("counts the operations started one at a time before the "
                 "client left; test_concurrency.py covers parallel aborts")
def test_disconnect_before_the_first_entry(server):
    tok = token()
    ops = [{"id": "slow", "url": "/cgi/sleep.cgi?ms=1200"}] + [
        record_op(tok, "rec%d" % i) for i in range(3)]
    body = _batch_body(ops)
    offset = server.log_size()
    sock = _connect(server)
    sock.sendall(_request_head(server, len(body)) + body)
    time.sleep(0.4)     # the first operation is running
    _abort(sock)

    _assert_stopped_early(server, offset, tok, ops, 1)
    _assert_answers(server)


# -- proxied backends that fail -----------------------------------------------

def test_backend_down_is_an_inline_503_and_the_batch_goes_on(server, backend):
    tok = token()
    res = ok_batch(server, [
        {"id": "down", "url": "/proxy-down/things"},
        {"id": "down-post", "method": "POST", "url": "/proxy-down/things",
         "body": {"a": 1}},
        {"id": "up", "url": "/proxy/up"},
        record_op(tok),
    ])
    for op_id in ("down", "down-post"):
        entry = res[op_id]
        assert entry["status"] in (502, 503), entry
        assert entry.get("body"), "the %s entry has no body: %r" % (op_id,
                                                                    entry)
    assert res["up"]["status"] == 200
    assert res["up"]["body"]["path"] == "/up"
    assert res["rec"]["status"] == 200
    assert len(server.recorded(tok)) == 1


def test_backend_hanging_up_without_an_answer_is_an_inline_502(server,
                                                                backend):
    res = ok_batch(server, [
        {"id": "hangup", "url": "/proxy/silent?hangup=1"},
        {"id": "after", "url": "/proxy/after"},
    ])
    assert res["hangup"]["status"] == 502, res["hangup"]
    assert res["hangup"].get("body"), res["hangup"]
    assert res["after"]["status"] == 200
    assert res["after"]["body"]["path"] == "/after"


def test_backend_breaking_mid_body_is_an_inline_502(server, backend):
    res = ok_batch(server, [
        {"id": "cut", "url": "/proxy/cut?cut=5000"},
        {"id": "after", "url": "/static/a.txt"},
    ])
    assert res["cut"]["status"] == 502, res["cut"]
    assert error_code(res["cut"]) == "bad_gateway"
    assert res["after"]["body"] == "hello from a.txt\n"


# -- an operation answers far more than BatchMaxOperationResponseSize ---------

def _huge_static_file(server):
    """A 50 MB sparse file: cheap to make, read like any other."""
    path = server.dir / "htdocs" / "static" / "huge.bin"
    if not path.exists():
        with open(path, "wb") as f:
            f.truncate(HUGE)
        path.chmod(0o644)
    return "/static/huge.bin"


def _huge_ops(server, tok):
    return [
        {"id": "cgi", "url": "/cgi/big.cgi?n=%d" % HUGE},
        {"id": "file", "url": _huge_static_file(server)},
        {"id": "proxy", "url": "/proxy/huge?bytes=%d" % HUGE},
        record_op(tok),
    ]


def test_huge_answers_are_inline_502_in_bounded_memory(server, backend):
    # warm up: every handler has run once in this worker before we measure
    ok_batch(server, _huge_ops(server, token())[:3], path="/limited-batch")
    before = server.rss_kib()
    tok = token()
    ops = _huge_ops(server, tok)
    # /limited-batch takes 3 operations: the record one comes next
    res = ok_batch(server, ops[:3], path="/limited-batch")
    res_rec = ok_batch(server, ops[3:], path="/limited-batch")
    after = server.rss_kib()

    for op_id in ("cgi", "file", "proxy"):
        entry = res[op_id]
        assert entry["status"] == 502, entry
        assert error_code(entry) == "response_too_large", entry
        assert str(LIMITED_RESPONSE_SIZE) in entry["body"]["error"]["message"]
    assert res_rec["rec"]["status"] == 200
    assert len(server.recorded(tok)) == 1
    growth = sum(after.get(pid, 0) - before.get(pid, 0) for pid in after)
    assert growth < MAX_RSS_GROWTH_KIB, (
        "httpd children grew by %d KiB answering 3 x 50 MB through a 64 KiB "
        "limit (before %r, after %r)" % (growth, before, after))


def test_operation_after_a_huge_answer_runs(server):
    tok = token()
    res = ok_batch(server, [
        {"id": "cgi", "url": "/cgi/big.cgi?n=%d" % HUGE},
        record_op(tok),
        {"id": "file", "url": "/static/a.txt"},
    ], path="/limited-batch")
    assert res["cgi"]["status"] == 502
    assert res["rec"]["status"] == 200
    assert res["file"]["body"] == "hello from a.txt\n"
    assert len(server.recorded(tok)) == 1


# -- the batch body: slow, too slow, truncated, malformed ---------------------

def test_slowly_sent_body_within_the_timeout_works(server):
    tok = token()
    ops = [record_op(tok), {"id": "file", "url": "/static/a.txt"}]
    body = _batch_body(ops)
    sock = _connect(server)
    try:
        sock.sendall(_request_head(server, len(body)))
        step = len(body) // 6 + 1
        for i in range(0, len(body), step):
            time.sleep(0.15)
            sock.sendall(body[i:i + step])
        raw = _read_until(sock, lambda d: d.endswith(b"0\r\n\r\n"))
    finally:
        sock.close()
    assert _status_of(raw) == 200, raw[:500]
    assert b'"id":"file"' in raw and b"hello from a.txt" in raw
    assert len(server.recorded(tok)) == 1


def test_body_slower_than_timeout_is_refused_and_runs_nothing(server):
    tok = token()
    body = _batch_body([record_op(tok),
                        {"id": "file", "url": "/static/a.txt"}])
    with reconfigured(server, server_extra=["Timeout 1"]):
        sock = _connect(server)
        try:
            sock.sendall(_request_head(server, len(body), path="/batch?"
                                       + tok) + body[:20])
            time.sleep(1.8)
            raw = _read_all(sock)
        finally:
            sock.close()
        assert _access_log_status(server, tok) == "408"
        if raw:     # else the reset of the closing socket came first
            assert _status_of(raw) == 408, raw[:500]
            assert _json_body_of(raw)["error"]["code"] == "invalid_request"
        assert server.recorded(tok) == [], server.recorded(tok)
        _assert_answers(server)


def _send_truncated(server, tok):
    """A socket that sent a batch 100 bytes short of its Content-Length."""
    body = _batch_body([record_op(tok),
                        {"id": "file", "url": "/static/a.txt"}])
    sock = _connect(server)
    sock.sendall(_request_head(server, len(body) + 100,
                               path="/batch?" + tok) + body)
    return sock


def test_truncated_body_then_half_close_is_refused_and_runs_nothing(server):
    tok = token()
    sock = _send_truncated(server, tok)
    try:
        sock.shutdown(socket.SHUT_WR)
        raw = _read_all(sock)
    finally:
        sock.close()
    assert _status_of(raw) == 400, raw[:500]
    assert _json_body_of(raw)["error"]["code"] == "invalid_request"
    assert _access_log_status(server, tok) == "400"
    assert server.recorded(tok) == []
    _assert_answers(server)


def test_truncated_body_then_close_runs_nothing(server):
    tok = token()
    _abort(_send_truncated(server, tok))
    assert _access_log_status(server, tok) == "400"
    assert server.recorded(tok) == []
    _assert_answers(server)


# httpd's HTTP_IN filter answers these itself (ap_die, its own error page)
# before the module has the body; the module must write nothing after it.

def test_bad_chunk_is_answered_by_httpd_and_runs_nothing(server):
    tok = token()
    body = _batch_body([record_op(tok)])
    raw = _post_raw(server, _request_head(server, chunked=True,
                                          path="/batch?" + tok),
                    b"%x\r\n" % len(body) + body + b"\r\n"
                    + b"zz-not-hex\r\nxx\r\n0\r\n\r\n")
    assert _status_of(raw) == 400, raw[:500]
    assert raw.count(b"HTTP/1.1 ") == 1, raw
    assert _access_log_status(server, tok) == "400", \
        "the access log does not say 400 for the refused batch"
    assert server.recorded(tok) == []
    _assert_answers(server)


def test_body_over_limit_request_body_is_answered_by_httpd(server):
    tok = token()
    body = _batch_body([record_op(tok)]) + b" " * 200
    with reconfigured(server, batch_extra=["LimitRequestBody 100"]):
        raw = _post_raw(server, _request_head(server, len(body),
                                              path="/batch?" + tok), body)
        assert _status_of(raw) == 413, raw[:500]
        assert raw.count(b"HTTP/1.1 ") == 1, raw
        assert _access_log_status(server, tok) == "413"
        assert server.recorded(tok) == []


# -- graceful restart during a batch ------------------------------------------

@sequential_only("checks that the last operation ran after the restart, "
                 "which needs the earlier ones to run first")
def test_graceful_restart_lets_a_running_batch_finish(server, backend):
    tok = token()
    ops = [{"id": "slow%d" % i, "url": "/cgi/sleep.cgi?ms=300"}
           for i in range(5)] + [
        {"id": "file", "url": "/static/hello.json"},
        {"id": "proxy", "url": "/proxy/after-restart"},
        record_op(tok),
    ]
    outcome = {}

    def run_batch():
        try:
            outcome["res"] = post_batch(server, ops)
        except Exception as e:      # reported by the assertions below
            outcome["error"] = repr(e)

    offset = server.log_size()
    client = threading.Thread(target=run_batch)
    client.start()
    time.sleep(0.5)
    ctl = server._ctl("graceful")
    client.join(TIMEOUT)

    assert ctl.returncode == 0, ctl.stderr
    assert "error" not in outcome, outcome["error"]
    res = outcome["res"]
    assert res.status == 200, res
    assert res.ids() == [op["id"] for op in ops], res
    for entry in res.responses:
        assert entry["status"] == 200, entry
    assert res["proxy"]["body"]["path"] == "/after-restart"
    assert len(server.recorded(tok)) == 1
    log = server.log_since(offset)
    assert "Doing graceful restart" in log, log
    # the later operations really ran after the restart, in the old child
    assert log.index("Doing graceful restart") < log.index(
        "BATCH1002: operation rec:"), log
    _assert_answers(server)
