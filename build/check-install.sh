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

# make check-install: `make install` into a scratch DESTDIR puts the
# module, batch.load and batch.conf where configure said; httpd accepts
# batch.load with batch.conf's directives uncommented; `make uninstall`
# removes every file install put there. Run from the build directory.
set -euo pipefail

make_=${MAKE:-make}
dest=$(mktemp -d -t mod_batch-install.XXXXXX)
trap 'rm -rf "$dest" "$dest.log"' EXIT
modulesdir=$(sed -n 's/^APACHE_MODULESDIR = //p' Makefile)
confdir=$(sed -n 's/^APACHE_CONFDIR = //p' Makefile)

fail() { echo "check-install: $*" >&2; exit 1; }

$make_ -s install DESTDIR="$dest" >"$dest.log" 2>&1 \
    || { cat "$dest.log" >&2; fail "make install failed"; }
for f in "$modulesdir/mod_batch.so" "$confdir/batch.load" "$confdir/batch.conf"; do
    [ -f "$dest$f" ] || fail "make install did not install $f"
done
grep -qx "LoadModule batch_module $modulesdir/mod_batch.so" \
    "$dest$confdir/batch.load" || fail "batch.load: $(cat "$dest$confdir/batch.load")"

# the installed files, as an administrator would enable them, every
# directive of batch.conf uncommented at its default
conf="$dest/httpd.conf"
{
    echo "ServerRoot /etc/apache2"
    echo "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so"
    echo "LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so"
    echo "Listen 127.0.0.1:8"   # apache2 -t binds nothing
    echo "ServerName localhost"
    echo "ErrorLog /dev/stderr"
    echo "PidFile $dest/httpd.pid"
    sed "s|$modulesdir/|$dest$modulesdir/|" "$dest$confdir/batch.load"
    sed 's/^\( *\)#\(Batch\)/\1\2/' "$dest$confdir/batch.conf"
} > "$conf"
/usr/sbin/apache2 -t -f "$conf" || fail "configtest failed"

$make_ -s uninstall DESTDIR="$dest" >/dev/null
left=$(find "$dest" -type f ! -name httpd.conf)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "check-install: install, configtest and uninstall OK"
