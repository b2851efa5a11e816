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

"""Batches side by side and one after another on a kept-alive connection."""

import json
import threading

import requests

from support import JSON, TIMEOUT, BatchResult, assert_refused


def _echo_batch(tag, n=4):
    return {"requests": [
        {"id": "%s-%d" % (tag, i), "method": "POST", "url": "/cgi/echo.cgi",
         "headers": {"Content-Type": "text/plain", "X-Tag": tag},
         "body": "%s body %d" % (tag, i)} for i in range(n)] + [
        {"id": "%s-static" % tag, "url": "/static/hello.json"},
        {"id": "%s-proxy" % tag, "method": "POST", "url": "/proxy/" + tag,
         "body": {"tag": tag}}]}


def _check(tag, data, n=4):
    entries = {e["id"]: e for e in data["responses"]}
    for i in range(n):
        echo = entries["%s-%d" % (tag, i)]["body"]
        assert echo["body"] == "%s body %d" % (tag, i)
        assert echo["headers"]["HTTP_X_TAG"] == tag
    assert entries["%s-static" % tag]["body"] == {"hello": "world"}
    proxied = entries["%s-proxy" % tag]["body"]
    assert proxied["path"] == "/" + tag
    assert json.loads(proxied["body"]) == {"tag": tag}


def test_parallel_batches_do_not_mix(server, backend):
    results, errors = {}, []

    def worker(tag):
        try:
            r = requests.post(server.url("/batch"), json=_echo_batch(tag),
                              timeout=TIMEOUT)
            results[tag] = (r.status_code, r.json())
        except Exception as e:     # reported below, in the test thread
            errors.append((tag, repr(e)))

    tags = ["w%d" % i for i in range(6)]
    threads = [threading.Thread(target=worker, args=(t,)) for t in tags]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not errors, errors
    for tag in tags:
        status, data = results[tag]
        assert status == 200
        _check(tag, data)


def test_batches_on_one_keepalive_connection(server, backend):
    with requests.Session() as s:
        for i in range(3):
            r = s.post(server.url("/batch"), json=_echo_batch("k%d" % i),
                       timeout=TIMEOUT)
            assert r.status_code == 200
            _check("k%d" % i, r.json())
        # a refused batch in between leaves the connection usable
        r = s.post(server.url("/batch"), data=b"{oops", headers=JSON,
                   timeout=TIMEOUT)
        assert_refused(BatchResult(r), 400, "invalid_json", None)
        r = s.post(server.url("/limited-batch"), data=b" " * 5000 + b"{}",
                   headers=JSON, timeout=TIMEOUT)
        assert_refused(BatchResult(r), 413, "request_too_large", None)
        r = s.post(server.url("/batch"), json=_echo_batch("last"),
                   timeout=TIMEOUT)
        assert r.status_code == 200
        _check("last", r.json())
        r = s.get(server.url("/static/a.txt"), timeout=TIMEOUT)
        assert r.text == "hello from a.txt\n"
