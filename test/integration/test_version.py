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

"""The version of configure.ac, as the running module shows it: one notice
at startup, a component of the server's version string, mod_info's page;
and at LogLevel batch:info one line per batch location with its effective
settings."""

import re

import pytest
import requests

from httpd import CONCURRENCY, ENGINE, MODULES_DIR, REPO
from support import TIMEOUT, reconfigured


def configure_version():
    text = (REPO / "configure.ac").read_text()
    return re.search(r"^AC_INIT\(\[mod_batch\], \[([^]]+)\]\)", text,
                     re.M).group(1)


def test_startup_notice_names_the_version_once(server):
    start = server.log_size()
    with reconfigured(server, server_extra=["LogLevel warn"]):
        log = server.log_since(start)
    notice = "BATCH2300: mod_batch/%s loaded" % configure_version()
    # one stop and start: one notice, even at LogLevel warn
    assert log.count(notice) == 1, log
    assert "[batch:notice]" in log


def test_server_header_names_the_version_with_servertokens_full(server):
    product = "mod_batch/" + configure_version()
    with reconfigured(server, server_extra=["ServerTokens Full"]):
        r = requests.get(server.url("/static/hello.json"), timeout=TIMEOUT)
    assert product in r.headers["Server"].split()
    with reconfigured(server, server_extra=["ServerTokens Prod"]):
        r = requests.get(server.url("/static/hello.json"), timeout=TIMEOUT)
    assert r.headers["Server"] == "Apache"


def test_debian_changelog_packages_this_version():
    first = (REPO / "debian" / "changelog").read_text().splitlines()[0]
    upstream = re.match(r"libapache2-mod-batch \(([^-)]+)-\d+\)", first)
    assert upstream and upstream.group(1) == configure_version(), first


LOCATION = re.compile(r"BATCH2301: batch location <(\w+) ([^>]+)>"
                      r"(?: in virtual host (\S+))? \(([^)]+)\): (.*)$")


def _locations(log):
    """{(kind, path, vhost): (place, {directive: value})} of the startup
    lines."""
    found = {}
    for line in log.splitlines():
        m = LOCATION.search(line)
        if m:
            key = (m.group(1), m.group(2), m.group(3))
            assert key not in found, "listed twice: %s" % line
            settings = dict(x.split(" ", 1) for x in m.group(5).split(", "))
            found[key] = (m.group(4), settings, line)
    return found


def test_startup_lists_batch_locations_with_effective_settings(server):
    if server.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    start = server.log_size()
    extra = [
        "LogLevel warn batch:info",
        "BatchMaxMemory 2097152",
        '<Location "/startup-batch">',
        "    SetHandler batch",
        "    BatchMaxOperations 7",
        "    BatchTimeout 1500ms",
        "    BatchLogOperations Off",
        "    BatchFormats json",
        "    BatchDialect keyed",
        "    BatchCookieJar On",
        "    BatchEngine request",
        "</Location>",
        '<Location "/not-a-batch">',
        "    SetHandler default-handler",
        "    BatchMaxOperations 9",
        "</Location>",
        "<VirtualHost 127.0.0.1:%d>" % server.port,
        "    ServerName vhost.test",
        '    <Location "/vhost-batch">',
        '        SetHandler "batch"',
        "        BatchServerTiming On",
        "    </Location>",
        "</VirtualHost>",
    ]
    with reconfigured(server, server_extra=extra):
        log = server.log_since(start)
        lines = server.conf_file.read_text().splitlines()
    conf = str(server.conf_file)
    found = _locations(log)
    place, own, line = found[("Location", "/startup-batch", None)]
    assert "[batch:info]" in line
    assert place.startswith(conf + ":"), place
    assert lines[int(place.rsplit(":", 1)[1]) - 1].strip() == \
        "SetHandler batch", place
    assert own["BatchMaxOperations"] == "7"
    assert own["BatchTimeout"] == "1500ms"
    assert own["BatchLogOperations"] == "Off"
    assert own["BatchFormats"] == "json"
    assert own["BatchDialect"] == "keyed"
    assert own["BatchCookieJar"] == "On"
    assert own["BatchEngine"] == "request"
    # from the server level
    assert own["BatchMaxMemory"] == "2097152"
    _, usual, _ = found[("Location", "/batch", None)]
    assert usual == dict(usual, **{
        "BatchMaxOperations": "100", "BatchMaxRequestSize": "1048576",
        "BatchMaxOperationResponseSize": "10485760",
        "BatchMaxMemory": "2097152",
        "BatchAllowMethods": "GET HEAD POST PUT PATCH DELETE OPTIONS",
        "BatchBaseURL": "none", "BatchTimeout": "0",
        "BatchConcurrency": str(max(CONCURRENCY, 1)),
        "BatchDialect": "auto", "BatchFormats": "json multipart",
        "BatchInheritHeaders": "On", "BatchLogOperations": "On",
        "BatchServerTiming": "Off", "BatchCookieJar": "Off",
        "BatchEngine": ENGINE})
    assert found[("Location", "/based-batch", None)][1]["BatchBaseURL"] \
        == "/static"
    assert found[("Location", "/pair-timeout-batch", None)][1][
        "BatchTimeout"] == "1"
    # a <Directory> whose SetHandler is batch (behind an Alias)
    assert ("Directory", "%s/alias-batch/" % server.dir, None) in found
    vhost = found[("Location", "/vhost-batch",
                   "vhost.test:%d" % server.port)][1]
    assert vhost["BatchServerTiming"] == "On"
    assert not [k for k in found if k[1] == "/not-a-batch"]
    # the main server's locations are listed once, not again per vhost
    assert not [k for k in found if k[1] == "/batch" and k[2]]


def test_startup_lists_no_location_below_log_level_info(server):
    start = server.log_size()
    with reconfigured(server, server_extra=["LogLevel warn batch:notice"]):
        log = server.log_since(start)
    assert "BATCH2300:" in log
    assert "BATCH2301:" not in log


def test_mod_info_shows_the_version_and_the_module(server):
    if server.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    product = "mod_batch/" + configure_version()
    extra = ["LoadModule info_module %s/mod_info.so" % MODULES_DIR,
             '<Location "/server-info">', "    SetHandler server-info",
             "</Location>", "ServerTokens Prod"]
    with reconfigured(server, server_extra=extra):
        settings = requests.get(server.url("/server-info?server"),
                                timeout=TIMEOUT).text
        listing = requests.get(server.url("/server-info?list"),
                               timeout=TIMEOUT).text
        module = requests.get(server.url("/server-info?mod_batch.c"),
                              timeout=TIMEOUT).text
    # the full description, whatever ServerTokens says
    assert re.search(r"Server Version:.*%s" % re.escape(product), settings)
    assert "mod_batch.c" in listing
    assert "BatchMaxOperations" in module
