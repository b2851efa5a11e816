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

"""The facebook dialect end to end -- the batch field as a JSON
body, an urlencoded form and multipart/form-data; names, depends_on,
omit_response_on_success, include_headers, BatchBaseURL, BatchDialect,
and refusals that run nothing."""

import json
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest
import requests

from support import (TIMEOUT, assert_refused, media_type, post_batch,
                     reconfigured, token)

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
FORM = "application/x-www-form-urlencoded"


def record_url(tok):
    return "cgi/record.cgi?t=" + tok


def post_fb(server, ops, **extra):
    doc = {"batch": ops}
    doc.update(extra)
    return post_batch(server, doc=doc)


def ok_fb(server, ops, **extra):
    res = post_fb(server, ops, **extra)
    return answer_of(res)


def answer_of(res):
    assert res.status == 200, res
    assert media_type(res.headers.get("Content-Type")) == "application/json"
    assert isinstance(res.json, list), res
    return res.json


# form input is off unless a location turns it on (BatchFormats ... form)
FORM_BATCH = "/form-batch"


def post_form(server, fields, path=FORM_BATCH):
    return post_batch(server, data=urlencode(fields), path=path,
                      headers={"Content-Type": FORM})


def vector_form(name):
    """The urlencoded body of a vector's .request.txt, as fields."""
    raw = (VECTORS / name).read_bytes()
    body = raw.split(b"\r\n\r\n", 1)[1].decode("ascii")
    return {k: v[-1] for k, v in parse_qs(body).items()}


def body_json(entry):
    assert isinstance(entry["body"], str), entry
    return json.loads(entry["body"])


def header_list_value(entry, name):
    for h in entry["headers"]:
        if h["name"].lower() == name.lower():
            return h["value"]
    return None


# -- the vectors' shapes ------------------------------------------------------

def pages_batch():
    """facebook.request.batch.json, its pages pointed at the fixtures."""
    ops = json.loads((VECTORS / "facebook.request.batch.json").read_text())
    for op in ops:
        op["relative_url"] = "cgi/echo.cgi?id=" + op["relative_url"]
    return ops


def assert_pages_answer(got):
    want = json.loads((VECTORS / "facebook.response.json").read_text())
    assert len(got) == len(want), got
    for entry, wanted in zip(got, want):
        assert set(entry) == set(wanted) == {"code", "body"}, entry
        assert entry["code"] == wanted["code"] == 200
    assert [body_json(e)["query"] for e in got] == \
        ["id=PAGE-A-ID", "id=PAGE-B-ID"]


def test_vector_as_json_body(server):
    assert_pages_answer(ok_fb(server, pages_batch(), include_headers=False))


def test_vector_as_urlencoded_form(server):
    fields = vector_form("facebook.request.txt")
    assert json.loads(fields["batch"]) == \
        json.loads((VECTORS / "facebook.request.batch.json").read_text())
    fields["batch"] = json.dumps(pages_batch())
    assert_pages_answer(answer_of(post_form(server, fields)))


def test_vector_bytes_as_sent(server):
    """The vector's own body: its pages do not exist here, so each
    operation answers an explicit 404 entry of the same shape."""
    raw = (VECTORS / "facebook.request.txt").read_bytes()
    res = post_batch(server, data=raw.split(b"\r\n\r\n", 1)[1],
                     path=FORM_BATCH, headers={"Content-Type": FORM})
    got = answer_of(res)
    assert [e["code"] for e in got] == [404, 404], got
    for entry in got:
        assert set(entry) == {"code", "body"}, entry
        assert isinstance(entry["body"], str), entry


def test_vector_as_multipart_form_data(server):
    resp = requests.post(server.url(FORM_BATCH), timeout=TIMEOUT,
                         files={"batch": (None, json.dumps(pages_batch())),
                                "include_headers": (None, "false"),
                                "access_token": (None, "ACCESS-TOKEN")})
    assert resp.status_code == 200, resp.text
    assert_pages_answer(resp.json())


def test_reference_omits_the_referenced_answer(server):
    """facebook-deps: the op the second one refers to answers null."""
    ops = deps_batch()
    got = ok_fb(server, ops)
    assert got[0] is None, got
    assert got[1]["code"] == 200, got


