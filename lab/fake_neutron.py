#!/usr/bin/python3
"""A minimal Neutron API stand-in for the stackhop lab (stdlib only; on one address of the lab).

Nova's API and computes only need a network endpoint that answers their calls when instances
are booted with `--nic none`: listing security groups / ports / networks / floating IPs for
server show/list, and port clean-up on delete. So:
  GET  /                    -> version document
  GET  /v2.0/extensions     -> {"extensions": []}
  GET  /v2.0/<collection>   -> {"<collection>": []}       (query string ignored)
  GET  /v2.0/<coll>/<id>    -> 404
  POST / PUT                -> 400 (nothing can be created)
  DELETE anything           -> 204
No authentication is checked. Usage: fake_neutron.py [--host 127.0.0.1] [--port 9696]
"""
import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "stackhop-fake-neutron/1"

    def _send(self, code, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(code)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        if data:
            self.wfile.write(data)
        self.close_connection = True

    def _drain(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)

    def _parts(self):
        path = self.path.split("?", 1)[0].strip("/")
        return [p[:-5] if p.endswith(".json") else p for p in path.split("/") if p]

    def do_GET(self):
        parts = self._parts()
        if not parts:
            return self._send(200, {"versions": [{"id": "v2.0", "status": "CURRENT", "links": [
                {"rel": "self", "href": "http://%s:%d/v2.0/" % self.server.server_address[:2]}]}]})
        if parts[0] == "v2.0":
            parts = parts[1:]
        if not parts:
            return self._send(200, {"resources": []})
        if len(parts) == 1:
            # collection name as Neutron spells it in the body: security-groups -> security_groups
            return self._send(200, {parts[0].replace("-", "_"): []})
        return self._send(404, {"NeutronError": {"type": "NotFound", "message": "not found", "detail": ""}})

    def do_DELETE(self):
        self._drain()
        self._send(204)

    def do_POST(self):
        self._drain()
        self._send(400, {"NeutronError": {"type": "BadRequest",
                                          "message": "stackhop lab: fake neutron cannot create resources",
                                          "detail": ""}})

    do_PUT = do_POST

    def log_message(self, fmt, *args):
        sys.stdout.write("%s %s\n" % (self.log_date_time_string(), fmt % args))
        sys.stdout.flush()


def main():
    p = argparse.ArgumentParser(description="Neutron API stand-in for the stackhop lab")
    p.add_argument("--host", default="127.0.0.1", help="the one address to listen on")
    p.add_argument("--port", type=int, default=9696)
    args = p.parse_args()
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    srv.daemon_threads = True
    print("fake neutron listening on http://%s:%d" % (args.host, args.port), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
