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

"""Result references {result=NAME:$.path} in the canonical JSON format:
substituted into url, header values and body strings from
an earlier operation's JSON answer; they imply a dependency on it."""

import json

from support import (assert_refused, error_code, header, ok_batch,
                     post_batch, record_op, token)

# {"id": 42, "name": "Ann Lee", "data": [{"id": 1}, {"id": 2}, {"id": 3}],
#  "quote": "say \"hi\"", "crlf": "a\r\nX-Injected: 1"}
SOURCE = {"id": "src", "url": "/static/ref-source.json"}


def echo(op_id, url="/cgi/echo.cgi", **fields):
    return dict({"id": op_id, "url": url}, **fields)


def echoed(res, op_id):
    entry = res[op_id]
    assert entry["status"] == 200, entry
    return entry["body"]


def test_reference_in_url_query_and_path(server):
    res = ok_batch(server, [
        echo("e", "/cgi/echo.cgi/u{result=src:$.id}?name={result=src:$.name}"),
        SOURCE,
    ])
    body = echoed(res, "e")
    assert body["path_info"] == "/u42", body
    assert body["query"] == "name=Ann%20Lee", body


def test_joined_values_keep_their_commas(server):
    res = ok_batch(server, [SOURCE, echo(
        "e", "/cgi/echo.cgi?ids={result=src:$.data.*.id}")])
    assert echoed(res, "e")["query"] == "ids=1,2,3"


def test_reference_in_header_value(server):
    res = ok_batch(server, [SOURCE, echo(
        "e", headers={"X-User": "user {result=src:$.data[1].id}"})])
    assert echoed(res, "e")["headers"].get("HTTP_X_USER") == "user 2"


def test_reference_in_json_body_is_json_escaped(server):
    res = ok_batch(server, [SOURCE, echo(
        "e", method="POST", body={"who": "{result=src:$.quote}",
                                  "n": ["{result=src:$.id}"]})])
    body = echoed(res, "e")
    assert json.loads(body["body"]) == {"who": 'say "hi"', "n": ["42"]}
    assert body["content_type"] == "application/json"


def test_reference_in_string_body_is_raw(server):
    res = ok_batch(server, [SOURCE, echo(
        "e", method="POST", body="ids={result=src:$.data.*.id}&x={y}",
        headers={"Content-Type": "application/x-www-form-urlencoded"})])
    assert echoed(res, "e")["body"] == "ids=1,2,3&x={y}"


def test_reference_to_an_operation_answer(server):
    # echo.cgi's answer is itself JSON: a chain of two references
    res = ok_batch(server, [
        SOURCE,
        echo("one", "/cgi/echo.cgi?v={result=src:$.id}"),
        echo("two", "/cgi/echo.cgi?q={result=one:$.query}"),
    ])
    assert echoed(res, "two")["query"] == "q=v%3D42"


def test_no_match_gives_424_and_the_operation_does_not_run(server):
    tok = token()
    rec = record_op(tok)
    rec["url"] += "&v={result=src:$.missing}"
    res = ok_batch(server, [SOURCE, rec])
    entry = res["rec"]
    assert entry["status"] == 424, entry
    assert error_code(entry) == "unresolved_reference", entry
    assert "{result=src:$.missing}" in entry["body"]["error"]["message"]
    assert server.recorded(tok) == []


def test_answer_that_is_not_json_gives_424(server):
    tok = token()
    rec = record_op(tok)
    rec["url"] += "&v={result=txt:$}"
    res = ok_batch(server, [{"id": "txt", "url": "/static/a.txt"}, rec])
    assert res["rec"]["status"] == 424, res
    assert error_code(res["rec"]) == "unresolved_reference"
    assert server.recorded(tok) == []


def test_failed_referenced_operation_gives_failed_dependency(server):
    tok = token()
    rec = record_op(tok)
    rec["url"] += "&v={result=gone:$.id}"
    res = ok_batch(server, [{"id": "gone", "url": "/static/nope.json"}, rec])
    assert res["gone"]["status"] == 404
    assert res["rec"]["status"] == 424
    assert error_code(res["rec"]) == "failed_dependency"
    assert server.recorded(tok) == []


def test_control_characters_cannot_reach_a_header(server):
    res = ok_batch(server, [SOURCE, echo(
        "e", headers={"X-V": "{result=src:$.crlf}"})])
    assert res["e"]["status"] == 424, res
    assert error_code(res["e"]) == "unresolved_reference"


def test_control_characters_are_encoded_in_a_url(server):
    res = ok_batch(server, [SOURCE, echo(
        "e", "/cgi/echo.cgi?v={result=src:$.crlf}")])
    assert echoed(res, "e")["query"] == "v=a%0D%0AX-Injected%3A%201"


def test_unknown_name_refuses_the_batch(server):
    tok = token()
    rec = record_op(tok)
    res = post_batch(server, [rec, echo(
        "e", "/cgi/echo.cgi?v={result=nobody:$.id}")])
    err = assert_refused(res, 400, "invalid_reference", "e", server, tok)
    assert "{result=nobody:$.id}" in err["message"]


