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

"""The process's pool of threads for parallel operations
(src/mod_batch_threads.c, docs/performance.md): BatchMaxThreads caps it,
a full pool runs operations in the batch's own request thread (same
answers, never a hang, even when operations wait on this same server),
the server-status page shows it, secondary connections' ids differ in
their low 32 bits (what mod_unique_id reads), and BatchMaxThreads is a
main-server directive.

The tests on the module-wide two_threads configuration come first: the
others restart the server with a configuration of their own.
"""

import base64
import concurrent.futures
import re
import time

import pytest
import requests

from httpd import MODULES_DIR, PRELOAD, alive
from support import TIMEOUT, ok_batch, reconfigured, status_figures
from test_concurrency import (mixed_operations, most_at_once, sleep_op,
                              without_volatile)

STATUS_LINES = [
    "LoadModule status_module %s/mod_status.so" % MODULES_DIR,
    "ExtendedStatus On",
    '<Location "/server-status">',
    "    SetHandler server-status",
    "</Location>",
]


def _self_proxy(server):
    """/self/ goes back to this same server over HTTP."""
    return ["ProxyPass /self/ http://127.0.0.1:%d/" % server.port]


@pytest.fixture(scope="module")
def two_threads(httpd):
    if httpd.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    extra = ["BatchMaxThreads 2"] + _self_proxy(httpd) + STATUS_LINES
    with reconfigured(httpd, server_extra=extra) as s:
        yield s


def _waiting_batch(i):
    """Operations that wait: CGIs that sleep, some proxied back to this
    server (each then holds a request thread of it), one to a batch
    endpoint of it (refused: 508)."""
    ops = [{"id": "sleep-%d" % k, "url": "/cgi/sleep.cgi?ms=300"}
           for k in range(4)]
    ops += [{"id": "self-%d" % k, "url": "/self/cgi/sleep.cgi?ms=300"}
            for k in range(2)]
    ops += [{"id": "self-static", "url": "/self/static/hello.json"},
            {"id": "self-batch", "method": "POST", "url": "/self/batch",
             "body": {"requests": [{"id": "x", "url": "/static/a.txt"}]}},
            {"id": "tag", "url": "/static/a.txt?batch=%d" % i}]
    return ops


def test_full_pool_never_hangs_and_every_batch_finishes(two_threads):
    offset = two_threads.log_size()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        runs = [pool.submit(ok_batch, two_threads, _waiting_batch(i),
                            path="/parallel-batch")
                for i in range(4)]
        results = [r.result(timeout=TIMEOUT) for r in runs]
    for res in results:
        statuses = {e["id"]: e["status"] for e in res.responses}
        assert statuses.pop("self-batch") == 508, statuses
        assert set(statuses.values()) == {200}, statuses
    # the pool was full: operations ran in their batches' own threads
    assert "BATCH1404" in two_threads.log_since(offset)
    status = status_figures(two_threads)
    assert status["BatchThreadsMax"] == 2
    assert status["BatchThreads"] <= 2
    assert status["BatchThreadsBusy"] == 0
    assert status["BatchThreadsIdle"] == status["BatchThreads"]


def test_status_page_shows_the_threads(two_threads):
    ops = [{"id": str(i), "url": "/cgi/sleep.cgi?ms=1500"} for i in range(3)]
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(ok_batch, two_threads, ops,
                              path="/parallel-batch")
        seen = {}
        while not running.done():
            now = status_figures(two_threads)
            if now["BatchThreadsBusy"] == 2:
                seen = now
                break
            time.sleep(0.05)
        running.result(timeout=TIMEOUT)
    assert seen, "no status page showed both threads busy"
    assert seen["BatchThreads"] == 2 and seen["BatchThreadsIdle"] == 0
    html = requests.get(two_threads.url("/server-status"), timeout=10).text
    assert "Threads for parallel operations alive: 2" in html
    assert "Threads running an operation now" in html


