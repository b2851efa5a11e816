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

"""What one batch may make a server child hold (docs/limits.md): result
references built once and capped by the limits of a direct request,
dependsOn naming a group kept linear, a referenced answer parsed once, and
the BatchMaxMemory budget, proved by the peak RSS of the httpd child."""

import json
import socket
import time

import pytest

from httpd import CONCURRENCY, PRELOAD
from support import (error_code, ok_batch, post_batch, reconfigured,
                     record_op, sequential_only, token)

MIB = 1024 * 1024


# -- measuring a child ----------------------------------------------------

def _status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            out[key] = value.split()
    return out


def worker_pids(server):
    """The children that serve requests (threaded; cgid has one thread)."""
    pids = []
    for pid in server.child_pids():
        try:
            if int(_status(pid)["Threads"][0]) > 1:
                pids.append(pid)
        except (OSError, KeyError):
            pass
    return pids


def peak_growth_kib(server, run):
    """Runs run() and returns by how much the peak RSS (VmHWM) of a worker
    child rose above its RSS before, in KiB (the largest over children).
    Under the sanitizers (BATCH_HTTPD_PRELOAD) it runs the batch and reports
    no growth: ASan's shadow memory and quarantine make RSS say nothing of
    the module's own use, so that run checks these batches for memory
    errors and the plain run checks the bound."""
    if PRELOAD:
        return 0, run()
    base = {}
    for pid in worker_pids(server):
        base[pid] = int(_status(pid)["VmRSS"][0])
        # "5" resets the peak RSS to the current RSS (proc(5), clear_refs)
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
    result = run()
    growth = 0
    for pid, rss in base.items():
        try:
            growth = max(growth, int(_status(pid)["VmHWM"][0]) - rss)
        except OSError:
            pass
    return growth, result


# -- generated answers ----------------------------------------------------

def static_json(server, name, doc):
    """Writes doc as /static/<name> in the server's document tree."""
    path = server.dir / "htdocs" / "static" / name
    if not path.exists():
        path.write_text(json.dumps(doc, separators=(",", ":")))
    return "/static/" + name


def value_source(server, size):
    """A JSON answer {"v": "xxx..."} whose value is size bytes."""
    return static_json(server, "value-%d.json" % size, {"v": "x" * size})


def items_source(server, n, pad=0):
    """{"n": 7, "items": [0, 1, ...]} with n items, padded with "p"."""
    return static_json(server, "items-%d-%d.json" % (n, pad), {
        "n": 7, "items": list(range(n)), "p": "p" * pad})


def entry(res, op_id):
    return res[op_id]


# -- item 1: references built once, capped --------------------------------

def test_many_references_are_built_once(server):
    # 600 references to a 1000-byte value: the body is 600 KB, built in one
    # piece (rebuilt per reference it took hundreds of MiB)
    src = value_source(server, 1000)
    body = {"v": "{result=s:$.v}" * 600}
    growth, res = peak_growth_kib(server, lambda: ok_batch(server, [
        {"id": "s", "url": src},
        {"id": "e", "method": "POST", "url": "/cgi/echo.cgi", "body": body},
    ]))
    assert entry(res, "e")["status"] == 200, entry(res, "e")
    assert entry(res, "e")["body"]["body_length"] == 600 * 1000 + 8
    assert growth < 48 * 1024, growth


def test_joining_many_matches_is_linear(server):
    # $.items[*] of an answer with 8000 items: the join is made once
    src = items_source(server, 8000)
    growth, res = peak_growth_kib(server, lambda: ok_batch(server, [
        {"id": "s", "url": src},
        {"id": "e", "method": "POST", "url": "/cgi/echo.cgi",
         "headers": {"Content-Type": "text/plain"},
         "body": "{result=s:$.items[*]}"},
    ]))
    assert entry(res, "e")["status"] == 200, entry(res, "e")
    expected = len(",".join(str(i) for i in range(8000)))
    assert entry(res, "e")["body"]["body_length"] == expected
    assert growth < 48 * 1024, growth


def assert_not_run(server, res, tok, status, code, limit):
    """The operation rec was answered status and code naming the limit,
    and never ran."""
    e = entry(res, "rec")
    assert e["status"] == status, e
    assert error_code(e) == code
    assert limit in e["body"]["error"]["message"]
    assert server.recorded(tok) == []


def test_substituted_url_over_limit_request_line_is_414(server):
    tok = token()
    rec = record_op(tok)
    rec["url"] += "&v=" + "{result=s:$.v}" * 10
    res = ok_batch(server, [{"id": "s", "url": value_source(server, 1000)},
                            rec])
    assert_not_run(server, res, tok, 414, "url_too_long", "LimitRequestLine")


