#!/usr/bin/env python3
"""Runs a file of requests in OpenAI's Batch API input format through the official Python client, the way its
README shows async use, for the `openai-python` row of `fanout-bench jobs`.

    python3 openai_python_jobs.py --input IN.jsonl --output OUT.jsonl \
      --base-url http://127.0.0.1:PORT/v1 --api-key KEY --concurrency 100 --summary-json FILE

One AsyncOpenAI(base_url, api_key) with its defaults (2 retries, which honour retry-after-ms / retry-after;
its own timeouts and connection pool); every line of the file becomes one chat.completions.create call under
asyncio.gather, at most --concurrency at once (an asyncio.Semaphore: the usual bound a user puts on a gather).
Each request's outcome is written as one JSON line {"custom_id", "response", "error"} as it completes.
--summary-json receives {"wall_seconds", "python", "openai"}. Needs the `openai` package (pip install openai).
"""
import argparse
import asyncio
import json
import sys
import time

import openai
from openai import AsyncOpenAI


async def run(args):
    client = AsyncOpenAI(base_url=args.base_url, api_key=args.api_key)
    limit = asyncio.Semaphore(args.concurrency)
    with open(args.input) as f:
        requests = [json.loads(line) for line in f if line.strip()]
    with open(args.output, "w") as out:

        async def one(request):
            async with limit:
                try:
                    completion = await client.chat.completions.create(**request["body"])
                    record = {"custom_id": request["custom_id"], "response": completion.model_dump(), "error": None}
                except Exception as e:  # a failure after the client's own retries
                    record = {"custom_id": request["custom_id"], "response": None,
                              "error": f"{type(e).__name__}: {e}"}
            out.write(json.dumps(record) + "\n")

        await asyncio.gather(*(one(r) for r in requests))
    await client.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--summary-json", required=True)
    args = parser.parse_args()
    start = time.monotonic()
    asyncio.run(run(args))
    wall = time.monotonic() - start
    with open(args.summary_json, "w") as f:
        json.dump({"wall_seconds": wall, "python": sys.version.split()[0], "openai": openai.__version__}, f)


if __name__ == "__main__":
    main()
