"""A tiny HTTP server for the repository client's tests: static files under ROOT, plus
misbehaving paths the static servers cannot produce.

    python3 server.py ROOT HITS_LOG

Prints the port on stdout. Paths:
  /status/CODE/...     answers CODE
  /loop/...            redirects to itself forever
  /big/...             a body of 2 MiB without Content-Length
  /etag/FILE           FILE from ROOT with an ETag; If-None-Match with it gives 304
  /auth/FILE           FILE from ROOT, only with basic auth user:secret
  anything else        FILE from ROOT
Every request is appended to HITS_LOG as one JSON line {path, if_none_match, authorization}.
"""

import hashlib
import http.server
import json
import os
import sys

ROOT, HITS = sys.argv[1], sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def send_file(self, rel, etag=False):
        path = os.path.join(ROOT, rel)
        if not os.path.isfile(path):
            return self.plain(404, b"not found")
        data = open(path, "rb").read()
        tag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if etag and self.headers.get("If-None-Match") == tag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        if etag:
            self.send_header("ETag", tag)
        self.end_headers()
        self.wfile.write(data)

    def plain(self, code, body):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        with open(HITS, "a") as f:
            f.write(json.dumps({
                "path": path,
                "if_none_match": self.headers.get("If-None-Match"),
                "authorization": self.headers.get("Authorization"),
            }) + "\n")
        parts = path.strip("/").split("/")
        if parts[0] == "status":
            return self.plain(int(parts[1]), b"failure")
        if parts[0] == "loop":
            self.send_response(302)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if parts[0] == "big":
            self.send_response(200)
            self.end_headers()
            chunk = b"#" * 65536
            try:
                for _ in range(32):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if parts[0] == "etag":
            return self.send_file("/".join(parts[1:]), etag=True)
        if parts[0] == "auth":
            # base64("user:secret")
            if self.headers.get("Authorization") != "Basic dXNlcjpzZWNyZXQ=":
                return self.plain(401, b"unauthorized")
            return self.send_file("/".join(parts[1:]))
        return self.send_file("/".join(parts))


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
