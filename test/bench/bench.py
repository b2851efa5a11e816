#!/usr/bin/python3
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

"""The mod_batch benchmark: one run, one table (started by bench.sh).

A throwaway httpd from the integration tests' harness (test/integration/
httpd.py: Debian's apache2, mpm_event, mod_batch) with mod_include and
mod_http2 (`Protocols h2c http/1.1`) added, serving 100 small static JSON
resources. Every figure is measured in this run on those resources:

- throughput, each the median of BENCH_RUNS runs of BENCH_SECONDS after a
  warm-up: HTTP/1.1 keep-alive GETs (wrk), HTTP/2 multiplexed GETs
  (h2load), an SSI page of 100 `#include virtual` (subrequests/s), and
  100-GET batches, JSON and multipart (operations/s), posted by wrk, and
  the JSON one under BatchEngine request (/request-batch);
- latency through relay.py (BENCH_DELAY_MS each way): one GET, 100
  sequential keep-alive GETs, h2load's 100 multiplexed GETs, one 100-op
  batch of each format;
- memory: the children's peak RSS growth during one batch of 100
  operations each answering 1 MiB;
- instructions (valgrind --tool=callgrind, apache2 -X with one worker
  thread) per batch operation (under each BatchEngine) and per SSI
  include, less one GET;
- parallel operations, BatchConcurrency 1 and 8 side by side, runs
  interleaved: cheap ops (100 static GETs a batch, BENCH_PARALLEL_CONNECTIONS
  wrk connections; the median of BENCH_PARALLEL_RUNS runs) in ops/s and
  the server's CPU time per op (utime+stime of every apache2 process,
  from /proc); ops that wait (BENCH_WAIT_OPS
  GETs a batch through mod_proxy to sleeper.py, which answers after
  BENCH_WAIT_MS) in ops/s, with their baseline: GETs sent straight to
  that backend through the same proxy, as many at once as the batches
  keep in flight (wrk -c2 and -c16 by default).

The header gives the load average and the share of CPU time the
hypervisor stole during the run: on a busy host every figure falls, the
waiting ops' most (a batch's operations end when the slowest answers).

Operations write their access-log lines as configured by default
(BatchLogOperations On); BENCH_LOG_OPERATIONS=Off runs without them, so
two runs give what the lines cost per operation.

Then the ratios against its targets (docs/performance.md). Speed never
fails the run: it fails (exit 1) when something is broken (a non-200, a
missing entry, a socket error, a crash in the error log); exit 2 when it
could not run.
"""

import http.client
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

import httpd as harness  # noqa: E402  (the path is set just above)

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
OPS = 100                       # operations per batch, includes per page
DELAY_MS = int(os.environ.get("BENCH_DELAY_MS", "25"))
MIB = 1024 * 1024
BOUNDARY = "bench_boundary_5c1e"
CRASH_MARKERS = ("exit signal", "AH00052", "Segmentation fault",
                 "double free", "corrupted")


def setting(name, default, quick):
    return int(os.environ.get(name, quick if QUICK else default))


RUNS = setting("BENCH_RUNS", 5, 3)
SECONDS = setting("BENCH_SECONDS", 3, 1)
WARMUP_SECONDS = setting("BENCH_WARMUP_SECONDS", 2, 1)
CONNECTIONS = setting("BENCH_CONNECTIONS", 4, 4)
STREAMS = setting("BENCH_H2_STREAMS", 10, 10)     # per h2load connection
RELAY_RUNS = setting("BENCH_RELAY_RUNS", 5, 1)
# the cheap parallel ops' runs: their ratio is a few per cent from 1,
# where a busy host's noise is ten; more runs, a steadier median
PARALLEL_RUNS = setting("BENCH_PARALLEL_RUNS", 9, 3)
CALLGRIND_RUNS = setting("BENCH_CALLGRIND_RUNS", 3, 1)
LOG_OPERATIONS = os.environ.get("BENCH_LOG_OPERATIONS", "On")
PARALLEL_CONNECTIONS = setting("BENCH_PARALLEL_CONNECTIONS", 16, 16)
WAIT_CONNECTIONS = setting("BENCH_WAIT_CONNECTIONS", 2, 2)
WAIT_OPS = setting("BENCH_WAIT_OPS", 32, 32)
WAIT_MS = setting("BENCH_WAIT_MS", 10, 10)
# BENCH_ONLY=parallel: only the parallel operations' figures
ONLY = os.environ.get("BENCH_ONLY", "")


class BenchError(Exception):
    """Something is broken: the run fails."""


