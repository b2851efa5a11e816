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

-- wrk script for the mod_batch soak (test/soak/soak.sh): posts JSON and
-- multipart/mixed batches in turn to /batch and checks every answer.
--
-- Each batch mixes static files, a 404, a CGI, a proxied POST and a HEAD.
-- A batch counts as bad unless it is a 200 of the right format with one
-- entry per operation and the statuses those operations must have. The
-- totals are printed by done() as one "soak-counts" line for soak.py.

local JSON_OPS = {
    { id = "static", method = "GET", url = "/static/hello.json" },
    { id = "text", method = "GET", url = "/static/a.txt" },
    { id = "missing", method = "GET", url = "/static/missing.json" },
    { id = "cgi", method = "POST", url = "/cgi/echo.cgi",
      body = '{"soak": "cgi"}' },
    { id = "proxy", method = "POST", url = "/proxy/soak",
      body = '{"soak": "proxy"}' },
    { id = "head", method = "HEAD", url = "/static/big.txt" },
}

local MP_OPS = {
    { id = "static", method = "GET", url = "/static/hello.json" },
    { id = "missing", method = "GET", url = "/static/missing.json" },
    -- a shell CGI whose Location: is an internal redirect
    { id = "cgi", method = "GET", url = "/cgi/redirect.cgi" },
    { id = "proxy", method = "POST", url = "/proxy/soak-mp",
      body = '{"soak": "multipart"}' },
    { id = "head", method = "HEAD", url = "/static/a.txt" },
}

local BOUNDARY = "soak_boundary_7f3a"

local function json_batch(ops)
    local items = {}
    for _, op in ipairs(ops) do
        local item = string.format('{"id": "%s", "method": "%s", "url": "%s"',
                                   op.id, op.method, op.url)
        if op.body then
            item = item .. ', "headers": {"Content-Type": '
                   .. '"application/json"}, "body": ' .. op.body
        end
        items[#items + 1] = item .. "}"
    end
    return '{"requests": [' .. table.concat(items, ", ") .. "]}"
end

local function multipart_batch(ops)
    local parts = {}
    for _, op in ipairs(ops) do
        local part = "--" .. BOUNDARY .. "\r\n"
            .. "Content-Type: application/http\r\n"
            .. "Content-ID: <" .. op.id .. ">\r\n\r\n"
            .. op.method .. " " .. op.url .. " HTTP/1.1\r\n"
        if op.body then
            part = part .. "Content-Type: application/json\r\n"
                .. "Content-Length: " .. #op.body .. "\r\n\r\n" .. op.body
        end
        parts[#parts + 1] = part .. "\r\n"
    end
    return table.concat(parts) .. "--" .. BOUNDARY .. "--\r\n"
end

-- occurrences of a plain (not pattern) string
local function count(s, plain)
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

local function json_ok(body)
    return count(body, '"status":') == #JSON_OPS
        and count(body, '"status":200') == #JSON_OPS - 1
        and count(body, '"status":404') == 1
end

local function multipart_ok(body)
    return count(body, "Content-Type: application/http") == #MP_OPS
        and count(body, "HTTP/1.1 200 OK") == #MP_OPS - 1
        and count(body, "HTTP/1.1 404 Not Found") == 1
end

-- per thread (each wrk thread has its own Lua state)
local requests_made = 0
local prepared = {}
json_batches = 0
multipart_batches = 0
non200 = 0
bad = 0

local threads = {}

function setup(thread)
    threads[#threads + 1] = thread
end

function init(args)
    prepared[1] = wrk.format("POST", "/batch",
                             { ["Content-Type"] = "application/json" },
                             json_batch(JSON_OPS))
    prepared[2] = wrk.format("POST", "/batch",
                             { ["Content-Type"] = "multipart/mixed; boundary="
                               .. BOUNDARY },
                             multipart_batch(MP_OPS))
end

function request()
    requests_made = requests_made + 1
    return prepared[requests_made % 2 + 1]
end

function response(status, headers, body)
    if status ~= 200 then
        non200 = non200 + 1
        return
    end
    local ctype = headers["Content-Type"] or ""
    if string.find(ctype, "multipart/mixed", 1, true) then
        multipart_batches = multipart_batches + 1
        if not multipart_ok(body) then
            bad = bad + 1
        end
    else
        json_batches = json_batches + 1
        if not json_ok(body) then
            bad = bad + 1
        end
    end
end

function done(summary, latency, requests)
    local totals = { json = 0, multipart = 0, non200 = 0, bad = 0 }
    for _, t in ipairs(threads) do
        totals.json = totals.json + t:get("json_batches")
        totals.multipart = totals.multipart + t:get("multipart_batches")
        totals.non200 = totals.non200 + t:get("non200")
        totals.bad = totals.bad + t:get("bad")
    end
    local e = summary.errors
    io.write(string.format(
        "soak-counts requests=%d duration_us=%d json=%d multipart=%d "
        .. "json_ops=%d multipart_ops=%d non200=%d bad=%d "
        .. "connect_errors=%d read_errors=%d write_errors=%d "
        .. "timeouts=%d p50_ms=%.1f p99_ms=%.1f\n",
        summary.requests, summary.duration, totals.json, totals.multipart,
        #JSON_OPS, #MP_OPS, totals.non200, totals.bad, e.connect, e.read,
        e.write, e.timeout, latency:percentile(50) / 1000,
        latency:percentile(99) / 1000))
end
