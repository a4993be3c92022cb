#!/usr/bin/python3
"""Helpers for lab/e2e.sh (stdlib only): read plans, journals, verify/simulate output and the
probe's JSONL, and judge them. Every subcommand prints what it found; the judging ones exit 1
when the check fails, 2 on bad input.

  e2e.py instances SERVERS_JSON                  every server ACTIVE? (openstack server list -f json)
  e2e.py still-active BEFORE_JSON AFTER_JSON     every server of BEFORE still there and ACTIVE
  e2e.py pin-steps PLAN                          ids of the steps that set [upgrade_levels] compute
  e2e.py break-plan PLAN OUT                     PLAN without its pin steps (dependents rewired)
  e2e.py kill-step PLAN --computes cmp1,cmp2     the step e2e waits for before killing apply
  e2e.py attempts JOURNAL [--step ID] [--regex RE] [--host H]
                                                 number of attempts recorded (of those steps/host)
  e2e.py status STATUS_JSON                      run succeeded and every step succeeded?
  e2e.py discovered DISCOVER_JSON --hosts "ctl cmp1" --controller ctl --os debian-12
         --nova DEB_VERSION --placement DEB_VERSION --instances N
                                                 `stackhop discover` found the lab up.sh built?
  e2e.py windows --plan P --journal J --verify V --probe PROBE [--slack S] --out OUT
                                                 probe failures only inside the phases verify
                                                 reports a capability unavailable?
  e2e.py report --work DIR --out OUT             the side-by-side table and the JSON report
  e2e.py get FILE KEY[.KEY...]                   one value of a JSON document (JSON-encoded)
  e2e.py meta FILE KEY=VALUE...                  add numbers/strings to a JSON object file
"""
import argparse
import json
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import probe_summary  # noqa: E402  (lab/probe_summary.py)

CAPS = {"api": "compute_api", "boot": "boot"}   # probe kind -> capability


def die(msg, code=2):
    print("e2e.py: " + msg, file=sys.stderr)
    sys.exit(code)


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die("%s: %s" % (path, e))


# --- plans ----------------------------------------------------------------------------------
def steps_of(plan):
    steps = plan.get("steps")
    if not isinstance(steps, list):
        die("not a stackhop.plan/v1 document (no steps)")
    return steps


def is_pin_step(step):
    """The step that sets `[upgrade_levels] compute` (the controllers' RPC pin)."""
    a = step.get("action") or {}
    kind = a.get("kind")
    if kind == "set_config" and a.get("section") == "upgrade_levels" and a.get("key") == "compute":
        return True
    if kind == "set_config" and any("upgrade_levels" in c and "compute" in c for c in step.get("commands", [])):
        return True
    return False


def cmd_pin_steps(a):
    ids = [s["id"] for s in steps_of(load_json(a.plan)) if is_pin_step(s)]
    if not ids:
        die("the plan has no step that sets [upgrade_levels] compute", 1)
    print("\n".join(ids))


def cmd_break_plan(a):
    """Remove the pin steps. Every step that waited for one waits instead for what the pin
    waited for, so the plan differs from the reviewed one only by the missing pin (and not by
    a start that may now run before the schema sync)."""
    plan = load_json(a.plan)
    steps = steps_of(plan)
    gone = {s["id"]: list(s.get("after", [])) for s in steps if is_pin_step(s)}
    if not gone:
        die("the plan has no step that sets [upgrade_levels] compute: nothing to break", 1)

    def expand(ids):
        out = []
        for x in ids:
            for y in (expand(gone[x]) if x in gone else [x]):
                if y not in out:
                    out.append(y)
        return out

    kept = []
    for s in steps:
        if s["id"] in gone:
            continue
        s = dict(s)
        s["after"] = expand(s.get("after", []))
        kept.append(s)
    plan["steps"] = kept
    with open(a.out, "w") as f:
        json.dump(plan, f, indent=2)
        f.write("\n")
    print("removed %s (its dependents now wait for %s); %d steps left"
          % (", ".join(sorted(gone)), ", ".join(sorted({y for v in gone.values() for y in v})) or "nothing",
             len(kept)))


def topo(steps):
    ids = [s["id"] for s in steps]
    after = {s["id"]: list(s.get("after", [])) for s in steps}
    done, order = set(), []
    while len(order) < len(ids):
        ready = [i for i in ids if i not in done and all(x in done for x in after[i])]
        if not ready:
            return ids          # a cycle: stackhop would refuse the plan anyway
        for i in ready:
            done.add(i)
            order.append(i)
    return order


