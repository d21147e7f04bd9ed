"""Fanout benchmark, Python row: a flat fan-out of N user lookups with asyncio.gather over aiohttp.

Started by the Java harness as: python3 aiohttp_fanout.py URL N ROUNDS [ROUND_BUDGET_MS] [--ca FILE] [--pause]
Prints one line: RESULT {json}, in the same shape as the Java clients' line.

--ca FILE trusts the PEM certificate authority in FILE for an https URL (the SSL context a user builds for a
private CA). --pause prints ROUND {json} after each round and reads a line from stdin before the next, so the
caller can read the server's counters between rounds. --httpx runs the same fan-out with httpx over HTTP/2
instead (one AsyncClient(http2=True), no connection cap, no timeout, as the aiohttp session here).
"""
import asyncio
import json
import os
import ssl
import sys
import time

import aiohttp

try:
    import httpx
except ImportError:
    httpx = None


async def fetch(session, base, user_id):
    async with session.get(f"{base}/users/{user_id}") as resp:
        body = await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status} for user {user_id}")
        if json.loads(body)["id"] != user_id:
            raise RuntimeError(f"wrong user for {user_id}")
        return user_id


async def fetch_httpx(client, base, user_id):
    resp = await client.get(f"{base}/users/{user_id}")
    if resp.status_code != 200:
        raise RuntimeError(f"HTTP {resp.status_code} for user {user_id}")
    if resp.json()["id"] != user_id:
        raise RuntimeError(f"wrong user for {user_id}")
    return user_id


class HttpxSession:
    """An httpx AsyncClient behind the two calls main() makes of an aiohttp session."""

    def __init__(self, ca):
        self.client = httpx.AsyncClient(http2=True, verify=ca if ca else True, timeout=None,
                                        limits=httpx.Limits(max_connections=None, max_keepalive_connections=None))

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.client.aclose()


async def main(base, n, rounds, budget_ms, ca=None, pause=False, use_httpx=False):
    # limit=0: no connection cap. aiohttp's default (limit=100) would run a 1,000-call fan-out
    # 100 at a time; the benchmark measures the unbounded approach of the source document.
    if use_httpx:
        session_cm = HttpxSession(ca)
    else:
        connector = aiohttp.TCPConnector(limit=0, ssl=ssl.create_default_context(cafile=ca) if ca else None)
        session_cm = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=None))
    rs = []
    spent = 0.0
    get = (lambda s, i: fetch_httpx(s.client, base, i)) if use_httpx else (lambda s, i: fetch(s, base, i))
    async with session_cm as session:
        for _ in range(rounds):
            start = time.perf_counter()
            results = await asyncio.gather(*(get(session, i) for i in range(1, n + 1)), return_exceptions=True)
            wall = time.perf_counter() - start
            errors = [r for r in results if isinstance(r, BaseException)]
            failures = len(errors)
            if errors:
                print(f"round {len(rs) + 1}: {failures} failed; first: {errors[0]!r}", file=sys.stderr, flush=True)
            rs.append({"wallMs": round(wall * 1000, 2), "failures": failures})
            spent += wall
            if pause:
                print("ROUND " + json.dumps(rs[-1]), flush=True)
                if len(rs) < rounds:
                    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
            if len(rs) >= 2 and budget_ms > 0 and spent * 1000 > budget_ms:
                break
    return rs


def peak_rss_kib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


if __name__ == "__main__":
    args = sys.argv[1:]
    ca_file = None
    if "--ca" in args:
        i = args.index("--ca")
        ca_file = args[i + 1]
        del args[i:i + 2]
    pause_between = "--pause" in args
    if pause_between:
        args.remove("--pause")
    with_httpx = "--httpx" in args
    if with_httpx:
        args.remove("--httpx")
    base_url, n_calls, n_rounds = args[0], int(args[1]), int(args[2])
    budget = int(args[3]) if len(args) > 3 else 0
    rounds_out = asyncio.run(main(base_url, n_calls, n_rounds, budget, ca_file, pause_between, with_httpx))
    times = os.times()
    out = {
        "client": "httpx" if with_httpx else "aiohttp",
        "python": sys.version.split()[0],
        "aiohttp": aiohttp.__version__,
        "httpx": httpx.__version__ if httpx else None,
        "rounds": rounds_out,
        "cpuS": round(times.user + times.system, 3),
        "peakRssKib": peak_rss_kib(),
    }
    print("RESULT " + json.dumps(out), flush=True)
