"""Fanout benchmark, Python row: a flat fan-out of N user lookups with asyncio.gather over aiohttp.

Started by the Java harness as: python3 aiohttp_fanout.py URL N ROUNDS [ROUND_BUDGET_MS] [--ca FILE] [--pause]
Prints one line: RESULT {json}, in the same shape as the Java clients' line.

--ca FILE trusts the PEM certificate authority in FILE for an https URL (the SSL context a user builds for a
private CA). --pause prints ROUND {json} after each round and reads a line from stdin before the next, so the
caller can read the server's counters between rounds.
"""
import asyncio
import json
import os
import ssl
import sys
import time

import aiohttp


async def fetch(session, base, user_id):
    async with session.get(f"{base}/users/{user_id}") as resp:
        body = await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status} for user {user_id}")
        if json.loads(body)["id"] != user_id:
            raise RuntimeError(f"wrong user for {user_id}")
        return user_id


async def main(base, n, rounds, budget_ms, ca=None, pause=False):
    # limit=0: no connection cap. aiohttp's default (limit=100) would run a 1,000-call fan-out
    # 100 at a time; the benchmark measures the unbounded approach of the source document.
    connector = aiohttp.TCPConnector(limit=0, ssl=ssl.create_default_context(cafile=ca) if ca else None)
    timeout = aiohttp.ClientTimeout(total=None)
    rs = []
    spent = 0.0
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for _ in range(rounds):
            start = time.perf_counter()
            results = await asyncio.gather(
                *(fetch(session, base, i) for i in range(1, n + 1)), return_exceptions=True)
            wall = time.perf_counter() - start
            failures = sum(1 for r in results if isinstance(r, BaseException))
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
    base_url, n_calls, n_rounds = args[0], int(args[1]), int(args[2])
    budget = int(args[3]) if len(args) > 3 else 0
    rounds_out = asyncio.run(main(base_url, n_calls, n_rounds, budget, ca_file, pause_between))
    times = os.times()
    out = {
        "client": "aiohttp",
        "python": sys.version.split()[0],
        "aiohttp": aiohttp.__version__,
        "rounds": rounds_out,
        "cpuS": round(times.user + times.system, 3),
        "peakRssKib": peak_rss_kib(),
    }
    print("RESULT " + json.dumps(out), flush=True)
