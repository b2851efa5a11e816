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


"""BatchFormats: the request formats a location takes (json =
application/json, multipart = multipart/mixed, form = facebook's batch form
field; default json multipart), and the cross-site rule for form batches."""

import json
from urllib.parse import urlencode

import pytest
import requests

from support import (TIMEOUT, assert_refused, media_type, ok_batch,
                     post_batch, reconfigured, record_op, token)

FORM = "application/x-www-form-urlencoded"
FORM_BATCH = "/form-batch"


def fb_ops(tok):
    return json.dumps([{"method": "GET",
                        "relative_url": "cgi/record.cgi?t=" + tok}])


def post_form(server, tok, path=FORM_BATCH, headers=None):
    hdrs = {"Content-Type": FORM}
    hdrs.update(headers or {})
    return post_batch(server, path=path, headers=hdrs,
                      data=urlencode({"batch": fb_ops(tok)}))


def post_form_data(server, tok, disposition, path=FORM_BATCH, headers=None):
    body = ("--BB\r\nContent-Disposition: form-data; %s\r\n\r\n%s\r\n"
            "--BB--\r\n" % (disposition, fb_ops(tok))).encode()
    hdrs = {"Content-Type": "multipart/form-data; boundary=BB"}
    hdrs.update(headers or {})
    return post_batch(server, path=path, headers=hdrs, data=body)


def ran(res, server, tok):
    assert res.status == 200, res
    assert isinstance(res.json, list) and res.json[0]["code"] == 200, res
    assert len(server.recorded(tok)) == 1
    return res


def refused_naming_batchformats(res, server, tok):
    err = assert_refused(res, 415, "unsupported_media_type", None, server,
                         tok)
    assert "BatchFormats" in err["message"], err
    return err


# -- what a location takes ------------------------------------------------------

def test_forms_are_off_by_default(server):
    tok = token()
    err = refused_naming_batchformats(post_form(server, tok, path="/batch"),
                                      server, tok)
    assert "BatchFormats json multipart" in err["message"], err
    refused_naming_batchformats(
        post_form_data(server, tok, 'name="batch"', path="/batch"),
        server, tok)


def test_forms_where_a_location_turns_them_on(server):
    tok = token()
    ran(post_form(server, tok), server, tok)
    tok = token()
    ran(post_form_data(server, tok, 'name="batch"'), server, tok)


@pytest.mark.parametrize("ctype", ["application/cloudevents+json",
                                   "application/vnd.api+json",
                                   "application/problem+json; charset=utf-8"])
@pytest.mark.parametrize("path", ["/batch", FORM_BATCH])
def test_other_json_media_types_are_refused(server, ctype, path):
    tok = token()
    res = post_batch(server, [record_op(tok)], path=path,
                     headers={"Content-Type": ctype})
    refused_naming_batchformats(res, server, tok)


def test_application_json_with_parameters_is_taken(server):
    tok = token()
    ok_batch(server, [record_op(tok)],
             headers={"Content-Type": "Application/JSON; charset=utf-8"})
    assert len(server.recorded(tok)) == 1


def test_json_alone_refuses_multipart_and_forms(server):
    tok = token()
    mixed = ("--b\r\nContent-Type: application/http\r\n\r\n"
             "GET /cgi/record.cgi?t=%s HTTP/1.1\r\n\r\n\r\n--b--\r\n" % tok)
    with reconfigured(server, batch_extra=["BatchFormats json"]):
        res = post_batch(server, data=mixed.encode(), headers={
            "Content-Type": "multipart/mixed; boundary=b"})
        err = refused_naming_batchformats(res, server, tok)
        refused_naming_batchformats(post_form(server, tok, path="/batch"),
                                    server, tok)
        ok_batch(server, [record_op(tok)])
    assert "BatchFormats json)" in err["message"], err
    assert len(server.recorded(tok)) == 1


