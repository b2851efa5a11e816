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
at startup and a component of the server's version string."""

import re

import requests

from httpd import REPO
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
