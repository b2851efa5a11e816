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

"""The mod_batch soak: wrk posts batches to a throwaway httpd for a while.

Started by test/soak/soak.sh (which also says what the settings are). It
runs the integration tests' harness (test/integration/httpd.py): Debian's
apache2 with mpm_event, CGI and mod_proxy_http to a small backend in this
process, on a free loopback port. After a warm-up it samples the RSS of
httpd's children, runs wrk with batch.lua for SOAK_SECONDS, samples again
along the way and at the end, lets the batches wrk cut off end, stops httpd
and scans the error log. A crashed child leaves its core in <dir>/cores.

It fails (exit 1) on: any batch answer other than 200, any batch whose
entries are not the expected ones, wrk socket errors or timeouts, a crash in
the error log, or a child whose RSS grew by more than SOAK_MAX_RSS_GROWTH_KIB
from the end of the warm-up to the end of the run.
"""

import collections
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

import httpd as harness  # noqa: E402  (the path is set just above)

# the same markers conftest.py fails a test on
CRASH_MARKERS = ("exit signal", "AH00052", "Segmentation fault",
                 "double free", "corrupted")
COUNTS = re.compile(r"^soak-counts (.*)$", re.M)
SOAK_LOG_FORMAT = ("%{%s}t.%{msec_frac}t pid=%P keepalives=%k conn=%X "
                   "status=%>s bytes=%B usec=%D ctype=%{Content-Type}i")


def setting(name, default):
    return int(os.environ.get(name, default))


def run_wrk(server, seconds, connections, threads):
    """Runs wrk with batch.lua; (its output, the soak-counts as a dict)."""
    cmd = ["wrk", "-t%d" % threads, "-c%d" % connections,
           "-d%ds" % seconds, "--timeout", "30s", "-s",
           str(HERE / "batch.lua"), server.url("/batch")]
    res = subprocess.run(cmd, capture_output=True, text=True,
                         timeout=seconds + 120)
    m = COUNTS.search(res.stdout)
    if res.returncode != 0 or not m:
        raise RuntimeError("wrk failed (%d):\n%s%s" % (
            res.returncode, res.stdout, res.stderr))
    counts = {}
    for pair in m.group(1).split():
        key, value = pair.split("=")
        counts[key] = float(value) if "." in value else int(value)
    return res.stdout, counts


class RssSampler:
    """Samples {pid: RSS KiB} of httpd's children every interval seconds,
    in a thread, while wrk runs."""

    def __init__(self, server, interval):
        self.server = server
        self.interval = interval
        self.samples = []       # (seconds since start, {pid: KiB})
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._start = time.time()

    def sample(self):
        self.samples.append((time.time() - self._start,
                             self.server.rss_kib()))

    def _run(self):
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self):
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sample()


def crashes(server):
    return [line for line in server.log_since(0).splitlines()
            if any(m in line for m in CRASH_MARKERS)]


def error_lines(server):
    return [line for line in server.log_since(0).splitlines()
            if re.search(r"\[[a-z_]*:(error|crit|alert|emerg)\]", line)]


def rss_report(samples):
    """Lines of RSS per child over time, and {pid: growth KiB} for the
    children present from the first sample to the last."""
    first, last = samples[0][1], samples[-1][1]
    pids = sorted(set(first) | set(last))
    lines = ["RSS KiB per child (t=seconds into the run):"]
    for pid in pids:
        points = ["t=%d:%s" % (t, rss.get(pid, "-")) for t, rss in samples]
        lines.append("  pid %d: %s" % (pid, " ".join(points)))
    growth = {pid: last[pid] - first[pid] for pid in pids
              if pid in first and pid in last}
    for pid in pids:
        if pid not in growth:
            lines.append("  pid %d was not there all along (a child was "
                         "started or replaced)" % pid)
    return lines, growth


def check(counts, crashed, growth, max_growth):
    """The reasons the soak failed (empty: it passed)."""
    failures = []
    if counts["non200"]:
        failures.append("%d batch answers were not 200" % counts["non200"])
    if counts["bad"]:
        failures.append("%d batches had missing or unexpected entries"
                        % counts["bad"])
    socket_errors = sum(counts[k] for k in (
        "connect_errors", "read_errors", "write_errors", "timeouts"))
    if socket_errors:
        failures.append("wrk saw %d socket errors or timeouts"
                        % socket_errors)
    if counts["json"] + counts["multipart"] != counts["requests"] \
            - counts["non200"]:
        failures.append("answers counted (%d) do not add up to the requests "
                        "(%d)" % (counts["json"] + counts["multipart"],
                                  counts["requests"]))
    if crashed:
        failures.append("%d crash lines in the error log" % len(crashed))
    for pid, kib in sorted(growth.items()):
        if kib > max_growth:
            failures.append("child %d grew by %d KiB (bound %d KiB)"
                            % (pid, kib, max_growth))
    return failures


