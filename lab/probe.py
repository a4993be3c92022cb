#!/usr/bin/env python3
"""Availability probe for the stackhop lab (stdlib only; loopback and the lab's network only).

Two loops run side by side until a stop file appears or --max-seconds pass:
  api   every --api-interval s (default 5):  GET /v2.1/servers on the compute API
  boot  every --boot-interval s (default 30): boot a small instance (--nic none), wait for
        ACTIVE, delete it and wait until it is gone
Every attempt is one JSON line {"t", "end", "kind", "ok", "detail"} appended to --out
(t = unix time in seconds at the start of the attempt, end = when it finished). A boot attempt is ok when the
instance reached ACTIVE within --boot-timeout and its delete was accepted.

  python3 lab/probe.py --out /tmp/probe.jsonl --stop-file /tmp/probe.stop --max-seconds 3600
  touch /tmp/probe.stop          # ends both loops after their current attempt
  python3 lab/probe_summary.py /tmp/probe.jsonl

Credentials come from the usual OS_* variables (lab defaults: admin/secret on the controller,
10.213.0.10). It calls no endpoint outside loopback and --lab-net (default 10.213.0.0/24).
"""
import argparse
import ipaddress
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

MICROVERSION = "2.79"   # >= 2.37 for networks: "none"


# where the probe may send requests: loopback, and the lab's network (added by main)
ALLOWED_NETS = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]


def _lab_only(url):
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        ip = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError:
        ip = None
    if ip is None or not any(ip in net for net in ALLOWED_NETS):
        raise SystemExit("probe: refusing endpoint %s outside loopback and the lab's network" % url)
    return url


class Cloud:
    """Just enough of Keystone v3 and Nova v2.1 over urllib."""

    def __init__(self, args):
        self.auth_url = _lab_only(args.auth_url.rstrip("/"))
        self.user, self.password, self.project = args.username, args.password, args.project
        self.timeout = args.http_timeout
        self._lock = threading.Lock()
        self._token, self._token_exp, self._compute = None, 0.0, args.compute_url
        self._image = None
        self.ids = {}

    def _http(self, method, url, body=None, headers=None, token=True):
        h = {"Accept": "application/json", "Connection": "close"}
        if body is not None:
            h["Content-Type"] = "application/json"
        if token:
            h["X-Auth-Token"] = self.token()
        h.update(headers or {})
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(_lab_only(url), data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw else None), r.headers
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = raw[:300].decode("utf-8", "replace")
            return e.code, payload, e.headers

    def token(self):
        with self._lock:
            if self._token and time.time() < self._token_exp:
                return self._token
            body = {"auth": {
                "identity": {"methods": ["password"], "password": {"user": {
                    "name": self.user, "domain": {"name": "Default"}, "password": self.password}}},
                "scope": {"project": {"name": self.project, "domain": {"name": "Default"}}}}}
            code, payload, headers = self._http("POST", self.auth_url + "/auth/tokens", body, token=False)
            if code != 201:
                raise RuntimeError("keystone: HTTP %s %s" % (code, str(payload)[:200]))
            self._token = headers["X-Subject-Token"]
            self._token_exp = time.time() + 1800  # lab tokens last 1 h; renew early
            for svc in payload["token"]["catalog"]:
                for ep in svc["endpoints"]:
                    if ep["interface"] != "public":
                        continue
                    if svc["type"] == "compute" and not self._compute:
                        self._compute = _lab_only(ep["url"].rstrip("/"))
                    if svc["type"] == "image" and not self._image:
                        self._image = _lab_only(ep["url"].rstrip("/"))
            if not self._compute:
                raise RuntimeError("no compute endpoint in the catalog")
            return self._token

    def drop_token(self):
        with self._lock:
            self._token = None

    def compute(self, method, path, body=None):
        self.token()
        code, payload, _ = self._http(method, self._compute + path, body,
                                      {"X-OpenStack-Nova-API-Version": MICROVERSION})
        if code == 401:
            self.drop_token()
        return code, payload

    def flavor_id(self, name):
        if ("flavor", name) not in self.ids:
            code, payload = self.compute("GET", "/flavors")
            if code != 200:
                raise RuntimeError("GET /flavors: " + _err(code, payload))
            for item in payload["flavors"]:
                if item["name"] == name:
                    self.ids[("flavor", name)] = item["id"]
        if ("flavor", name) not in self.ids:
            raise RuntimeError("flavor %r not found" % name)
        return self.ids[("flavor", name)]

    def image_id(self, name):
        if ("image", name) not in self.ids:
            self.token()
            if not self._image:
                raise RuntimeError("no image endpoint in the catalog")
            code, payload, _ = self._http("GET", self._image + "/v2/images?name=" + urllib.parse.quote(name))
            if code != 200:
                raise RuntimeError("glance GET /v2/images: " + _err(code, payload))
            if not payload["images"]:
                raise RuntimeError("image %r not found" % name)
            self.ids[("image", name)] = payload["images"][0]["id"]
        return self.ids[("image", name)]


