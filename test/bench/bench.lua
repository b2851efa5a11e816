-- Copyright 2026 The mod_batch authors
--
-- Licensed under the Apache License, Version 2.0 (the "License");
-- you may not use this file except in compliance with the License.
-- You may obtain a copy of the License at
--
--     http://www.apache.org/licenses/LICENSE-2.0
--
-- Unless required by applicable law or agreed to in writing, software
-- distributed under the License is distributed on an "AS IS" BASIS,
-- WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
-- See the License for the specific language governing permissions and
-- limitations under the License.

-- wrk script for the mod_batch benchmark (test/bench/bench.py).
--
-- Settings, from the environment (bench.py writes the files):
--   BENCH_PATHS   a file of request paths, one a line, sent in turn
--   BENCH_METHOD  GET (default) or POST
--   BENCH_BODY    a file whose bytes are every request's body (POST)
--   BENCH_CTYPE   the body's Content-Type
--   BENCH_EXPECT  a file of "<count> <needle>" lines: every answer must be
--                 a 200 holding each needle exactly count times. Without
--                 it answers are not read (as fast as wrk goes), and only
--                 wrk's own count of statuses >= 400 is checked.
-- done() prints one "bench-counts" line for bench.py.

local paths = {}
local expect = {}
local prepared = {}
local sent = 0

-- per thread (each wrk thread has its own Lua state)
non200 = 0
bad = 0

local threads = {}

local function read_file(name)
    local f = assert(io.open(name, "rb"))
    local data = f:read("*a")
    f:close()
    return data
end

local function read_expect(name)
    for line in io.lines(name) do
        local count, needle = string.match(line, "^(%d+) (.+)$")
        if count then
            expect[#expect + 1] = { count = tonumber(count), needle = needle }
        end
    end
end

-- occurrences of a plain (not pattern) string
local function occurrences(s, plain)
    local n, at = 0, 1
    while true do
        local found = string.find(s, plain, at, true)
        if not found then
            return n
        end
        n = n + 1
        at = found + #plain
    end
end

local function check_answer(status, headers, body)
    if status ~= 200 then
        non200 = non200 + 1
        return
    end
    for _, e in ipairs(expect) do
        if occurrences(body, e.needle) ~= e.count then
            bad = bad + 1
            return
        end
    end
end

-- paths are read here, before the threads start: setup() copies nothing
for line in io.lines(os.getenv("BENCH_PATHS")) do
    paths[#paths + 1] = line
end

if os.getenv("BENCH_EXPECT") then
    read_expect(os.getenv("BENCH_EXPECT"))
    response = check_answer
end

function setup(thread)
    threads[#threads + 1] = thread
end

function init(args)
    local method = os.getenv("BENCH_METHOD") or "GET"
    local body, headers = nil, {}
    if os.getenv("BENCH_BODY") then
        body = read_file(os.getenv("BENCH_BODY"))
        headers["Content-Type"] = os.getenv("BENCH_CTYPE")
    end
    for i, path in ipairs(paths) do
        prepared[i] = wrk.format(method, path, headers, body)
    end
end

function request()
    sent = sent + 1
    return prepared[(sent - 1) % #prepared + 1]
end

function done(summary, latency, requests)
    local totals = { non200 = 0, bad = 0 }
    for _, t in ipairs(threads) do
        totals.non200 = totals.non200 + t:get("non200")
        totals.bad = totals.bad + t:get("bad")
    end
    local e = summary.errors
    io.write(string.format(
        "bench-counts requests=%d duration_us=%d status_errors=%d "
        .. "non200=%d bad=%d connect_errors=%d read_errors=%d "
        .. "write_errors=%d timeouts=%d p50_us=%d\n",
        summary.requests, summary.duration, e.status, totals.non200,
        totals.bad, e.connect, e.read, e.write, e.timeout,
        latency:percentile(50)))
end
