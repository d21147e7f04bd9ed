#!/usr/bin/env python3
"""Runs OpenAI's cookbook script api_request_parallel_processor.py on a file of chat requests, as its
README runs it, for the `cookbook` row of `fanout-bench jobs`.

The script is not copied into this repository. Download it (MIT license, Copyright (c) 2023 OpenAI) from
    https://github.com/openai/openai-cookbook/blob/main/examples/api_request_parallel_processor.py
for example with
    curl -o bench/scripts/cookbook/api_request_parallel_processor.py \
      https://raw.githubusercontent.com/openai/openai-cookbook/main/examples/api_request_parallel_processor.py
It needs aiohttp (Debian: apt-get install python3-aiohttp).

Nothing inside the script is changed. Two things around it are supplied here, and only these:
- `tiktoken`: the script imports it to count prompt tokens. A small stand-in module is installed in its place,
  always (even where tiktoken is installed, so every machine counts alike): a text counts ceil(characters / 4)
  tokens, the estimate fanout-jobs makes. The script adds its own per-message overhead and max_tokens on top.
- `api_endpoint_from_url`: the script accepts only https:// URLs (it reads the endpoint name from the URL to
  pick its token count). The version here also accepts http://, so the script can reach a mock on loopback.
Then its process_api_requests_from_file runs with the arguments its own command line takes, under the same
names and defaults.

    python3 cookbook_jobs.py --script PATH --summary_json FILE \
      --requests_filepath IN.jsonl --save_filepath OUT.jsonl --request_url http://127.0.0.1:PORT/v1/chat/completions \
      --api_key KEY --max_requests_per_minute 6000 --max_tokens_per_minute 1000000

--summary_json receives {"wall_seconds", "python", "aiohttp"}: the wall time of the script's run (after
imports and argument parsing).
"""
import argparse
import asyncio
import importlib.util
import json
import logging
import math
import os
import re
import sys
import time
import types


class _CharsOver4Encoding:
    """Stands in for a tiktoken Encoding: a text is ceil(len / 4) tokens."""

    def __init__(self, name):
        self.name = name

    def encode(self, text, *args, **kwargs):
        return [0] * math.ceil(len(text) / 4)


def _tiktoken_stand_in():
    module = types.ModuleType("tiktoken")
    module.get_encoding = _CharsOver4Encoding
    module.encoding_for_model = _CharsOver4Encoding
    return module


def _endpoint_from_url(request_url):
    """The script's own rule (v1/... or an Azure deployment's path), for http:// as well as https://."""
    match = re.search(r"^https?://[^/]+/v\d+/(.+)$", request_url)
    if match is None:
        match = re.search(r"^https?://[^/]+/openai/deployments/[^/]+/(.+?)(\?|$)", request_url)
    return match[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--script", required=True)
    parser.add_argument("--summary_json", required=True)
    # The script's own arguments, names and defaults as its __main__ has them.
    parser.add_argument("--requests_filepath")
    parser.add_argument("--save_filepath", default=None)
    parser.add_argument("--request_url", default="https://api.openai.com/v1/embeddings")
    parser.add_argument("--api_key", default=os.getenv("OPENAI_API_KEY"))
    parser.add_argument("--max_requests_per_minute", type=int, default=3_000 * 0.5)
    parser.add_argument("--max_tokens_per_minute", type=int, default=250_000 * 0.5)
    parser.add_argument("--token_encoding_name", default="cl100k_base")
    parser.add_argument("--max_attempts", type=int, default=5)
    parser.add_argument("--logging_level", default=logging.INFO)
    args = parser.parse_args()
    if args.save_filepath is None:
        args.save_filepath = args.requests_filepath.replace(".jsonl", "_results.jsonl")

    sys.modules["tiktoken"] = _tiktoken_stand_in()
    spec = importlib.util.spec_from_file_location("api_request_parallel_processor", args.script)
    cookbook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cookbook)
    cookbook.api_endpoint_from_url = _endpoint_from_url

    import aiohttp

    start = time.monotonic()
    asyncio.run(
        cookbook.process_api_requests_from_file(
            requests_filepath=args.requests_filepath,
            save_filepath=args.save_filepath,
            request_url=args.request_url,
            api_key=args.api_key,
            max_requests_per_minute=float(args.max_requests_per_minute),
            max_tokens_per_minute=float(args.max_tokens_per_minute),
            token_encoding_name=args.token_encoding_name,
            max_attempts=int(args.max_attempts),
            logging_level=int(args.logging_level),
        )
    )
    wall = time.monotonic() - start
    with open(args.summary_json, "w") as f:
        json.dump({"wall_seconds": wall, "python": sys.version.split()[0], "aiohttp": aiohttp.__version__}, f)


if __name__ == "__main__":
    main()