def progress(text):
    print("bench: " + text, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# The resources, the SSI page and the batches

def item_path(i):
    return "/bench/item-%03d.json" % i


def write_resources(htdocs):
    """100 small JSON resources and an SSI page including each once."""
    bench = htdocs / "bench"
    bench.mkdir()
    for i in range(OPS):
        (bench / ("item-%03d.json" % i)).write_text(
            '{"bench-item": %d, "name": "item %d", "price": %d.%02d, '
            '"tags": ["static", "json", "bench"], "in_stock": %s}\n'
            % (i, i, 10 + i, i, "true" if i % 2 else "false"))
    includes = "".join('<!--#include virtual="%s" -->\n' % item_path(i)
                       for i in range(OPS))
    (bench / "page.shtml").write_text(
        "<html><body>\n%s</body></html>\n" % includes)
    for p in bench.iterdir():
        os.chmod(p, 0o644)
    os.chmod(bench, 0o755)


def json_batch(paths):
    return ('{"requests": [%s]}' % ", ".join(
        '{"id": "%d", "method": "GET", "url": "%s"}' % (i, p)
        for i, p in enumerate(paths))).encode()


def multipart_batch(paths):
    parts = "".join(
        "--%s\r\nContent-Type: application/http\r\nContent-ID: <%d>\r\n\r\n"
        "GET %s HTTP/1.1\r\n\r\n" % (BOUNDARY, i, p)
        for i, p in enumerate(paths))
    return (parts + "--%s--\r\n" % BOUNDARY).encode()


MULTIPART_CTYPE = "multipart/mixed; boundary=" + BOUNDARY

# what every answer of each kind must hold, and how many times
EXPECT = {
    "ssi": [(OPS, "bench-item")],
    "json": [(OPS, '"status":200'), (OPS, "bench-item")],
    "multipart": [(OPS, "HTTP/1.1 200 OK"), (OPS, "bench-item")],
    "wait": [(WAIT_OPS, '"status":200'), (WAIT_OPS, "slept")],
}
# the batch endpoints of the parallel figures: BatchConcurrency 1 and 8
PARALLEL_PATHS = {1: "/batch-c1", 8: "/batch-c8"}


class Workload:
    """The files wrk, h2load and the checks read, in the server's dir."""

    def __init__(self, server):
        self.dir = server.dir / "bench"
        self.dir.mkdir()
        self.items = [item_path(i) for i in range(OPS)]
        self.json = json_batch(self.items)
        self.multipart = multipart_batch(self.items)
        self.wait = json_batch(["/slow/%d" % i for i in range(WAIT_OPS)])
        self.files = {
            "items": self._write("items.txt", "\n".join(self.items) + "\n"),
            "slow": self._write("slow.txt", "".join(
                "/slow/%d\n" % i for i in range(WAIT_OPS))),
            "page": self._write("page.txt", "/bench/page.shtml\n"),
            "batch": self._write("batch.txt", "/batch\n"),
            "request-batch": self._write("request-batch.txt",
                                         "/request-batch\n"),
            "json": self._write("batch.json", self.json),
            "multipart": self._write("batch.multipart", self.multipart),
            "wait": self._write("batch-wait.json", self.wait),
        }
        for n, path in PARALLEL_PATHS.items():
            self.files["batch-c%d" % n] = self._write(
                "batch-c%d.txt" % n, path + "\n")
        for kind, checks in EXPECT.items():
            self.files["expect-" + kind] = self._write(
                "expect-%s.txt" % kind,
                "".join("%d %s\n" % c for c in checks))

    def _write(self, name, data):
        path = self.dir / name
        if isinstance(data, str):
            data = data.encode()
        path.write_bytes(data)
        return str(path)

    def uris(self, port, name):
        """A file of the resources' full URIs on port (for h2load)."""
        return self._write(name, "".join(
            "http://127.0.0.1:%d%s\n" % (port, p) for p in self.items))


def check_answer(kind, status, body):
    if status != 200:
        raise BenchError("%s answered %d" % (kind, status))
    for count, needle in EXPECT[kind]:
        found = body.count(needle.encode())
        if found != count:
            raise BenchError("%s answer holds %r %d times, not %d" % (
                kind, needle, found, count))


# --------------------------------------------------------------------------
# The server

def bench_server_lines(server, sleeper_port):
    modules = harness.MODULES_DIR
    lines = []
    for n, path in PARALLEL_PATHS.items():
        lines += ['<Location "%s">' % path, "    SetHandler batch",
                  "    BatchConcurrency %d" % n, "</Location>"]
    # ops that wait: mod_proxy to sleeper.py, connections kept
    lines.append("ProxyPass /slow/ http://127.0.0.1:%d/" % sleeper_port)
    return lines + [
        "LoadModule include_module %s/mod_include.so" % modules,
        "LoadModule http2_module %s/mod_http2.so" % modules,
        "Protocols h2c http/1.1",
        # the harness logs batch:debug; a benchmark logs what a server would
        "LogLevel warn",
        # BENCH_LOG_OPERATIONS=Off: without the operations' access-log
        # lines, to measure what they cost
        "BatchLogOperations %s" % LOG_OPERATIONS,
        '<Directory "%s/htdocs/bench">' % server.dir,
        "    Options +Includes",
        "    AddType text/html .shtml",
        "    AddOutputFilter INCLUDES .shtml",
        "</Directory>",
    ]


def make_server(gen_dir, sleeper_port):
    module = harness.module_setting()
    if module is None or not module.exists():
        raise harness.HttpdError("mod_batch.so not found at %s; %s" % (
            module, harness.BUILD_HINT))
    server = harness.Httpd(gen_dir, "main", module=module)
    server.server_extra = bench_server_lines(server, sleeper_port)
    server.prepare()
    write_resources(server.dir / "htdocs")
    return server


def crashes(server):
    return [line for line in server.log_since(0).splitlines()
            if any(m in line for m in CRASH_MARKERS)]


# --------------------------------------------------------------------------
# Throughput

def run_wrk(server, workload, kind, seconds, path_file=None,
            connections=CONNECTIONS):
    """One wrk run; requests/s. kind: items or slow (GETs: the resources,
    the backend that waits through mod_proxy), or ssi, json, multipart or
    wait (posted to path_file's endpoint, /batch by default)."""
    return wrk_counts(server, workload, kind, seconds, path_file,
                      connections)[0]


def wrk_counts(server, workload, kind, seconds, path_file, connections):
    """One wrk run; (requests/s, requests answered)."""
    env = dict(os.environ)
    if kind in ("items", "slow"):
        env["BENCH_PATHS"] = workload.files[kind]
    elif kind == "ssi":
        env["BENCH_PATHS"] = workload.files["page"]
    else:
        env.update(BENCH_PATHS=path_file or workload.files["batch"],
                   BENCH_METHOD="POST", BENCH_BODY=workload.files[kind],
                   BENCH_CTYPE=(MULTIPART_CTYPE if kind == "multipart"
                                else "application/json"))
    if kind in EXPECT:
        env["BENCH_EXPECT"] = workload.files["expect-" + kind]
    threads = min(2, connections)
    cmd = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds,
           "--timeout", "10s", "-s", str(HERE / "bench.lua"),
           server.base_url]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env,
                         timeout=seconds + 60)
    m = re.search(r"^bench-counts (.*)$", res.stdout, re.M)
    if res.returncode != 0 or not m:
        raise BenchError("wrk (%s) failed (%d):\n%s%s" % (
            kind, res.returncode, res.stdout, res.stderr))
    counts = {k: int(v) for k, v in
              (pair.split("=") for pair in m.group(1).split())}
    broken = {k: counts[k] for k in (
        "status_errors", "non200", "bad", "connect_errors", "read_errors",
        "write_errors", "timeouts") if counts[k]}
    if broken or not counts["requests"]:
        raise BenchError("wrk (%s): %s of %d requests\n%s" % (
            kind, broken or "no answers", counts["requests"], res.stdout))
    return (counts["requests"] / (counts["duration_us"] / 1e6),
            counts["requests"])