def test_substituted_header_over_limit_request_field_size_is_400(server):
    tok = token()
    rec = dict(record_op(tok), headers={"X-V": "{result=s:$.v}" * 10})
    res = ok_batch(server, [{"id": "s", "url": value_source(server, 1000)},
                            rec])
    assert_not_run(server, res, tok, 400, "invalid_header",
                   "LimitRequestFieldSize")


def test_substituted_body_over_the_batch_body_limit_is_413(server):
    # /limited-batch: BatchMaxRequestSize 2048 caps a substituted body
    tok = token()
    rec = dict(record_op(tok, method="POST"), body="{result=s:$.v}" * 3,
               headers={"Content-Type": "text/plain"})
    res = ok_batch(server, [{"id": "s", "url": value_source(server, 1000)},
                            rec], path="/limited-batch")
    assert_not_run(server, res, tok, 413, "body_too_large",
                   "BatchMaxRequestSize")


def test_substituted_body_at_the_limit_runs(server):
    rec = {"id": "e", "method": "POST", "url": "/cgi/echo.cgi",
           "headers": {"Content-Type": "text/plain"},
           "body": "{result=s:$.v}" * 2}
    res = ok_batch(server, [{"id": "s", "url": value_source(server, 1000)},
                            rec], path="/limited-batch")
    assert entry(res, "e")["body"]["body_length"] == 2000


# -- item 2: dependsOn naming a group -------------------------------------

def test_depends_on_a_group_named_many_times_stays_small(server):
    ops = [{"id": "g%d" % i, "url": "/static/hello.json",
            "atomicityGroup": "g"} for i in range(99)]
    ops.append({"id": "last", "url": "/static/hello.json",
                "dependsOn": ["g"] * 150000})
    growth, res = peak_growth_kib(server, lambda: ok_batch(server, ops))
    assert [e["status"] for e in res.responses] == [200] * 100
    assert growth < 48 * 1024, growth


# -- item 3: a referenced answer is parsed once ---------------------------

def test_a_referenced_answer_is_parsed_once_per_batch(server):
    src = items_source(server, 200000)
    ops = [{"id": "s", "url": src}] + [
        {"id": "r%d" % i, "url": "/static/hello.json?n={result=s:$.n}"}
        for i in range(99)]
    mark = server.log_size()
    res = ok_batch(server, ops)
    assert all(e["status"] == 200 for e in res.responses)
    reads = [line for line in server.log_since(mark).splitlines()
             if "BATCH2001:" in line and "operation s " in line]
    assert len(reads) == 1, reads
    assert "for 1 paths" in reads[0] and "for 99 readers" in reads[0]


# -- item 4: BatchMaxMemory ---------------------------------------------------

@pytest.fixture
def budget_server(server):
    with reconfigured(server, batch_extra=["BatchMaxMemory 1048576"]) as s:
        yield s


def test_values_past_the_budget_are_not_kept(budget_server):
    server = budget_server
    src = value_source(server, 400000)
    tok = token()
    rec = dict(record_op(tok, method="POST"),
               headers={"Content-Type": "text/plain"},
               body="".join("{result=s%d:$.v}" % i for i in range(5)))
    ops = [{"id": "s%d" % i, "url": src} for i in range(5)] + [rec]
    res = ok_batch(server, ops)
    assert [entry(res, "s%d" % i)["status"] for i in range(5)] == [200] * 5
    assert_not_run(server, res, tok, 503, "batch_memory_exceeded",
                   "BatchMaxMemory")


def test_a_batch_too_big_to_parse_within_the_budget_is_413(budget_server):
    # 3000 empty objects: 9 KB of JSON that json-c holds in some 2.5 MB
    tok = token()
    res = post_batch(budget_server, doc={
        "requests": [record_op(tok)], "x": [{}] * 3000})
    assert res.status == 413, res
    assert res.json["error"]["code"] == "request_too_large"
    assert "BatchMaxMemory" in res.json["error"]["message"]
    assert budget_server.recorded(tok) == []


@sequential_only("which operation meets the budget depends on timing")
def test_answers_held_past_the_budget_stop_later_operations(budget_server):
    # "first" waits for "last": the big answers before it are held
    server = budget_server
    src = value_source(server, 400000)
    tok = token()
    ops = [{"id": "first", "url": "/static/hello.json",
            "dependsOn": ["last"]}]
    ops += [{"id": "b%d" % i, "url": src} for i in range(4)]
    ops += [dict(record_op(tok), id="last")]
    res = ok_batch(server, ops)
    statuses = [e["status"] for e in res.responses]
    assert statuses == [424, 200, 200, 200, 503, 503], statuses
    assert error_code(entry(res, "b3")) == "batch_memory_exceeded"
    assert server.recorded(tok) == []


