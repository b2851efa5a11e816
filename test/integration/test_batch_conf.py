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

"""conf/batch.conf, which make install and the Debian package install: every
directive of the module, commented out at the default docs/directives.md
gives, and valid when uncommented."""

import re

from httpd import REPO

BATCH_CONF = REPO / "conf" / "batch.conf"


def module_directives():
    """The names in the module's directive table (src/*.c)."""
    names = set()
    for src in (REPO / "src").glob("mod_batch_*.c"):
        names |= set(re.findall(r'AP_INIT_[A-Z0-9_]+\(\s*"(Batch\w+)"',
                                src.read_text()))
    return names


def documented_defaults():
    """{name: its Default line} from docs/directives.md."""
    text = (REPO / "docs" / "directives.md").read_text()
    return {name: line for line, name in re.findall(
        r"^\| Default \| `((Batch\w+)[^`]*)` \|$", text, re.M)}


def commented_defaults():
    return {m.group(2): m.group(1) for m in re.finditer(
        r"^ *#((Batch\w+).*)$", BATCH_CONF.read_text(), re.M)}


def test_every_directive_is_documented_and_in_batch_conf():
    names = module_directives()
    assert names, "no directive table found"
    assert set(documented_defaults()) == names
    assert set(commented_defaults()) == names


def test_batch_conf_shows_the_documented_defaults():
    assert commented_defaults() == documented_defaults()


def test_batch_conf_uncommented_passes_configtest(server):
    lines = [re.sub(r"^( *)#(Batch)", r"\1\2", line)
             for line in BATCH_CONF.read_text().splitlines()]
    out = server.configtest(server_extra=lines, name="batch-conf.conf")
    assert out.returncode == 0, out.stdout + out.stderr
