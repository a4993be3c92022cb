#!/usr/bin/env bash
# End-to-end test: stackhop upgrades the real lab (Zed -> 2023.1, profile debian-venv,
# scenario live-compute) and must keep its promises. See lab/README.md, "The end-to-end test".
#
#   sudo lab/e2e.sh                      # everything; the lab is removed at the end (pass or fail)
#   KEEP_LAB=1 sudo lab/e2e.sh           # ... but leave the lab running
#   KEEP_LAB=1 sudo lab/e2e.sh STAGE...  # only these stages, for debugging (state is in $WORK)
#
# Stages, in the default order:
#   build      the stackhop binary: $STACKHOP, or `cargo build --release --locked` (target/release)
#   up         run 1: bring the lab up (a used lab is reset first), record the instances
#   static     check, plan (json + text), verify, simulate: each must succeed
#   apply      the probe in the background, `apply --plan --target $TARGET`, stop the probe
#   checks     run succeeded, every nova service on version 66 and up, instances ACTIVE, the
#              pin and the driver class set by stackhop, probe failures only inside verify's windows
#   report     measured vs predicted downtime per capability, stage wall times -> e2e-report.json
#   interrupt  run 2: down, up, static, apply killed when the first compute's step starts,
#              resume, the same checks
#   negative   plan.json without the controllers' pin step: verify must exit 1 and apply must
#              refuse before running anything
# Environment: STACKHOP (binary), E2E_TARGET (apply's target: local, the default, runs every
#   command from this machine's root namespace and reaches the hosts through their files and the
#   lab network), STACKHOP_E2E_WORK (default target/e2e), KEEP_LAB=1,
#   E2E_PROBE_API (2 s), E2E_PROBE_BOOT (15 s), E2E_SLACK_S (3 s), E2E_KILL_STEP (regex on step
#   ids), E2E_KILL_SIGNAL (KILL | INT: SIGINT twice), E2E_FRESH=1 (reset the lab even if fresh),
#   E2E_RUN=run2 (stages run alone act on run 2's files, e.g. `E2E_RUN=run2 lab/e2e.sh checks`)
source "$(dirname "$0")/common.sh"
exec </dev/null
[ "$(id -u)" = 0 ] || die "must run as root"

REPO=$(cd "$LAB_SRC/.." && pwd)
WORK=${STACKHOP_E2E_WORK:-$REPO/target/e2e}
INV=$LAB/inventory.yaml
SCENARIO=live-compute
TARGET=${E2E_TARGET:-local}     # where apply and resume run the plan's commands
PROBE_API=${E2E_PROBE_API:-2}
PROBE_BOOT=${E2E_PROBE_BOOT:-15}
SLACK=${E2E_SLACK_S:-3}
KILL_SIGNAL=${E2E_KILL_SIGNAL:-KILL}
E2E() { "$SYSPY" "$LAB_SRC/e2e.py" "$@"; }
RUN=$WORK/${E2E_RUN:-run1}      # the run the stages act on (up: run1; interrupt: run2)
PROBE_PID= APPLY_PID=
STAGE_LOGS=()                   # what on_exit shows the tail of when the current stage fails
mkdir -p "$WORK"
touch "$WORK/.e2e-start"

