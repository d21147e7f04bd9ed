"""Fanout benchmark, Python row: a flat fan-out of N user lookups with asyncio.gather over aiohttp.

Started by the Java harness as: python3 aiohttp_fanout.py URL N ROUNDS [ROUND_BUDGET_MS]
Prints one line: RESULT {json}, in the same shape as the Java clients' line.
"""
import asyncio
import json
import os
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


async def main(base, n, rounds, budget_ms):
    # limit=0: no connection cap. aiohttp's default (limit=100) would run a 1,000-call fan-out
    # 100 at a time; the benchmark measures the unbounded approach of the source document.
    connector = aiohttp.TCPConnector(limit=0)
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
    base_url, n_calls, n_rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    budget = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    rounds_out = asyncio.run(main(base_url, n_calls, n_rounds, budget))
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