H2LOAD_RATE = re.compile(r"finished in [\d.]+\w+, ([\d.]+) req/s")
H2LOAD_TIME = re.compile(r"finished in ([\d.]+)(ms|s|us),")
H2LOAD_REQS = re.compile(r"requests: (\d+) total, (\d+) started, (\d+) done, "
                         r"(\d+) succeeded, (\d+) failed, (\d+) errored, "
                         r"(\d+) timeout")
H2LOAD_CODES = re.compile(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, "
                          r"(\d+) 5xx")


def run_h2load(args, uri_file):
    """Runs h2load; (its output, seconds it took, requests/s). Fails unless
    it spoke h2c and every request it finished succeeded with a 2xx."""
    cmd = ["h2load"] + args + ["-i", uri_file]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    out = res.stdout
    reqs, codes = H2LOAD_REQS.search(out), H2LOAD_CODES.search(out)
    took, rate = H2LOAD_TIME.search(out), H2LOAD_RATE.search(out)
    if res.returncode != 0 or not (reqs and codes and took and rate):
        raise BenchError("h2load failed (%d):\n%s%s" % (
            res.returncode, out, res.stderr))
    _, _, done, succeeded, failed, errored, timeouts = map(int, reqs.groups())
    ok_codes = int(codes.group(1))
    if "Application protocol: h2c" not in out:
        raise BenchError("h2load did not speak h2c:\n" + out)
    if failed or errored or timeouts or succeeded != done \
            or ok_codes != succeeded or not done:
        raise BenchError("h2load: not every request succeeded:\n" + out)
    scale = {"s": 1.0, "ms": 1e-3, "us": 1e-6}[took.group(2)]
    return out, float(took.group(1)) * scale, float(rate.group(1))