def deps_batch():
    ops = json.loads((VECTORS / "facebook-deps.request.batch.json")
                     .read_text())
    ops[0]["relative_url"] = "cgi/ads.cgi"
    ops[1]["relative_url"] = "cgi/ads.cgi" + ops[1]["relative_url"]
    return ops


def test_deps_vector_end_to_end(server):
    fields = vector_form("facebook-deps.request.txt")
    fields["batch"] = json.dumps(deps_batch())
    got = answer_of(post_form(server, fields))
    want = json.loads((VECTORS / "facebook-deps.response.json").read_text())
    assert got[0] is None, got
    assert got[1]["code"] == 200, got
    assert header_list_value(got[1], "Content-Type") == \
        want[1]["headers"][0]["value"]
    assert body_json(got[1]) == json.loads(want[1]["body"])


# -- operations -----------------------------------------------------------------

def test_headers_are_a_list_of_name_value(server):
    got = ok_fb(server, [{"method": "GET", "relative_url": "cgi/echo.cgi"}])
    entry = got[0]
    assert set(entry) == {"code", "headers", "body"}, entry
    assert all(set(h) == {"name", "value"} for h in entry["headers"]), entry
    assert header_list_value(entry, "X-Echo") == "yes", entry
    assert header_list_value(entry, "Content-Type") == "application/json"


def test_include_headers_false_as_a_form_field(server):
    got = answer_of(post_form(server, {
        "batch": json.dumps([{"method": "GET",
                              "relative_url": "cgi/echo.cgi"}]),
        "include_headers": "false"}))
    assert set(got[0]) == {"code", "body"}, got


def test_method_any_case_and_get_by_default(server):
    got = ok_fb(server, [{"method": "delete", "relative_url": "cgi/echo.cgi"},
                         {"relative_url": "cgi/echo.cgi"}])
    assert [body_json(e)["method"] for e in got] == ["DELETE", "GET"]


def test_body_is_sent_as_a_form(server):
    got = ok_fb(server, [{"method": "POST", "relative_url": "cgi/echo.cgi",
                          "body": "message=Hello%20there&x=1"}])
    echo = body_json(got[0])
    assert echo["content_type"] == FORM, echo
    assert echo["body"] == "message=Hello%20there&x=1"


def test_reference_in_the_form_body_is_substituted(server):
    got = ok_fb(server, [
        {"method": "GET", "name": "src",
         "relative_url": "static/ref-source.json"},
        {"method": "POST", "relative_url": "cgi/echo.cgi",
         "body": "ids={result=src:$.data.*.id}&who={result=src:$.id}"}])
    assert got[0] is None, got
    assert body_json(got[1])["body"] == "ids=1,2,3&who=42", got


def test_reference_to_an_unknown_name_runs_nothing(server):
    tok = token()
    res = post_fb(server, [
        {"method": "GET", "relative_url": record_url(tok)},
        {"method": "GET", "relative_url": "cgi/echo.cgi?x={result=nope:$.id}"}])
    assert_refused(res, 400, "invalid_reference", operation="batch[1]",
                   server=server, tok=tok)


def test_both_header_spellings_reach_the_operation(server):
    got = ok_fb(server, [{
        "method": "POST", "relative_url": "cgi/echo.cgi", "body": "{}",
        "headers": ["X-One: 1", {"name": "Content-Type",
                                 "value": "application/json"}]}])
    echo = body_json(got[0])
    assert echo["headers"]["HTTP_X_ONE"] == "1", echo
    assert echo["content_type"] == "application/json", echo


def test_depends_on_omits_the_dependency(server):
    got = ok_fb(server, [
        {"method": "GET", "name": "first", "relative_url": "cgi/echo.cgi"},
        {"method": "GET", "relative_url": "cgi/echo.cgi?n=2",
         "depends_on": "first"}])
    assert got[0] is None, got
    assert body_json(got[1])["query"] == "n=2"


def test_omit_response_on_success_false_keeps_it(server):
    got = ok_fb(server, [
        {"name": "first", "relative_url": "cgi/echo.cgi",
         "omit_response_on_success": False},
        {"relative_url": "cgi/echo.cgi", "depends_on": "first"}])
    assert [e["code"] for e in got] == [200, 200], got