def summary(counts, seconds, connections, growth):
    secs = counts["duration_us"] / 1e6
    batches = counts["json"] + counts["multipart"]
    ops = (counts["json"] * counts["json_ops"]
           + counts["multipart"] * counts["multipart_ops"])
    return [
        "soak: %d s, %d connections" % (seconds, connections),
        "  batches: %d (%d JSON, %d multipart), %.1f batches/s, "
        "%.1f operations/s" % (batches, counts["json"], counts["multipart"],
                              batches / secs, ops / secs),
        "  latency: p50 %.1f ms, p99 %.1f ms" % (counts["p50_ms"],
                                                 counts["p99_ms"]),
        "  non-200 batch answers: %d, bad batches: %d, socket errors: %d"
        % (counts["non200"], counts["bad"],
           counts["connect_errors"] + counts["read_errors"]
           + counts["write_errors"] + counts["timeouts"]),
        "  RSS growth per child, KiB: %s" % (
            ", ".join("%d: %+d" % kv for kv in sorted(growth.items()))
            or "(no child lasted the whole run)"),
    ]


def start_server(gen_dir, backend):
    module = harness.module_setting()
    if module is None or not module.exists():
        raise harness.HttpdError("mod_batch.so not found at %s; %s" % (
            module, harness.BUILD_HINT))
    server = harness.Httpd(gen_dir, "main", module=module,
                           backend_port=backend.port)
    (gen_dir / "cores").mkdir()
    os.chmod(gen_dir / "cores", 0o777)
    server.server_extra = [
        # batch:info logs a client that went away, not every operation
        "LogLevel warn batch:info",
        # a crashed child leaves its core here (see soak.sh)
        'CoreDumpDirectory "%s/cores"' % gen_dir,
        # when each batch ended, and whether its connection was aborted (X)
        # or kept alive (+) afterwards
        'CustomLog "%s/logs/soak_log" "%s"' % (gen_dir, SOAK_LOG_FORMAT),
    ]
    server.prepare()
    return server.start()


def drain(server, quiet=2.0, limit=30.0):
    """Waits until the batches wrk left behind when it stopped have ended:
    the batch log has had no new line for `quiet` seconds. (Stopping httpd
    while they run makes mpm_event close their sockets under them, and
    its child can crash doing that: close_worker_sockets races with the
    workers, httpd's own bug, not mod_batch's.)"""
    log = server.dir / "logs" / "soak_log"
    deadline = time.time() + limit
    size, since = -1, time.time()
    while time.time() < deadline:
        now = log.stat().st_size
        if now != size:
            size, since = now, time.time()
        elif time.time() - since >= quiet:
            return
        time.sleep(0.2)


CHECKED = ("non200", "bad", "connect_errors", "read_errors",
           "write_errors", "timeouts")


def soak(server, seconds, connections, threads, warmup):
    """Warms up, then runs wrk while sampling RSS. Returns the counts (the
    warm-up's failures included) and the RSS report."""
    print("soak: warming up for %d s" % warmup, flush=True)
    _, warm = run_wrk(server, warmup, connections, threads)
    # else the warm-up's cut-off batches still hold workers when the run
    # starts, and event's load shedding closes kept-alive connections
    drain(server)
    print("soak: running %d s with %d connections (from %.3f)"
          % (seconds, connections, time.time()), flush=True)
    with RssSampler(server, max(5, seconds // 6)) as rss:
        wrk_out, counts = run_wrk(server, seconds, connections, threads)
    print("soak: wrk done at %.3f" % time.time())
    drain(server)
    for key in CHECKED:
        counts[key] += warm[key]
    print(wrk_out)
    return counts, rss_report(rss.samples)


def raise_core_limit():
    """Lets a crashing child leave a core (httpd inherits the limit)."""
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def main():
    seconds = setting("SOAK_SECONDS", 180)
    connections = setting("SOAK_CONNECTIONS", 16)
    threads = setting("SOAK_THREADS", 2)
    warmup = setting("SOAK_WARMUP_SECONDS", 10)
    max_growth = setting("SOAK_MAX_RSS_GROWTH_KIB", 8192)
    if shutil.which("wrk") is None:
        print("soak: wrk is not installed (apt-get install wrk)",
              file=sys.stderr)
        return 2
    raise_core_limit()
    gen_dir = Path(tempfile.mkdtemp(prefix="mod_batch-soak-"))
    backend = harness.Backend().start()
    # the backend keeps what it saw for tests; a soak needs only the last
    backend.server.seen = collections.deque(maxlen=100)
    try:
        server = start_server(gen_dir, backend)
        try:
            counts, (rss_lines, growth) = soak(server, seconds, connections,
                                               threads, warmup)
        finally:
            server.stop()
    finally:
        backend.stop()
    # scanned after the stop: a crash while shutting down counts too
    crashed = crashes(server)
    errors = error_lines(server)
    cores = sorted(str(p) for p in (gen_dir / "cores").iterdir())
    print("\n".join(rss_lines))
    if errors:
        print("error-log lines at level error or above: %d; the first:\n%s"
              % (len(errors), "\n".join(errors[:10])))
    for line in crashed[:20]:
        print("crash: " + line)
    for core in cores:
        print("core file: " + core)
    print("\n".join(summary(counts, seconds, connections, growth)))
    failures = check(counts, crashed, growth, max_growth)
    if failures:
        print("soak: FAILED\n  " + "\n  ".join(failures))
        print("soak: configuration and logs kept in %s" % gen_dir)
        return 1
    shutil.rmtree(gen_dir, ignore_errors=True)
    print("soak: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