def _err(code, payload):
    if isinstance(payload, dict) and payload:
        inner = next(iter(payload.values()))
        if isinstance(inner, dict) and "message" in inner:
            return "HTTP %s: %s" % (code, inner["message"][:200])
    return "HTTP %s: %s" % (code, str(payload)[:200])


class Recorder:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def write(self, t, kind, ok, detail):
        # "end": when the attempt finished (a boot takes seconds: its failure may have been
        # caused anywhere in [t, end])
        line = json.dumps({"t": round(t, 3), "end": round(time.time(), 3), "kind": kind,
                           "ok": bool(ok), "detail": detail})
        with self.lock:
            self.f.write(line + "\n")
            self.f.flush()


class Stop:
    def __init__(self, stop_file, deadline):
        self.stop_file, self.deadline = stop_file, deadline

    def __call__(self):
        return time.time() >= self.deadline or (self.stop_file and os.path.exists(self.stop_file))

    def sleep_until(self, t):
        """Sleep until t; False if it is time to stop."""
        while time.time() < t:
            if self():
                return False
            time.sleep(min(0.5, max(0.0, t - time.time())))
        return not self()


def api_loop(cloud, rec, stop, interval):
    nxt = time.time()
    while stop.sleep_until(nxt):
        t0 = time.time()
        nxt = t0 + interval
        try:
            code, payload = cloud.compute("GET", "/servers")
            ok = code == 200
            detail = ("%d servers in %.2fs" % (len(payload["servers"]), time.time() - t0)) if ok else _err(code, payload)
        except Exception as e:  # connection refused, timeout, keystone down...
            ok, detail = False, "%s: %s" % (type(e).__name__, e)
        rec.write(t0, "api", ok, detail)