def cmd_kill_step(a):
    """The first step (in an order the DAG allows) that acts on one of the computes and stops
    a service there; failing that, the first that acts on a compute at all."""
    steps = steps_of(load_json(a.plan))
    by_id = {s["id"]: s for s in steps}
    computes = set(a.computes.split(","))
    order = [by_id[i] for i in topo(steps)]
    if a.regex:
        import re
        hit = [s for s in order if re.search(a.regex, s["id"])]
        if not hit:
            die("no step id matches %r" % a.regex, 1)
        print(hit[0]["id"])
        return
    on_compute = [s for s in order if computes & set(s.get("hosts", []))]
    stops = [s for s in on_compute if (s.get("action") or {}).get("kind") == "stop_service"]
    pick = (stops or on_compute or [None])[0]
    if pick is None:
        die("no step of the plan acts on a compute (%s)" % a.computes, 1)
    print(pick["id"])


# --- journal --------------------------------------------------------------------------------
def journal(path):
    if not os.path.exists(path):
        die("no journal at %s" % path)
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
    con.row_factory = sqlite3.Row
    return con


def last_run(con):
    r = con.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    if r is None:
        return None
    return dict(r)


def attempts(con, run_id):
    rows = con.execute("SELECT step, host, attempt, state, exit_code, started_ms, finished_ms, note "
                       "FROM attempts WHERE run_id = ? ORDER BY started_ms, id", (run_id,)).fetchall()
    return [dict(r) for r in rows]


def cmd_attempts(a):
    try:
        con = journal(a.journal)
        run = last_run(con)
        if run is None:
            print(0)
            return
        import re
        rows = attempts(con, run["id"])
        # --started-after STEP: only attempts of other steps started after STEP's first attempt
        since = None
        if a.started_after is not None:
            starts = [r["started_ms"] for r in rows if r["step"] == a.started_after]
            since = min(starts) if starts else None
        n = sum(1 for r in rows
                if (a.step is None or r["step"] == a.step)
                and (a.regex is None or re.search(a.regex, r["step"]))
                and (a.host is None or r["host"] == a.host)
                and (a.started_after is None
                     or (since is not None and r["step"] != a.started_after
                         and r["started_ms"] > since)))
    except sqlite3.Error:      # being created right now: nothing recorded yet
        n = 0
    print(n)


def cmd_status(a):
    st = load_json(a.status)
    bad = []
    if st.get("state") != "succeeded":
        bad.append("run state is %r, not 'succeeded'" % st.get("state"))
    steps = st.get("steps") or []
    if not steps:
        bad.append("status lists no steps")
    for s in steps:
        if s.get("state") != "succeeded":
            bad.append("step %s is %s" % (s.get("id"), s.get("state")))
    if st.get("failure"):
        bad.append("failure: %s" % json.dumps(st["failure"])[:300])
    print("status: %s, %d steps, %d not succeeded" % (st.get("state"), len(steps),
                                                     sum(1 for s in steps if s.get("state") != "succeeded")))
    for b in bad:
        print("  " + b)
    sys.exit(1 if bad else 0)


# --- discover ------------------------------------------------------------------------------
def upstream(deb_version):
    """2:26.2.2-1~deb12u5 -> 26.2.2"""
    v = deb_version.split(":", 1)[-1]
    return v.rsplit("-", 1)[0] if "-" in v else v


