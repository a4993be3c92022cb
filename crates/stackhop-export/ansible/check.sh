#!/usr/bin/env bash
# `stackhop export ansible` against real Ansible, for every built-in example and scenario that
# `check` allows (what .ci/run runs after the unit tests):
#
#   1. ansible-playbook --syntax-check and ansible-lint pass on every export;
#   2. a few exports are run with ansible-playbook --check against this machine (a local
#      connection: check mode runs no command, it only skips them), with the stackhop_trace
#      callback, and replay.py checks that what Ansible did is the plan: each host's commands,
#      the order, the serial batches (the Rust test `linearization` checks the same on a model of
#      Ansible; this holds that model to Ansible itself).
#
# It makes a venv under the target directory with ansible-core and ansible-lint from PyPI (pinned in
# venv.sh; python3-venv comes from apt when missing and this runs as root). When the venv cannot
# be made it says why and fails: it never passes without running.
#
# Environment: STACKHOP (the binary; default: cargo build --locked, target/debug/stackhop),
#   STACKHOP_ANSIBLE_VENV (default $TARGET/ansible-venv), STACKHOP_ANSIBLE_WORK (default
#   $TARGET/ansible-check), STACKHOP_ANSIBLE_JOBS (parallel lint/syntax jobs, default 2).
set -euo pipefail
exec </dev/null

# the exports check mode runs (no manual step, so nothing waits for a person)
REPLAYED="lab:live-compute lab:all-at-once small:live-compute"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
cd "$ROOT"
TARGET=${CARGO_TARGET_DIR:-target}
case "$TARGET" in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
VENV=${STACKHOP_ANSIBLE_VENV:-$TARGET/ansible-venv}
WORK=${STACKHOP_ANSIBLE_WORK:-$TARGET/ansible-check}
JOBS=${STACKHOP_ANSIBLE_JOBS:-2}
EXAMPLES="allinone small medium large lab zed"
SCENARIOS="all-at-once service-by-service parallel-compute live-compute"
T0=$(date +%s)

