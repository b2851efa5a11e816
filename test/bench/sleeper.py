#!/usr/bin/python3
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

"""A backend that waits: every request is answered after DELAY_MS with a
small JSON body, over HTTP/1.1 keep-alive, a thread per connection, so
mod_proxy's connections to it are reused and as many requests wait at once
as the server sends.

    /usr/bin/python3 test/bench/sleeper.py DELAY_MS

It listens on a free port of 127.0.0.1, prints "sleeper-port N" once it
does, and serves until it is killed. Used by bench.py (ops that wait).
"""

import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b'{"slept": true}\n'


class SleepHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go in two writes: without TCP_NODELAY the second
    # waits for the proxy's delayed ACK (40 ms), not for DELAY_MS
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        time.sleep(self.server.delay)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), SleepHandler)
    server.daemon_threads = True
    server.delay = int(sys.argv[1]) / 1000.0
    print("sleeper-port %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
