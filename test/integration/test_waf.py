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


"""The WAF sees every operation: Debian's ModSecurity 2 with OWASP CRS 3.3
(SecRuleEngine On, anomaly scoring: 403 at the end of phase 2) in front of
the batch locations of docs/security.md's recipe.

Every payload CRS blocks when sent directly is blocked inside a batch in
every format the recipe's location (/waf-batch: BatchFormats json form)
takes, benign batches of each pass, and what the recipe does not take
(multipart/mixed, base64 bodies, other +json types, the batch field as a
file) is refused. /waf-open-batch is the site before the recipe: every
format, CRS's multipart refusals excluded; there, payloads in base64 bodies
and multipart parts reach their operations. The answers' side: a CRS
data-leakage rule fires on an operation's answer once the aggregate's media
types are inspected (SecResponseBodyMimeType).
"""

import base64
import json
from urllib.parse import quote

import pytest
import requests

from support import TIMEOUT, subrequest_only, token

RECIPE = "/waf-batch"
OPEN = "/waf-open-batch"

PAYLOADS = {
    "sqli": "1' OR '1'='1' --",
    "xss": "<script>alert(1)</script>",
    "traversal": "../../../../etc/passwd",
    "rce": ";cat /etc/passwd",
}
BENIGN = "hello world"
FORM = "application/x-www-form-urlencoded"


def record_url(tok, value=None):
    url = "/cgi/record.cgi?t=" + tok
    return url if value is None else url + "&q=" + quote(value, safe="")


def graph(op):
    return "application/json", json.dumps({"requests": [dict(op, id="1")]})


def json_url(tok, value):
    return graph({"method": "GET", "url": record_url(tok, value)})


def json_header(tok, value):
    return graph({"method": "GET", "url": record_url(tok),
                  "headers": {"X-Query": value}})


def json_body_object(tok, value):
    return graph({"method": "POST", "url": record_url(tok),
                  "body": {"q": value}})


def json_string_body(tok, value):
    return graph({"method": "POST", "url": record_url(tok),
                  "headers": {"Content-Type": FORM},
                  "body": "q=" + quote(value, safe="")})


def json_base64_body(tok, value):
    body = ("q=" + quote(value, safe="")).encode()
    return graph({"method": "POST", "url": record_url(tok),
                  "headers": {"Content-Type": FORM}, "bodyEncoding": "base64",
                  "body": base64.b64encode(body).decode()})


def fb_batch(tok, value):
    return json.dumps([{"method": "GET",
                        "relative_url": record_url(tok, value)[1:]}])


def form_urlencoded(tok, value):
    return FORM, "batch=" + quote(fb_batch(tok, value), safe="")


def form_data_part(disposition):
    def shape(tok, value):
        body = ("--BB\r\nContent-Disposition: form-data; %s\r\n\r\n%s\r\n"
                "--BB--\r\n" % (disposition, fb_batch(tok, value)))
        return "multipart/form-data; boundary=BB", body
    return shape


form_data = form_data_part('name="batch"')
form_file = form_data_part('name="batch"; filename="batch.json"')


def multipart_mixed(tok, value):
    return ("multipart/mixed; boundary=BB",
            "--BB\r\nContent-Type: application/http\r\n\r\n"
            "GET %s HTTP/1.1\r\n\r\n\r\n--BB--\r\n" % record_url(tok, value))


def cloudevents_json(tok, value):
    _, body = json_url(tok, value)
    return "application/cloudevents+json", body


# what the recipe's location takes, and what it refuses whatever the body
TAKEN = [json_url, json_header, json_body_object, json_string_body,
         form_urlencoded, form_data]
REFUSED = {json_base64_body: 403, multipart_mixed: (403, 415),
           form_file: 400, cloudevents_json: 415}


def post(server, path, shape, tok, value):
    ctype, body = shape(tok, value)
    resp = requests.post(server.url(path), data=body.encode(),
                         headers={"Content-Type": ctype}, timeout=TIMEOUT)
    return resp, server.recorded(tok)


def blocked_by_modsecurity(server, mark):
    return "ModSecurity: Access denied with code 403" in \
        server.log_since(mark)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_crs_blocks_the_payload_sent_directly(waf_server, name):
    tok = token()
    resp = requests.get(waf_server.url(record_url(tok, PAYLOADS[name])),
                        timeout=TIMEOUT)
    assert resp.status_code == 403, resp.text
    assert waf_server.recorded(tok) == []


