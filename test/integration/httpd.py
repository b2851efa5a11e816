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
# limitations under the License.

"""A throwaway Apache httpd for mod_batch's integration tests and demo.

It generates a configuration and a document tree in a directory of its own,
runs Debian's /usr/sbin/apache2 on a free loopback port, and stops it again.
Nothing under /etc/apache2 is used or touched.

Used by conftest.py; also a command line tool for the demo:

    /usr/bin/python3 test/integration/httpd.py demo [--dir DIR] [--port N]
    /usr/bin/python3 test/integration/httpd.py stop --dir DIR
"""

import argparse
import base64
import errno
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FIXTURES = HERE / "fixtures"

APACHE2 = os.environ.get("APACHE2", "/usr/sbin/apache2")
MODULES_DIR = Path(os.environ.get("APACHE_MODULES_DIR",
                                  "/usr/lib/apache2/modules"))
MIME_TYPES = "/etc/mime.types"
RUN_USER = os.environ.get("HTTPD_USER", "www-data")

DEMO_USER = "alice"
DEMO_PASSWORD = "secret"
BIG_FILE_SIZE = 1024 * 1024

BUILD_HINT = "build the module first: autoreconf -fi && ./configure && make"

# Sanitizer runs (build/test-sanitized-httpd.sh, build/test-tsan-httpd.sh):
# the runtime libraries to preload into apache2 for a module built with
# -fsanitize, and the APR pool shim (test/support/pool_shim.c),
# space-separated. ASAN_OPTIONS and TSAN_OPTIONS (each with a log_path into
# the server's directory added), LSAN_OPTIONS and UBSAN_OPTIONS pass on
# from the environment.
PRELOAD = os.environ.get("BATCH_HTTPD_PRELOAD", "").strip()
# The first line of a sanitizer report
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     ": runtime error: ", "WARNING: ThreadSanitizer")
REPORT_MAX_LINES = 100
# BATCH_CONCURRENCY=N (N > 1) sets BatchConcurrency N for every batch
# endpoint of the main server, to run the whole suite in parallel mode.
CONCURRENCY = int(os.environ.get("BATCH_CONCURRENCY", "1") or "1")
# BATCH_ENGINE=request sets BatchEngine request for every batch endpoint of
# the main server, to run the whole suite with operations as requests.
ENGINE = os.environ.get("BATCH_ENGINE", "subrequest") or "subrequest"


class HttpdError(Exception):
    pass


# --------------------------------------------------------------------------
# Locating things

def module_setting():
    """The module under test: a Path, or None when BATCH_MODULE=none."""
    value = os.environ.get("BATCH_MODULE", "")
    if value.lower() == "none":
        return None
    if value:
        return Path(value).resolve()
    return REPO / ".libs" / "mod_batch.so"


def php_module():
    found = sorted(MODULES_DIR.glob("libphp*.so"))
    return found[-1] if found else None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _running_as_root():
    return os.geteuid() == 0


def _open_path_for_others(path):
    """httpd's children run as www-data when we are root: let them reach
    PATH through directories such as pytest's 0700 base temp dir."""
    if not _running_as_root():
        return
    p = Path(path).resolve()
    for d in [p] + list(p.parents):
        try:
            st = d.stat()
        except OSError:
            continue
        if st.st_uid == os.geteuid() and (st.st_mode & 0o011) != 0o011:
            os.chmod(d, (st.st_mode & 0o7777) | 0o011)


# --------------------------------------------------------------------------
# The backend behind mod_proxy_http

class _EchoHandler(BaseHTTPRequestHandler):
    """Answers every request with JSON describing it.

    ?status=N answers status N. Requests are also kept in server.seen so a
    test can check what did (or did not) reach the backend.

    Faults, for test_faults.py: ?hangup=1 closes the connection without
    answering; ?cut=N promises a 2*N byte body, sends N bytes and closes;
    ?bytes=N answers N bytes of text/plain instead of the JSON record.
    """

    protocol_version = "HTTP/1.1"
    server_version = "batch-test-backend"

    def log_message(self, fmt, *args):
        pass

    def _read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            body = b""
            while True:
                size_line = self.rfile.readline()
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        length = self.headers.get("Content-Length")
        if length:
            return self.rfile.read(int(length))
        return b""

    def _handle(self):
        body = self._read_body()
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        record = {
            "method": self.command,
            "path": parts.path,
            "query": parts.query,
            "headers": {k: v for k, v in self.headers.items()},
            "content_length": self.headers.get("Content-Length"),
            "transfer_encoding": self.headers.get("Transfer-Encoding"),
            "body": body.decode("utf-8", "replace"),
            "body_length": len(body),
        }
        self.server.seen.append(record)
        if self._answer_fault(query):
            return
        status = int(query.get("status", "200"))
        out = json.dumps(record, sort_keys=True).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Backend", "yes")
        if self.command == "HEAD" or status in (204, 304):
            self.send_header("Content-Length", "0" if status == 204
                             else str(len(out)))
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def _answer_fault(self, query):
        """Answers a fault query (see the class comment); False if none."""
        if "hangup" in query:
            self.close_connection = True
            return True
        if "cut" in query:
            sent = int(query["cut"])
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(2 * sent))
            self.end_headers()
            self.wfile.write(b"c" * sent)
            self.close_connection = True
            return True
        if "bytes" in query:
            self._send_bytes(int(query["bytes"]))
            return True
        return False

    def _send_bytes(self, n):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        block = b"b" * 65536
        try:
            while n > 0:
                self.wfile.write(block[:n])
                n -= min(n, len(block))
        except OSError:     # the proxy gave up reading: that is the point
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle
    do_HEAD = do_OPTIONS = _handle