def cmd_discovered(a):
    """What `stackhop discover --format json` found must be the lab as up.sh built it and as its
    inventory says: the same hosts, Debian's Zed on every nova host (as dpkg says, not as
    stackhop read it), each host's programs running, one instance per compute, and --check
    agreeing."""
    doc = load_json(a.discover)
    hosts = a.hosts.split()
    bad = []
    if doc.get("schema") != "stackhop.discover/v1":
        bad.append("schema %r" % doc.get("schema"))
    if doc.get("agrees") is not True:
        bad.append("discover says the inventory disagrees: " + "; ".join(
            d.get("message", "?") for d in doc.get("differences", []) if d.get("fails_check")))
    found = {h.get("name"): h.get("found", {}) for h in doc.get("hosts", [])}
    if [h.get("name") for h in doc.get("hosts", [])] != hosts:
        bad.append("hosts %s, not %s" % (list(found), hosts))
    nova, placement = upstream(a.nova), upstream(a.placement)
    for name in hosts:
        f = found.get(name, {})
        control = name == a.controller
        want = {
            "os": a.os,
            "versions": {"placement": placement, "nova": nova} if control else {"nova": nova},
            "services": ["placement-api", "nova-api", "nova-conductor", "nova-scheduler"]
                        if control else ["nova-compute"],
        }
        if not control:
            want["instances"] = a.instances
        for key, value in want.items():
            if f.get(key) != value:
                bad.append("%s: %s is %s, not %s" % (name, key, json.dumps(f.get(key)), json.dumps(value)))
        print("%s: %s" % (name, json.dumps(f, sort_keys=True)))
    for b in bad:
        print("  " + b)
    sys.exit(1 if bad else 0)


def phase_windows(plan, con):
    """Per phase: [first start, last end] of its steps' attempts, in unix seconds. An attempt
    without an end (in flight when apply was killed) ends where the next attempt of the same
    step and host started, or at the end of the run."""
    run = last_run(con)
    if run is None:
        die("the journal records no run")
    rows = attempts(con, run["id"])
    phase_of = {s["id"]: s.get("phase", "?") for s in steps_of(plan)}
    run_end = (run.get("finished_ms") or run.get("updated_ms") or int(time.time() * 1000)) / 1000.0
    nxt = {}
    for r in rows:
        nxt.setdefault((r["step"], r["host"]), []).append(r)
    win, steps = {}, []
    for key, rs in nxt.items():
        rs.sort(key=lambda r: r["attempt"])
        for i, r in enumerate(rs):
            start = r["started_ms"] / 1000.0
            if r["finished_ms"] is not None:
                end = r["finished_ms"] / 1000.0
            elif i + 1 < len(rs):
                end = rs[i + 1]["started_ms"] / 1000.0
            else:
                end = run_end
            ph = phase_of.get(r["step"], "?")
            w = win.setdefault(ph, [start, end])
            w[0], w[1] = min(w[0], start), max(w[1], end)
            steps.append({"step": r["step"], "host": r["host"], "attempt": r["attempt"], "phase": ph,
                          "state": r["state"], "exit_code": r["exit_code"], "start": start, "end": end,
                          "seconds": round(end - start, 3)})
    return run, win, sorted(steps, key=lambda s: s["start"])


