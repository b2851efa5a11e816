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

"""The examples of README and docs/*.md, run as printed against the demo.

The marker convention (docs/testing.md): a fenced block whose info string
holds the word `run` is a shell script, run with bash (-e, pipefail) in a
scratch directory with PORT set to the server's port; a block marked
`file=NAME` is written to NAME in that directory first; a block marked
`expect` right after a `run` block is what the script prints, compared with
all whitespace removed and `...` standing for any text. A block marked
`configtest` is httpd configuration, added to the server's and checked
with `apache2 -t`, after loading the modules its `needs=a,b` names. The server is the integration suite's main server, whose
configuration is the one build/demo.sh starts.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

from httpd import MODULES_DIR
from support import TIMEOUT

REPO = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)


def documents():
    return [REPO / "README"] + sorted((REPO / "docs").glob("*.md"))


class Block:
    def __init__(self, path, text, match):
        words = match.group(1).split()
        self.path = path
        self.line = text.count("\n", 0, match.start()) + 1
        self.words = words[1:]
        self.flags = set(self.words)
        self.body = match.group(2)
        self.file = next((w.split("=", 1)[1] for w in words
                          if w.startswith("file=")), None)

    @property
    def name(self):
        return "%s:%d" % (self.path.relative_to(REPO), self.line)


def blocks_of(path):
    text = path.read_text(encoding="utf-8")
    return [Block(path, text, m) for m in FENCE.finditer(text)]


def runnable():
    """Each `run` block with the files before it and its `expect` block."""
    cases = []
    for path in documents():
        blocks = blocks_of(path)
        for i, b in enumerate(blocks):
            if "run" not in b.flags:
                continue
            files = [f for f in blocks[:i] if f.file]
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            expect = nxt if nxt is not None and "expect" in nxt.flags \
                else None
            cases.append(pytest.param(b, files, expect, id=b.name))
    return cases


def matches(expected, actual):
    """Whitespace ignored; `...` in expected stands for any text."""
    squeeze = re.compile(r"\s+")
    pattern = re.escape(squeeze.sub("", expected)).replace(r"\.\.\.", ".*?")
    return re.fullmatch(pattern, squeeze.sub("", actual), re.S) is not None


@pytest.mark.parametrize("block,files,expect", runnable())
def test_example_runs_as_printed(server, tmp_path, block, files, expect):
    for f in files:
        (tmp_path / f.file).write_text(f.body, encoding="utf-8")
    env = dict(os.environ, PORT=str(server.port))
    out = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block.body],
                         cwd=tmp_path, env=env, capture_output=True,
                         timeout=TIMEOUT)
    stdout = out.stdout.decode("utf-8", "replace")
    assert out.returncode == 0, "%s failed (%d):\n%s\n%s" % (
        block.name, out.returncode, stdout, out.stderr.decode())
    if expect is not None:
        assert matches(expect.body, stdout), (
            "%s printed\n%s\nwhich is not what %s shows" % (
                block.name, stdout, expect.name))


def configtests():
    return [pytest.param(b, id=b.name) for path in documents()
            for b in blocks_of(path) if "configtest" in b.flags]


@pytest.mark.parametrize("block", configtests())
def test_configuration_example_passes_configtest(server, block):
    needs = next((w.split("=", 1)[1].split(",") for w in block.words
                  if w.startswith("needs=")), [])
    loads = ['LoadModule %s_module "%s/mod_%s.so"' % (m, MODULES_DIR, m)
             for m in needs]
    out = server.configtest(server_extra=loads + block.body.splitlines(),
                            name="example.conf")
    assert out.returncode == 0, "%s: %s%s" % (block.name, out.stdout,
                                              out.stderr)


def test_every_demo_example_is_marked():
    """A curl example against the demo that the test would not run."""
    unmarked = [b.name for path in documents() for b in blocks_of(path)
                if "$PORT" in b.body and "run" not in b.flags]
    assert unmarked == []


def test_matching_rule():
    assert matches('{"a": 1, ...}', '{"a":1,"b":2}')
    assert matches("[...]", "[]")
    assert not matches('{"a": 1}', '{"a": 2}')
