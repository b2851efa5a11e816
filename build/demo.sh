#!/usr/bin/env bash
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

# Builds mod_batch and starts a throwaway httpd on 127.0.0.1 with a small
# demo API, then prints a batch request to paste and how to stop the server.
# Run from anywhere in a clone, on Debian 12, as root or with sudo.
# The server keeps running after this script exits.
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)

sudo=
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "run as root or install sudo" >&2; exit 1; }
    sudo=sudo
fi

# --- packages -----------------------------------------------------------------
# (gcc and make: --no-install-recommends would leave them out)
packages="apache2 apache2-dev libjson-c-dev autoconf automake libtool pkg-config
          make gcc python3 python3-requests curl"
missing=
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    echo "==> installing:$missing"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi

# --- build --------------------------------------------------------------------
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    echo "==> autoreconf"
    autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ] || [ Makefile.am -nt Makefile ]; then
    echo "==> configuring"
    ./configure --with-apxs=/usr/bin/apxs
fi
echo "==> building (make)"
make -s
module="$top/.libs/mod_batch.so"
[ -f "$module" ] || { echo "build produced no $module" >&2; exit 1; }

# --- start the demo server ------------------------------------------------------
out=$(BATCH_MODULE="$module" /usr/bin/python3 test/integration/httpd.py demo)
eval "$out"     # DEMO_DIR DEMO_PORT DEMO_PID DEMO_USER DEMO_PASSWORD
base="http://127.0.0.1:$DEMO_PORT"

cat <<EOF

mod_batch demo running: $base   (pid $DEMO_PID, files in $DEMO_DIR)

Demo API
  $base/static/hello.json        static JSON
  $base/static/a.txt             static text
  $base/cgi/echo.cgi             a CGI that echoes the request as JSON
  $base/cgi/status.cgi?code=404  a CGI answering any status
  $base/private/data.json        Basic auth: user $DEMO_USER, password $DEMO_PASSWORD
  $base/users                    a users API (the echo CGI)
  $base/batch                    the batch endpoint (SetHandler batch)

Paste this batch (four operations, one request):

curl -sS $base/batch -u $DEMO_USER:$DEMO_PASSWORD -H 'Content-Type: application/json' --data '{
  "requests": [
    {"id": "1", "method": "GET",  "url": "/static/hello.json"},
    {"id": "2", "method": "POST", "url": "/cgi/echo.cgi?x=1", "body": {"title": "Test Product"}},
    {"id": "3", "method": "GET",  "url": "/private/data.json"},
    {"id": "4", "method": "GET",  "url": "/cgi/status.cgi?code=404", "dependsOn": ["1"]}
  ]
}' | /usr/bin/python3 -m json.tool

The examples in README and docs/ use \$PORT:
  export PORT=$DEMO_PORT

Config: $DEMO_DIR/conf/httpd.conf    Error log: $DEMO_DIR/logs/error_log

Stop the server:
  /usr/bin/python3 $top/test/integration/httpd.py stop --dir $DEMO_DIR
EOF
