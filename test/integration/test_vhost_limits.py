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

"""The request limits an operation meets are those a direct request meets:
httpd reads a request line and its headers before it knows the name-based
virtual host, so a virtual host's larger LimitRequestLine, LimitRequestFields
and LimitRequestFieldSize never apply to a direct request, and an operation
in that virtual host gets the same 414 and 400 (docs/security.md)."""

import pytest
import requests

from support import TIMEOUT, ok_batch, raw_request, reconfigured, token

BIG_HOST = "big.test"
DEFAULT_FIELD_SIZE = 8190   # httpd's defaults, in force for the connection
DEFAULT_FIELDS = 100


@pytest.fixture(scope="module")
def vhosts(httpd):
    if httpd.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    address = "127.0.0.1:%d" % httpd.port
    lines = [
        "<VirtualHost %s>" % address,
        "    ServerName 127.0.0.1",
        "</VirtualHost>",
        "<VirtualHost %s>" % address,
        "    ServerName %s" % BIG_HOST,
        "    LimitRequestLine 16000",
        "    LimitRequestFields 300",
        "    LimitRequestFieldSize 16000",
        "</VirtualHost>",
    ]
    with reconfigured(httpd, server_extra=lines):
        yield httpd


def in_big_host(server, headers):
    return requests.get(server.url("/cgi/echo.cgi"),
                        headers=dict(headers, Host=BIG_HOST),
                        timeout=TIMEOUT)


@pytest.mark.parametrize("path", ["/sequential-batch", "/parallel-batch"])
def test_virtual_hosts_larger_limits_do_not_apply(server, vhosts, path):
    tok = token()
    big_field = {"X-Big": "v" * (DEFAULT_FIELD_SIZE + 100)}
    many = {"X-N-%d" % i: "v" for i in range(DEFAULT_FIELDS + 20)}
    long_url = "/cgi/record.cgi?t=%s&pad=%s" % (tok, "p" * 9000)
    assert in_big_host(server, {}).status_code == 200
    assert in_big_host(server, big_field).status_code == 400
    assert in_big_host(server, many).status_code == 400
    assert raw_request(server, "GET", long_url,
                       {"Host": BIG_HOST})[0] == 414
    res = ok_batch(server, [
        {"id": "field", "url": "/cgi/echo.cgi", "headers": big_field},
        {"id": "many", "url": "/cgi/echo.cgi", "headers": many},
        {"id": "line", "url": long_url},
        {"id": "plain", "url": "/cgi/echo.cgi"},
    ], path=path, headers={"Host": BIG_HOST})
    assert res["field"]["status"] == 400, res
    assert res["many"]["status"] == 400, res
    assert res["line"]["status"] == 414, res
    assert server.recorded(tok) == []
    assert res["plain"]["status"] == 200, res