def h2load_rate(uri_file, seconds):
    args = ["-c%d" % CONNECTIONS, "-m%d" % STREAMS, "-t%d"
            % min(2, CONNECTIONS), "-D%d" % seconds]
    return run_h2load(args, uri_file)[2]


def median_rate(name, one_run):
    """Warms up, then the median of RUNS runs of one_run(seconds)."""
    progress("%s: %d s warm-up, %d runs of %d s" % (
        name, WARMUP_SECONDS, RUNS, SECONDS))
    one_run(WARMUP_SECONDS)
    rates = [one_run(SECONDS) for _ in range(RUNS)]
    return statistics.median(rates), rates


def throughput(server, workload):
    uris = workload.uris(server.port, "uris.txt")
    figures = {}
    figures["keepalive"] = median_rate(
        "HTTP/1.1 keep-alive GETs",
        lambda s: run_wrk(server, workload, "items", s))
    figures["h2"] = median_rate("HTTP/2 multiplexed GETs",
                                lambda s: h2load_rate(uris, s))
    # per page and per batch: OPS subrequests / operations each
    for kind in ("ssi", "json", "multipart"):
        med, rates = median_rate(
            "%s (%d per request)" % (kind, OPS),
            lambda s, k=kind: run_wrk(server, workload, k, s))
        figures[kind] = (med * OPS, [r * OPS for r in rates])
    # the same JSON batch under BatchEngine request
    med, rates = median_rate(
        "json, BatchEngine request (%d per request)" % OPS,
        lambda s: run_wrk(server, workload, "json", s,
                          path_file=workload.files["request-batch"]))
    figures["json-request"] = (med * OPS, [r * OPS for r in rates])
    return figures


# --------------------------------------------------------------------------
# The helper processes: sleeper.py (ops that wait), relay.py (latency)

class Helper:
    """test/bench/<name>.py in a process of its own, listening on the port
    it prints first ("<name>-port N")."""

    def __init__(self, name, args):
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / (name + ".py"))] + args,
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"%s-port (\d+)" % name, line)
        if not m:
            self.stop()
            raise BenchError("%s.py did not start: %r" % (name, line))
        self.port = int(m.group(1))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --------------------------------------------------------------------------
# Parallel operations: BatchConcurrency 1 and 8 side by side

def cpu_ticks(pids):
    """{pid: utime + stime in clock ticks} of the processes still there."""
    ticks = {}
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def server_pids(server):
    return [server.pid()] + server.child_pids()


def cheap_run(server, workload, n, seconds):
    """(ops/s, CPU seconds per op) of one run of 100-GET batches at
    BatchConcurrency n: every apache2 process's CPU time over the run."""
    before = cpu_ticks(server_pids(server))
    rate, batches = wrk_counts(server, workload, "json", seconds,
                               workload.files["batch-c%d" % n],
                               PARALLEL_CONNECTIONS)
    after = cpu_ticks(server_pids(server))
    used = sum(t - before.get(pid, 0) for pid, t in after.items())
    return rate * OPS, used / os.sysconf("SC_CLK_TCK") / (batches * OPS)


def parallel(server, workload):
    """Cheap ops (the median of PARALLEL_RUNS runs) and ops that wait (of
    RUNS runs), BatchConcurrency 1 and 8, the two settings' runs
    interleaved."""
    progress("parallel operations: BatchConcurrency 1 and 8, %d runs of "
             "%d s each (cheap ops: %d), interleaved"
             % (RUNS, SECONDS, PARALLEL_RUNS))
    cheap = {n: [] for n in PARALLEL_PATHS}
    wait = {n: [] for n in PARALLEL_PATHS}
    # the baseline of ops that wait: GETs sent straight to the same
    # proxied backend, as many at once as the batches have in flight
    direct = {n: [] for n in PARALLEL_PATHS}
    # a waiting batch takes WAIT_OPS x 10 ms one op at a time: a run must
    # last some such batches even in quick mode on a loaded machine
    wait_seconds = max(SECONDS, 3)
    for n in PARALLEL_PATHS:         # warm-up: threads, proxy connections
        cheap_run(server, workload, n, WARMUP_SECONDS)
        run_wrk(server, workload, "wait", wait_seconds,
                workload.files["batch-c%d" % n], WAIT_CONNECTIONS)
    for run in range(max(RUNS, PARALLEL_RUNS)):
        for n in PARALLEL_PATHS:
            if run < PARALLEL_RUNS:
                cheap[n].append(cheap_run(server, workload, n, SECONDS))
            if run >= RUNS:
                continue
            wait[n].append(WAIT_OPS * run_wrk(
                server, workload, "wait", wait_seconds,
                workload.files["batch-c%d" % n], WAIT_CONNECTIONS))
            direct[n].append(run_wrk(server, workload, "slow", wait_seconds,
                                     connections=n * WAIT_CONNECTIONS))
    return {n: {"rate": statistics.median(r for r, _ in cheap[n]),
                "cpu": statistics.median(c for _, c in cheap[n]),
                "wait": statistics.median(wait[n]),
                "direct": statistics.median(direct[n]),
                "rates": [r for r, _ in cheap[n]], "waits": wait[n],
                "directs": direct[n]}
            for n in PARALLEL_PATHS}