def load_probe(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    pass
    return rows


def cmd_windows(a):
    plan, verify = load_json(a.plan), load_json(a.verify)
    con = journal(a.journal)
    run, win, steps = phase_windows(plan, con)
    vcaps = verify.get("capabilities") or {}
    rows = load_probe(a.probe)
    t_first = min((s["start"] for s in steps), default=None)
    result = {"phases": {p: {"start": w[0], "end": w[1], "seconds": round(w[1] - w[0], 3)} for p, w in win.items()},
              "slack_s": a.slack, "capabilities": {}, "ok": True}
    for kind, cap in CAPS.items():
        v = vcaps.get(cap)
        if v is None:
            die("verify output has no capability %r" % cap)
        phases = list(v.get("unavailable_during") or [])
        missing = [p for p in phases if p not in win]
        allowed = [(win[p][0] - a.slack, win[p][1] + a.slack, p) for p in phases if p in win]
        fails = [r for r in rows if r.get("kind") == kind and not r.get("ok")]
        outside, inside = [], []
        for r in fails:
            t0, t1 = float(r["t"]), float(r.get("end") or r["t"])
            hit = [p for (s, e, p) in allowed if t0 <= e and t1 >= s]
            item = {"t": t0, "end": t1, "rel_s": round(t0 - t_first, 1) if t_first else None,
                    "detail": r.get("detail", ""), "phases": hit}
            (inside if hit else outside).append(item)
        result["capabilities"][cap] = {
            "verify_available": v.get("available"), "unavailable_during": phases,
            "phases_not_in_journal": missing, "failures": len(fails),
            "failures_inside": len(inside), "failures_outside": outside}
        if outside:
            result["ok"] = False
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
    for cap, c in result["capabilities"].items():
        print("%-12s verify: unavailable during %s; probe failures %d, outside those phases %d"
              % (cap, ", ".join(c["unavailable_during"]) or "(nothing)", c["failures"], len(c["failures_outside"])))
        for o in c["failures_outside"]:
            print("  OUTSIDE: +%ss %s" % (o["rel_s"], o["detail"][:160]))
    sys.exit(0 if result["ok"] else 1)


# --- report ---------------------------------------------------------------------------------
def maybe(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def run_report(d):
    """What one run directory holds, condensed."""
    plan = maybe(os.path.join(d, "plan.json")) or {}
    sim = maybe(os.path.join(d, "simulate.json")) or {}
    ver = maybe(os.path.join(d, "verify.json")) or {}
    meta = maybe(os.path.join(d, "meta.json")) or {}
    win = maybe(os.path.join(d, "windows.json")) or {}
    out = {"dir": d, "meta": meta, "plan_estimate_s": plan.get("estimate_s"),
           "plan_steps": len(plan.get("steps") or []), "simulate_makespan_s": sim.get("makespan_s"),
           "verified": ver.get("verified"), "windows_ok": win.get("ok"), "capabilities": {}}
    probe = os.path.join(d, "probe.jsonl")
    measured = probe_summary.summarize(probe_summary.load(probe)) if os.path.exists(probe) else {}
    names = list(dict.fromkeys(list((sim.get("capabilities") or {}).keys()) + list(measured.keys())))
    for cap in names:
        s = (sim.get("capabilities") or {}).get(cap) or {}
        m = measured.get(cap)
        v = (ver.get("capabilities") or {}).get(cap) or {}
        out["capabilities"][cap] = {
            "measured_downtime_s": m["downtime_s"] if m else None,
            "measured_attempts": m["attempts"] if m else None,
            "measured_failures": m["failures"] if m else None,
            "measured_windows": [{"start": w["start"], "end": w["end"], "duration": w["duration"]}
                                 for w in m["windows"]] if m else None,
            "predicted_downtime_s": s.get("downtime_s"),
            "predicted_failed_requests": s.get("failed_requests"),
            "verify_unavailable_during": v.get("unavailable_during"),
        }
    # measured step durations next to the plan's estimates (to recalibrate the duration model)
    j = os.path.join(d, "run.db")
    if os.path.exists(j) and plan:
        try:
            _, win_, steps = phase_windows(plan, journal(j))
            est = {s["id"]: s.get("estimate_s") for s in steps_of(plan)}
            kind = {s["id"]: (s.get("action") or {}).get("kind") for s in steps_of(plan)}
            out["steps"] = [dict(s, estimate_s=est.get(s["step"]), kind=kind.get(s["step"])) for s in steps]
            out["phases"] = {p: round(w[1] - w[0], 1) for p, w in win_.items()}
        except SystemExit:
            pass
    return out


def fmt(x, unit="s"):
    if x is None:
        return "-"
    return ("%.1f%s" % (x, unit)) if isinstance(x, (int, float)) else str(x)


def cmd_report(a):
    rep = {"schema": "stackhop-lab.e2e-report/v1", "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "runs": {}, "stages": [], "negative": maybe(os.path.join(a.work, "negative", "result.json"))}
    for name in ("run1", "run2"):
        d = os.path.join(a.work, name)
        if os.path.isdir(d):
            rep["runs"][name] = run_report(d)
    tpath = os.path.join(a.work, "timings.tsv")
    if os.path.exists(tpath):
        with open(tpath) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 2:
                    rep["stages"].append({"stage": parts[0], "seconds": float(parts[1])})
    with open(a.out, "w") as f:
        json.dump(rep, f, indent=2)
        f.write("\n")
    lines = []
    for name, r in rep["runs"].items():
        m = r["meta"]
        lines.append("\n%s: apply exit %s, apply wall %s (plan estimate %s, simulate makespan %s), verified %s, "
                     "probe inside verify's windows: %s" % (
                         name, m.get("apply_exit", "-"), fmt(m.get("apply_wall_s")), fmt(r["plan_estimate_s"]),
                         fmt(r["simulate_makespan_s"]), r["verified"], r["windows_ok"]))
        lines.append("  %-12s %12s %10s %12s %12s  %s" % ("capability", "measured", "failures", "predicted",
                                                         "pred. fails", "verify: unavailable during"))
        for cap, c in r["capabilities"].items():
            lines.append("  %-12s %12s %10s %12s %12s  %s" % (
                cap, fmt(c["measured_downtime_s"]),
                "-" if c["measured_failures"] is None else "%d/%d" % (c["measured_failures"], c["measured_attempts"]),
                fmt(c["predicted_downtime_s"]), fmt(c["predicted_failed_requests"], ""),
                ", ".join(c["verify_unavailable_during"] or []) or "-"))
        if r.get("phases"):
            lines.append("  phases (measured wall): " + ", ".join("%s %ss" % (p, s) for p, s in r["phases"].items()))
    if rep["stages"]:
        lines.append("\n  %-44s %9s" % ("e2e stage", "wall time"))
        for s in rep["stages"]:
            lines.append("  %-44s %8.1fs" % (s["stage"], s["seconds"]))
        lines.append("  %-44s %8.1fs" % ("total", sum(s["seconds"] for s in rep["stages"])))
    print("\n".join(lines))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("instances"); s.add_argument("servers")
    s = sub.add_parser("still-active"); s.add_argument("before"); s.add_argument("after")
    s = sub.add_parser("pin-steps"); s.add_argument("plan")
    s = sub.add_parser("break-plan"); s.add_argument("plan"); s.add_argument("out")
    s = sub.add_parser("kill-step"); s.add_argument("plan"); s.add_argument("--computes", required=True)
    s.add_argument("--regex", default=None)
    s = sub.add_parser("attempts"); s.add_argument("journal"); s.add_argument("--step", default=None)
    s.add_argument("--regex", default=None); s.add_argument("--host", default=None)
    s.add_argument("--started-after", default=None)
    s = sub.add_parser("status"); s.add_argument("status")
    s = sub.add_parser("discovered"); s.add_argument("discover")
    for x in ("hosts", "controller", "os", "nova", "placement"):
        s.add_argument("--" + x, required=True)
    s.add_argument("--instances", type=int, required=True)
    s = sub.add_parser("windows")
    for x in ("plan", "journal", "verify", "probe", "out"):
        s.add_argument("--" + x, required=True)
    s.add_argument("--slack", type=float, default=3.0)
    s = sub.add_parser("report"); s.add_argument("--work", required=True); s.add_argument("--out", required=True)
    s = sub.add_parser("get"); s.add_argument("file"); s.add_argument("key")
    s = sub.add_parser("meta"); s.add_argument("file"); s.add_argument("pairs", nargs="*")
    a = p.parse_args(argv)
    if a.cmd == "instances":
        servers = load_json(a.servers)
        bad = [s for s in servers if s.get("Status") != "ACTIVE"]
        for s in servers:
            print("%s %s %s" % (s.get("ID"), s.get("Name"), s.get("Status")))
        if not servers or bad:
            die("%d server(s), %d not ACTIVE" % (len(servers), len(bad)), 1)
    elif a.cmd == "still-active":
        before, after = load_json(a.before), {s["ID"]: s for s in load_json(a.after)}
        bad = []
        for s in before:
            now = after.get(s["ID"])
            if now is None:
                bad.append("%s (%s) is gone" % (s["Name"], s["ID"]))
            elif now.get("Status") != "ACTIVE":
                bad.append("%s (%s) is %s" % (s["Name"], s["ID"], now.get("Status")))
        print("%d instance(s) from before: %d still ACTIVE" % (len(before), len(before) - len(bad)))
        for b in bad:
            print("  " + b)
        sys.exit(1 if bad or not before else 0)
    elif a.cmd == "get":
        v = load_json(a.file)
        for k in a.key.split("."):
            if isinstance(v, dict) and k in v:
                v = v[k]
            else:
                die("%s has no %s" % (a.file, a.key), 1)
        print(v if isinstance(v, str) else json.dumps(v))
    elif a.cmd == "meta":
        d = maybe(a.file) or {}
        for pair in a.pairs:
            k, _, v = pair.partition("=")
            try:
                d[k] = json.loads(v)
            except ValueError:
                d[k] = v
        with open(a.file, "w") as f:
            json.dump(d, f, indent=2)
            f.write("\n")
    else:
        {"pin-steps": cmd_pin_steps, "break-plan": cmd_break_plan, "kill-step": cmd_kill_step,
         "attempts": cmd_attempts, "status": cmd_status, "discovered": cmd_discovered,
         "windows": cmd_windows, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    main()
