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

# make check-package: builds the Debian package libapache2-mod-batch from a
# copy of this tree (dpkg-buildpackage -us -uc -b), installs it into the
# system's apache2, runs a2enmod batch and apache2ctl configtest, starts an
# httpd from the system's enabled modules on a free loopback port (the
# system's own server and its port 80 are left alone), runs a batch
# against it, stops it, purges the package and checks that nothing of it
# is left. It refuses to start when the package or its files are already
# there, and leaves the machine as it found it. Debian 12, as root.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

pkg=libapache2-mod-batch
module=/usr/lib/apache2/modules/mod_batch.so
files=("$module" /etc/apache2/mods-available/batch.load
       /etc/apache2/mods-available/batch.conf
       /etc/apache2/mods-enabled/batch.load
       /etc/apache2/mods-enabled/batch.conf)
work=$(mktemp -d -t mod_batch-package.XXXXXX)
installed=0
conf=$work/httpd/httpd.conf

say() { echo "check-package: $*"; }
fail() { say "FAILED: $*" >&2; exit 1; }

installed_now() {
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'
}

cleanup() {
    if [ -f "$work/httpd/httpd.pid" ]; then
        /usr/sbin/apache2 -f "$conf" -k stop 2>/dev/null || true
        sleep 1
    fi
    if [ "$installed" = 1 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$pkg" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || fail "run as root: it installs a package"
! installed_now || fail "$pkg is installed already; remove it first"
for f in "${files[@]}"; do
    [ ! -e "$f" ] && [ ! -L "$f" ] \
        || fail "$f exists already (make install?); remove it first"
done

say "building the package (dpkg-buildpackage -us -uc -b)"
git rev-parse --git-dir >/dev/null 2>&1 || fail "needs a git checkout (debian/)"
mkdir -p "$work/src"
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$work/src"
(cd "$work/src" && dpkg-buildpackage -us -uc -b) \
    >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; fail "dpkg-buildpackage"; }
deb=$(ls "$work"/${pkg}_*.deb)
version=$(dpkg-deb -f "$deb" Version)
say "built $(basename "$deb")"

say "installing it"
installed=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" \
    >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "apt-get install"; }
installed_now || fail "$pkg is not installed after apt-get install"
[ -f "$module" ] || fail "no $module"
a2enmod batch >/dev/null
[ -L /etc/apache2/mods-enabled/batch.load ] || fail "a2enmod batch enabled nothing"
apache2ctl configtest 2>&1 | tail -1 | grep -qx "Syntax OK" \
    || { apache2ctl configtest >&2 || true; fail "apache2ctl configtest"; }

say "starting an httpd with the system's enabled batch module"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/httpd/htdocs/static"
echo '{"hello": "world"}' > "$work/httpd/htdocs/static/hello.json"
chmod -R a+rX "$work"
cat > "$conf" <<CONF
ServerRoot /etc/apache2
ServerName localhost
$(for f in /etc/apache2/mods-enabled/mpm_*.load /etc/apache2/mods-enabled/authz_core.load \
           /etc/apache2/mods-enabled/mime.load /etc/apache2/mods-enabled/batch.load \
           /etc/apache2/mods-enabled/batch.conf; do echo "Include $f"; done)
TypesConfig /etc/mime.types
User www-data
Group www-data
Listen 127.0.0.1:$port
PidFile $work/httpd/httpd.pid
ErrorLog $work/httpd/error_log
DocumentRoot $work/httpd/htdocs
<Directory $work/httpd/htdocs>
    Require all granted
</Directory>
<Location "/batch">
    SetHandler batch
</Location>
CONF
/usr/sbin/apache2 -f "$conf" -k start
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
done
answer=$(curl -sS "http://127.0.0.1:$port/batch" -H 'Content-Type: application/json' \
    --data '{"requests": [{"id": "1", "url": "/static/hello.json"}]}')
say "batch answered: $answer"
echo "$answer" | grep -q '"id":"1","status":200' || fail "unexpected answer"
echo "$answer" | grep -q '"body":{"hello": "world"}' || fail "unexpected body"
grep -q "BATCH2300: mod_batch/${version%-*} loaded" "$work/httpd/error_log" \
    || { cat "$work/httpd/error_log" >&2; fail "no startup notice for ${version%-*}"; }
/usr/sbin/apache2 -f "$conf" -k stop
for _ in $(seq 50); do
    [ -f "$work/httpd/httpd.pid" ] || break
    sleep 0.1
done

say "purging it"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$pkg" >"$work/purge.log" 2>&1 \
    || { cat "$work/purge.log" >&2; fail "apt-get purge"; }
installed=0
left=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
[ -z "$left" ] || fail "dpkg still knows $pkg after purge: $left"
for f in "${files[@]}" /var/lib/apache2/module/enabled_by_maint/batch \
         /var/lib/apache2/module/enabled_by_admin/batch; do
    [ ! -e "$f" ] && [ ! -L "$f" ] || fail "$f is left after purge"
done
say "build, install, a2enmod, configtest, a batch, purge: OK"
