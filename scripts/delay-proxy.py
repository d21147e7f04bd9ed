#!/usr/bin/env python3
"""A TCP proxy that delays every byte by a fixed one-way time, to measure clients over a round trip on one machine.

usage: delay-proxy.py LISTEN_PORT TARGET_PORT ONE_WAY_SECONDS

Listens on 127.0.0.1:LISTEN_PORT and forwards each connection to 127.0.0.1:TARGET_PORT. The connection to the
target is opened ONE_WAY_SECONDS after the client's, and every chunk read on either side is written on the
other ONE_WAY_SECONDS after it was read, in order: a round trip of twice that, for the TCP handshake, the TLS
handshake and each request. Bandwidth is not limited. Standard library only; stop it with Ctrl-C.
"""
import asyncio, sys, time
LISTEN, TARGET, DELAY = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
async def pump(reader, writer):
    q = asyncio.Queue()
    async def deliver():
        while True:
            at, data = await q.get()
            if data is None:
                try: writer.write_eof()
                except Exception: pass
                return
            d = at - time.monotonic()
            if d > 0: await asyncio.sleep(d)
            writer.write(data)
            await writer.drain()
    t = asyncio.create_task(deliver())
    try:
        while True:
            data = await reader.read(65536)
            if not data: break
            q.put_nowait((time.monotonic() + DELAY, data))
    except Exception:
        pass
    q.put_nowait((time.monotonic() + DELAY, None))
    try: await t
    except Exception: pass
async def handle(cr, cw):
    try:
        await asyncio.sleep(DELAY)  # the SYN's way there; the SYN-ACK comes back with the first delayed bytes
        ur, uw = await asyncio.open_connection('127.0.0.1', TARGET)
    except Exception:
        cw.close(); return
    await asyncio.gather(pump(cr, uw), pump(ur, cw), return_exceptions=True)
    for w in (uw, cw):
        try: w.close()
        except Exception: pass
async def main():
    srv = await asyncio.start_server(handle, '127.0.0.1', LISTEN, backlog=4096)
    print("proxy", LISTEN, "->", TARGET, "one-way", DELAY, flush=True)
    async with srv: await srv.serve_forever()
asyncio.run(main())