def test_batchformats_in_htaccess(server):
    """FileInfo overrides: a directory's .htaccess sets the formats."""
    d = server.dir / "htdocs" / "hta"
    d.mkdir(exist_ok=True)
    (d / ".htaccess").write_text("SetHandler batch\nBatchFormats form\n")
    (d / "endpoint").write_text("")
    tok = token()
    with reconfigured(server, server_extra=[
            '<Directory "%s">' % d, "    AllowOverride FileInfo",
            "</Directory>"]):
        json_res = post_batch(server, [record_op(tok)], path="/hta/endpoint")
        form_res = post_form(server, tok, path="/hta/endpoint")
    refused_naming_batchformats(json_res, server, None)
    assert "BatchFormats form)" in json_res.json["error"]["message"]
    ran(form_res, server, tok)


# -- cross-site forms -----------------------------------------------------------

COOKIE = {"Cookie": "session=victim"}


@pytest.mark.parametrize("sign", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "https://127.0.0.1"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Referer": "http://evil.example/page.html"},
], ids=["origin", "origin-null", "origin-other-scheme", "sec-fetch-site",
        "referer"])
@pytest.mark.parametrize("credentials", [
    COOKIE, {"Authorization": "Basic YWxpY2U6c2VjcmV0"}],
    ids=["cookie", "authorization"])
def test_cross_site_form_with_credentials_is_refused(server, sign,
                                                     credentials):
    for post in (post_form, lambda s, t, headers: post_form_data(
            s, t, 'name="batch"', headers=headers)):
        tok = token()
        res = post(server, tok, headers=dict(sign, **credentials))
        err = assert_refused(res, 403, "cross_site_form", None, server, tok)
        assert "BatchInheritHeaders" in err["message"], err


def test_same_site_form_with_credentials_runs(server):
    this = "http://%s" % server.host_header
    for sign in ({"Origin": this}, {"Referer": this + "/app/form.html"},
                 {"Sec-Fetch-Site": "same-origin"},
                 {"Origin": this, "Sec-Fetch-Site": "cross-site"}, {}):
        tok = token()
        ran(post_form(server, tok, headers=dict(sign, **COOKIE)), server,
            tok)


def test_cross_site_form_without_credentials_runs(server):
    tok = token()
    ran(post_form(server, tok, headers={"Origin": "http://evil.example"}),
        server, tok)


def test_cross_site_form_runs_where_nothing_is_inherited(server):
    tok = token()
    with reconfigured(server, batch_extra=["BatchFormats form",
                                           "BatchInheritHeaders Off"]):
        res = post_form(server, tok, path="/batch", headers=dict(
            COOKIE, Origin="http://evil.example"))
    ran(res, server, tok)


def test_cross_site_json_is_left_to_cors(server):
    """A JSON batch needs a CORS preflight from another site: the rule is
    the forms'."""
    tok = token()
    ok_batch(server, [record_op(tok)], headers=dict(
        COOKIE, Origin="http://evil.example"))
    assert len(server.recorded(tok)) == 1


# -- the batch field sent as a file ---------------------------------------------

@pytest.mark.parametrize("disposition", [
    'name="batch"; filename="batch.json"',
    'name="batch"; filename=""',
    "name=batch; filename*=UTF-8''batch.json",
])
def test_batch_field_as_a_file_is_refused(server, disposition):
    tok = token()
    err = assert_refused(post_form_data(server, tok, disposition), 400,
                         "invalid_request", None, server, tok)
    assert "filename" in err["message"], err


def test_batch_field_as_a_file_by_requests(server):
    tok = token()
    resp = requests.post(server.url(FORM_BATCH), timeout=TIMEOUT,
                         files={"batch": ("b.json", fb_ops(tok),
                                          "application/json")})
    assert resp.status_code == 400, resp.text
    assert media_type(resp.headers.get("Content-Type")) == "application/json"
    assert server.recorded(tok) == []


def test_behind_a_tls_proxy_the_public_origin_is_this_server(server):
    """A reverse proxy that terminates TLS: ServerName with the public
    scheme (and UseCanonicalName On) is what the Origin is compared with."""
    tok, other = token(), token()
    with reconfigured(server, server_extra=["ServerName https://127.0.0.1",
                                            "UseCanonicalName On"]):
        same = post_form(server, tok, headers=dict(
            COOKIE, Origin="https://127.0.0.1"))
        plain = post_form(server, other, headers=dict(
            COOKIE, Origin="http://%s" % server.host_header))
    ran(same, server, tok)
    assert_refused(plain, 403, "cross_site_form", None, server, other)
