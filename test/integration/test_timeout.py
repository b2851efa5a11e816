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

"""BatchTimeout. Operations not started when the batch has run that
long answer 504 and are not run; a running operation is not cut off."""

from support import ok_batch, reconfigured, sequential_only


@sequential_only("the later operations start beside the slow one; "
                 "test_concurrency.py covers BatchTimeout")
def test_operations_after_the_deadline_answer_504(server):
    with reconfigured(server, batch_extra=["BatchTimeout 1"]):
        res = ok_batch(server, [
            {"id": "slow", "url": "/cgi/sleep.cgi?ms=1300"},
            {"id": "late", "url": "/static/hello.json"},
            {"id": "later", "method": "POST", "url": "/cgi/echo.cgi",
             "body": {"a": 1}},
        ])
    assert res["slow"]["status"] == 200
    assert res["slow"]["body"]["ms"] == 1300
    for late in ("late", "later"):
        assert res[late]["status"] == 504
        assert res[late]["body"]["error"]["code"] == "timeout"

def test_batch_within_the_timeout_runs_everything(server):
    with reconfigured(server, batch_extra=["BatchTimeout 5"]):
        res = ok_batch(server, [
            {"id": "a", "url": "/cgi/sleep.cgi?ms=50"},
            {"id": "b", "url": "/static/hello.json"},
        ])
    assert res["a"]["status"] == 200 and res["b"]["status"] == 200