def parallel_lines(par):
    one, eight = par[1], par[8]
    lines = [
        "parallel operations: BatchConcurrency 1 | 8, runs interleaved, "
        "median of %d" % RUNS,
        "  cheap: %d static GETs a batch, wrk -c%d, median of %d"
        % (OPS, PARALLEL_CONNECTIONS, PARALLEL_RUNS),
        "  %-44s %10.0f | %10.0f ops/s" % ("throughput", one["rate"],
                                           eight["rate"]),
        "      runs: %s | %s" % (
            " ".join("%.0f" % r for r in one["rates"]),
            " ".join("%.0f" % r for r in eight["rates"])),
        "  %-44s %10.1f | %10.1f µs" % (
            "server CPU per op (utime+stime, /proc)", one["cpu"] * 1e6,
            eight["cpu"] * 1e6),
        "  waiting: %d GETs a batch via mod_proxy to a backend sleeping "
        "%d ms, wrk -c%d" % (WAIT_OPS, WAIT_MS, WAIT_CONNECTIONS),
        "  %-44s %10.0f | %10.0f ops/s" % ("throughput", one["wait"],
                                           eight["wait"]),
        "      runs: %s | %s" % (
            " ".join("%.0f" % r for r in one["waits"]),
            " ".join("%.0f" % r for r in eight["waits"])),
        "  %-44s %10.0f | %10.0f req/s" % (
            "baseline: direct GETs, wrk -c%d | -c%d" % (
                WAIT_CONNECTIONS, 8 * WAIT_CONNECTIONS),
            one["direct"], eight["direct"]),
        "      runs: %s | %s" % (
            " ".join("%.0f" % r for r in one["directs"]),
            " ".join("%.0f" % r for r in eight["directs"])),
        "  %-44s %10.2f" % ("baseline 8 ÷ 1, as many GETs in flight",
                            eight["direct"] / one["direct"]),
    ]
    return lines


def parallel_ratios(par):
    one, eight = par[1], par[8]
    return [
        ("CPU per cheap op, 8 ÷ 1", eight["cpu"] / one["cpu"], 1.2, False),
        ("cheap ops/s, 8 ÷ 1", eight["rate"] / one["rate"], 0.9, True),
        ("waiting ops/s, 8 ÷ 1", eight["wait"] / one["wait"], 6.0, True),
    ]


# --------------------------------------------------------------------------
# Latency at emulated distance

