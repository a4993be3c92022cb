#!/usr/bin/env python3
"""Checks what Ansible did with an exported playbook against the plan (stdlib only).

  replay.py --plan plan.json --trace trace.jsonl [--check-mode]

The trace is stackhop_trace's (this directory). The run must be the plan: every host of every
step gets the step's commands, verbatim ({host} as the host), in order, exactly once, where the
step says (its host, or its runs_on controller); a step starts only after every step it waits
for has finished on all its hosts; in a play with serial batches, each batch carries out whole
steps. With --check-mode (ansible-playbook --check) a command counts as run when Ansible skipped
it for check mode, and nothing may fail. Exit 0 when the run is the plan, 1 when it is not, 2 on
bad input.
"""
import argparse
import json
import sys

COMMANDS = {"ansible.builtin.command", "ansible.builtin.shell", "command", "shell"}
PAUSE = {"ansible.builtin.pause", "pause"}


def load(path):
    try:
        with open(path) as f:
            if path.endswith(".jsonl"):
                return [json.loads(line) for line in f if line.strip()]
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("replay.py: %s: %s" % (path, e))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--plan", required=True)
    p.add_argument("--trace", required=True)
    p.add_argument("--check-mode", action="store_true")
    a = p.parse_args(argv)
    plan, trace = load(a.plan), load(a.trace)
    steps = {s["id"]: s for s in plan["steps"]}
    problems = []
    runs = {}      # (step, host) -> [(line, command)]
    batches = {}   # (play, batch, step) -> {hosts}
    for line, r in enumerate(trace):
        if r.get("event") != "result" or r["action"] not in COMMANDS | PAUSE:
            continue
        if r["status"] == "skipped" and r.get("condition_false"):
            continue
        ran = r["status"] == "ok" or (a.check_mode and r["status"] == "skipped" and r.get("check_mode_skip"))
        if not ran:
            problems.append("%s on %s: %s" % (r["task"], r["host"], r["status"]))
            continue
        sid = r["step"] if r.get("step") is not None else (r.get("steps") or [None] * (r["batch"] + 1))[r["batch"]]
        step = steps.get(sid)
        if step is None:
            problems.append("task %r carries out %r, which is not a step of the plan" % (r["task"], sid))
            continue
        host = r["host"] if r["host"] in step["hosts"] else r.get("delegate_to")
        if host not in step["hosts"]:
            problems.append("%s ran for %s, not a host of the step" % (sid, host))
            continue
        if r["action"] in COMMANDS:
            where = r.get("delegate_to") or r["host"]
            wanted = step.get("runs_on") or host
            if where != wanted:
                problems.append("%s for %s ran on %s, not %s" % (sid, host, where, wanted))
            if step.get("manual"):
                problems.append("%s is manual, yet a command ran for it" % sid)
        elif not step.get("manual"):
            problems.append("%s asked for a confirmation, but it is not a manual step" % sid)
        runs.setdefault((sid, host), []).append((line, r.get("cmd")))
        batches.setdefault((r["play"], r["batch"], sid), set()).add(host)
    for sid, step in steps.items():
        for host in step["hosts"]:
            got = runs.get((sid, host))
            if not got:
                problems.append("%s never ran for %s" % (sid, host))
                continue
            if step.get("manual"):
                if len(got) != 1:
                    problems.append("%s confirmed %d times for %s" % (sid, len(got), host))
                continue
            want = [c.replace("{host}", host) for c in step.get("commands", [])]
            if [c for _, c in got] != want:
                problems.append("%s on %s ran %r, the plan says %r" % (sid, host, [c for _, c in got], want))

    def span(sid):
        lines = [ln for h in steps[sid]["hosts"] for ln, _ in runs.get((sid, h), [])]
        return (min(lines), max(lines)) if lines else None

    for sid, step in steps.items():
        s = span(sid)
        for dep in step.get("after", []):
            d = span(dep)
            if s and d and not d[1] < s[0]:
                problems.append("%s started before %s, which it waits for, was done" % (sid, dep))
    for (play, batch, sid), hosts in sorted(batches.items()):
        if hosts != set(steps[sid]["hosts"]):
            problems.append("play %d batch %d ran %s for %s, the step's hosts are %s"
                            % (play, batch, sid, sorted(hosts), sorted(steps[sid]["hosts"])))
    plays = {(r["play"], r["batch"]) for r in trace if r.get("event") == "play"}
    if problems:
        print("replay: the run is NOT the plan (%d problems):" % len(problems))
        for pr in problems[:40]:
            print("  " + pr)
        return 1
    print("replay: the run is the plan: %d steps, %d host runs, %d plays and batches"
          % (len(steps), sum(len(v) for v in runs.values()), len(plays)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
