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

"""The aggregate is streamed; memory stays bounded."""

import json

import requests

from support import JSON, TIMEOUT, ok_batch

MIB = 1024 * 1024
OPS = 50
# a sanity bound, not a benchmark: holding all 50 bodies would be >= 50 MiB
MAX_GROWTH_KIB = 30 * 1024


def _total_rss(server):
    return sum(server.rss_kib().values())


def _run(server, n, url):
    doc = {"requests": [{"id": str(i), "url": url} for i in range(n)]}
    with requests.post(server.url("/batch"), data=json.dumps(doc),
                       headers=JSON, timeout=TIMEOUT, stream=True) as r:
        assert r.status_code == 200
        raw = r.raw.read(decode_content=True)
        return r.headers, raw


def test_many_large_operations_stream(server):
    # warm up: the worker has served big operations before we measure
    _run(server, 3, "/static/big.txt")
    before = server.rss_kib()
    headers, raw = _run(server, OPS, "/static/big.txt")
    after = server.rss_kib()

    assert headers.get("Transfer-Encoding", "").lower() == "chunked"
    assert "Content-Length" not in headers
    data = json.loads(raw)
    entries = data["responses"]
    assert [e["id"] for e in entries] == [str(i) for i in range(OPS)]
    for e in entries:
        assert e["status"] == 200
        assert len(e["body"]) == MIB

    growth = sum(after.get(pid, 0) - before.get(pid, 0) for pid in after)
    assert growth < MAX_GROWTH_KIB, (
        "httpd children grew by %d KiB for a %d MiB batch (before %r, "
        "after %r)" % (growth, OPS, before, after))


def test_many_large_cgi_operations(server):
    res = ok_batch(server, [{"id": str(i), "url": "/cgi/big.cgi?n=%d" % MIB}
                            for i in range(8)])
    for e in res.responses:
        assert e["status"] == 200 and e["body"] == "x" * MIB