def timed_requests(port, requests):
    """Seconds for one new connection to make these (method, path, body,
    content type, kind) requests in turn and read every answer (kind None:
    a 200 is enough)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for method, path, body, ctype, kind in requests:
            headers = {"Content-Type": ctype} if ctype else {}
            conn.request(method, path, body=body, headers=headers)
            res = conn.getresponse()
            data = res.read()
            if kind:
                check_answer(kind, res.status, data)
            elif res.status != 200:
                raise BenchError("GET %s answered %d" % (path, res.status))
    finally:
        conn.close()
    return time.perf_counter() - start


def latency(server, workload):
    progress("latency through a relay, %d ms each way, %d runs" % (
        DELAY_MS, RELAY_RUNS))
    relay = Helper("relay", [str(server.port), str(DELAY_MS)])
    try:
        uris = workload.uris(relay.port, "relay-uris.txt")
        gets = [("GET", p, None, None, None) for p in workload.items]
        cases = {
            "single": lambda: timed_requests(relay.port, gets[:1]),
            "sequential": lambda: timed_requests(relay.port, gets),
            "h2": lambda: run_h2load(["-n%d" % OPS, "-c1", "-m%d" % OPS],
                                     uris)[1],
            "json": lambda: timed_requests(relay.port, [(
                "POST", "/batch", workload.json, "application/json",
                "json")]),
            "multipart": lambda: timed_requests(relay.port, [(
                "POST", "/batch", workload.multipart, MULTIPART_CTYPE,
                "multipart")]),
        }
        # one of each first: the relay's and the server's first connection
        for case in cases.values():
            case()
        return {name: statistics.median(case() for _ in range(RELAY_RUNS))
                for name, case in cases.items()}
    finally:
        relay.stop()


# --------------------------------------------------------------------------
# Memory

def proc_status_kib(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss(pid):
    """Makes VmHWM start again from the current RSS (Linux 4.0+)."""
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
    except OSError as e:
        raise BenchError("cannot reset the peak RSS of %d: %s" % (pid, e))


def post_big_batch(port, count):
    """Posts a batch of count GETs of the 1 MiB file and reads the answer
    as it streams, checking there are count 200 entries."""
    paths = ["/static/big.txt"] * count
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", "/batch", body=json_batch(paths),
                     headers={"Content-Type": "application/json"})
        res = conn.getresponse()
        needle, tail, found, size = b'"status":200', b"", 0, 0
        while True:
            chunk = res.read(MIB)
            if not chunk:
                break
            size += len(chunk)
            window = tail + chunk
            found += window.count(needle)
            # the needle holds no repeated prefix: no double count here
            tail = window[-(len(needle) - 1):]
    finally:
        conn.close()
    if res.status != 200 or found != count or size < count * MIB:
        raise BenchError("a batch of %d × 1 MiB answered %d with %d entries "
                         "of 200, %d bytes" % (count, res.status, found, size))


def memory(server):
    """{"peak": KiB, "retained": KiB}: the most any child's peak RSS grew
    above its RSS before one batch of OPS × 1 MiB, and what it kept."""
    progress("memory: one batch of %d × 1 MiB" % OPS)
    post_big_batch(server.port, 1)      # the first 1 MiB answer: warm-up
    before = {pid: proc_status_kib(pid, "VmRSS")
              for pid in server.child_pids()}
    for pid in before:
        reset_peak_rss(pid)
    post_big_batch(server.port, OPS)
    peak, retained = 0, 0
    for pid, rss in before.items():
        hwm, now = proc_status_kib(pid, "VmHWM"), proc_status_kib(pid, "VmRSS")
        if rss is None or hwm is None or now is None:
            continue
        peak = max(peak, hwm - rss)
        retained = max(retained, now - rss)
    return {"peak": peak, "retained": retained}


# --------------------------------------------------------------------------
# Instructions (callgrind)

class CallgrindHttpd:
    """apache2 -X under callgrind, with one worker thread, on a copy of the
    benchmark server's configuration. Only what runs inside
    ap_process_async_request (a request, once read, to its end: handler,
    subrequests, output, logging) is counted, and callgrind dumps the count
    each time a request leaves it: one dump file per request. (Not
    callgrind_control: vgdb cannot reach a process that changed its user.)
    """

    FUNCTION = "ap_process_async_request"

    def __init__(self, gen_dir, sleeper_port):
        self.server = make_server(gen_dir, sleeper_port)
        self.server.server_extra += [
            "ThreadsPerChild 1", "MaxRequestWorkers 1", "MinSpareThreads 1",
            "MaxSpareThreads 1"]
        self.server.write_config()
        self.out_dir = self.server.dir / "callgrind"
        self.out_dir.mkdir()
        os.chmod(self.out_dir, 0o777)   # the worker writes as www-data
        self.workload = Workload(self.server)
        self.proc = None

    def start(self, timeout=120):
        cmd = ["valgrind", "--tool=callgrind", "--vgdb=no",
               "--dump-instr=no", "--collect-atstart=no",
               "--toggle-collect=" + self.FUNCTION,
               "--dump-after=" + self.FUNCTION,
               "--callgrind-out-file=%s/callgrind.out.%%p" % self.out_dir,
               harness.APACHE2, "-X", "-d", str(self.server.dir),
               "-f", str(self.server.conf_file)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise BenchError("apache2 -X under callgrind exited:\n%s"
                                 % self.server.log_tail())
            try:
                timed_requests(self.server.port, [
                    ("GET", item_path(0), None, None, None)])
                return self
            except OSError:
                time.sleep(0.5)
        raise BenchError("apache2 -X under callgrind did not answer")

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        children = self.server.child_pids()     # mod_cgid's daemon
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass    # gone with its parent, as it should

    def _dumps(self):
        """The per-request dumps written so far (callgrind.out.<pid>.<n>)."""
        return {p for p in self.out_dir.iterdir()
                if re.fullmatch(r"callgrind\.out\.\d+\.\d+", p.name)}

    @staticmethod
    def _total(dump):
        """The count in a dump; None while callgrind is still writing it."""
        m = re.search(r"^totals: (\d+)$", dump.read_text(), re.M)
        return int(m.group(1)) if m else None

    def instructions(self, request):
        """Instructions the server ran for one request (a timed_requests
        tuple): the count in the one dump it made."""
        before = self._dumps()
        timed_requests(self.server.port, [request])
        deadline = time.time() + 30
        while time.time() < deadline:
            new = self._dumps() - before
            if len(new) > 1:
                raise BenchError("callgrind dumped %d times for one request"
                                 % len(new))
            total = self._total(new.pop()) if new else None
            if total is not None:
                return total
            time.sleep(0.1)
        raise BenchError("callgrind dumped no count for a request")


def instructions(gen_dir, sleeper_port):
    progress("instructions: apache2 -X under callgrind, %d runs"
             % CALLGRIND_RUNS)
    cg = CallgrindHttpd(gen_dir, sleeper_port)
    try:
        cg.start()
        w = cg.workload
        requests = {
            "get": ("GET", item_path(0), None, None, None),
            "json": ("POST", "/batch", w.json, "application/json", "json"),
            "json-request": ("POST", "/request-batch", w.json,
                             "application/json", "json"),
            "ssi": ("GET", "/bench/page.shtml", None, None, "ssi"),
        }
        for request in requests.values():       # warm-up
            timed_requests(cg.server.port, [request])
        counts = {name: statistics.median(
            cg.instructions(request) for _ in range(CALLGRIND_RUNS))
            for name, request in requests.items()}
    finally:
        cg.stop()
    return {
        "get": counts["get"],
        "per_op": (counts["json"] - counts["get"]) / OPS,
        "per_op_request": (counts["json-request"] - counts["get"]) / OPS,
        "per_include": (counts["ssi"] - counts["get"]) / OPS,
    }


# --------------------------------------------------------------------------
# The table

def verdict(value, target, at_least):
    met = value >= target if at_least else value <= target
    return "met" if met else "not met"


def cpu_steal_ticks():
    """(steal, all) CPU time of the machine so far, from /proc/stat: steal
    is what the hypervisor gave to other guests while this one wanted to
    run."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:9]]
    return ticks[7], sum(ticks)