class Backend:
    """A JSON echo server on a free loopback port, in a thread."""

    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
        self.server.daemon_threads = True
        self.server.seen = []
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       name="batch-test-backend", daemon=True)

    @property
    def seen(self):
        return self.server.seen

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------
# PHP-FPM behind mod_proxy_fcgi (test_guards.py)

def php_fpm_binary():
    found = sorted(Path("/usr/sbin").glob("php-fpm*"))
    return found[-1] if found else None


class PhpFpm:
    """Debian's php-fpm with a generated pool on a unix socket in its own
    directory, serving fixtures/fpm; its master process is ours."""

    def __init__(self, gen_dir):
        self.dir = Path(gen_dir).resolve()
        self.socket = self.dir / "run" / "php-fpm.sock"
        self.conf_file = self.dir / "conf" / "php-fpm.conf"
        self.log = self.dir / "logs" / "php-fpm.log"
        self.docroot = self.dir / "fpm"
        self._proc = None

    def _config(self):
        lines = [
            "[global]",
            "pid = %s" % (self.dir / "run" / "php-fpm.pid"),
            "error_log = %s" % self.log,
            "daemonize = no",
            "[batch-test]",
            "listen = %s" % self.socket,
            "listen.mode = 0666",
            "pm = static",
            "pm.max_children = 2",
        ]
        if _running_as_root():
            lines[5:5] = ["user = %s" % RUN_USER, "group = %s" % RUN_USER]
        return "\n".join(lines) + "\n"

    def start(self, timeout=20):
        binary = php_fpm_binary()
        if binary is None:
            raise HttpdError("php-fpm is not installed")
        for sub in ("conf", "logs", "run"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        if self.docroot.exists():
            shutil.rmtree(self.docroot)
        shutil.copytree(FIXTURES / "fpm", self.docroot)
        self.conf_file.write_text(self._config())
        _open_path_for_others(self.docroot)
        for root, dirs, files in os.walk(self.docroot):
            os.chmod(root, 0o755)
            for name in files:
                os.chmod(os.path.join(root, name), 0o644)
        # -n: no php.ini, so nothing of the machine's PHP setup applies
        self._proc = subprocess.Popen(
            [str(binary), "-n", "-y", str(self.conf_file), "-p",
             str(self.dir)], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.socket.exists():
                return self
            if self._proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise HttpdError("php-fpm did not come up:\n%s" % (
            self.log.read_text(errors="replace") if self.log.exists()
            else "(no log)"))

    def stop(self, timeout=10):
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def httpd_lines(self):
        """What a main server needs to hand *.php under /fpm/ to it, with
        Debian's php8.2-fpm.conf line that passes Authorization on."""
        return [
            "LoadModule proxy_fcgi_module %s/mod_proxy_fcgi.so"
            % MODULES_DIR,
            'SetEnvIfNoCase ^Authorization$ "(.+)" HTTP_AUTHORIZATION=$1',
            'Alias /fpm/ "%s/"' % self.docroot,
            '<Directory "%s">' % self.docroot,
            "    Require all granted",
            '    <FilesMatch ".+\\.php$">',
            '        SetHandler "proxy:unix:%s|fcgi://localhost"'
            % self.socket,
            "    </FilesMatch>",
            "</Directory>",
        ]


# --------------------------------------------------------------------------
# The server

MAIN_MODULES = [
    "mpm_event", "authn_core", "authn_file", "authz_core", "authz_host",
    "authz_user", "auth_basic", "mime", "dir", "alias", "rewrite", "headers",
    "filter", "substitute", "env", "setenvif", "cgid", "proxy", "proxy_http",
]

# The WAF server (test_waf.py): Debian's ModSecurity 2 and OWASP CRS 3.3,
# loaded there only
WAF_MODULES = ["unique_id", "security2"]
MODSECURITY_CONF = Path("/etc/modsecurity/modsecurity.conf-recommended")
CRS_LOAD = Path("/usr/share/modsecurity-crs/owasp-crs.load")

# A location protected by ModSecurity + CRS as docs/security.md's recipe
# says: JSON (application/json, read by ModSecurity's JSON processor) and
# forms; base64 operation bodies, which no WAF rule can read, refused;
# answers inspected in the aggregate's media types.
WAF_RECIPE = [
    "BatchFormats json form",
    'SecRule ARGS_NAMES "@endsWith bodyEncoding" "id:22010,phase:2,'
    't:none,deny,status:403,log,msg:\'mod_batch: base64 operation bodies '
    'are not inspected\'"',
    "SecResponseBodyMimeType text/plain text/html text/xml "
    "application/json multipart/mixed",
]
# What a site had before: every format, and the two CRS rules that refuse
# every multipart/mixed batch excluded
WAF_OPEN = [
    "BatchFormats json multipart form",
    "SecRuleRemoveById 920420 921110",
]
# As WAF_OPEN, multipart only, with the answers of the multipart aggregate
# inspected as the recipe says
WAF_ANSWERS = WAF_OPEN[1:] + ["BatchFormats multipart", WAF_RECIPE[-1]]


def waf_available():
    return ((MODULES_DIR / "mod_security2.so").exists()
            and MODSECURITY_CONF.exists() and CRS_LOAD.exists())


PHP_MODULES = [
    "mpm_prefork", "authn_core", "authz_core", "authz_host", "mime", "dir",
    "alias", "env",
]


class Httpd:
    """One httpd instance: its directory, configuration and process.

    kind is "main" (mpm_event, CGI, auth, proxy, rewrite ...) or "php"
    (mpm_prefork with mod_php). module is the mod_batch.so path or None.
    """

    def __init__(self, gen_dir, kind="main", module=None, port=None,
                 backend_port=None, log_level="warn", waf=False):
        self.dir = Path(gen_dir).resolve()
        self.kind = kind
        self.module = Path(module) if module else None
        self.port = port or free_port()
        self.backend_port = backend_port
        # the backend that is down: a loopback port bound but never
        # listening, held so that no other server can take it meanwhile
        self._down_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._down_socket.bind(("127.0.0.1", 0))
        self.down_port = self._down_socket.getsockname()[1]
        self.log_level = log_level
        self.waf = waf
        self.conf_file = self.dir / "conf" / "httpd.conf"
        self.pid_file = self.dir / "logs" / "httpd.pid"
        self.error_log = self.dir / "logs" / "error_log"
        self.access_log = self.dir / "logs" / "access_log"
        self.record_file = self.dir / "var" / "record.log"
        self.sanitizer_dir = self.dir / "logs" / "sanitizer"
        self._reports_seen = set()
        self._log_scanned = 0
        self.server_extra = []
        self.batch_extra = []
        self._pid = None

    # -- paths and URLs ---------------------------------------------------

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    def url(self, path):
        return self.base_url + path

    @property
    def host_header(self):
        return "127.0.0.1:%d" % self.port

    # -- the tree ---------------------------------------------------------

    def prepare(self):
        """Copies the fixtures and generates what is not kept in git."""
        self.dir.mkdir(parents=True, exist_ok=True)
        for sub in ("conf", "logs", "run", "var"):
            (self.dir / sub).mkdir(exist_ok=True)
        for sub in ("htdocs", "cgi-bin", "php", "wsgi", "perl"):
            target = self.dir / sub
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(FIXTURES / sub, target)
        # mod_php answers what php-fpm's vars.php answers (test_fidelity),
        # and runs the same session app (test_cookie_jar)
        for script in ("vars.php", "wiki.php"):
            shutil.copy2(FIXTURES / "fpm" / script,
                         self.dir / "php" / script)
        # the protected area also runs the echo CGI
        shutil.copy2(FIXTURES / "cgi-bin" / "echo.cgi",
                     self.dir / "htdocs" / "private" / "echo.cgi")
        # the file /alias-batch maps to (see _hidden_batch_routes)
        (self.dir / "alias-batch").mkdir(exist_ok=True)
        (self.dir / "alias-batch" / "endpoint").write_bytes(b"")
        big = self.dir / "htdocs" / "static" / "big.txt"
        line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
        data = (line * (BIG_FILE_SIZE // len(line) + 1))[:BIG_FILE_SIZE]
        big.write_bytes(data)
        sha = base64.b64encode(hashlib.sha1(DEMO_PASSWORD.encode()).digest())
        (self.dir / "conf" / "htpasswd").write_text(
            "%s:{SHA}%s\nbob:{SHA}%s\n" % (
                DEMO_USER, sha.decode(),
                base64.b64encode(hashlib.sha1(b"builder").digest()).decode()))
        self._fix_modes()
        return self

    def _fix_modes(self):
        for root, dirs, files in os.walk(self.dir):
            os.chmod(root, 0o755)
            for name in files:
                p = os.path.join(root, name)
                executable = name.endswith(".cgi")
                os.chmod(p, 0o755 if executable else 0o644)
        # CGIs (as www-data) append to the record file here
        os.chmod(self.dir / "var", 0o777)
        if PRELOAD:
            # children (as www-data) write their sanitizer reports here
            self.sanitizer_dir.mkdir(exist_ok=True)
            os.chmod(self.sanitizer_dir, 0o1777)
        _open_path_for_others(self.dir)

    # -- configuration ----------------------------------------------------

    def _load(self, names):
        return ["LoadModule %s_module %s/mod_%s.so" % (n, MODULES_DIR, n)
                for n in names]

    def _common(self, modules):
        d = self.dir
        lines = [
            "# generated by test/integration/httpd.py -- do not edit",
            'ServerRoot "%s"' % d,
            "Listen 127.0.0.1:%d" % self.port,
            "ServerName 127.0.0.1",
            'PidFile "%s"' % self.pid_file,
            'DefaultRuntimeDir "%s/run"' % d,
            'ErrorLog "%s"' % self.error_log,
            "LogLevel %s" % self.log_level,
            "Timeout 30",
            "GracefulShutdownTimeout 5",
            "KeepAlive On",
        ]
        if _running_as_root():
            lines += ["User %s" % RUN_USER, "Group %s" % RUN_USER]
        if PRELOAD:
            # keeps the children dumpable (modules/arch/unix/mod_unixd.c)
            # after they change user, so they can read /proc/self/environ,
            # where UBSan finds UBSAN_OPTIONS when its first report starts it
            lines.append('CoreDumpDirectory "%s/run"' % d)
        lines += self._load(modules)
        if self.module:
            lines.append('LoadModule batch_module "%s"' % self.module)
        lines += [
            'LogFormat "%h %l %u %t \\"%r\\" %>s %b" common',
            'CustomLog "%s" common' % self.access_log,
            'TypesConfig "%s"' % MIME_TYPES,
            "AddType application/problem+json .pjson",
            'DocumentRoot "%s/htdocs"' % d,
            "<Directory />",
            "    AllowOverride None",
            "    Require all denied",
            "</Directory>",
            '<Directory "%s/htdocs">' % d,
            "    Options FollowSymLinks",
            "    Require all granted",
            "</Directory>",
            "DirectoryIndex index.html",
        ]
        return lines

    # -- application runtimes, loaded by the tests that need them ---------

    def wsgi_lines(self):
        """The Flask app of fixtures/wsgi at /flask, in a mod_wsgi daemon
        process (test_fidelity.py)."""
        d = self.dir
        return [
            "LoadModule wsgi_module %s/mod_wsgi.so" % MODULES_DIR,
            'WSGISocketPrefix "%s/run/wsgi"' % d,
            "WSGIDaemonProcess batchflask processes=1 threads=4 "
            'python-path="%s/wsgi"' % d,
            'WSGIScriptAlias /flask "%s/wsgi/app.wsgi" '
            "process-group=batchflask application-group=%%{GLOBAL}" % d,
            '<Directory "%s/wsgi">' % d,
            "    Require all granted",
            "</Directory>",
        ]

    def perl_lines(self):
        """fixtures/perl/BatchFidelity.pm answering /perl under mod_perl
        (perl-script, so %ENV holds the CGI variables)."""
        d = self.dir
        return [
            "LoadModule perl_module %s/mod_perl.so" % MODULES_DIR,
            "PerlSwitches -I%s/perl" % d,
            "PerlModule BatchFidelity",
            'Alias /perl "%s/perl/app"' % d,
            '<Directory "%s/perl">' % d,
            "    Require all granted",
            "</Directory>",
            "<Location /perl>",
            "    SetHandler perl-script",
            "    PerlResponseHandler BatchFidelity",
            "</Location>",
        ]

    def _modsecurity_lines(self):
        """Debian's recommended ModSecurity configuration as an admin turns
        it on (SecRuleEngine On), its files in our directory, then CRS as
        Debian loads it."""
        d = self.dir
        text = MODSECURITY_CONF.read_text()
        for old, new in (
                ("SecRuleEngine DetectionOnly", "SecRuleEngine On"),
                ("/var/log/apache2/modsec_audit.log",
                 "%s/logs/modsec_audit.log" % d),
                ("SecTmpDir /tmp/", "SecTmpDir %s/var/" % d),
                ("SecDataDir /tmp/", "SecDataDir %s/var/" % d),
                ("SecUnicodeMapFile unicode.mapping",
                 "SecUnicodeMapFile %s/unicode.mapping"
                 % MODSECURITY_CONF.parent)):
            text = text.replace(old, new)
        (d / "conf" / "modsecurity.conf").write_text(text)
        lines = ["", "# ModSecurity 2 + OWASP CRS (Debian)"]
        lines += self._load(WAF_MODULES)
        lines += ['Include "%s/conf/modsecurity.conf"' % d,
                  'Include "%s"' % CRS_LOAD]
        lines += self._batch_location("/waf-batch", WAF_RECIPE)
        lines += self._batch_location("/waf-open-batch", WAF_OPEN)
        lines += self._batch_location("/waf-answers-batch", WAF_ANSWERS)
        lines += self._batch_location("/waf-request-batch",
                                      WAF_OPEN + ["BatchEngine request"])
        return lines

    def _batch_location(self, path, body):
        return ['<Location "%s">' % path, "    SetHandler batch"] + \
            ["    " + x for x in body] + ["</Location>"]

    def _auth(self, indent="    "):
        return [indent + x for x in (
            "AuthType Basic",
            'AuthName "mod_batch test"',
            "AuthBasicProvider file",
            'AuthUserFile "%s/conf/htpasswd"' % self.dir,
            "Require valid-user",
        )]

    # -- access control and hidden batch routes ---------------------------
    # (test_auth.py and test_bad_input.py; each location runs the CGIs of
    # cgi-bin, so every method reaches a handler that answers it)

    def _access_control_lines(self):
        def cgi(prefix):
            return 'ScriptAlias /%s/ "%s/cgi-bin/"' % (prefix, self.dir)

        auth_only = [x for x in self._auth() if "Require" not in x]
        return [
            "",
            "# access control per method, per address and per header",
            cgi("limit-write"),
            "<Location /limit-write/>",
        ] + auth_only + [
            "    <Limit POST PUT DELETE>",
            "        Require valid-user",
            "    </Limit>",
            "</Location>",
            cgi("limit-except"),
            "<Location /limit-except/>",
            "    <LimitExcept GET HEAD>",
            "        Require all denied",
            "    </LimitExcept>",
            "</Location>",
            cgi("ip-local"),
            "<Location /ip-local/>",
            "    Require ip 127.0.0.1",
            "</Location>",
            cgi("ip-not-local"),
            "<Location /ip-not-local/>",
            "    <RequireAll>",
            "        Require all granted",
            "        Require not ip 127.0.0.1",
            "    </RequireAll>",
            "</Location>",
            cgi("host-local"),
            "<Location /host-local/>",
            "    Require host localhost",
            "</Location>",
            cgi("host-other"),
            "<Location /host-other/>",
            "    Require host example.invalid",
            "</Location>",
            cgi("token"),
            "<Location /token/>",
            "    Require expr \"%{HTTP:X-Token} == 'letmein'\"",
            "</Location>",
            "SetEnvIf X-Token ^letmein$ token_ok",
            cgi("env-gate"),
            "<Location /env-gate/>",
            "    Require env token_ok",
            "</Location>",
        ]

    def _hidden_batch_routes(self):
        """URLs that reach a batch handler without naming a batch endpoint:
        only httpd's translate phase can tell (ops answer 508)."""
        d = self.dir
        return [
            "",
            "# batch handlers behind an Alias and a rewrite loop",
            'Alias /alias-batch "%s/alias-batch/endpoint"' % d,
            '<Directory "%s/alias-batch">' % d,
            "    Require all granted",
            "    SetHandler batch",
            "</Directory>",
            "RewriteRule ^/loop$ /batch [PT]",
        ]

    def config_lines(self, server_extra=(), batch_extra=()):
        if self.kind == "php":
            return self._php_config(server_extra, batch_extra)
        d = self.dir
        lines = self._common(MAIN_MODULES)
        lines += [
            "StartServers 1",
            "ServerLimit 2",
            "ThreadsPerChild 25",
            "MaxRequestWorkers 50",
            "MinSpareThreads 5",
            "MaxSpareThreads 50",
            "",
            "# CGI: /cgi/*.cgi",
            'ScriptSock "%s/run/cgisock"' % d,
            'ScriptAlias /cgi/ "%s/cgi-bin/"' % d,
            '<Directory "%s/cgi-bin">' % d,
            "    Options +ExecCGI",
            "    CGIPassAuth On",
            "    Require all granted",
            "</Directory>",
            'SetEnv RECORD_FILE "%s"' % self.record_file,
            "# the demo's user collection (the array dialect's example)",
            'ScriptAlias /users "%s/cgi-bin/echo.cgi"' % d,
            "",
            "# Basic auth: alice / secret",
            '<Directory "%s/htdocs/private">' % d,
        ] + self._auth() + [
            "    Options +ExecCGI",
            "    AddHandler cgi-script .cgi",
            "    CGIPassAuth On",
            "    # a batch endpoint sharing the ops' configuration",
            "    AddHandler batch .bt",
            "</Directory>",
            "",
            "<Location /denied/>",
            "    Require ip 10.255.255.1",
            "</Location>",
            "",
            "<Location /docs/>",
            "    ErrorDocument 404 /errors/404.json",
            "</Location>",
            "",
            'Alias /hdr/ "%s/htdocs/static/"' % d,
            "<Location /hdr/>",
            "    Header set X-Added yes",
            "    Header always set X-Always yes",
            "</Location>",
            'Alias /subst/ "%s/htdocs/static/"' % d,
            "<Location /subst/>",
            "    AddOutputFilterByType SUBSTITUTE text/plain",
            "    Substitute s/hello/HELLO/",
            "</Location>",
            "",
            "Redirect 302 /old-hello /static/hello.json",
            "",
            "RewriteEngine On",
            "RewriteRule ^/rw/(.*)$ /static/$1 [PT]",
            "RewriteRule ^/sneaky-batch$ /batch [PT]",
        ]
        lines += self._access_control_lines()
        if self.backend_port:
            lines += [
                "",
                "ProxyPass /proxy/ http://127.0.0.1:%d/" % self.backend_port,
                "ProxyTimeout 30",
            ]
        lines += [
            "",
            "# fault tests (test_faults.py): a proxied backend that is down;",
            "# retry=0 makes every request try to connect again",
            "ProxyPass /proxy-down/ http://127.0.0.1:%d/ retry=0"
            % self.down_port,
        ]
        if self.module:
            lines += self._hidden_batch_routes()
            lines += ["", "# batch endpoints", "LogLevel %s batch:debug"
                      % self.log_level]
            if CONCURRENCY > 1:
                # every batch endpoint runs its operations in parallel
                lines.append("BatchConcurrency %d" % CONCURRENCY)
            if ENGINE != "subrequest":
                lines.append("BatchEngine %s" % ENGINE)
            lines += self._batch_location("/batch", list(batch_extra))
            lines += self._batch_location("/limited-batch", [
                "BatchMaxOperations 3",
                "BatchMaxRequestSize 2048",
                "BatchMaxOperationResponseSize 65536",
            ])
            lines += self._batch_location("/form-batch", [
                "BatchFormats json multipart form"])
            lines += self._batch_location("/based-batch",
                                          ["BatchBaseURL /static"])
            lines += self._batch_location("/readonly-batch", [
                "BatchAllowMethods GET HEAD PROPFIND"])
            lines += self._batch_location("/noinherit-batch",
                                          ["BatchInheritHeaders Off"])
            lines += self._batch_location("/private/batch", [])
            lines += self._batch_location("/private-batch", [
                x.strip() for x in self._auth()])
            lines += self._batch_location("/sequential-batch", [
                "BatchConcurrency 1"])
            lines += self._batch_location("/parallel-batch", [
                "BatchConcurrency 8"])
            lines += self._batch_location("/pair-batch", [
                "BatchConcurrency 2"])
            lines += self._batch_location("/pair-timeout-batch", [
                "BatchConcurrency 2", "BatchTimeout 1"])
            lines += self._batch_location("/jar-batch", ["BatchCookieJar On"])
            lines += self._batch_location("/jar-parallel-batch", [
                "BatchCookieJar On", "BatchConcurrency 8"])
            lines += self._batch_location("/jar-noinherit-batch", [
                "BatchCookieJar On", "BatchInheritHeaders Off"])
            # whatever BATCH_ENGINE says (test_engine.py)
            lines += self._batch_location("/request-batch", [
                "BatchEngine request", "BatchConcurrency 1"])
            lines += self._batch_location("/request-parallel-batch", [
                "BatchEngine request", "BatchConcurrency 4"])
            if self.waf:
                lines += self._modsecurity_lines()
        lines += [""] + list(server_extra)
        return lines

    def _php_config(self, server_extra, batch_extra):
        php = php_module()
        if php is None:
            raise HttpdError("no libphp*.so in %s" % MODULES_DIR)
        d = self.dir
        lines = self._common(PHP_MODULES)
        lines += [
            "StartServers 2",
            "MinSpareServers 1",
            "MaxSpareServers 4",
            "MaxRequestWorkers 10",
            'LoadModule php_module "%s"' % php,
            'Alias /php/ "%s/php/"' % d,
            'SetEnv RECORD_FILE "%s"' % self.record_file,
            '<Directory "%s/php">' % d,
            "    Require all granted",
            '    <FilesMatch "\\.php$">',
            "        SetHandler application/x-httpd-php",
            "    </FilesMatch>",
            "</Directory>",
        ]
        if self.module:
            lines += self._batch_location("/batch", list(batch_extra))
            lines += self._batch_location("/jar-batch", ["BatchCookieJar On"])
        lines += [""] + list(server_extra)
        return lines

    def write_config(self, path=None, server_extra=None, batch_extra=None):
        if server_extra is None:
            server_extra = self.server_extra
        if batch_extra is None:
            batch_extra = self.batch_extra
        path = Path(path) if path else self.conf_file
        text = "\n".join(self.config_lines(server_extra, batch_extra)) + "\n"
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        os.chmod(path, 0o644)
        return path

    def configtest(self, server_extra=(), batch_extra=(), name="test.conf"):
        """Runs apache2 -t on a variant of the configuration; returns the
        CompletedProcess (stdout and stderr as text)."""
        path = self.write_config(self.dir / "conf" / name,
                                 list(server_extra), list(batch_extra))
        return self._apache2(["-t", "-d", str(self.dir), "-f", str(path)])

    # -- process ----------------------------------------------------------

    def _apache2(self, args):
        res = subprocess.run(
            [APACHE2] + args, capture_output=True, text=True,
            errors="replace", timeout=60, env=self.apache2_env())
        if PRELOAD and _report_blocks(res.stderr):
            # a report before httpd opened its error_log: keep it with the
            # others
            fd, _ = tempfile.mkstemp(prefix="apache2-stderr.",
                                     dir=self.sanitizer_dir)
            with os.fdopen(fd, "w") as f:
                f.write("apache2 %s\n%s" % (" ".join(args), res.stderr))
        return res

    def _ctl(self, action):
        return self._apache2(["-d", str(self.dir), "-f", str(self.conf_file),
                              "-k", action])

    def apache2_env(self):
        """The environment for apache2: ours, or with BATCH_HTTPD_PRELOAD
        the sanitizer runtime preloaded and reports logged in our dir."""
        if not PRELOAD:
            return None
        env = dict(os.environ, LD_PRELOAD=PRELOAD)
        if self.kind == "php":
            # httpd unloads its modules before the parent exits, and
            # LeakSanitizer would then take what PHP's globals held for
            # leaks: preloaded, libphp stays mapped to the end.
            env["LD_PRELOAD"] += " %s" % php_module()
            # PHP dlopens its extensions with RTLD_DEEPBIND, which the
            # sanitizer runtime refuses: no conf.d, so no shared extensions
            # (api.php needs only what is built in).
            env["PHP_INI_SCAN_DIR"] = ""
        for name in ("asan", "tsan"):
            var = name.upper() + "_OPTIONS"
            own = "log_path=%s" % (self.sanitizer_dir / name)
            env[var] = ":".join(x for x in (env.get(var), own) if x)
        return env

    def new_sanitizer_reports(self):
        """The sanitizer reports that appeared since the previous call, as
        (where, text) pairs: ASan's and LeakSanitizer's report files, and
        UBSan's reports in the error_log (UBSan writes to stderr: with ASan
        loaded, it ignores its log_path)."""
        if not PRELOAD:
            return []
        reports = []
        try:
            found = {p for p in self.sanitizer_dir.iterdir() if p.is_file()}
        except OSError:
            found = set()
        for path in sorted(found - self._reports_seen):
            try:
                lines = path.read_text(errors="replace").splitlines()
            except OSError as e:
                lines = ["(unreadable: %s)" % e]
            if len(lines) > REPORT_MAX_LINES:
                lines[REPORT_MAX_LINES:] = ["... (%d more lines)" % (
                    len(lines) - REPORT_MAX_LINES)]
            reports.append((str(path), "\n".join(lines)))
        self._reports_seen |= found
        try:
            with open(self.error_log, "rb") as f:
                f.seek(self._log_scanned)
                data = f.read()
        except OSError:
            data = b""
        self._log_scanned += len(data)
        reports += [(str(self.error_log), block) for block in
                    _report_blocks(data.decode("utf-8", "replace"))]
        return reports

    def pid(self):
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def start(self, timeout=20):
        self.write_config()
        self.error_log_mark = self.log_size()
        res = self._ctl("start")
        if res.returncode != 0:
            raise HttpdError("apache2 -k start failed (%d):\n%s%s\n%s" % (
                res.returncode, res.stdout, res.stderr, self.log_tail()))
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid = self.pid()
            if pid and alive(pid) and self._answers():
                self._pid = pid
                return self
            time.sleep(0.05)
        raise HttpdError("httpd did not come up on port %d:\n%s" % (
            self.port, self.log_tail()))

    def _answers(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                              timeout=2)
            conn.request("GET", "/index.html")
            conn.getresponse().read()
            conn.close()
            return True
        except OSError:
            return False

    def stop(self, timeout=20):
        pid = self.pid() or self._pid
        if pid is None:
            return
        # graceful-stop: on an immediate stop mpm_event's main thread closes
        # busy workers' sockets while they free them (event.c,
        # close_worker_sockets), a race in httpd that can crash a child
        self._ctl("graceful-stop")
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not alive(pid):
                break
            time.sleep(0.05)
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        # the pid file goes away a little after the parent
        while self.pid_file.exists() and time.time() < deadline:
            time.sleep(0.05)
        if self.pid_file.exists():
            self.pid_file.unlink()
        self._pid = None

    def restart(self, server_extra=None, batch_extra=None):
        """Stops, rewrites the configuration with these extra lines (None:
        keep the current ones) and starts again."""
        if server_extra is not None:
            self.server_extra = list(server_extra)
        if batch_extra is not None:
            self.batch_extra = list(batch_extra)
        self.stop()
        return self.start()

    def child_pids(self):
        """The pids of the parent's direct children (workers, cgid)."""
        parent = self.pid()
        kids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent and fields[0] != "Z":
                kids.append(int(entry))
        return kids

    def rss_kib(self):
        """{pid: VmRSS in KiB} for the children."""
        out = {}
        for pid in self.child_pids():
            try:
                with open("/proc/%d/status" % pid) as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            out[pid] = int(line.split()[1])
            except OSError:
                pass
        return out

    # -- logs -------------------------------------------------------------

    def log_size(self):
        try:
            return self.error_log.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset):
        try:
            with open(self.error_log, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines=40):
        text = self.log_since(0)
        return "\n".join(text.splitlines()[-lines:])

    # -- recorder ---------------------------------------------------------

    def recorded(self, token=None):
        """Lines record.cgi wrote (only those containing token if given)."""
        try:
            lines = self.record_file.read_text().splitlines()
        except OSError:
            return []
        return [x for x in lines if token is None or token in x]


def _report_blocks(text):
    """The sanitizer reports in a log or output: each from its first line
    to the next httpd log line."""
    blocks, block = [], None
    for line in text.splitlines():
        if any(m in line for m in SANITIZER_MARKERS):
            block = [line]
            blocks.append(block)
        elif block is not None and line.startswith("["):
            block = None
        elif block is not None and len(block) < REPORT_MAX_LINES:
            block.append(line)
    return ["\n".join(b) for b in blocks]


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError as e:
        return e.errno == errno.EPERM
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# --------------------------------------------------------------------------
# Command line: the demo

def _demo(args):
    module = Path(args.module).resolve() if args.module else module_setting()
    if module is None or not module.exists():
        print("mod_batch.so not found at %s; %s" % (module, BUILD_HINT),
              file=sys.stderr)
        return 1
    if args.dir:
        gen = Path(args.dir).resolve()
    else:
        gen = Path(tempfile.mkdtemp(prefix="mod_batch-demo-"))
    server = Httpd(gen, "main", module=module, port=args.port, log_level="info")
    if server.pid() and alive(server.pid()):
        server.stop()
    server.prepare()
    try:
        server.start()
    except HttpdError as e:
        print(str(e), file=sys.stderr)
        return 1
    print("DEMO_DIR=%s" % gen)
    print("DEMO_PORT=%d" % server.port)
    print("DEMO_PID=%d" % server.pid())
    print("DEMO_USER=%s" % DEMO_USER)
    print("DEMO_PASSWORD=%s" % DEMO_PASSWORD)
    return 0


def _stop(args):
    server = Httpd(args.dir, "main")
    server.stop()
    print("stopped httpd in %s" % server.dir)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    demo = sub.add_parser("demo", help="start a demo httpd and leave it running")
    demo.add_argument("--dir", help="directory for config and logs "
                      "(default: a new one under /tmp)")
    demo.add_argument("--port", type=int, help="port (default: a free one)")
    demo.add_argument("--module", help="path of mod_batch.so")
    stop = sub.add_parser("stop", help="stop a demo httpd")
    stop.add_argument("--dir", required=True)
    args = ap.parse_args(argv)
    return {"demo": _demo, "stop": _stop}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
