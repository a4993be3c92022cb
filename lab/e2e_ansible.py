#!/usr/bin/python3
"""Helpers for lab/e2e_ansible.sh (stdlib only): the lab upgraded by ansible-playbook with the
playbook `stackhop export ansible` wrote, judged as lab/e2e.sh judges stackhop's own run, with
the Ansible trace (crates/stackhop-export/ansible/stackhop_trace.py) in place of the journal.

  e2e_ansible.py windows --plan P --trace T --verify V --probe PROBE [--slack S] --out OUT
        probe failures only inside the phases verify reports a capability unavailable? (a phase's
        window: its first task's start to its last task's end, from the trace)
  e2e_ansible.py report --run DIR [--stackhop-report E2E_REPORT_JSON] --out OUT
        Ansible's wall time and measured downtime beside the prediction and, when given,
        stackhop's own run of the same plan (lab/e2e.sh's e2e-report.json)
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402  (lab/e2e.py: load_json, load_probe, CAPS)
import probe_summary  # noqa: E402


def phase_windows(trace):
    """Per phase: [first start, last end] of the results of its tasks, in unix seconds."""
    win = {}
    for r in trace:
        if r.get("event") != "result" or not r.get("phase") or r.get("condition_false"):
            continue
        start = r.get("start") or r["end"]
        w = win.setdefault(r["phase"], [start, r["end"]])
        w[0], w[1] = min(w[0], start), max(w[1], r["end"])
    return win


def load_trace(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_windows(a):
    verify = e2e.load_json(a.verify)
    win = phase_windows(load_trace(a.trace))
    if not win:
        e2e.die("the trace %s records no task" % a.trace)
    rows = e2e.load_probe(a.probe)
    t_first = min(w[0] for w in win.values())
    result = {"phases": {p: {"start": w[0], "end": w[1], "seconds": round(w[1] - w[0], 3)} for p, w in win.items()},
              "slack_s": a.slack, "capabilities": {}, "ok": True}
    for kind, cap in e2e.CAPS.items():
        v = (verify.get("capabilities") or {}).get(cap)
        if v is None:
            e2e.die("verify output has no capability %r" % cap)
        phases = list(v.get("unavailable_during") or [])
        allowed = [(win[p][0] - a.slack, win[p][1] + a.slack, p) for p in phases if p in win]
        outside, inside = [], 0
        for r in rows:
            if r.get("kind") != kind or r.get("ok"):
                continue
            t0, t1 = float(r["t"]), float(r.get("end") or r["t"])
            if any(t0 <= e and t1 >= s for (s, e, _) in allowed):
                inside += 1
            else:
                outside.append({"t": t0, "rel_s": round(t0 - t_first, 1), "detail": r.get("detail", "")})
        result["capabilities"][cap] = {"unavailable_during": phases, "failures_inside": inside,
                                       "failures_outside": outside}
        result["ok"] = result["ok"] and not outside
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
    for cap, c in result["capabilities"].items():
        print("%-12s verify: unavailable during %s; probe failures inside %d, outside %d"
              % (cap, ", ".join(c["unavailable_during"]) or "(nothing)", c["failures_inside"],
                 len(c["failures_outside"])))
        for o in c["failures_outside"]:
            print("  OUTSIDE: +%ss %s" % (o["rel_s"], o["detail"][:160]))
    sys.exit(0 if result["ok"] else 1)


def fmt(x):
    return "-" if x is None else "%.1f s" % x


def cmd_report(a):
    d = a.run
    meta = e2e.load_json(os.path.join(d, "meta.json"))
    plan = e2e.load_json(os.path.join(d, "plan.json"))
    sim = e2e.load_json(os.path.join(d, "simulate.json"))
    measured = probe_summary.summarize(probe_summary.load(os.path.join(d, "probe.jsonl")))
    theirs = {}
    if a.stackhop_report and os.path.exists(a.stackhop_report):
        run1 = (e2e.load_json(a.stackhop_report).get("runs") or {}).get("run1") or {}
        theirs = {"wall_s": (run1.get("meta") or {}).get("apply_wall_s"),
                  "caps": {c: v.get("measured_downtime_s") for c, v in (run1.get("capabilities") or {}).items()}}
    win = phase_windows(load_trace(os.path.join(d, "trace.jsonl")))
    rep = {"schema": "stackhop-lab.e2e-ansible-report/v1",
           "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "ansible_wall_s": meta.get("ansible_wall_s"), "stackhop_wall_s": theirs.get("wall_s"),
           "plan_estimate_s": plan.get("estimate_s"), "simulate_makespan_s": sim.get("makespan_s"),
           "phases_s": {p: round(w[1] - w[0], 1) for p, w in win.items()}, "capabilities": {}}
    for cap in ("compute_api", "boot"):
        m = measured.get(cap) or {}
        rep["capabilities"][cap] = {
            "ansible_downtime_s": m.get("downtime_s"),
            "stackhop_downtime_s": (theirs.get("caps") or {}).get(cap),
            "predicted_downtime_s": ((sim.get("capabilities") or {}).get(cap) or {}).get("downtime_s")}
    with open(a.out, "w") as f:
        json.dump(rep, f, indent=2)
        f.write("\n")
    print("%-22s %14s %14s %14s" % ("", "ansible-playbook", "stackhop apply", "predicted"))
    print("%-22s %14s %14s %14s" % ("wall time", fmt(rep["ansible_wall_s"]), fmt(rep["stackhop_wall_s"]),
                                    fmt(rep["simulate_makespan_s"])))
    for cap, c in rep["capabilities"].items():
        print("%-22s %14s %14s %14s" % (cap + " down", fmt(c["ansible_downtime_s"]),
                                        fmt(c["stackhop_downtime_s"]), fmt(c["predicted_downtime_s"])))
    print("phases (ansible, wall): " + ", ".join("%s %ss" % (p, s) for p, s in rep["phases_s"].items()))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("windows")
    for x in ("plan", "trace", "verify", "probe", "out"):
        s.add_argument("--" + x, required=True)
    s.add_argument("--slack", type=float, default=3.0)
    s = sub.add_parser("report")
    s.add_argument("--run", required=True)
    s.add_argument("--stackhop-report", default=None)
    s.add_argument("--out", required=True)
    a = p.parse_args(argv)
    {"windows": cmd_windows, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    main()
