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

"""BatchCookieJar and TLS (docs/cookies.md): a Secure cookie is kept and
sent on when the batch came over TLS (mod_ssl on a second loopback port of
the main server, with a self-signed certificate), and neither kept nor sent
when it came over plain HTTP."""

import subprocess

import pytest
import requests
import urllib3

from httpd import MODULES_DIR, free_port
from support import TIMEOUT, BatchResult, ok_batch, reconfigured

OPS = [
    {"id": "set", "url": "/set-cookies"},
    {"id": "get", "url": "/cgi/echo.cgi", "dependsOn": ["set"]},
]
SET = ["s=1; Secure; Path=/", "n=2; Path=/"]


def self_signed(folder):
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def tls_server(httpd, tmp_path_factory):
    """The main server, also on a TLS port; /set-cookies answers SET."""
    if httpd.module is None:
        pytest.skip("BATCH_MODULE=none: mod_batch is not loaded")
    cert, key = self_signed(tmp_path_factory.mktemp("tls"))
    port = free_port()
    lines = [
        "LoadModule ssl_module %s/mod_ssl.so" % MODULES_DIR,
        "Listen 127.0.0.1:%d https" % port,
        "<VirtualHost 127.0.0.1:%d>" % port,
        "    SSLEngine on",
        '    SSLCertificateFile "%s"' % cert,
        '    SSLCertificateKeyFile "%s"' % key,
        "</VirtualHost>",
        'Alias /set-cookies "%s/htdocs/static/hello.json"' % httpd.dir,
        "<Location /set-cookies>",
    ] + ['    Header add Set-Cookie "%s"' % c for c in SET] + [
        "</Location>",
    ]
    with reconfigured(httpd, server_extra=lines):
        yield httpd, "https://127.0.0.1:%d" % port


def cookie_sent(entry):
    return entry["body"]["headers"].get("HTTP_COOKIE")


def test_a_secure_cookie_goes_on_over_tls(tls_server):
    _, base = tls_server
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    res = BatchResult(requests.post(base + "/jar-batch",
                                    json={"requests": OPS}, verify=False,
                                    timeout=TIMEOUT))
    assert res.status == 200, res
    assert res["set"]["setCookies"] == SET, res
    assert cookie_sent(res["get"]) == "s=1; n=2", res


def test_a_secure_cookie_stays_out_over_plain_http(tls_server):
    server, _ = tls_server
    res = ok_batch(server, OPS, path="/jar-batch")
    assert res["set"]["setCookies"] == SET, res
    assert cookie_sent(res["get"]) == "n=2", res
