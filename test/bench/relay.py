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

"""A TCP relay on loopback that emulates distance: every chunk it reads is
written on DELAY_MS later, in each direction, so a round trip through it
takes twice DELAY_MS (loopback has no netem here). Chunks are not held
back behind each other: a burst arrives DELAY_MS late, not slower.

    /usr/bin/python3 test/bench/relay.py TARGET_PORT DELAY_MS

It listens on a free port of 127.0.0.1, prints "relay-port N" once it does,
and relays every connection it accepts to 127.0.0.1:TARGET_PORT until it
is killed. Used by bench.py.
"""

import asyncio
import sys

CHUNK = 65536


async def delayed_pipe(reader, writer, delay):
    """Copies reader to writer, each chunk delay seconds after it came; a
    half close is passed on as late as the data before it."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def forward():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(forward())
    try:
        while True:
            data = await reader.read(CHUNK)
            queue.put_nowait((loop.time() + delay, data))
            if not data:
                break
        await sender
    finally:
        sender.cancel()


async def relay_one(client_reader, client_writer, target_port, delay):
    try:
        server_reader, server_writer = await asyncio.open_connection(
            "127.0.0.1", target_port)
    except OSError:
        client_writer.close()
        return
    try:
        await asyncio.gather(
            delayed_pipe(client_reader, server_writer, delay),
            delayed_pipe(server_reader, client_writer, delay))
    except OSError:
        pass    # one side reset: the other is closed below
    finally:
        client_writer.close()
        server_writer.close()


async def main(target_port, delay):
    server = await asyncio.start_server(
        lambda r, w: relay_one(r, w, target_port, delay), "127.0.0.1", 0)
    print("relay-port %d" % server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: relay.py TARGET_PORT DELAY_MS")
    try:
        asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]) / 1000.0))
    except KeyboardInterrupt:
        pass