def boot_once(cloud, args, seq, stop):
    """One boot+delete. Returns (ok, detail). Every wait is bounded."""
    name = "%s-%d-%d" % (args.name_prefix, os.getpid(), seq)
    flavor = cloud.flavor_id(args.flavor)
    image = cloud.image_id(args.image)
    code, payload = cloud.compute("POST", "/servers", {"server": {
        "name": name, "flavorRef": flavor, "imageRef": image, "networks": "none"}})
    if code != 202:
        return False, "create: " + _err(code, payload)
    sid = payload["server"]["id"]
    t0, status, fault, host = time.time(), None, "", ""
    deadline = t0 + args.boot_timeout
    while time.time() < deadline:
        code, payload = cloud.compute("GET", "/servers/" + sid)
        if code == 200:
            srv = payload["server"]
            status = srv["status"]
            host = srv.get("OS-EXT-SRV-ATTR:host") or ""
            if status in ("ACTIVE", "ERROR"):
                fault = (srv.get("fault") or {}).get("message", "")
                break
        time.sleep(1)
    took = time.time() - t0
    # delete (always), then wait until gone
    dcode, dpayload, gone = None, None, False
    ddeadline = time.time() + args.boot_timeout
    while time.time() < ddeadline:
        dcode, dpayload = cloud.compute("DELETE", "/servers/" + sid)
        if dcode in (204, 404):
            break
        time.sleep(2)
    while dcode in (204, 404) and time.time() < ddeadline:
        code, _ = cloud.compute("GET", "/servers/" + sid)
        if code == 404:
            gone = True
            break
        time.sleep(1)
    dnote = "deleted" if gone else ("delete accepted, not gone yet" if dcode in (204, 404)
                                    else "delete failed: " + _err(dcode, dpayload))
    if status == "ACTIVE":
        return dcode in (204, 404), "ACTIVE in %.1fs on %s; %s" % (took, host or "?", dnote)
    if status == "ERROR":
        return False, "ERROR after %.1fs: %s; %s" % (took, fault[:200], dnote)
    return False, "not ACTIVE after %.0fs (status %s); %s" % (took, status, dnote)


def boot_loop(cloud, rec, stop, args):
    nxt, seq = time.time() + args.boot_delay, 0
    while stop.sleep_until(nxt):
        t0 = time.time()
        nxt = t0 + args.boot_interval
        seq += 1
        try:
            ok, detail = boot_once(cloud, args, seq, stop)
        except Exception as e:
            ok, detail = False, "%s: %s" % (type(e).__name__, e)
        rec.write(t0, "boot", ok, detail)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="JSONL file (appended)")
    p.add_argument("--stop-file", default=None, help="stop when this file exists")
    p.add_argument("--max-seconds", type=float, default=3600.0)
    p.add_argument("--api-interval", type=float, default=5.0)
    p.add_argument("--boot-interval", type=float, default=30.0)
    p.add_argument("--boot-delay", type=float, default=0.0, help="delay before the first boot")
    p.add_argument("--boot-timeout", type=float, default=120.0)
    p.add_argument("--no-boot", action="store_true")
    p.add_argument("--http-timeout", type=float, default=20.0)
    p.add_argument("--flavor", default="m1.tiny")
    p.add_argument("--image", default="fake-img")
    p.add_argument("--name-prefix", default="probe")
    lab_net = os.environ.get("STACKHOP_LAB_SUBNET", "10.213.0") + ".0/24"
    p.add_argument("--lab-net", default=lab_net, help="the lab's network (default %(default)s)")
    p.add_argument("--auth-url", default=os.environ.get("OS_AUTH_URL", "http://10.213.0.10:5000/v3"))
    p.add_argument("--compute-url", default=None, help="default: from the keystone catalog")
    p.add_argument("--username", default=os.environ.get("OS_USERNAME", "admin"))
    p.add_argument("--password", default=os.environ.get("OS_PASSWORD", "secret"))
    p.add_argument("--project", default=os.environ.get("OS_PROJECT_NAME", "admin"))
    args = p.parse_args(argv)
    if args.api_interval <= 0 or args.boot_interval <= 0 or args.max_seconds <= 0:
        p.error("intervals and --max-seconds must be positive")
    ALLOWED_NETS.append(ipaddress.ip_network(args.lab_net))

    cloud = Cloud(args)
    rec = Recorder(args.out)
    stop = Stop(args.stop_file, time.time() + args.max_seconds)
    threads = [threading.Thread(target=api_loop, args=(cloud, rec, stop, args.api_interval), daemon=True)]
    if not args.no_boot:
        threads.append(threading.Thread(target=boot_loop, args=(cloud, rec, stop, args), daemon=True))
    for th in threads:
        th.start()
    # the boot loop may be inside one bounded attempt when the stop comes; wait for it
    limit = time.time() + args.max_seconds + 2 * args.boot_timeout + 60
    for th in threads:
        th.join(max(0.0, limit - time.time()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