def test_bad_path_refuses_the_batch(server):
    tok = token()
    res = post_batch(server, [record_op(tok), SOURCE, echo(
        "e", headers={"X-A": "{result=src:id}"})])
    assert_refused(res, 400, "invalid_reference", "e", server, tok)


def test_reference_cycle_refuses_the_batch(server):
    tok = token()
    rec = record_op(tok)
    rec["url"] += "&v={result=e:$.query}"
    res = post_batch(server, [rec, echo(
        "e", "/cgi/echo.cgi?v={result=rec:$.recorded}")])
    assert_refused(res, 400, "invalid_dependency", {None, "rec", "e"},
                   server, tok)


def test_self_reference_refuses_the_batch(server):
    res = post_batch(server, [echo("e", "/cgi/echo.cgi?v={result=e:$}")])
    assert_refused(res, 400, "invalid_dependency", {None, "e"})


def test_reference_cannot_make_a_nested_batch(server):
    res = ok_batch(server, [
        {"id": "src", "url": "/cgi/echo.cgi?batch"},
        {"id": "e", "method": "POST", "url": "/{result=src:$.query}",
         "body": {"requests": []}},
    ])
    assert res["e"]["status"] == 400, res
    assert error_code(res["e"]) == "nested_batch"


def test_text_that_only_looks_like_a_reference_is_left_alone(server):
    res = ok_batch(server, [echo("e", method="POST",
                                 body={"t": "{results} {x:$.y}"})])
    assert json.loads(echoed(res, "e")["body"]) == {"t": "{results} {x:$.y}"}


def test_multipart_leaves_references_alone(server):
    crlf = "\r\n"
    part = crlf.join([
        "--b", "Content-Type: application/http", "",
        "GET /cgi/echo.cgi?v={result=nobody:$} HTTP/1.1", "", ""])
    res = post_batch(server, data=part + "--b--" + crlf, headers={
        "Content-Type": "multipart/mixed; boundary=b"})
    assert res.status == 200, res
    # the target goes as a request line carries it: '{' unencoded
    assert "v={result=nobody:$}" in res.resp.text, res.resp.text


def test_relative_url_under_batch_base_url(server):
    # Facebook's "?ids={result=NAME:$.data.*.id}" against BatchBaseURL
    # /static: /static is a directory, so mod_dir's redirect shows the target
    res = ok_batch(server, [
        {"id": "src", "url": "ref-source.json"},
        {"id": "ids", "url": "?ids={result=src:$.data.*.id}"},
    ], path="/based-batch")
    entry = res["ids"]
    assert entry["status"] == 301, entry
    assert header(entry, "Location").endswith("/static/?ids=1,2,3"), entry


# {"token": "<32 hex>+\\", "title": "Sandbox&title=Main_Page",
#  "lines": "a\r\nContent-Disposition: ...", "plain": "café = 100% & more"}
FORM_SOURCE = {"id": "src", "url": "/static/form-source.json"}
FORM_TOKEN = "d41d8cd98f00b204e9800998ecf8427e+\\"


def form_post(op_id, body, ctype, url="/cgi/form.cgi"):
    return {"id": op_id, "method": "POST", "url": url,
            "headers": {"Content-Type": ctype}, "body": body}


def test_reference_in_urlencoded_body_is_percent_encoded(server):
    # a token ending in "+\" arrives intact; "&title=X" adds no parameter
    res = ok_batch(server, [FORM_SOURCE, form_post(
        "f", "action=edit&title=Sandbox&token={result=src:$.token}"
        "&text={result=src:$.title}&summary={result=src:$.plain}",
        "application/x-www-form-urlencoded; charset=UTF-8")])
    assert echoed(res, "f")["fields"] == [
        ["action", "edit"], ["title", "Sandbox"], ["token", FORM_TOKEN],
        ["text", "Sandbox&title=Main_Page"],
        ["summary", "caf\u00e9 = 100% & more"]]


def form_data(**fields):
    parts = "".join('--b\r\nContent-Disposition: form-data; name="%s"\r\n'
                    "\r\n%s\r\n" % item for item in fields.items())
    return parts + "--b--\r\n"


def test_reference_in_form_data_arrives_as_it_is(server):
    res = ok_batch(server, [FORM_SOURCE, form_post(
        "f", form_data(token="{result=src:$.token}",
                       text="{result=src:$.title}"),
        "multipart/form-data; boundary=b")])
    assert echoed(res, "f")["fields"] == [
        ["token", FORM_TOKEN], ["text", "Sandbox&title=Main_Page"]]


def test_reference_with_a_line_break_is_refused_in_form_data(server):
    tok = token()
    rec = record_op(tok, method="POST")
    rec["headers"] = {"Content-Type": "multipart/form-data; boundary=b"}
    rec["body"] = form_data(t="{result=src:$.lines}")
    res = ok_batch(server, [FORM_SOURCE, rec])
    assert res["rec"]["status"] == 424, res
    assert error_code(res["rec"]) == "unresolved_reference"
    assert "multipart/form-data" in res["rec"]["body"]["error"]["message"]
    assert server.recorded(tok) == []