def stolen_share(before):
    """The share of CPU time stolen since before (cpu_steal_ticks)."""
    steal, total = cpu_steal_ticks()
    return (steal - before[0]) / max(1, total - before[1])


def header_lines(started, load, stolen):
    cpus = os.cpu_count()
    try:
        distro = "Debian " + Path("/etc/debian_version").read_text().strip()
    except OSError:
        distro = platform.platform()
    version = subprocess.run([harness.APACHE2, "-v"], capture_output=True,
                             text=True).stdout.splitlines()[0]
    busy = load[0] > 0.5
    return [
        "mod_batch benchmark, %s%s" % (
            time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
            " (BENCH_QUICK: figures not meaningful)" if QUICK else ""),
        "machine: %d cores, %s, %s, %s" % (
            cpus, distro, platform.machine(),
            version.replace("Server version: ", "")),
        "load average before the run: %.2f %.2f %.2f" % load,
    ] + (["  (other processes were loading the machine)"] if busy else []) + [
        "CPU time stolen by the hypervisor during the run: %.0f%%"
        % (stolen * 100),
    ] + (["  (the host was busy: every figure suffers, the waiting ops' "
          "most)"] if stolen > 0.05 else []) + [
        "throughput: median of %d runs of %d s after a %d s warm-up,"
        % (RUNS, SECONDS, WARMUP_SECONDS),
        "  %d connections (wrk -t%d; h2load -m%d); BatchConcurrency %d"
        % (CONNECTIONS, min(2, CONNECTIONS), STREAMS, harness.CONCURRENCY),
    ]


def ratio_lines(title, ratios):
    lines = ["", "%-38s %6s   %s" % (title, "value", "target")]
    for name, value, target, at_least in ratios:
        lines.append("  %-36s %6.2f   %s %.1f   %s" % (
            name, value, "≥" if at_least else "≤", target,
            verdict(value, target, at_least)))
    return lines


