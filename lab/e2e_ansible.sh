#!/usr/bin/env bash
# End-to-end test of `stackhop export ansible` (issue 16): a fresh lab is upgraded once by
# ansible-playbook, over the lab's SSH, with the playbook stackhop exports from the verified
# live-compute plan, and must keep the promises lab/e2e.sh holds stackhop's own run to. Not part
# of lab/e2e.sh's default stages; run it on its own, as root, when no other lab exists:
#
#   sudo lab/e2e_ansible.sh                 # everything; the lab is removed at the end (pass or fail)
#   KEEP_LAB=1 sudo lab/e2e_ansible.sh      # ... but leave the lab running
#
# What it does, in $WORK (default target/e2e-ansible):
#   1. the venv with ansible-core and ansible-lint (crates/stackhop-export/ansible/venv.sh)
#   2. lab/e2e.sh's stages `build up static` with KEEP_LAB=1 E2E_FRESH=1: a fresh lab, its
#      instances recorded, then check, plan (run1/plan.json), verify, simulate
#   3. `stackhop export ansible --plan run1/plan.json --out run1/ansible`, and ansible-lint on it
#   4. the probe in the background (as lab/e2e.sh runs it), `ansible-playbook site.yml` from
#      run1/ansible with the stackhop_trace callback (run1/trace.jsonl), the probe stopped
#   5. checks: replay.py (what Ansible ran is the plan: each host's commands, the order, the
#      batches), every nova service on the new service version and up, none disabled, every
#      instance that existed still ACTIVE, the pin and the driver class set, every project on the
#      new release, the conductor's automatic compute RPC pin, a boot afterwards, and the probe's
#      failures only inside the phases verify reports (phase windows from the trace)
#   6. the report (run1/e2e-ansible-report.json): ansible-playbook's wall time and downtime beside
#      the prediction and, with STACKHOP_REPORT=target/e2e/e2e-report.json (lab/e2e.sh's), beside
#      stackhop's own run
# Environment: STACKHOP (binary), STACKHOP_E2E_ANSIBLE_WORK, STACKHOP_ANSIBLE_VENV (default
#   target/ansible-venv), STACKHOP_REPORT, KEEP_LAB=1, E2E_PROBE_API (2 s), E2E_PROBE_BOOT (15 s),
#   E2E_SLACK_S (3 s).
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/checks.sh"
exec </dev/null
[ "$(id -u)" = 0 ] || die "must run as root"

