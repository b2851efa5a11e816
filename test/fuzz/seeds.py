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

"""Writes the libFuzzer seed corpora from test/vectors (and a few
hand-made inputs) into DIR/<harness>/, one file per seed.

    /usr/bin/python3 test/fuzz/seeds.py DIR
"""

import json
import pathlib
import sys

VECTORS = pathlib.Path(__file__).resolve().parent.parent / "vectors"


def http_message(path):
    """(headers dict with lower-case names, body bytes) of a .txt vector."""
    raw = path.read_bytes()
    head, _, body = raw.partition(b"\r\n\r\n")
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode()] = value.strip()
    return headers, body


def json_seeds():
    for path in sorted(VECTORS.glob("*.request*.json")):
        yield path.stem, path.read_bytes()
    yield "deep", b'{"requests":' + b"[" * 40 + b"]" * 40 + b"}"
    yield "deps", json.dumps({"requests": [
        {"id": "a", "method": "POST", "url": "/x", "body": {"k": [1, 2]},
         "headers": {"Content-Type": "application/json"}},
        {"id": "b", "method": "get", "url": "/y?q=1", "dependsOn": ["a"]},
        {"id": "c", "method": "PUT", "url": "z", "body": "text",
         "atomicityGroup": "g", "headers": {"content-type": "text/plain"}},
    ], "onError": "stop"}).encode()


FB_URLENCODED, FB_FORM_DATA, FB_BASE_URL = 6, 12, 18


def dialect_seeds():
    """The first byte picks the forced dialect: 0 auto, 1 graph, 2 rails,
    3 array, 4 keyed, 5 facebook; plus 6 for an urlencoded form body, 12
    for multipart/form-data (boundary "b"); plus 18 for BatchBaseURL."""
    for pick, (stem, body) in enumerate(json_seeds()):
        yield stem, bytes([pick % 5]) + body
    yield "rails", b"\x02" + json.dumps({"ops": [
        {"method": "post", "url": "/a", "params": {"x": [1, {"y": None}]},
         "headers": {"H": "v"}, "silent": True},
        {"url": "/b?q=1", "args": {"z": "a b"}},
    ], "sequential": True}).encode()
    yield "array", b"\x03" + json.dumps([
        {"method": "POST", "body": {"name": "ann"}},
        {"url": "/x", "body": "raw", "headers": {"Content-Type": "t/p"}},
    ]).encode()
    yield from facebook_seeds()
    yield "keyed", b"\x04" + json.dumps({
        "get1": {"method": "GET", "path": "/a", "query": {"k": "v"}},
        "post": {"method": "POST", "path": "/b", "payload": {"n": 1}},
    }).encode()


def facebook_seeds():
    deps = (VECTORS / "facebook-deps.request.batch.json").read_bytes()
    yield "facebook-json", bytes([5 + FB_BASE_URL]) + json.dumps({
        "batch": json.loads(deps), "include_headers": False}).encode()
    for path in sorted(VECTORS.glob("facebook*.request.txt")):
        yield path.stem, bytes([FB_URLENCODED]) + http_message(path)[1]
    yield "facebook-form-data", bytes([5 + FB_FORM_DATA]) + (
        b"--b\r\nContent-Disposition: form-data; name=\"batch\"\r\n\r\n"
        + json.dumps([
            {"method": "post", "name": "n", "relative_url": "a",
             "body": "x=1", "headers": ["X-A: 1", {"name": "B",
                                                   "value": "2"}]},
            {"relative_url": "b?q={result=n:$.id}", "depends_on": "n",
             "omit_response_on_success": False}]).encode()
        + b"\r\n--b\r\nContent-Disposition: form-data; "
          b"name=include_headers\r\n\r\nfalse\r\n--b--\r\n")


def multipart_seeds():
    for path in sorted(VECTORS.glob("*.request.txt")):
        headers, body = http_message(path)
        ctype = headers.get("content-type", b"")
        if ctype.lower().startswith(b"multipart/"):
            yield path.stem, ctype + b"\n" + body


def validate_seeds():
    yield "plain", b"GET\n/static/a.txt\nAccept\napplication/json\n"
    yield "relative", b"post\nusers?x=1\nX-Y\nv\t1\n/api/v1\n"
    yield "encoded", b"DELETE\n/a b/%2e%2e/c\xc3\xa9\nIf-Match\nW/\"1\"\n"
    yield "utf8", "PATCH\n/caf\u00e9?\u00e0=\U0001f600\n\n\n".encode()


def reference_seeds():
    """A template line, then the JSON answer its references read."""
    answer = json.dumps({"id": 42, "name": "Ann \"L\"", "data": [
        {"id": 1}, {"id": 2}], "crlf": "a\r\nb", "obj": {"k": [True, None]}})
    yield "url", b"ids={result=a:$.data.*.id}&n={result=a:$.name}\n" + \
        answer.encode()
    yield "paths", b"{result=a:$}{result=b:$.obj.k[1]}{result=c:$[*].x}\n" + \
        answer.encode()
    yield "control", b"v={result=a:$.crlf} {x} {result=\n" + answer.encode()
    yield "not-json", b"{result=a:$.id}\nplain text"


def emit_seeds():
    yield "one", (b"\x00\x00\x00OK\xff\x01\x02X-A\xff1\xff"
                  b"{\"a\": [1, 2]}")
    yield "three", (b"\x02\x07\x01\x2cCreated\xff\x02\x01Location\xff/u/1"
                    b"\xff\xc3\xa9t\xe9\xff\x00\x01\xff\x03\x00\x00"
                    b"\xff\x01\xff\x00\x05Teapot\xff\x04\x00\x01\x02\x03")


def cookie_seeds():
    """Flags (1: TLS), the batch's Cookie, the target, Set-Cookie lines."""
    yield "session", (b"\x00sid=old; lang=en\n/w/index.php?title=a/b\n"
                      b"sid=new; Path=/; HttpOnly; SameSite=Lax\n"
                      b"token=1; Max-Age=60; Domain=.example.org\n"
                      b"lang=; Expires=Thu, 01 Jan 1970 00:00:00 GMT\n")
    yield "tls", (b"\x01\n/app/\ns=1; Secure; Path=/app\n"
                  b"d=2; Domain=other.org\nbad\n=x\n"
                  b"e=3; expires=Sunday, 06-Nov-94 08:49:37 GMT\n")


def http1_seeds():
    """The first byte: bit 0 for a HEAD request, the rest where to cut."""
    yield "length", b"\x10HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    yield "chunked", (b"\x21HTTP/1.1 100 Continue\r\n\r\n"
                      b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked"
                      b"\r\nVary: a\r\n\r\n5;x=y\r\nhello\r\n0\r\n"
                      b"T: 1\r\n\r\n")
    yield "to-end", b"\x40HTTP/1.0 404 Not Found\nServer: x\n\nbody"
    yield "head", b"\x01HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"


HARNESSES = {
    "parse_json": json_seeds,
    "parse_multipart": multipart_seeds,
    "parse_dialects": dialect_seeds,
    "validate": validate_seeds,
    "emit": emit_seeds,
    "reference": reference_seeds,
    "cookie": cookie_seeds,
    "http1": http1_seeds,
}


def main(argv):
    out = pathlib.Path(argv[1])
    for name, seeds in HARNESSES.items():
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        for stem, data in seeds():
            (folder / stem).write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
