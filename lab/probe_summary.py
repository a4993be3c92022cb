#!/usr/bin/env python3
"""Turn probe.py's JSONL into per-capability downtime windows (stdlib only).

Capabilities: compute_api (kind "api") and boot (kind "boot"). Per capability, attempts are
sorted by t; a run of consecutive failures forms one window [t of its first failure, t of the
first success after it]. A window still open at the end of the file has "end": null and is
counted up to the last attempt of that capability.

  python3 lab/probe_summary.py probe.jsonl            # JSON on stdout
  python3 lab/probe_summary.py --text probe.jsonl     # a table
  python3 lab/probe_summary.py --since T0 --until T1 probe.jsonl   # only attempts in [T0, T1]
"""
import argparse
import json
import sys

CAPS = {"api": "compute_api", "boot": "boot"}


def load(path, since=None, until=None):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
                t, kind, ok = float(r["t"]), r["kind"], bool(r["ok"])
            except (ValueError, KeyError, TypeError) as e:
                print("%s:%d: skipped malformed line (%s)" % (path, n, e), file=sys.stderr)
                continue
            if kind not in CAPS or (since is not None and t < since) or (until is not None and t > until):
                continue
            rows.append({"t": t, "kind": kind, "ok": ok, "detail": r.get("detail", "")})
    return rows


def windows(rows):
    out, cur = [], None
    for r in sorted(rows, key=lambda r: r["t"]):
        if not r["ok"]:
            if cur is None:
                cur = {"start": r["t"], "end": None, "failures": 0, "first_error": r["detail"]}
            cur["failures"] += 1
            cur["last_failure"] = r["t"]
        elif cur is not None:
            cur["end"] = r["t"]
            out.append(cur)
            cur = None
    if cur is not None:
        out.append(cur)
    return out


def summarize(rows):
    res = {}
    for kind, cap in CAPS.items():
        mine = [r for r in rows if r["kind"] == kind]
        ws = windows(mine)
        last_t = max((r["t"] for r in mine), default=None)
        for w in ws:
            end = w["end"] if w["end"] is not None else last_t
            w["duration"] = round(end - w["start"], 3)
            w["start"] = round(w["start"], 3)
            if w["end"] is not None:
                w["end"] = round(w["end"], 3)
            w["last_failure"] = round(w["last_failure"], 3)
        res[cap] = {
            "attempts": len(mine),
            "failures": sum(1 for r in mine if not r["ok"]),
            "first": round(min(r["t"] for r in mine), 3) if mine else None,
            "last": round(last_t, 3) if last_t is not None else None,
            "downtime_s": round(sum(w["duration"] for w in ws), 3),
            "windows": ws,
        }
    return res


def text(res):
    lines = ["%-12s %8s %8s %11s %8s" % ("capability", "attempts", "failures", "downtime_s", "windows")]
    for cap, s in res.items():
        lines.append("%-12s %8d %8d %11.1f %8d" % (cap, s["attempts"], s["failures"], s["downtime_s"], len(s["windows"])))
    for cap, s in res.items():
        t0 = s["first"] or 0.0
        for w in s["windows"]:
            end = "open" if w["end"] is None else "+%.1fs" % (w["end"] - t0)
            lines.append("  %-11s window +%.1fs .. %s  (%.1fs, %d failed): %s" % (
                cap, w["start"] - t0, end, w["duration"], w["failures"], w["first_error"][:120]))
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("jsonl")
    p.add_argument("--text", action="store_true", help="print a table instead of JSON")
    p.add_argument("--since", type=float, default=None)
    p.add_argument("--until", type=float, default=None)
    a = p.parse_args(argv)
    res = summarize(load(a.jsonl, a.since, a.until))
    print(text(res) if a.text else json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
