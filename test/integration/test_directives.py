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

"""A bad directive value stops httpd from starting (apache2 -t),
with a message naming the directive and the value."""

import pytest

from support import ok_batch, reconfigured

BAD = [
    ("BatchMaxOperations", "abc"),
    ("BatchMaxOperations", "0"),
    ("BatchMaxOperations", "-1"),
    ("BatchMaxOperations", "10x"),
    ("BatchMaxRequestSize", "-1"),
    ("BatchMaxRequestSize", "lots"),
    ("BatchMaxOperationResponseSize", "-5"),
    ("BatchMaxOperationResponseSize", "1e9"),
    ("BatchAllowMethods", "GE\x01T"),
    ("BatchAllowMethods", "GET\x7f"),
    ("BatchBaseURL", "relative"),
    ("BatchBaseURL", "http://example.com/api"),
    ("BatchBaseURL", "/api LeadingSlash=maybe"),
    ("BatchBaseURL", "/api base"),
    ("BatchBaseURL", "none LeadingSlash=base"),
    ("BatchTimeout", "-3"),
    ("BatchTimeout", "soon"),
    ("BatchTimeout", "5x"),
    ("BatchTimeout", "5sec"),
    ("BatchTimeout", "86401"),
    ("BatchInheritHeaders", "maybe"),
    ("BatchConcurrency", "0"),
    ("BatchConcurrency", "65"),
    ("BatchConcurrency", "many"),
    ("BatchDialect", "soap"),
    ("BatchFormats", "xml"),
    ("BatchFormats", "json +json"),
    ("BatchFormats", ""),
    ("BatchEngine", "thread"),
    ("BatchEngine", ""),
]

GOOD = [
    ["BatchMaxOperations 5"],
    ["BatchMaxRequestSize 1048576"],
    ["BatchMaxOperationResponseSize 10485760"],
    ["BatchAllowMethods GET POST PROPFIND"],
    ["BatchBaseURL /api/v1"],
    ["BatchBaseURL /api/v1 LeadingSlash=base"],
    ["BatchBaseURL /api/v1 leadingslash=ROOT"],
    ["BatchTimeout 30"],
    ["BatchTimeout 1500ms"],
    ["BatchTimeout 2mi"],
    ["BatchInheritHeaders Off"],
    ["BatchConcurrency 8"],
    ["BatchDialect rails"],
    ["BatchDialect facebook"],
    ["BatchDialect auto"],
    ["BatchFormats json"],
    ["BatchFormats form"],
    ["BatchFormats json multipart form"],
    ["BatchEngine request"],
    ["BatchEngine subrequest"],
]


# On/Off directives are parsed by httpd itself, whose message names the
# directive only ("... must be On or Off")
FLAGS = {"BatchInheritHeaders"}


def _printable(value):
    return all(0x20 < ord(c) < 0x7f for c in value)


@pytest.mark.parametrize("directive,value", BAD,
                         ids=["%s-%s" % (d, v.encode("unicode_escape")
                                         .decode()) for d, v in BAD])
def test_bad_value_fails_configtest(server, directive, value):
    res = server.configtest(batch_extra=["%s %s" % (directive, value)],
                            name="bad.conf")
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    assert "Invalid command" not in out, out
    # the message proper, without "Syntax error on line N of <file>:"
    message = "\n".join(line for line in out.splitlines()
                        if "Syntax error on line" not in line)
    assert directive in message, out
    if _printable(value) and directive not in FLAGS:
        assert value in message, out


@pytest.mark.parametrize("lines", GOOD, ids=[g[0].split()[0] for g in GOOD])
def test_good_values_pass_configtest(server, lines):
    res = server.configtest(batch_extra=lines, name="good.conf")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Syntax OK" in res.stdout + res.stderr


def test_directives_at_server_level(server):
    res = server.configtest(server_extra=["BatchMaxOperations 7",
                                          "BatchBaseURL /api"],
                            name="server-level.conf")
    assert res.returncode == 0, res.stdout + res.stderr
    res = server.configtest(server_extra=["BatchMaxOperations zero"],
                            name="server-level-bad.conf")
    assert res.returncode != 0
    assert "BatchMaxOperations" in res.stdout + res.stderr


def test_leading_slash_under_the_base(server):
    """Graph clients send "/users/1" relative to the version root: with
    LeadingSlash=base it runs under BatchBaseURL."""
    ops = [{"id": "slash", "url": "/hello.json"},
           {"id": "relative", "url": "hello.json"}]
    res = ok_batch(server, ops, path="/based-batch")
    assert res["slash"]["status"] == 404, res
    assert res["relative"]["body"] == {"hello": "world"}, res
    with reconfigured(server, batch_extra=[
            "BatchBaseURL /static LeadingSlash=base"]):
        res = ok_batch(server, ops)
    assert res["slash"]["body"] == {"hello": "world"}, res
    assert res["relative"]["body"] == {"hello": "world"}, res