def test_failed_dependency_is_an_explicit_entry(server):
    tok = token()
    got = ok_fb(server, [
        {"name": "bad", "relative_url": "cgi/status.cgi?code=500"},
        {"relative_url": record_url(tok), "depends_on": "bad"}])
    assert got[0]["code"] == 500, got
    assert got[1]["code"] == 424, got
    assert body_json(got[1])["error"]["code"] == "failed_dependency"
    assert server.recorded(tok) == []


def test_base_url_prefixes_relative_urls(server):
    with reconfigured(server, batch_extra=["BatchBaseURL /cgi"]):
        got = ok_fb(server, [{"relative_url": "echo.cgi?x=1"}])
    assert body_json(got[0])["request_uri"] == "/cgi/echo.cgi?x=1"


# -- BatchDialect ---------------------------------------------------------------

def test_forced_facebook_takes_facebook_and_refuses_graph(server):
    tok = token()
    with reconfigured(server, batch_extra=["BatchDialect facebook"]):
        got = ok_fb(server, [{"relative_url": "cgi/echo.cgi"}])
        res = post_batch(server, [{"id": "r", "url": "/" + record_url(tok)}])
        err = assert_refused(res, 400, "invalid_request", server=server,
                             tok=tok)
    assert got[0]["code"] == 200, got
    assert "BatchDialect facebook" in err["message"], err


def test_forced_graph_refuses_facebook_json_and_form(server):
    tok = token()
    ops = [{"relative_url": record_url(tok)}]
    with reconfigured(server, batch_extra=["BatchDialect graph",
                                           "BatchFormats json form"]):
        doc = assert_refused(post_fb(server, ops), 400, "invalid_request",
                             server=server, tok=tok)
        form = assert_refused(post_form(server, {"batch": json.dumps(ops)},
                                        path="/batch"),
                              415, "unsupported_media_type", server=server,
                              tok=tok)
    assert "BatchDialect graph" in doc["message"], doc
    assert "facebook" in form["message"], form


# -- refusals run nothing ---------------------------------------------------------

def test_form_without_batch_field_is_refused(server):
    res = post_form(server, {"access_token": "x"})
    err = assert_refused(res, 400, "invalid_request")
    assert "batch field" in err["message"], err


def test_batch_field_not_json_is_refused(server):
    res = post_form(server, {"batch": "[{"})
    assert_refused(res, 400, "invalid_json")


def test_unknown_depends_on_runs_nothing(server):
    tok = token()
    res = post_fb(server, [{"relative_url": record_url(tok)},
                           {"relative_url": record_url(tok),
                            "depends_on": "nobody"}])
    err = assert_refused(res, 400, "invalid_dependency", operation="batch[1]",
                         server=server, tok=tok)
    assert "nobody" in err["message"], err


def test_invalid_operation_runs_nothing(server):
    tok = token()
    res = post_form(server, {"batch": json.dumps([
        {"relative_url": record_url(tok)},
        {"method": "BR EW", "relative_url": "x"}])})
    assert_refused(res, 400, "method_not_allowed", operation="batch[1]",
                   server=server, tok=tok)


def test_absolute_relative_url_runs_nothing(server):
    """Put under '/', "http://host/" would become a local path; it is
    refused as an absolute URL is in every other format."""
    for url in ("http://example.com/x", "//example.com/x"):
        tok = token()
        res = post_fb(server, [{"method": "POST",
                                "relative_url": record_url(tok)},
                               {"relative_url": url}])
        assert_refused(res, 400, "invalid_url", operation="batch[1]",
                       server=server, tok=tok)


def test_nested_batch_runs_nothing(server):
    tok = token()
    res = post_fb(server, [{"relative_url": record_url(tok)},
                           {"name": "inner", "relative_url": "batch"}])
    assert_refused(res, 400, "nested_batch", operation="inner",
                   server=server, tok=tok)


def test_duplicate_name_runs_nothing(server):
    tok = token()
    res = post_fb(server, [{"name": "a", "relative_url": record_url(tok)},
                           {"name": "a", "relative_url": record_url(tok)}])
    assert_refused(res, 400, "invalid_request", operation="batch[1]",
                   server=server, tok=tok)

