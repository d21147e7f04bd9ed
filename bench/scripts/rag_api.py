#!/usr/bin/env python3
"""A small independent API for the `rag` sample: users, search, embeddings and chat completions, each
answered after a fixed delay, one search index (--slow-index) after a longer one. Standard library only.

    python3 bench/scripts/rag_api.py --port 0 --delay 0.2 --slow-index tickets --slow-delay 3
    # prints "listening on http://127.0.0.1:PORT"; then
    java -jar samples/target/fanout-samples.jar rag --base-url http://127.0.0.1:PORT --deadline 1s
"""
import argparse
import hashlib
import json
import math
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIMENSIONS = 16


def vector(text):
    digest = hashlib.sha256(text.encode()).digest()
    v = [b / 255.0 - 0.5 for b in digest[:DIMENSIONS]]
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / norm for x in v]


def handler(args):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def reply(self, body, delay):
            time.sleep(delay)
            data = json.dumps(body).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client cancelled

        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            query = urllib.parse.parse_qs(url.query)
            if url.path.startswith("/users/"):
                uid = int(url.path.rsplit("/", 1)[1])
                self.reply({"id": uid, "name": "User %d" % uid, "email": "user%d@example.com" % uid}, args.delay)
            elif url.path == "/search":
                q = query.get("q", [""])[0]
                k = int(query.get("k", ["3"])[0])
                index = q.split(":", 1)[0]
                delay = args.slow_delay if index == args.slow_index else args.delay
                docs = [{"text": "Passage %d from %s about %s" % (i + 1, index, q)} for i in range(k)]
                self.reply({"documents": docs}, delay)
            else:
                self.send_error(404)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            path = urllib.parse.urlparse(self.path).path
            if path.endswith("/embeddings"):
                inputs = body.get("input")
                inputs = [inputs] if isinstance(inputs, str) else inputs
                data = [{"object": "embedding", "index": i, "embedding": vector(t)} for i, t in enumerate(inputs)]
                tokens = sum(len(t.split()) for t in inputs)
                self.reply({"object": "list", "data": data, "model": body.get("model"),
                            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}, args.delay)
            elif path.endswith("/chat/completions"):
                self.reply({"id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
                            "model": body.get("model"),
                            "choices": [{"index": 0, "finish_reason": "stop",
                                         "message": {"role": "assistant", "content": "Rotate the key in two steps."}}],
                            "usage": {"prompt_tokens": 100, "completion_tokens": 8, "total_tokens": 108}}, args.delay)
            else:
                self.send_error(404)

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--delay", type=float, default=0.2, help="seconds before each answer (default 0.2)")
    p.add_argument("--slow-index", default="tickets", help="the search index answered late (default tickets)")
    p.add_argument("--slow-delay", type=float, default=3.0, help="its delay in seconds (default 3)")
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(args))
    server.daemon_threads = True
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
