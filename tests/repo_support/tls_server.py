"""A static HTTPS host for the TLS tests: serves DIR over TLS on 127.0.0.1 (ephemeral port).

    python3 tls_server.py DIR CERT KEY [CLIENT_CA]

With CLIENT_CA, a client certificate signed by it is required (mutual TLS). Prints
"port N" on stdout once listening.
"""
import functools
import http.server
import ssl
import sys

directory, cert, key = sys.argv[1:4]
client_ca = sys.argv[4] if len(sys.argv) > 4 else None


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


handler = functools.partial(Quiet, directory=directory)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
if client_ca:
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(client_ca)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(f"port {server.server_address[1]}", flush=True)
server.serve_forever()
