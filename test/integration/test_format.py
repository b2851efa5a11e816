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

"""The JSON format -- operation bodies in, response bodies out."""

import base64
import json
from pathlib import Path

from support import header, ok_batch

STATIC = Path(__file__).resolve().parent / "fixtures" / "htdocs" / "static"

HOP_BY_HOP = {"connection", "keep-alive", "te", "trailer",
              "transfer-encoding", "upgrade", "proxy-authenticate",
              "proxy-connection"}


# -- response bodies -------------------------------------------------------

def test_json_body_is_embedded(server):
    res = ok_batch(server, [{"id": "j", "url": "/static/hello.json"}])
    assert res["j"]["body"] == {"hello": "world"}
    assert "bodyEncoding" not in res["j"]


def test_plus_json_body_is_embedded(server):
    res = ok_batch(server, [{"id": "p", "url": "/static/problem.pjson"}])
    assert header(res["p"], "Content-Type").startswith(
        "application/problem+json")
    assert res["p"]["body"] == {"type": "about:blank", "title": "problem",
                                "status": 418}


def test_invalid_json_body_is_a_string(server):
    res = ok_batch(server, [{"id": "b", "url": "/static/broken.json"}])
    assert header(res["b"], "Content-Type") == "application/json"
    assert res["b"]["body"] == "{not json\n"


def test_text_body_is_a_string(server):
    res = ok_batch(server, [{"id": "t", "url": "/static/a.txt"}])
    assert res["t"]["body"] == "hello from a.txt\n"
    assert "bodyEncoding" not in res["t"]


def test_json_looking_text_is_not_parsed(server):
    # a JSON text served as text/plain stays a string
    res = ok_batch(server, [{"id": "e", "url": "/cgi/status.cgi?code=200"
                             "&ct=text/plain"}])
    assert isinstance(res["e"]["body"], str)
    assert json.loads(res["e"]["body"])["code"] == 200


def test_binary_body_is_base64(server):
    res = ok_batch(server, [{"id": "bin", "url": "/static/blob.bin"}])
    entry = res["bin"]
    assert entry["bodyEncoding"] == "base64"
    assert base64.b64decode(entry["body"]) == \
        (STATIC / "blob.bin").read_bytes()


def test_empty_body_is_omitted(server):
    res = ok_batch(server, [
        {"id": "file", "url": "/static/empty.txt"},
        {"id": "204", "url": "/cgi/status.cgi?code=204"},
        {"id": "201", "url": "/cgi/status.cgi?code=201&empty=1"},
    ])
    assert res["file"]["status"] == 200
    assert res["204"]["status"] == 204
    assert res["201"]["status"] == 201
    for entry in res.responses:
        assert "body" not in entry, entry


def test_unicode_text_survives(server):
    text = "grüße, ☃ and 𝄞"
    res = ok_batch(server, [{"id": "u", "method": "POST",
                             "url": "/cgi/echo.cgi",
                             "headers": {"Content-Type": "text/plain"},
                             "body": text}])
    assert res["u"]["body"]["body"] == text
    assert res["u"]["body"]["content_length"] == str(len(text.encode()))


# -- response headers --------------------------------------------------------

def test_response_headers_spelling_and_no_content_length(server):
    res = ok_batch(server, [
        {"id": "s", "url": "/static/hello.json"},
        {"id": "c", "url": "/cgi/status.cgi?code=201&location=/things/7"},
        {"id": "x", "url": "/cgi/echo.cgi"},
    ])
    for entry in res.responses:
        names = list(entry["headers"])
        lower = [n.lower() for n in names]
        assert "content-length" not in lower, entry
        assert not HOP_BY_HOP & set(lower), entry
        assert "Content-Type" in names, entry
    assert res["s"]["headers"]["Content-Type"] == "application/json"
    assert res["c"]["status"] == 201
    assert res["c"]["headers"]["Location"].endswith("/things/7")
    assert res["c"]["headers"]["X-Cgi"] == "status"
    assert res["x"]["headers"]["X-Echo"] == "yes"
    for v in res["s"]["headers"].values():
        assert isinstance(v, str)


