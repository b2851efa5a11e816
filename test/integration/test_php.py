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

"""Operations with a scripting module: mod_php under mpm_prefork."""

from support import header, ok_batch


def test_php_post_json(php_server):
    res = ok_batch(php_server, [
        {"id": "p", "method": "POST", "url": "/php/api.php?x=1&y=two",
         "body": {"title": "Test Product", "tags": ["a"]}},
        {"id": "g", "url": "/php/api.php"},
    ])
    p = res["p"]
    assert p["status"] == 201
    assert p["headers"].get("X-Php") == "yes"
    assert header(p, "Content-Type").startswith("application/json")
    assert p["body"]["method"] == "POST"
    assert p["body"]["input"] == {"title": "Test Product", "tags": ["a"]}
    assert p["body"]["get"] == {"x": "1", "y": "two"}
    assert p["body"]["request_uri"] == "/php/api.php?x=1&y=two"
    g = res["g"]
    assert g["status"] == 201
    assert g["body"]["method"] == "GET"
    assert g["body"]["input"] is None
    assert g["body"]["raw_length"] == 0


def test_php_many_posts(php_server):
    ops = [{"id": str(i), "method": "PUT", "url": "/php/api.php?i=%d" % i,
            "body": {"i": i}} for i in range(10)]
    res = ok_batch(php_server, ops)
    for i in range(10):
        assert res[str(i)]["body"]["input"] == {"i": i}
        assert res[str(i)]["body"]["method"] == "PUT"


def test_php_form_reads_referenced_values_as_sent(php_server):
    # a MediaWiki-style edit: the token ends in "+\" and the title of the
    # source holds "&title=": PHP must read one token and one title
    res = ok_batch(php_server, [
        {"id": "src", "url": "/php/api.php?token=abc%2B%5C&t=A%26title%3DB"},
        {"id": "edit", "method": "POST", "url": "/php/form.php",
         "headers": {"Content-Type": "application/x-www-form-urlencoded"},
         "body": "title=Sandbox&token={result=src:$.get.token}"
                 "&text={result=src:$.get.t}"},
    ])
    assert res["edit"]["status"] == 200, res["edit"]
    assert res["edit"]["body"]["post"] == {
        "title": "Sandbox", "token": "abc+\\", "text": "A&title=B"}