def test_threads_outlive_batches_and_stay_under_the_cap(two_threads):
    for i in range(10):
        ok_batch(two_threads, [{"id": str(k), "url": "/static/a.txt"}
                               for k in range(8)], path="/parallel-batch")
    status = status_figures(two_threads)
    assert 1 <= status["BatchThreads"] <= 2
    assert status["BatchThreadsIdle"] == status["BatchThreads"]


def test_graceful_restart_while_operations_run(two_threads):
    """The batch finishes whole; then the old child exits: its pool's
    threads, idle by then, are joined when pchild goes."""
    ops = [{"id": str(i), "url": "/cgi/sleep.cgi?ms=1000"} for i in range(4)]
    old = set(two_threads.child_pids())
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(ok_batch, two_threads, ops,
                              path="/parallel-batch")
        deadline = time.time() + 10
        while status_figures(two_threads)["BatchThreadsBusy"] < 2:
            assert time.time() < deadline, "the operations never started"
            time.sleep(0.05)
        assert two_threads._ctl("graceful").returncode == 0
        res = running.result(timeout=TIMEOUT)
    assert [e["status"] for e in res.responses] == [200] * 4
    deadline = time.time() + 20
    while any(alive(pid) for pid in old) and time.time() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in old if alive(pid)]
    ok_batch(two_threads, ops[:2], path="/parallel-batch")


# --------------------------------------------------------------------------
# A batch of cheap operations on busy CPUs settles in its request thread
# (BATCH1405), and unsettles when an operation waits on something
# (BATCH1406), so the slow ones after it still run side by side.

def _spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_settled_batch_unsettles_when_an_operation_waits(two_threads):
    cheap = [{"id": "c%d" % i, "url": "/static/hello.json"}
             for i in range(60)]
    slow = [sleep_op("s%d" % i, 400) for i in range(4)]
    offset = two_threads.log_size()
    # every CPU busy: a thread the pool wakes waits for one, longer than
    # a static GET takes
    with concurrent.futures.ProcessPoolExecutor(8) as hogs:
        spinning = [hogs.submit(_spin, 6) for _ in range(8)]
        time.sleep(0.5)
        res = ok_batch(two_threads, cheap + slow, path="/parallel-batch")
        for s in spinning:
            s.result(timeout=TIMEOUT)
    log = two_threads.log_since(offset)
    if not PRELOAD:
        # under a sanitizer no operation may be cheap enough
        assert "BATCH1405" in log, "the cheap operations did not settle"
    if "BATCH1405" in log:
        assert "BATCH1406" in log, "the first slow one did not unsettle"
    # s0 ran in the request thread; the others got threads again
    assert most_at_once([res[e["id"]] for e in slow[1:]]) >= 2


def test_next_batch_on_a_settled_connection_settles_at_once(two_threads):
    # the batch after one that settled, on the same connection, settles
    # from its start (BATCH1407: no thread woken to measure its first
    # operation); its first operation, slow, unsettles it, and the slow
    # ones after it still run side by side; another connection learns
    # nothing from it
    cheap = [{"id": "c%d" % i, "url": "/static/hello.json"}
             for i in range(60)]
    slow = [sleep_op("s%d" % i, 400) for i in range(4)]
    with concurrent.futures.ProcessPoolExecutor(8) as hogs, \
            requests.Session() as session:
        spinning = [hogs.submit(_spin, 8) for _ in range(8)]
        time.sleep(0.5)
        for _ in range(3):
            # until one ends settled (a spurious unsettle, say a lock held
            # by a preempted writer of the same log, clears the memory)
            offset = two_threads.log_size()
            ok_batch(two_threads, cheap, path="/parallel-batch",
                     session=session)
            first = two_threads.log_since(offset)
            if "BATCH1405" in first and "BATCH1406" not in first:
                break
        offset = two_threads.log_size()
        res = ok_batch(two_threads, slow + cheap[:10], path="/parallel-batch",
                       session=session)
        second = two_threads.log_since(offset)
        offset = two_threads.log_size()
        ok_batch(two_threads, cheap[:10], path="/parallel-batch")
        other = two_threads.log_since(offset)
        for s in spinning:
            s.result(timeout=TIMEOUT)
    if "BATCH1405" not in first or "BATCH1406" in first:
        # under a sanitizer no operation may be cheap enough
        assert PRELOAD, "the cheap operations did not end settled"
        return
    assert "BATCH1407" in second, "the next batch did not settle at once"
    assert "BATCH1406" in second, "its slow first one did not unsettle it"
    assert most_at_once([res[e["id"]] for e in slow[1:]]) >= 2
    assert "BATCH1407" not in other