# -- operation request bodies ------------------------------------------------

def test_json_value_body_is_serialized_as_json(server):
    value = {"title": "Test Product", "tags": ["a", "b"], "n": 1.5,
             "nested": {"ok": True, "none": None}}
    res = ok_batch(server, [{"id": "1", "method": "POST",
                             "url": "/cgi/echo.cgi", "body": value}])
    echo = res["1"]["body"]
    assert echo["content_type"].split(";")[0] == "application/json"
    assert json.loads(echo["body"]) == value
    assert echo["content_length"] == str(echo["body_length"])
    assert echo["body_length"] == len(echo["body"].encode())


def test_array_and_number_bodies(server):
    res = ok_batch(server, [
        {"id": "a", "method": "PUT", "url": "/cgi/echo.cgi", "body": [1, 2]},
        {"id": "n", "method": "POST", "url": "/cgi/echo.cgi", "body": 42},
    ])
    assert json.loads(res["a"]["body"]["body"]) == [1, 2]
    assert res["a"]["body"]["content_type"].startswith("application/json")
    assert json.loads(res["n"]["body"]["body"]) == 42
    assert res["n"]["body"]["content_type"].startswith("application/json")


def test_op_content_type_wins_over_json_default(server):
    res = ok_batch(server, [{"id": "1", "method": "POST",
                             "url": "/cgi/echo.cgi",
                             "headers": {"Content-Type":
                                         "application/vnd.test+json"},
                             "body": {"a": 1}}])
    echo = res["1"]["body"]
    assert echo["content_type"] == "application/vnd.test+json"
    assert json.loads(echo["body"]) == {"a": 1}


def test_string_body_is_sent_as_is(server):
    form = "a=1&b=%20two&c={not json}"
    res = ok_batch(server, [{"id": "1", "method": "POST",
                             "url": "/cgi/echo.cgi",
                             "headers": {"Content-Type":
                                         "application/x-www-form-urlencoded"},
                             "body": form}])
    echo = res["1"]["body"]
    assert echo["body"] == form
    assert echo["content_length"] == str(len(form))
    assert echo["content_type"] == "application/x-www-form-urlencoded"


def test_base64_body_is_decoded(server):
    raw = b"\x00\x01binary\xff\xfe payload"
    res = ok_batch(server, [
        {"id": "t", "method": "POST", "url": "/cgi/echo.cgi",
         "headers": {"Content-Type": "text/plain"},
         "body": base64.b64encode(b"hello").decode(),
         "bodyEncoding": "base64"},
        {"id": "b", "method": "POST", "url": "/cgi/echo.cgi",
         "headers": {"Content-Type": "application/octet-stream"},
         "body": base64.b64encode(raw).decode(), "bodyEncoding": "base64"},
    ])
    assert res["t"]["body"]["body"] == "hello"
    assert res["t"]["body"]["content_length"] == "5"
    echo = res["b"]["body"]
    assert base64.b64decode(echo["body_base64"]) == raw
    assert echo["content_length"] == str(len(raw))


def test_bodyless_post_op_gets_empty_body(server):
    # the batch request has a body; an op without one must not see it
    res = ok_batch(server, [{"id": "1", "method": "POST",
                             "url": "/cgi/echo.cgi"},
                            {"id": "2", "url": "/cgi/echo.cgi"}])
    for op_id in ("1", "2"):
        echo = res[op_id]["body"]
        assert echo["body"] == "", echo
        assert echo["content_length"] in (None, "", "0"), echo
        assert echo["content_type"] in (None, ""), echo


def test_each_op_gets_its_own_body(server):
    ops = [{"id": str(i), "method": "POST", "url": "/cgi/echo.cgi",
            "headers": {"Content-Type": "text/plain"},
            "body": "body number %d " % i * (i + 1)} for i in range(5)]
    res = ok_batch(server, ops)
    for op in ops:
        assert res[op["id"]]["body"]["body"] == op["body"]