REPO=$(cd "$LAB_SRC/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
WORK=${STACKHOP_E2E_ANSIBLE_WORK:-$TARGET_DIR/e2e-ansible}
RUN=$WORK/run1                  # where lab/e2e.sh's up and static stages write, with WORK as theirs
EXPORT_TOOLS=$REPO/crates/stackhop-export/ansible
SLACK=${E2E_SLACK_S:-3}
EA() { "$SYSPY" "$LAB_SRC/e2e_ansible.py" "$@"; }
PROBE_PID=

on_exit() {
  local rc=$?
  set +e
  if [ -n "$PROBE_PID" ] && kill -0 "$PROBE_PID" 2>/dev/null; then
    touch "$RUN/probe.stop"; sleep 2; kill "$PROBE_PID" 2>/dev/null
  fi
  [ -d "$LAB/logs" ] && [ -d "$RUN" ] && { rm -rf "$RUN/lab-logs"; cp -a "$LAB/logs" "$RUN/lab-logs"; }
  if [ $rc != 0 ]; then
    printf '\n[e2e-ansible] FAILED (exit %s). Work dir: %s\n' "$rc" "$WORK" >&2
    [ -s "$RUN/ansible.log" ] && { printf -- '--- tail of %s\n' "$RUN/ansible.log" >&2; tail -40 "$RUN/ansible.log" >&2; }
  fi
  if [ "${KEEP_LAB:-0}" = 1 ]; then
    log "KEEP_LAB=1: the lab stays up at $LAB (lab/down.sh removes it)"
  else
    log "removing the lab (lab/down.sh)"
    bash "$LAB_SRC/down.sh" >"$WORK/down-final.log" 2>&1 || log "down.sh failed: see $WORK/down-final.log"
  fi
  [ $rc = 0 ] && log "e2e-ansible PASSED; report: $RUN/e2e-ansible-report.json"
  exit $rc
}
trap on_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

rm -rf "$WORK"
mkdir -p "$WORK"

# 1. Ansible first: no lab is built for a run that cannot happen
stage "venv"
# shellcheck source=crates/stackhop-export/ansible/venv.sh
source "$EXPORT_TOOLS/venv.sh"
ansible_venv "${STACKHOP_ANSIBLE_VENV:-$TARGET_DIR/ansible-venv}" "$WORK"
# (ANSIBLE_HOME stays root's: ssh's ControlPath under a deep work dir could pass the socket length limit)
export ANSIBLE_NOCOLOR=1 ANSIBLE_LINT_NODEPS=1 NO_COLOR=1
ansible-playbook --version | sed -n 1p >&2

# 2. a fresh lab and its verified plan, by lab/e2e.sh's own stages
stage "lab up, check, plan, verify, simulate (lab/e2e.sh build up static)"
KEEP_LAB=1 E2E_FRESH=1 STACKHOP_E2E_WORK=$WORK bash "$LAB_SRC/e2e.sh" build up static \
  || fail "lab/e2e.sh build up static failed (its files: $WORK)"
STACKHOP=$(readlink -f "${STACKHOP:-$TARGET_DIR/release/stackhop}")
[ -x "$STACKHOP" ] || die "no stackhop binary at $STACKHOP"
{ [ -e "$RUN/plan.json" ] && [ -e "$RUN/instances-before.json" ]; } || fail "lab/e2e.sh left no plan or instances in $RUN"

# 3. the export
stage "export"
"$STACKHOP" export ansible --plan "$RUN/plan.json" --out "$RUN/ansible" --format json >"$RUN/export.json" \
  2>"$RUN/export.err" || { cat "$RUN/export.err" >&2; fail "stackhop export ansible exited non-zero"; }
(cd "$RUN/ansible" && ansible-lint --offline >"$RUN/lint.log" 2>&1) || { tail -20 "$RUN/lint.log" >&2; fail "ansible-lint"; }
log "exported: $(E2E get "$RUN/export.json" summary.plays) plays, $(E2E get "$RUN/export.json" summary.tasks) tasks"

# 4. ansible-playbook over the lab's SSH, the probe alongside
stage "ansible-playbook (probe alongside)"
rm -f "$RUN/probe.stop" "$RUN/probe.jsonl" "$RUN/trace.jsonl"
"$SYSPY" "$LAB_SRC/probe.py" --out "$RUN/probe.jsonl" --stop-file "$RUN/probe.stop" --max-seconds 3600 \
  --lab-net "$LAB_SUBNET.0/24" --api-interval "${E2E_PROBE_API:-2}" --boot-interval "${E2E_PROBE_BOOT:-15}" \
  --name-prefix e2e-probe >"$RUN/probe.log" 2>&1 &
PROBE_PID=$!
log "probe started (pid $PROBE_PID); 10 s of baseline"
sleep 10
kill -0 "$PROBE_PID" 2>/dev/null || { cat "$RUN/probe.log" >&2; fail "the probe died"; }
t0=$(date +%s.%N)
rc=0
(cd "$RUN/ansible" && ANSIBLE_CALLBACK_PLUGINS=$EXPORT_TOOLS ANSIBLE_CALLBACKS_ENABLED=stackhop_trace \
   STACKHOP_TRACE=$RUN/trace.jsonl ansible-playbook site.yml -e ansible_python_interpreter=/usr/bin/python3) \
  >"$RUN/ansible.log" 2>&1 || rc=$?
t1=$(date +%s.%N)
E2E meta "$RUN/meta.json" "ansible_exit=$rc" "ansible_wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')"
log "ansible-playbook exited $rc after $(E2E get "$RUN/meta.json" ansible_wall_s) s"
log "10 s of probe after the run, then stopping it"
sleep 10
touch "$RUN/probe.stop"
for _ in $(seq 1 300); do kill -0 "$PROBE_PID" 2>/dev/null || break; sleep 1; done
kill -0 "$PROBE_PID" 2>/dev/null && { kill "$PROBE_PID"; fail "the probe did not stop within 300 s"; }
wait "$PROBE_PID" 2>/dev/null || true
PROBE_PID=
"$SYSPY" "$LAB_SRC/probe_summary.py" --text "$RUN/probe.jsonl" | tee "$RUN/probe-summary.txt" >&2
[ $rc = 0 ] || fail "ansible-playbook exited $rc (see $RUN/ansible.log)"

# 5. the checks lab/e2e.sh makes of stackhop's run, the trace in place of the journal
stage "checks"
"$SYSPY" "$EXPORT_TOOLS/replay.py" --plan "$RUN/plan.json" --trace "$RUN/trace.jsonl" >"$RUN/replay.txt" \
  || { cat "$RUN/replay.txt" >&2; fail "what ansible-playbook ran is not the plan (see $RUN/replay.txt)"; }
cat "$RUN/replay.txt" >&2
check_cloud_upgraded "$RUN" e2e-ansible-after
EA windows --plan "$RUN/plan.json" --trace "$RUN/trace.jsonl" --verify "$RUN/verify.json" \
  --probe "$RUN/probe.jsonl" --slack "$SLACK" --out "$RUN/windows.json" >&2 \
  || fail "the probe saw downtime outside the windows verify reported (see $RUN/windows.json)"

# 6. the report
stage "report"
EA report --run "$RUN" --stackhop-report "${STACKHOP_REPORT:-}" --out "$RUN/e2e-ansible-report.json"
print_timings