def test_full_pool_answers_equal_sequential_answers(httpd, backend):
    if httpd.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    ops = mixed_operations()
    with reconfigured(httpd, server_extra=["BatchMaxThreads 1"]) as s:
        offset = s.log_size()
        seq = ok_batch(s, ops, path="/sequential-batch")
        par = ok_batch(s, ops, path="/parallel-batch")
        log = s.log_since(offset)
    assert "BATCH1404" in log
    for a, b in zip(without_volatile(seq.responses),
                    without_volatile(par.responses)):
        assert b == a, "operation %s differs:\nsequential %r\nparallel   %r" \
            % (a["id"], a, b)


def test_default_cap_is_threads_per_child(httpd):
    if httpd.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    with reconfigured(httpd, server_extra=STATUS_LINES) as s:
        assert status_figures(s)["BatchThreadsMax"] == 25   # httpd.py's config


def _thread_index(unique_id):
    """The 32 bits mod_unique_id takes from the connection's id
    (mod_unique_id.c gen_unique_id: stamp 4, root 10, counter 2,
    thread_index 4 bytes, base64url)."""
    raw = base64.urlsafe_b64decode(unique_id + "=" * (-len(unique_id) % 4))
    return int.from_bytes(raw[16:20], "big")


def test_parallel_operations_have_ids_apart_in_the_low_32_bits(httpd):
    if httpd.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    extra = ["LoadModule unique_id_module %s/mod_unique_id.so"
             % MODULES_DIR]
    ops = [{"id": str(i), "url": "/cgi/uid.cgi?ms=400"} for i in range(3)]
    with reconfigured(httpd, server_extra=extra) as s:
        res = ok_batch(s, ops, path="/parallel-batch")
    bodies = [e["body"] for e in res.responses]
    # they ran at the same time
    assert max(b["started"] for b in bodies) < min(b["ended"] for b in bodies)
    index = [_thread_index(b["unique_id"]) for b in bodies]
    assert len(set(index)) == 3, [hex(i) for i in index]
    # (batch connection + 1) << 16 | the pool thread's number
    assert len({i >> 16 for i in index}) == 1, [hex(i) for i in index]
    assert all(1 <= i & 0xffff <= 25 for i in index), \
        [hex(i) for i in index]
    assert len({b["unique_id"] for b in bodies}) == 3


@pytest.mark.parametrize("value", ["-1", "x", "2x", "65536"])
def test_bad_max_threads_is_refused(httpd, value):
    out = httpd.configtest(server_extra=["BatchMaxThreads %s" % value])
    assert out.returncode != 0
    assert "BatchMaxThreads" in out.stderr + out.stdout


def test_max_threads_is_main_server_only(httpd):
    out = httpd.configtest(server_extra=[
        "<VirtualHost 127.0.0.1:%d>" % httpd.port,
        "    ServerName other.example",
        "    BatchMaxThreads 4",
        "</VirtualHost>"])
    assert out.returncode != 0
    assert "BatchMaxThreads" in out.stderr + out.stdout
    for value in ("0", "65535"):
        assert httpd.configtest(
            server_extra=["BatchMaxThreads " + value]).returncode == 0


