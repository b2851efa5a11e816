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

"""PHP-FPM behind mod_proxy_fcgi with Debian's stock line
SetEnvIfNoCase ^Authorization$ "(.+)" HTTP_AUTHORIZATION=$1: PHP sees the
credentials an operation was sent with, never the batch's
(docs/security.md, An operation's environment)."""

import pytest
import requests

from support import GOOD_AUTH, TIMEOUT, basic, ok_batch

BOB = basic("bob", "builder")
URL = "/fpm/whoami.php"


def whoami(server, headers):
    r = requests.get(server.url(URL), headers=headers, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("path", ["/sequential-batch", "/parallel-batch"])
def test_php_sees_the_operations_credentials(server, fpm_server, path):
    assert whoami(server, {"Authorization": BOB})["php_auth_user"] == "bob"
    res = ok_batch(server, [
        {"id": "bob", "url": URL, "headers": {"Authorization": BOB}},
        {"id": "inherited", "url": URL},
    ], path=path, headers={"Authorization": GOOD_AUTH})
    assert res["bob"]["body"] == {"http_authorization": BOB,
                                  "php_auth_user": "bob"}, res
    assert res["inherited"]["body"] == {"http_authorization": GOOD_AUTH,
                                        "php_auth_user": "alice"}, res


def test_php_sees_no_credentials_without_inheritance(server, fpm_server):
    assert whoami(server, {}) == {"http_authorization": None,
                                  "php_auth_user": None}
    res = ok_batch(server, [{"id": "none", "url": URL}],
                   path="/noinherit-batch",
                   headers={"Authorization": GOOD_AUTH})
    assert res["none"]["body"] == {"http_authorization": None,
                                   "php_auth_user": None}, res