say() { printf '[ansible-check] %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

# shellcheck source=crates/stackhop-export/ansible/venv.sh
source "$HERE/venv.sh"
rm -rf "$WORK"
mkdir -p "$WORK"
ansible_venv "$VENV" "$WORK"
# Ansible's own state (tmp, collections cache) in the work dir, not the user's home; the linter
# must not try to install collections from the network
export ANSIBLE_HOME=$WORK/ansible-home ANSIBLE_LOCAL_TEMP=$WORK/ansible-tmp ANSIBLE_NOCOLOR=1
export ANSIBLE_LINT_SKIP_SCHEMA_UPDATE=1 ANSIBLE_LINT_NODEPS=1 NO_COLOR=1
say "$(ansible-playbook --version | sed -n 1p), $(ansible-lint --version 2>/dev/null | sed -n '1s/ using.*//p')"

# --- the binary ------------------------------------------------------------------------------
if [ -z "${STACKHOP:-}" ]; then
  cargo build --locked --quiet --bin stackhop
  STACKHOP=$TARGET/debug/stackhop
fi
[ -x "$STACKHOP" ] || fail "no stackhop binary at $STACKHOP"

# --- 1. export, syntax-check, lint -----------------------------------------------------------
t=$(date +%s)
exports=()
for e in $EXAMPLES; do
  for s in $SCENARIOS; do
    out=$WORK/$e-$s
    rc=0
    "$STACKHOP" export ansible --example "$e" -s "$s" --out "$out" --format json \
      >"$WORK/$e-$s.json" 2>"$WORK/$e-$s.err" || rc=$?
    if [ $rc = 1 ] && grep -q "cannot be planned" "$WORK/$e-$s.err"; then
      say "$e $s: not exported, check refuses the scenario"
      continue
    fi
    [ $rc = 0 ] || { cat "$WORK/$e-$s.err" >&2; fail "stackhop export ansible --example $e -s $s exited $rc"; }
    "$STACKHOP" plan --example "$e" -s "$s" --format json >"$WORK/$e-$s.plan.json"
    exports+=("$e-$s")
  done
done
say "${#exports[@]} exports written in $(elapsed "$t")"
[ ${#exports[@]} = 21 ] || fail "expected 21 exports (6 examples x 4 scenarios, less the 3 check refuses), got ${#exports[@]}"

# syntax-check: one export per job
syntax_one() {
  cd "$WORK/$1" && ansible-playbook --syntax-check site.yml >"$WORK/$1.syntax.log" 2>&1 || echo "$1"
}
export -f syntax_one
export WORK
t=$(date +%s)
failed=$(printf '%s\n' "${exports[@]}" | xargs -P "$JOBS" -I{} bash -c 'syntax_one {}')
for d in $failed; do tail -20 "$WORK/$d.syntax.log" >&2; done
[ -z "$failed" ] || fail "ansible-playbook --syntax-check fails on: ${failed//$'\n'/ }"
say "ansible-playbook --syntax-check passes on all ${#exports[@]} exports ($(elapsed "$t"), $JOBS at a time)"

# ansible-lint: one run over every file of every export (the linter's start-up is most of its
# cost), with the exports' .ansible-lint, which is the same file in each
t=$(date +%s)
files=()
for d in "${exports[@]}"; do
  cmp -s "$WORK/$d/.ansible-lint" "$WORK/${exports[0]}/.ansible-lint" || fail "$d has another .ansible-lint"
  files+=("$d/site.yml" "$d/inventory.yml")
  for v in "$WORK/$d"/group_vars/all/*.yml; do [ -e "$v" ] && files+=("${v#"$WORK"/}"); done
done
(cd "$WORK" && ansible-lint --offline -c "${exports[0]}/.ansible-lint" "${files[@]}") >"$WORK/lint.log" 2>&1 \
  || { tail -40 "$WORK/lint.log" >&2; fail "ansible-lint fails (see $WORK/lint.log)"; }
# a linter that read nothing passes too: it must have read every file
n=$(sed -n 's/.* in \([0-9]*\) files processed.*/\1/p' "$WORK/lint.log" | tail -1)
[ "${n:-0}" = ${#files[@]} ] || fail "ansible-lint read ${n:-no} files of ${#files[@]} (see $WORK/lint.log)"
say "ansible-lint passes on all ${#files[@]} files of the ${#exports[@]} exports ($(elapsed "$t"))"

# --- 2. check mode, replayed against the plan ------------------------------------------------
for pair in $REPLAYED; do
  e=${pair%%:*} s=${pair#*:}
  d=$WORK/$e-$s
  t=$(date +%s)
  # every variable the plan's commands need, with a dummy value (nothing runs in check mode)
  "$VENV/bin/python" - "$WORK/$e-$s.json" >"$d.extra-vars.json" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))["summary"]
print(json.dumps({v["name"]: "check-mode" for v in summary["variables"]}))
PY
  rm -f "$d.trace.jsonl"
  (cd "$d" && ANSIBLE_CALLBACK_PLUGINS=$HERE ANSIBLE_CALLBACKS_ENABLED=stackhop_trace \
     STACKHOP_TRACE=$d.trace.jsonl ansible-playbook --check site.yml -e "@$d.extra-vars.json" \
     -e ansible_connection=local -e "ansible_python_interpreter=$VENV/bin/python" >"$d.check.log" 2>&1) \
    || { tail -30 "$d.check.log" >&2; fail "ansible-playbook --check of $e $s failed (see $d.check.log)"; }
  python3 "$HERE/replay.py" --plan "$WORK/$e-$s.plan.json" --trace "$d.trace.jsonl" --check-mode >"$d.replay.txt" \
    || { cat "$d.replay.txt" >&2; fail "$e $s: what Ansible ran is not the plan"; }
  say "$e $s: $(cat "$d.replay.txt") ($(elapsed "$t"))"
done
say "ok, in $(elapsed "$T0")"