@pytest.mark.parametrize("shape", TAKEN, ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_payload_in_a_batch_is_blocked(waf_server, name, shape):
    mark = waf_server.log_size()
    resp, ran = post(waf_server, RECIPE, shape, token(), PAYLOADS[name])
    assert resp.status_code == 403, resp.text
    assert ran == []
    assert blocked_by_modsecurity(waf_server, mark)


@pytest.mark.parametrize("shape", TAKEN, ids=lambda f: f.__name__)
def test_benign_batch_passes(waf_server, shape):
    resp, ran = post(waf_server, RECIPE, shape, token(), BENIGN)
    assert resp.status_code == 200, resp.text
    assert len(ran) == 1, resp.text


@pytest.mark.parametrize("shape", sorted(REFUSED, key=lambda f: f.__name__),
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", sorted(PAYLOADS) + ["benign"])
def test_what_the_recipe_does_not_take_is_refused(waf_server, name, shape):
    value = PAYLOADS.get(name, BENIGN)
    resp, ran = post(waf_server, RECIPE, shape, token(), value)
    want = REFUSED[shape]
    assert resp.status_code in (want if isinstance(want, tuple)
                                else (want,)), resp.text
    assert ran == []


@pytest.mark.parametrize("shape", [json_base64_body, multipart_mixed],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", sorted(PAYLOADS))
@subrequest_only(
    "ModSecurity inspects an op as a request of its own: the "
    "payload never reaches it (test_engine.py)")
def test_without_the_recipe_the_payload_reaches_its_operation(
        waf_server, name, shape):
    """What the recipe closes: ModSecurity cannot read these formats."""
    resp, ran = post(waf_server, OPEN, shape, token(), PAYLOADS[name])
    assert resp.status_code == 200, resp.text
    assert len(ran) == 1, resp.text


# -- what ModSecurity refuses rather than inspect in part ------------------------

def post_graph(server, ops):
    return requests.post(server.url(RECIPE),
                         data=json.dumps({"requests": ops}),
                         headers={"Content-Type": "application/json"},
                         timeout=TIMEOUT)


def test_padding_past_the_argument_limit_does_not_hide_a_payload(waf_server):
    """More values than SecArgumentsLimit (1000): rule 200002 refuses the
    body (400) rather than CRS reading the first thousand."""
    tok = token()
    ops = [{"id": str(i), "method": "GET", "url": "/static/a.txt",
            "headers": {"X-%d" % j: "v" for j in range(12)}}
           for i in range(90)]
    ops.append({"id": "p", "method": "GET",
                "url": record_url(tok, PAYLOADS["sqli"])})
    resp = post_graph(waf_server, ops)
    assert resp.status_code == 400, resp.text
    assert waf_server.recorded(tok) == []


def test_a_body_past_the_waf_limit_does_not_hide_a_payload(waf_server):
    """A body over SecRequestBodyNoFilesLimit (128 KiB in Debian's file):
    413 before mod_batch reads it."""
    tok = token()
    ops = [{"id": "pad", "method": "POST", "url": "/cgi/echo.cgi",
            "body": "x" * 140000},
           {"id": "p", "method": "GET",
            "url": record_url(tok, PAYLOADS["xss"])}]
    resp = post_graph(waf_server, ops)
    assert resp.status_code == 413, resp.text
    assert waf_server.recorded(tok) == []


# -- the answers' side ----------------------------------------------------------

# a PHP error page: CRS 953100 (RESPONSE-953-DATA-LEAKAGES-PHP)
LEAK = "Warning: something failed\nStack trace:\n#0 {main}\n"


@pytest.fixture
def leak(waf_server):
    path = waf_server.dir / "htdocs" / "static" / "leak.txt"
    path.write_text(LEAK)
    return "/static/leak.txt"


def test_crs_response_rule_fires_on_the_answer_sent_directly(waf_server,
                                                             leak):
    mark = waf_server.log_size()
    resp = requests.get(waf_server.url(leak), timeout=TIMEOUT)
    assert resp.status_code == 403
    assert '[id "953100"]' in waf_server.log_since(mark)


def json_batch_of(url):
    return "application/json", json.dumps(
        {"requests": [{"id": "1", "method": "GET", "url": url}]})


def multipart_batch_of(url):
    return ("multipart/mixed; boundary=BB",
            "--BB\r\nContent-Type: application/http\r\n\r\n"
            "GET %s HTTP/1.1\r\n\r\n\r\n--BB--\r\n" % url)


@pytest.mark.parametrize("path,batch_of,inspected", [
    (RECIPE, json_batch_of, True),
    ("/waf-answers-batch", multipart_batch_of, True),
    (OPEN, json_batch_of, False),
    (OPEN, multipart_batch_of, False),
], ids=["recipe-json", "recipe-multipart", "debian-json",
        "debian-multipart"])
@subrequest_only(
    "ModSecurity's response rules run on the op's own answer "
    "(test_engine.py), not only on the aggregate")
def test_crs_response_rule_on_an_operations_answer(waf_server, leak, path,
                                                   batch_of, inspected):
    """Debian's SecResponseBodyMimeType (text/plain text/html text/xml)
    does not look into the aggregate; the recipe's adds its types."""
    ctype, body = batch_of(leak)
    mark = waf_server.log_size()
    resp = requests.post(waf_server.url(path), data=body.encode(),
                         headers={"Content-Type": ctype}, timeout=TIMEOUT)
    fired = '[id "953100"]' in waf_server.log_since(mark)
    if inspected:
        assert fired, resp.text
        assert resp.status_code == 403, resp.text
        assert "Stack trace" not in resp.text
    else:
        assert not fired
        assert resp.status_code == 200 and "Stack trace" in resp.text