def _embedded_wsgi_lines(server):
    """fixtures/wsgi/embedded.wsgi at /embedded, in mod_wsgi embedded mode:
    it runs in the threads of the httpd child."""
    d = server.dir
    return [
        "LoadModule wsgi_module %s/mod_wsgi.so" % MODULES_DIR,
        'WSGIScriptAlias /embedded "%s/wsgi/embedded.wsgi" '
        "application-group=%%{GLOBAL}" % d,
        '<Directory "%s/wsgi">' % d,
        "    Require all granted",
        "</Directory>",
    ]


def test_wsgi_embedded_thread_records_stay_flat(httpd):
    if httpd.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    ops = [{"id": str(i), "url": "/embedded/threads"} for i in range(8)]
    records = {}
    with reconfigured(httpd, server_extra=_embedded_wsgi_lines(httpd)) as s:
        for n in range(200):
            res = ok_batch(s, ops, path="/parallel-batch")
            for e in res.responses:
                assert e["status"] == 200, e
                seen = records.setdefault(e["body"]["pid"], [])
                seen.append((n, e["body"]["records"], e["body"]["seen"]))
    for pid, seen in records.items():
        print("pid %d: mod_wsgi thread records after batch 1: %d, 100: %d, "
              "200: %d" % (pid, seen[0][1], seen[len(seen) // 2][1],
                           seen[-1][1]))
        # at most the child's threads: the pool's cap (ThreadsPerChild,
        # 25) and the request threads (25), which run cheap operations too,
        # as they run every sequential one; threads made per batch reached
        # 1285 records here
        assert max(r for _, r, _ in seen) <= 50, seen[-1]
        # and a record per thread that ran the app, none left behind
        assert all(r <= s + 1 for _, r, s in seen), seen[-1]


# -- few wakes: who runs which operation ---------------------------------

def _threads_of(log, batch_size):
    """(the request thread, {op id: thread}) of the one batch in log, from
    its BATCH1202 line and its operations' BATCH2450 lines."""
    request = re.search(r"\[pid \d+:tid (\d+)\].*BATCH1202: running a \S+ "
                        r"batch of %d operations" % batch_size, log)
    assert request, log[-2000:]
    ran = dict((m.group(2), m.group(1)) for m in re.finditer(
        r"\[pid \d+:tid (\d+)\].*BATCH2450: operation (\S+) ", log))
    return request.group(1), ran


def test_cheap_operations_run_in_the_request_thread_too(httpd):
    # once they prove cheap, the request thread runs ready operations
    # itself instead of sleeping until a pool thread answers
    if PRELOAD:
        pytest.skip("under a sanitizer a static GET takes about 1 ms, "
                    "what makes an operation cheap")
    ops = [{"id": "o%d" % i, "url": "/static/hello.json"} for i in range(100)]
    mark = httpd.log_size()
    res = ok_batch(httpd, ops, path="/parallel-batch")
    assert [e["status"] for e in res.responses] == [200] * 100
    request, ran = _threads_of(httpd.log_since(mark), 100)
    assert len(ran) == 100, sorted(ran)
    here = [op for op, tid in ran.items() if tid == request]
    assert here, "no operation ran in the request thread"
    # the first, its cost not yet known, goes to a pool thread
    assert ran["o0"] != request


def test_operations_that_wait_each_get_a_pool_thread(httpd):
    # slow ones never run in the request thread: it would not start the
    # next ones meanwhile
    ops = [sleep_op(str(i), 300) for i in range(4)]
    mark = httpd.log_size()
    res = ok_batch(httpd, ops, path="/parallel-batch")
    assert [e["status"] for e in res.responses] == [200] * 4
    request, ran = _threads_of(httpd.log_since(mark), 4)
    assert len(set(ran.values())) == 4 and request not in ran.values(), ran
    assert most_at_once(res.responses) == 4
