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

"""docs/recipes.md on a real httpd: a front controller that catches the
batch endpoint, and the configuration that gives the endpoint back.

The front controller is echo.cgi behind WordPress's .htaccess rules, so an
answer says whether the front controller or mod_batch served the URL.
"""

import shutil

import requests

from httpd import FIXTURES, MODULES_DIR
from support import TIMEOUT, post_batch, reconfigured

import pytest

WORDPRESS_HTACCESS = """RewriteEngine On
RewriteBase /site/
RewriteRule ^index\\.cgi$ - [L]
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME} !-d
RewriteRule . /site/index.cgi [L]
"""


def make_site(server, htaccess):
    site = server.dir / "site"
    site.mkdir(exist_ok=True)
    shutil.copy2(FIXTURES / "cgi-bin" / "echo.cgi", site / "index.cgi")
    (site / ".htaccess").write_text(htaccess)
    for p in [site] + list(site.iterdir()):
        p.chmod(0o755)
    return [
        'Alias /site/ "%s/"' % site,
        '<Directory "%s">' % site,
        "    AllowOverride FileInfo Limit",
        "    Options +ExecCGI",
        "    AddHandler cgi-script .cgi",
        "    Require all granted",
        "</Directory>",
    ]


def one_op(server, path):
    return post_batch(server, [{"id": "1", "url": "/site/posts/7"}],
                      path=path)


def test_wordpress_rewrite_catches_the_endpoint(server):
    lines = make_site(server, WORDPRESS_HTACCESS)
    with reconfigured(server, server_extra=lines + [
            '<Location "/site/batch">', "    SetHandler batch",
            "</Location>"]):
        res = one_op(server, "/site/batch")
        assert res.status == 200
        assert res.json["request_uri"] == "/site/batch"
        assert "responses" not in res.json


def test_rewrite_engine_off_in_the_location_gives_it_back(server):
    lines = make_site(server, WORDPRESS_HTACCESS)
    with reconfigured(server, server_extra=lines + [
            '<Location "/site/batch">', "    SetHandler batch",
            "    RewriteEngine Off", "</Location>"]):
        res = one_op(server, "/site/batch")
        assert res.status == 200
        # the operation still goes through the front controller
        entry = res["1"]
        assert entry["status"] == 200
        assert entry["body"]["request_uri"] == "/site/posts/7"
        assert entry["body"]["script_name"] == "/site/index.cgi"


def test_htaccess_endpoint_with_fileinfo_limit(server):
    lines = make_site(server, WORDPRESS_HTACCESS
                      + '<Files "batch">\n    SetHandler batch\n</Files>\n')
    (server.dir / "site" / "batch").write_text("")
    with reconfigured(server, server_extra=lines):
        res = one_op(server, "/site/batch")
        assert res.status == 200
        assert res["1"]["body"]["script_name"] == "/site/index.cgi"
        r = requests.get(server.url("/site/batch"), timeout=TIMEOUT)
        assert r.status_code == 405
        assert "POST" in r.headers["Allow"].split(",")


def test_server_level_rule_needs_an_exception_before_it(server):
    lines = make_site(server, "")
    rules = lines + ['<Location "/site/batch">', "    SetHandler batch",
                     "</Location>", "RewriteRule ^/site/batch$ - [L]",
                     "RewriteRule ^/site/ /site/index.cgi [PT]"]
    with reconfigured(server, server_extra=rules):
        res = one_op(server, "/site/batch")
        assert res["1"]["body"]["script_name"] == "/site/index.cgi"


@pytest.mark.skipif(not (MODULES_DIR / "mod_wsgi.so").exists(),
                    reason="mod_wsgi is not installed")
def test_location_handler_wins_over_wsgi_script_alias(server):
    app = server.dir / "app.wsgi"
    app.write_text(
        "def application(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'wsgi ' + environ['PATH_INFO'].encode()]\n")
    app.chmod(0o644)
    lines = ['LoadModule wsgi_module "%s"' % (MODULES_DIR / "mod_wsgi.so"),
             'WSGIScriptAlias /wsgi "%s"' % app,
             '<Directory "%s">' % server.dir, "    <Files app.wsgi>",
             "        Require all granted", "    </Files>", "</Directory>",
             '<Location "/wsgi/batch">', "    SetHandler batch",
             "</Location>"]
    with reconfigured(server, server_extra=lines):
        res = post_batch(server, [{"id": "1", "url": "/wsgi/items"}],
                         path="/wsgi/batch")
        assert res.status == 200
        assert res["1"]["body"] == "wsgi /items"