# The bound docs/limits.md states for one batch: answers held, values
# kept and the parse of a referenced answer stay within BatchMaxMemory;
# each running operation adds its answer being captured and its
# substituted copy; the batch itself takes up to BATCH_FACTOR times its
# body once parsed (a JSON tree is held within BatchMaxMemory, and is gone
# before operations run); httpd's own allocations for the subrequests add
# up to FIXED.
BATCH_FACTOR = 8
FIXED = 16 * MIB
REQUEST, RESPONSE, BUDGET = 262144, 1048576, 4194304
BOUNDED = [
    "BatchMaxRequestSize %d" % REQUEST,
    "BatchMaxOperationResponseSize %d" % RESPONSE,
    "BatchMaxMemory %d" % BUDGET,
]


def stated_bound(concurrency):
    return (BUDGET + concurrency * (RESPONSE + REQUEST)
            + BATCH_FACTOR * REQUEST + FIXED)


def hostile_batches(server):
    """Batches within the BOUNDED limits that held hundreds of MiB."""
    value = value_source(server, 2000)
    kept = value_source(server, 200000)
    big = value_source(server, 1000000)
    items = items_source(server, 150000)
    refs = {"v": "{result=s:$.v}" * 16000}
    yield [{"id": "s", "url": value},
           {"id": "e", "method": "POST", "url": "/cgi/echo.cgi",
            "body": refs}]
    yield [{"id": "s", "url": items},
           {"id": "e", "method": "POST", "url": "/cgi/echo.cgi",
            "body": {"v": "{result=s:$.items[*]}" * 20}}]
    yield [{"id": "s%d" % i, "url": kept} for i in range(20)] + [
        {"id": "e", "method": "POST", "url": "/cgi/echo.cgi",
         "headers": {"Content-Type": "text/plain"},
         "body": "".join("{result=s%d:$.v}" % i for i in range(20))}]
    yield [{"id": "first", "url": "/static/hello.json",
            "dependsOn": ["last"]}] + [
        {"id": "b%d" % i, "url": big} for i in range(20)] + [
        {"id": "last", "url": "/static/hello.json"}]
    yield [{"id": "s", "url": items}] + [
        {"id": "r%d" % i, "url": "/static/hello.json?v={result=s:$}"}
        for i in range(99)]
    yield [{"id": "g%d" % i, "url": "/static/hello.json",
            "atomicityGroup": "g"} for i in range(99)] + [
        {"id": "last", "url": "/static/hello.json",
         "dependsOn": ["g"] * 50000}]
    yield {"requests": [{"id": "a", "url": "/static/hello.json"}],
           "x": [{}] * 60000}
    part = ("--b\r\nContent-Type: application/http\r\n\r\n"
            "GET /static/hello.json HTTP/1.1\r\n\r\n")
    yield (part * 3000 + "--b--\r\n").encode()


def as_post(batch):
    """post_batch's arguments for a list of operations, a whole document
    or a multipart/mixed body."""
    if isinstance(batch, list):
        return {"requests_list": batch}
    if isinstance(batch, dict):
        return {"doc": batch}
    return {"data": batch,
            "headers": {"Content-Type": "multipart/mixed; boundary=b"}}


def stalled_client(server, doc, seconds=1.5):
    """Sends a batch and reads nothing for a while, as a client that stops
    reading does, then goes away."""
    body = json.dumps(doc).encode()
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(b"POST /batch HTTP/1.1\r\nHost: %s\r\n"
                 b"Content-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % (
                     server.host_header.encode(), len(body)) + body)
    time.sleep(seconds)
    sock.close()


def test_a_client_that_stops_reading_pins_no_more_than_the_bound(server):
    with reconfigured(server, batch_extra=BOUNDED) as limited:
        big = value_source(limited, 1000000)
        doc = {"requests": [{"id": "b%d" % i, "url": big}
                            for i in range(40)]}
        growth, _ = peak_growth_kib(limited,
                                    lambda: stalled_client(limited, doc))
        assert growth * 1024 < stated_bound(max(CONCURRENCY, 1)), growth
        # the server is still there for the next client
        assert ok_batch(limited, [{"id": "a", "url": "/static/hello.json"}])


def test_no_batch_within_the_limits_passes_the_stated_bound(server):
    with_concurrency = max(CONCURRENCY, 1)
    with reconfigured(server, batch_extra=BOUNDED) as limited:
        for batch in hostile_batches(limited):
            growth, res = peak_growth_kib(
                limited, lambda: post_batch(limited, **as_post(batch)))
            assert res.status in (200, 400, 413), res
            assert growth * 1024 < stated_bound(with_concurrency), growth