def table(started, load, stolen, rates, lat, mem, ins, par):
    def row(name, figure):
        return "  %-44s %s" % (name, figure)

    def rate(name, key, unit):
        """The median's row, then a line with every run."""
        med, runs = rates[key]
        return [row(name, "%10.0f %s" % (med, unit)),
                "      runs: " + " ".join("%.0f" % r for r in runs)]

    ms = {k: "%10.1f ms" % (v * 1000) for k, v in lat.items()}
    lines = header_lines(started, load, stolen) + [
        "",
        "throughput"]
    lines += rate("HTTP/1.1 keep-alive GETs (wrk)", "keepalive", "req/s")
    lines += rate("HTTP/2 multiplexed GETs (h2load, h2c)", "h2", "req/s")
    lines += rate("mod_include, %d includes a page" % OPS, "ssi",
                  "subreq/s")
    lines += rate("mod_batch JSON, %d GETs a batch" % OPS, "json", "ops/s")
    lines += rate("mod_batch multipart, %d GETs a batch" % OPS, "multipart",
                  "ops/s")
    lines += rate("mod_batch JSON, BatchEngine request", "json-request",
                  "ops/s")
    lines += [
        "latency through a relay adding %d ms each way (median of %d)"
        % (DELAY_MS, RELAY_RUNS),
        row("one GET (new connection)", ms["single"]),
        row("%d sequential keep-alive GETs" % OPS, ms["sequential"]),
        row("%d multiplexed GETs (h2load -c1 -m%d)" % (OPS, OPS), ms["h2"]),
        row("one %d-op JSON batch" % OPS, ms["json"]),
        row("one %d-op multipart batch" % OPS, ms["multipart"]),
        "memory: one JSON batch of %d operations each answering 1 MiB" % OPS,
        row("peak RSS growth of the worker (VmHWM)",
            "%10d KiB" % mem["peak"]),
        row("RSS kept after it", "%10d KiB" % mem["retained"]),
        "instructions (callgrind, apache2 -X, one worker; median of %d)"
        % CALLGRIND_RUNS,
        row("one GET (the baseline)", "%10.0f" % ins["get"]),
        row("per batch operation (JSON batch - GET) / %d" % OPS,
            "%10.0f" % ins["per_op"]),
        row("per op, BatchEngine request, same batch",
            "%10.0f" % ins["per_op_request"]),
        row("per SSI include (page - GET) / %d" % OPS,
            "%10.0f" % ins["per_include"]),
        "  (user-space instructions inside %s; the kernel's"
        % CallgrindHttpd.FUNCTION,
        "  share, such as more or fewer write calls, is not counted)",
    ] + parallel_lines(par)
    batch = rates["json"][0]
    ratios = [
        ("batch ops/s ÷ SSI subrequests/s", batch / rates["ssi"][0],
         1.0, True),
        ("batch ops/s ÷ keep-alive req/s", batch / rates["keepalive"][0],
         1.5, True),
        ("batch latency ÷ one GET (relay)", lat["json"] / lat["single"],
         1.1, False),
        ("instructions per op ÷ per include",
         ins["per_op"] / ins["per_include"], 1.0, False),
    ]
    lines += ratio_lines("ratios (JSON batches)", ratios + parallel_ratios(par))
    growth = mem["peak"] / 1024
    lines.append("  %-36s %6.2f   ≤ 3.0   %s" % (
        "RSS growth, 100 × 1 MiB (MiB)", growth,
        verdict(growth, 3.0, False)))
    return lines


# --------------------------------------------------------------------------

def missing_tools():
    return [t for t in ("wrk", "h2load", "valgrind")
            if shutil.which(t) is None]


def main():
    missing = missing_tools()
    if missing:
        print("bench: not installed: %s (Debian: wrk nghttp2-client "
              "valgrind)" % " ".join(missing), file=sys.stderr)
        return 2
    started, load = time.time(), os.getloadavg()
    steal = cpu_steal_ticks()
    gen_dir = Path(tempfile.mkdtemp(prefix="mod_batch-bench-"))
    sleeper = None
    try:
        sleeper = Helper("sleeper", [str(WAIT_MS)])
        server = make_server(gen_dir / "server", sleeper.port)
        workload = Workload(server)
        server.start()
        try:
            if ONLY != "parallel":
                rates = throughput(server, workload)
                lat = latency(server, workload)
                mem = memory(server)
            par = parallel(server, workload)
        finally:
            server.stop()
        crashed = crashes(server)
        if crashed:
            raise BenchError("crashes in the error log:\n" + "\n".join(
                crashed[:10]))
        if ONLY != "parallel":
            ins = instructions(gen_dir / "callgrind", sleeper.port)
    except (BenchError, harness.HttpdError) as e:
        print("bench: FAILED: %s\nbench: configuration and logs kept in %s"
              % (e, gen_dir), file=sys.stderr)
        return 1
    finally:
        if sleeper:
            sleeper.stop()
    if ONLY == "parallel":
        print("\n".join(header_lines(started, load, stolen_share(steal))
                        + parallel_lines(par)
                        + ratio_lines("ratios", parallel_ratios(par))))
    else:
        print("\n".join(table(started, load, stolen_share(steal), rates,
                               lat, mem, ins, par)))
    shutil.rmtree(gen_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