# ---------------------------------------------------------------------------------------------
# stage timing into $WORK/timings.tsv (e2e.py report reads it)
_E_STAGE=; _E_T0=0
estage() { estage_end; _E_STAGE=$1; _E_T0=$(date +%s.%N); log "===== e2e: $1"; }
estage_end() {
  [ -n "$_E_STAGE" ] || return 0
  local d; d=$(awk -v a="$_E_T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  printf '%s\t%s\n' "$_E_STAGE" "$d" >>"$WORK/timings.tsv"
  log "----- e2e: $_E_STAGE: ${d}s"
  _E_STAGE=
}

# fail TEXT: a check failed
fail() { die "CHECK FAILED: $*"; }

# run_to OUT CMD...: run a stackhop command, stdout to OUT, stderr to OUT.err; any non-zero exit fails
run_to() {
  local out=$1; shift
  local rc=0
  "$@" >"$out" 2>"$out.err" || rc=$?
  if [ $rc != 0 ]; then
    tail -30 "$out" >&2 || true; tail -30 "$out.err" >&2 || true
    fail "\`${*#"$STACKHOP" }\` exited $rc (output: $out, $out.err)"
  fi
}

on_exit() {
  local rc=$? failed=$_E_STAGE
  set +e
  estage_end
  # nothing of ours keeps running: the probe, a background apply
  [ -n "$PROBE_PID" ] && kill -0 "$PROBE_PID" 2>/dev/null && { touch "$RUN/probe.stop"; sleep 2; kill "$PROBE_PID" 2>/dev/null; }
  [ -n "$APPLY_PID" ] && kill -0 "$APPLY_PID" 2>/dev/null && kill -KILL "$APPLY_PID" 2>/dev/null
  if [ $rc != 0 ]; then
    printf '\n[e2e] FAILED (exit %s) in stage "%s". Work dir: %s\n' "$rc" "${failed:-?}" "$WORK" >&2
    local f
    for f in "${STAGE_LOGS[@]}"; do
      [ -s "$f" ] && [ "$f" -nt "$WORK/.e2e-start" ] || continue     # written by this invocation
      printf '\n--- tail of %s\n' "$f" >&2; tail -30 "$f" >&2
    done
    if [ -x "${STACKHOP:-/nonexistent}" ] && [ -e "$RUN/run.db" ]; then
      printf '\n--- stackhop status --journal %s\n' "$RUN/run.db" >&2
      "$STACKHOP" status --journal "$RUN/run.db" 2>&1 | tail -40 >&2
    fi
    if [ -e "$(sv_conf "$CTL")" ]; then
      local h
      for h in $HOSTS; do printf '\n--- %s: supervisorctl status\n' "$h" >&2; sv "$h" status >&2; done
      for f in "$LAB"/logs/nova-*.log "$LAB"/logs/placement-api-*.log; do
        [ -s "$f" ] || continue
        printf '\n--- %s: last errors, last lines\n' "$f" >&2
        grep -E 'ERROR|CRITICAL|Traceback' "$f" | grep -v 'bmemcached\|oslo_cache.memcache_pool' | tail -6 >&2
        tail -3 "$f" | cut -c1-300 >&2
      done
    fi
  fi
  save_lab_logs "$RUN"
  # the side-by-side report, also after a failure (whatever the runs got to record)
  if [ $rc != 0 ] && [ -e "$WORK/run1/meta.json" ]; then
    printf '\n--- report so far\n' >&2
    E2E report --work "$WORK" --out "$WORK/e2e-report.json" >&2
  fi
  if [ "${KEEP_LAB:-0}" = 1 ]; then
    log "KEEP_LAB=1: the lab stays up at $LAB (lab/down.sh removes it)"
  else
    log "removing the lab (lab/down.sh)"
    bash "$LAB_SRC/down.sh" >"$WORK/down-final.log" 2>&1 || log "down.sh failed: see $WORK/down-final.log"
  fi
  [ $rc = 0 ] && log "e2e PASSED; report: $WORK/e2e-report.json" || true
  exit $rc
}
trap on_exit EXIT
trap 'exit 143' TERM        # a CI timeout: still clean up
trap 'exit 130' INT
save_lab_logs() {   # DIR: keep the lab's logs (down.sh removes them)
  [ -d "$LAB/logs" ] && [ -d "$1" ] && { rm -rf "$1/lab-logs"; cp -a "$LAB/logs" "$1/lab-logs" 2>/dev/null; }
  return 0
}

# ---------------------------------------------------------------------------------------------
st_build() {
  estage "build stackhop"
  if [ -z "${STACKHOP:-}" ]; then
    STACKHOP=${CARGO_TARGET_DIR:-$REPO/target}/release/stackhop
    if [ ! -x "$STACKHOP" ]; then
      log "building $STACKHOP (cargo build --release --locked)"
      (cd "$REPO" && cargo build --release --locked) || fail "cargo build --release --locked failed"
    fi
  fi
  [ -x "$STACKHOP" ] || die "no stackhop binary at $STACKHOP (set STACKHOP=...)"
  STACKHOP=$(readlink -f "$STACKHOP")     # the stages cd into the run directory
  "$STACKHOP" --version
  export STACKHOP
}
need_stackhop() {   # stages run alone still need the binary
  local b=${STACKHOP:-${CARGO_TARGET_DIR:-$REPO/target}/release/stackhop}
  [ -x "$b" ] || die "no stackhop binary at $b: run the build stage or set STACKHOP"
  STACKHOP=$(readlink -f "$b")
}

lab_is_fresh() {   # a Zed lab nobody has upgraded or touched
  [ -e "$INV" ] && [ -e "$(sv_conf "$CTL")" ] || return 1
  local l; for l in "$LAB"/current/*; do case "$(readlink "$l")" in *-"$OLD") ;; *) return 1;; esac; done
  ! crudini --get "$(nova_conf "$CTL")" upgrade_levels compute >/dev/null 2>&1
}

# lab_up RESET: bring the lab up with lab/up.sh (reset=1: lab/down.sh first), record the instances
lab_up() {
  mkdir -p "$RUN"
  STAGE_LOGS=("$RUN/down.log" "$RUN/up.log")
  if [ "$1" = 1 ] || [ "${E2E_FRESH:-0}" = 1 ] || { [ -e "$LAB" ] && ! lab_is_fresh; }; then
    log "lab/down.sh"
    bash "$LAB_SRC/down.sh" >"$RUN/down.log" 2>&1 || { tail -20 "$RUN/down.log" >&2; fail "lab/down.sh failed"; }
  fi
  log "lab/up.sh (output in $RUN/up.log)"
  local rc=0
  CI=true bash "$LAB_SRC/up.sh" >"$RUN/up.log" 2>&1 || rc=$?
  sed -n '/^stage  *wall time/,$p' "$RUN/up.log" >&2
  [ $rc = 0 ] || { tail -40 "$RUN/up.log" >&2; fail "lab/up.sh exited $rc"; }
  lab_is_fresh || fail "lab/up.sh left a lab that is not a fresh $OLD lab"
  openstack server list --all-projects -f json -c ID -c Name -c Status >"$RUN/instances-before.json"
  E2E instances "$RUN/instances-before.json" >&2 || fail "not every instance is ACTIVE before the upgrade"
  # the new service version, for the checks
  "$NOVA_VENV/bin/python" -c 'from nova.objects.service import SERVICE_VERSION as v; print(v)' >"$RUN/new-service-version"
}

st_up() {
  estage "run 1: lab up"
  RUN=$WORK/run1
  rm -rf "$RUN"; mkdir -p "$RUN"
  lab_up 0
}

st_static() {
  estage "$(basename "$RUN"): check, plan, verify, simulate"
  need_stackhop
  [ -e "$INV" ] || die "no inventory at $INV (run the up stage)"
  STAGE_LOGS=()
  run_to "$RUN/check.txt" "$STACKHOP" check -i "$INV" -s "$SCENARIO"
  run_to "$RUN/check.json" "$STACKHOP" check -i "$INV" -s "$SCENARIO" --format json
  run_to "$RUN/plan.stdout.json" "$STACKHOP" plan -i "$INV" -s "$SCENARIO" --format json --out "$RUN/plan.json"
  run_to "$RUN/plan.txt" "$STACKHOP" plan -i "$INV" -s "$SCENARIO" --commands
  run_to "$RUN/verify.json" "$STACKHOP" verify --plan "$RUN/plan.json" --format json
  [ "$(E2E get "$RUN/verify.json" verified)" = true ] || fail "verify says the plan is not verified"
  run_to "$RUN/simulate.json" "$STACKHOP" simulate -i "$INV" -s "$SCENARIO" --format json
  # the contract: stackhop, not the lab, pins compute RPC and switches the driver class
  E2E pin-steps "$RUN/plan.json" >"$RUN/pin-steps" || fail "the plan has no step that sets [upgrade_levels] compute"
  grep -q 'FakeDriverWithoutFakeNodes' "$RUN/plan.json" || fail "the plan never sets compute_driver = fake.FakeDriverWithoutFakeNodes"
  log "plan: $(E2E get "$RUN/plan.json" estimate_s) s estimated; verify: $(E2E get "$RUN/verify.json" states) states; simulate: makespan $(E2E get "$RUN/simulate.json" makespan_s) s"
}

# probe_start / probe_stop: lab/probe.py in the background, its JSONL in $RUN/probe.jsonl
probe_start() {
  rm -f "$RUN/probe.stop" "$RUN/probe.jsonl"
  "$SYSPY" "$LAB_SRC/probe.py" --out "$RUN/probe.jsonl" --stop-file "$RUN/probe.stop" --max-seconds 3600 \
    --lab-net "$LAB_SUBNET.0/24" \
    --api-interval "$PROBE_API" --boot-interval "$PROBE_BOOT" --name-prefix e2e-probe >"$RUN/probe.log" 2>&1 &
  PROBE_PID=$!
  log "probe started (pid $PROBE_PID; api every ${PROBE_API}s, a boot every ${PROBE_BOOT}s); 10 s of baseline"
  sleep 10
  kill -0 "$PROBE_PID" 2>/dev/null || { cat "$RUN/probe.log" >&2; fail "the probe died"; }
}
probe_stop() {
  log "10 s of probe after the run, then stopping it"
  sleep 10
  touch "$RUN/probe.stop"
  local i; for i in $(seq 1 300); do kill -0 "$PROBE_PID" 2>/dev/null || break; sleep 1; done
  kill -0 "$PROBE_PID" 2>/dev/null && { kill "$PROBE_PID"; fail "the probe did not stop within 300 s"; }
  wait "$PROBE_PID" 2>/dev/null || true
  PROBE_PID=
  "$SYSPY" "$LAB_SRC/probe_summary.py" --text "$RUN/probe.jsonl" | tee "$RUN/probe-summary.txt" >&2
}

st_apply() {
  estage "run 1: apply (probe alongside)"
  need_stackhop
  [ -e "$RUN/plan.json" ] || die "no $RUN/plan.json (run the static stage)"
  rm -f "$RUN/run.db" "$RUN/run.db-lock" "$RUN/run.db-wal" "$RUN/run.db-shm"
  STAGE_LOGS=("$RUN/apply.log" "$RUN/probe.log")
  probe_start
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  (cd "$RUN" && "$STACKHOP" apply --plan "$RUN/plan.json" --target "$TARGET" --journal "$RUN/run.db" --yes) \
    >"$RUN/apply.log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  E2E meta "$RUN/meta.json" "apply_exit=$rc" "apply_wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')"
  log "apply exited $rc after $(E2E get "$RUN/meta.json" apply_wall_s) s"
  probe_stop
  [ $rc = 0 ] || fail "stackhop apply exited $rc"
}

# ---------------------------------------------------------------------------------------------
services_all_up() {
  [ "$(openstack compute service list -f value -c State | grep -vc '^up$')" = 0 ]
}
st_checks() {
  estage "$(basename "$RUN"): checks"
  need_stackhop
  local newver; newver=$(cat "$RUN/new-service-version")
  STAGE_LOGS=("$RUN/status.json.err")
  # 1. the journal: the run succeeded, every step succeeded
  run_to "$RUN/status.json" "$STACKHOP" status --journal "$RUN/run.db" --format json
  E2E status "$RUN/status.json" >&2 || fail "the journal does not record a fully succeeded run"
  # 2. every nova service row reports the new version, and is up
  mysql_root -N -B nova -e "SELECT host, \`binary\`, version FROM services WHERE deleted=0 ORDER BY host, \`binary\`" \
    | tee "$RUN/service-versions.tsv" >&2
  [ "$(wc -l <"$RUN/service-versions.tsv")" -ge $((3 + $(wc -w <<<"$COMPUTES"))) ] || fail "missing nova service rows"
  awk -v v="$newver" '$3 != v {bad=1} END {exit bad}' "$RUN/service-versions.tsv" \
    || fail "not every nova service reports version $newver"
  local i; for i in $(seq 1 90); do services_all_up 2>/dev/null && break; sleep 1; done
  openstack compute service list -f value -c Binary -c Host -c Status -c State | tee "$RUN/services.txt" >&2
  services_all_up || fail "not every nova service is up"
  ! grep -q disabled "$RUN/services.txt" || fail "a nova service is still disabled"
  # 3. every instance recorded before is still ACTIVE
  openstack server list --all-projects -f json -c ID -c Name -c Status >"$RUN/instances-after.json"
  E2E still-active "$RUN/instances-before.json" "$RUN/instances-after.json" >&2 \
    || fail "an instance that existed before the upgrade is not ACTIVE"
  # 4. stackhop (the lab does not) pinned compute RPC and switched the computes' driver class;
  #    every project on every host runs the new release
  [ "$(crudini --get "$(nova_conf "$CTL")" upgrade_levels compute 2>/dev/null)" = auto ] \
    || fail "[upgrade_levels] compute is not auto in $(nova_conf "$CTL")"
  local c l
  for c in $COMPUTES; do
    [ "$(crudini --get "$(nova_conf "$c")" DEFAULT compute_driver)" = fake.FakeDriverWithoutFakeNodes ] \
      || fail "$c: compute_driver is not fake.FakeDriverWithoutFakeNodes"
  done
  for l in "$LAB"/current/*; do
    case "$(readlink "$l")" in *-"$NEW") ;; *) fail "$(basename "$l") runs $(readlink "$l")";; esac
  done
  grep -q "Automatically selected compute RPC version" "$LAB/logs/nova-conductor-$CTL.log" \
    || fail "the new conductor never auto-pinned compute RPC"
  # 5. a boot works now
  local name=e2e-after-$(basename "$RUN")
  openstack server create --flavor m1.tiny --image fake-img --nic none --wait "$name" >/dev/null \
    || fail "a boot after the upgrade failed"
  openstack server delete --wait "$name" || fail "deleting $name failed"
  # 6. the probe's failures fall inside the phases verify reports the capability unavailable
  E2E windows --plan "$RUN/plan.json" --journal "$RUN/run.db" --verify "$RUN/verify.json" \
    --probe "$RUN/probe.jsonl" --slack "$SLACK" --out "$RUN/windows.json" >&2 \
    || fail "the probe saw downtime outside the windows verify reported (see $RUN/windows.json)"
  log "$(basename "$RUN"): all checks passed"
}

st_report() {
  estage "report"
  estage_end
  E2E report --work "$WORK" --out "$WORK/e2e-report.json"
}

# ---------------------------------------------------------------------------------------------
st_interrupt() {
  estage "run 2: lab down + up"
  need_stackhop
  save_lab_logs "$RUN"
  RUN=$WORK/run2
  rm -rf "$RUN"; mkdir -p "$RUN"
  lab_up 1
  st_static
  estage "run 2: apply, killed, resumed (probe alongside)"
  local kstep; kstep=$(E2E kill-step "$RUN/plan.json" --computes "$(tr ' ' , <<<"$COMPUTES")" ${E2E_KILL_STEP:+--regex "$E2E_KILL_STEP"}) \
    || fail "no step to kill apply at"
  log "apply will be killed (SIG$KILL_SIGNAL) when step $kstep starts"
  STAGE_LOGS=("$RUN/apply.log" "$RUN/resume.log" "$RUN/probe.log")
  probe_start
  local t0 t1 t2 rc=0 kids
  t0=$(date +%s.%N)
  (cd "$RUN" && exec "$STACKHOP" apply --plan "$RUN/plan.json" --target "$TARGET" --journal "$RUN/run.db" --yes) \
    >"$RUN/apply.log" 2>&1 &
  APPLY_PID=$!
  while kill -0 "$APPLY_PID" 2>/dev/null; do
    [ "$(E2E attempts "$RUN/run.db" --step "$kstep" 2>/dev/null || echo 0)" -gt 0 ] && break
    sleep 0.2
  done
  kill -0 "$APPLY_PID" 2>/dev/null || { wait "$APPLY_PID" || rc=$?; fail "apply ended (exit $rc) before step $kstep started"; }
  kids=$(descendants "$APPLY_PID" | tr '\n' ' ')
  if [ "$KILL_SIGNAL" = INT ]; then
    kill -INT "$APPLY_PID"; sleep 1; kill -INT "$APPLY_PID" 2>/dev/null || true
  else
    kill -KILL "$APPLY_PID"
  fi
  t1=$(date +%s.%N)
  wait "$APPLY_PID" || rc=$?
  APPLY_PID=
  log "apply killed (exit $rc) at step $kstep; commands it had running: ${kids:-none}"
  # the commands it had started run on in their own process groups: let them finish (bounded),
  # as they would on a host whose orchestrator died
  local p end=$(( $(date +%s) + 120 ))
  for p in $kids; do while kill -0 "$p" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do sleep 0.5; done; done
  "$STACKHOP" status --journal "$RUN/run.db" --format json >"$RUN/status-killed.json" 2>"$RUN/status-killed.err" || true
  log "journal after the kill: $(E2E get "$RUN/status-killed.json" state 2>/dev/null || echo '?'), $(E2E attempts "$RUN/run.db") attempts"
  local rrc=0
  (cd "$RUN" && "$STACKHOP" resume --journal "$RUN/run.db" --plan "$RUN/plan.json") >"$RUN/resume.log" 2>&1 || rrc=$?
  t2=$(date +%s.%N)
  E2E meta "$RUN/meta.json" "apply_exit=$rc" "killed_at_step=$kstep" "kill_signal=$KILL_SIGNAL" "resume_exit=$rrc" \
    "apply_wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')" \
    "resume_wall_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.1f", b-a}')"
  log "resume exited $rrc"
  probe_stop
  [ $rrc = 0 ] || fail "stackhop resume exited $rrc"
  st_checks
}

# ---------------------------------------------------------------------------------------------
st_negative() {
  estage "negative: a plan without the controllers' pin"
  need_stackhop
  local src=$RUN/plan.json d=$WORK/negative
  [ -e "$src" ] || src=$WORK/run1/plan.json
  [ -e "$src" ] || die "no plan.json to break (run the static stage)"
  rm -rf "$d"; mkdir -p "$d"
  STAGE_LOGS=("$d/verify.err" "$d/apply.log")
  E2E break-plan "$src" "$d/broken.json" >&2 || fail "could not remove the pin step from $src"
  # the operator who edits a plan on purpose reseals it; what verify judges is then the edit
  "$STACKHOP" reseal "$d/broken.json" 2>>"$d/verify.err" || fail "reseal of the broken plan failed"
  local rc=0
  "$STACKHOP" verify --plan "$d/broken.json" --format json >"$d/verify.json" 2>"$d/verify.err" || rc=$?
  log "verify of the broken plan exited $rc"
  [ $rc = 1 ] || { cat "$d/verify.err" >&2; fail "verify of a plan without the pin exited $rc, not 1"; }
  [ "$(E2E get "$d/verify.json" verified)" = false ] || fail "verify's JSON does not say verified: false"
  log "verify's violations: $(E2E get "$d/verify.json" violations | cut -c1-400)"
  # apply must refuse before running anything. If it ran the plan it would upgrade the lab
  # unpinned: watch its journal and stop it at its first step.
  local arc=0 ran=0
  ( cd "$d" && exec "$STACKHOP" apply --plan "$d/broken.json" --target "$TARGET" --journal "$d/run.db" --yes ) \
    >"$d/apply.log" 2>&1 &
  APPLY_PID=$!
  while kill -0 "$APPLY_PID" 2>/dev/null; do
    if [ -e "$d/run.db" ] && [ "$(E2E attempts "$d/run.db" 2>/dev/null || echo 0)" -gt 0 ]; then
      ran=1; kill -KILL "$APPLY_PID"; break
    fi
    sleep 0.1
  done
  wait "$APPLY_PID" || arc=$?
  APPLY_PID=
  [ -e "$d/run.db" ] && [ "$(E2E attempts "$d/run.db" 2>/dev/null || echo 0)" -gt 0 ] && ran=1
  E2E meta "$d/result.json" "verify_exit=$rc" "apply_exit=$arc" "apply_ran_steps=$ran"
  log "apply of the broken plan exited $arc; ran steps: $ran"
  tail -5 "$d/apply.log" >&2
  [ $ran = 0 ] || fail "apply started running a plan that verify rejects (killed at its first step)"
  [ $arc != 0 ] || fail "apply of the broken plan exited 0"
  log "negative test passed"
}

# ---------------------------------------------------------------------------------------------
main() {
  local stages=("$@")
  if [ ${#stages[@]} = 0 ]; then
    stages=(build up static apply checks interrupt negative report)
    rm -f "$WORK/timings.tsv"
  fi
  local s
  for s in "${stages[@]}"; do
    declare -F "st_$s" >/dev/null || die "unknown stage $s (build up static apply checks report interrupt negative)"
  done
  for s in "${stages[@]}"; do "st_$s"; done
  estage_end
}
main "$@"
