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
#   up         run 1: bring the lab up (a used lab is reset first), record the instances; then
#              `stackhop discover --check` must find the lab its inventory describes, and name a
#              compute whose link is switched to the new release by hand (each lab bring-up)
#   static     check, plan (json + text), verify, simulate: each must succeed
#   apply      the probe in the background, `apply --plan --target $TARGET`, stop the probe
#   checks     run succeeded, every nova service on version 66 and up, instances ACTIVE, the
#              pin and the driver class set by stackhop, probe failures only inside verify's windows
#   report     measured vs predicted downtime per capability, stage wall times -> e2e-report.json
#   interrupt  run 2: down, up, static; then three faults on the same fresh lab:
#              - a compute's host key changes since trust-hosts: apply refuses, nothing runs;
#              - the link of the first compute goes down while its step runs: the step fails
#                naming it, nothing more of the batch starts, the journal's cloud is one verify
#                calls safe; the link comes back;
#              - resume is killed when the next compute's step starts, and resumed again
#                (refused while that step's command still runs on its host);
#              then the same checks
#   negative   plan.json without the controllers' pin step: verify must exit 1 and apply must
#              refuse before running anything
# Environment: STACKHOP (binary), E2E_TARGET (apply's target: ssh, the default, runs each host's
#   commands on it over the lab's network; local runs them all from this machine's root
#   namespace; the fault runs need ssh), STACKHOP_E2E_WORK (default target/e2e), KEEP_LAB=1,
#   E2E_PROBE_API (2 s), E2E_PROBE_BOOT (15 s), E2E_SLACK_S (3 s), E2E_KILL_STEP (regex on step
#   ids), E2E_KILL_SIGNAL (KILL | INT: SIGINT twice), E2E_FRESH=1 (reset the lab even if fresh),
#   E2E_RUN=run2 (stages run alone act on run 2's files, e.g. `E2E_RUN=run2 lab/e2e.sh checks`)
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/checks.sh"
exec </dev/null
[ "$(id -u)" = 0 ] || die "must run as root"

REPO=$(cd "$LAB_SRC/.." && pwd)
WORK=${STACKHOP_E2E_WORK:-$REPO/target/e2e}
INV=$LAB/inventory.yaml
SCENARIO=live-compute
TARGET=${E2E_TARGET:-ssh}       # where apply and resume run the plan's commands
PROBE_API=${E2E_PROBE_API:-2}
PROBE_BOOT=${E2E_PROBE_BOOT:-15}
SLACK=${E2E_SLACK_S:-3}
KILL_SIGNAL=${E2E_KILL_SIGNAL:-KILL}
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
  # the operator's first step on a new cloud: see and record its host keys
  need_stackhop
  "$STACKHOP" trust-hosts -i "$INV" --yes >"$RUN/trust-hosts.log" 2>&1 \
    || { cat "$RUN/trust-hosts.log" >&2; fail "stackhop trust-hosts failed"; }
  openstack server list --all-projects -f json -c ID -c Name -c Status >"$RUN/instances-before.json"
  E2E instances "$RUN/instances-before.json" >&2 || fail "not every instance is ACTIVE before the upgrade"
  # the new service version, for the checks
  "$NOVA_VENV/bin/python" -c 'from nova.objects.service import SERVICE_VERSION as v; print(v)' >"$RUN/new-service-version"
  discover_check
}

# discover_check: stackhop reads the hosts back over SSH: they must be the lab up.sh built and its
# inventory describes (hosts, versions, services, instances), and a compute whose code link is
# switched to $NEW by hand must make `discover --check` exit 1 naming it (then switched back)
discover_check() {
  estage "$(basename "$RUN"): discover"
  local h=${COMPUTES#* } rc=0; h=${h%% *}
  STAGE_LOGS=("$RUN/discover.json.err" "$RUN/discover-switched.err")
  run_to "$RUN/discover.json" "$STACKHOP" discover -i "$INV" --check --format json --out "$RUN/discovered.yaml"
  E2E discovered "$RUN/discover.json" --hosts "$HOSTS" --controller "$CTL" --instances 1 \
    --os "$(. /etc/os-release && echo "$ID-$VERSION_ID")" \
    --nova "$(dpkg-query -W -f '${Version}' python3-nova)" \
    --placement "$(dpkg-query -W -f '${Version}' python3-placement)" >&2 \
    || fail "discover did not find the lab up.sh built (see $RUN/discover.json)"
  ln -sfn "$LAB/releases/nova-$NEW" "$LAB/current/nova-$h"
  "$STACKHOP" discover -i "$INV" --check >"$RUN/discover-switched.yaml" 2>"$RUN/discover-switched.err" || rc=$?
  ln -sfn "$LAB/releases/nova-$OLD" "$LAB/current/nova-$h"
  [ $rc = 1 ] || fail "discover --check with $h switched to $NEW by hand exited $rc, not 1"
  grep -q "^  - $h: nova .* ($NEW), the inventory says nova_version" "$RUN/discover-switched.err" \
    || fail "discover --check did not name $h's nova (see $RUN/discover-switched.err)"
  log "discover: the hosts are the lab of $INV; $h switched to $NEW by hand was named"
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
  run_report
  [ $rc = 0 ] || fail "stackhop apply exited $rc"
}

# run_report [NAME]: the run's page next to its journal ($RUN/NAME.html, NAME=report) and its
# phases measured against the twin's prediction ($RUN/NAME.txt, also shown). Exit 1 (the run
# failed) still writes both; a report that cannot be written is logged, not a failed check.
run_report() {
  local name=${1:-report} rc=0
  "$STACKHOP" report --journal "$RUN/run.db" --format html --out "$RUN/$name.html" 2>>"$RUN/$name.err" || rc=$?
  "$STACKHOP" report --journal "$RUN/run.db" >"$RUN/$name.txt" 2>>"$RUN/$name.err" || [ $? = 1 ] || rc=3
  [ $rc -le 1 ] || { log "stackhop report failed (see $RUN/$name.err)"; return 0; }
  log "the run's page: $RUN/$name.html; measured / predicted per phase ($RUN/$name.txt):"
  sed -n '/^phase .*measured_s/,/^run /p' "$RUN/$name.txt" >&2
}

# ---------------------------------------------------------------------------------------------
st_checks() {
  estage "$(basename "$RUN"): checks"
  need_stackhop
  STAGE_LOGS=("$RUN/status.json.err")
  # 1. the journal: the run succeeded, every step succeeded
  run_to "$RUN/status.json" "$STACKHOP" status --journal "$RUN/run.db" --format json
  E2E status "$RUN/status.json" >&2 || fail "the journal does not record a fully succeeded run"
  # 2. the cloud is upgraded: nova's services new and up, instances ACTIVE, pin, driver,
  #    releases, the conductor's own pin, and a boot works (the checks e2e_ansible.sh makes too)
  check_cloud_upgraded "$RUN" "e2e-after-$(basename "$RUN")"
  # 3. the probe's failures fall inside the phases verify reports the capability unavailable
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
  [ "$TARGET" = ssh ] || fail "the fault runs need E2E_TARGET=ssh"
  fault_changed_key cmp3
  estage "run 2: apply, a compute's link down, resumed, killed, resumed (probe alongside)"
  STAGE_LOGS=("$RUN/apply.log" "$RUN/resume.log" "$RUN/resume2.log" "$RUN/probe.log")
  probe_start
  local t0; t0=$(date +%s.%N)
  fault_link_down cmp1
  fault_kill_resume
  E2E meta "$RUN/meta.json" "faulted_wall_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')"
  probe_stop
  run_report
  st_checks
}

# fault_changed_key HOST: HOST's sshd gets a new host key after trust-hosts: apply must refuse,
# naming it, before it records or runs anything; trust-hosts again lets the run go on
fault_changed_key() {
  local h=$1 dir="$LAB/hosts/$1/etc/ssh" rc=0
  estage "run 2: $h's host key changed"
  rm -f "$dir/ssh_host_ed25519_key" "$dir/ssh_host_ed25519_key.pub"
  ssh-keygen -q -t ed25519 -N '' -C "$(host_ns "$h")" -f "$dir/ssh_host_ed25519_key"
  kill -HUP "$(cat "$dir/sshd.pid")"      # sshd re-executes and loads the new key
  sleep 1
  (cd "$RUN" && "$STACKHOP" apply --plan "$RUN/plan.json" --target ssh --journal "$RUN/rekey.db" --yes) \
    >"$RUN/rekey.log" 2>&1 || rc=$?
  log "apply with $h's key changed exited $rc"
  [ $rc = 3 ] || { tail -20 "$RUN/rekey.log" >&2; fail "apply with a changed host key exited $rc, not 3"; }
  grep -q "^  $h ($(host_ip "$h")): its host key CHANGED" "$RUN/rekey.log" \
    || { cat "$RUN/rekey.log" >&2; fail "apply did not name $h's changed key"; }
  grep -q "SHA256:" "$RUN/rekey.log" || fail "apply did not show the new key's fingerprint"
  [ ! -e "$RUN/rekey.db" ] || [ "$(E2E attempts "$RUN/rekey.db")" = 0 ] || fail "apply recorded attempts"
  "$STACKHOP" trust-hosts -i "$INV" --yes >>"$RUN/trust-hosts.log" 2>&1 || fail "trust-hosts after the rekey failed"
  E2E meta "$RUN/meta.json" "rekey_apply_exit=$rc"
}

# fault_link_down HOST: apply; HOST's link goes down when HOST's first step starts: the step fails
# naming HOST, nothing more of its batch starts, the cloud the journal records is safe; link up
fault_link_down() {
  local h=$1 veth; veth=$(host_veth "$1")
  local kstep; kstep=$(E2E kill-step "$RUN/plan.json" --computes "$h") || fail "no step on $h"
  log "apply; $h's link ($veth) goes down when $kstep starts"
  local rc=0
  (cd "$RUN" && exec "$STACKHOP" apply --plan "$RUN/plan.json" --target ssh --journal "$RUN/run.db" --yes) \
    >"$RUN/apply.log" 2>&1 &
  APPLY_PID=$!
  while kill -0 "$APPLY_PID" 2>/dev/null; do
    [ "$(E2E attempts "$RUN/run.db" --step "$kstep" 2>/dev/null || echo 0)" -gt 0 ] && break
    sleep 0.1
  done
  ip link set "$veth" down
  log "$veth down"
  wait "$APPLY_PID" || rc=$?
  APPLY_PID=
  ip link set "$veth" up
  log "apply exited $rc; $veth up"
  [ $rc = 1 ] || { tail -30 "$RUN/apply.log" >&2; fail "apply with $h's link down exited $rc, not 1"; }
  "$STACKHOP" status --journal "$RUN/run.db" --format json >"$RUN/status-link.json" || true
  [ "$(E2E get "$RUN/status-link.json" failure.host)" = "$h" ] \
    || fail "status does not name $h as the failed host: $(E2E get "$RUN/status-link.json" failure)"
  [ "$(E2E get "$RUN/status-link.json" cloud_safe)" = true ] \
    || fail "the cloud the journal records is not safe: $(E2E get "$RUN/status-link.json" cloud_broken)"
  # nothing of the batch started after the failed step (its steps before it ran, as planned)
  local batch=${kstep%.*}
  local after; after=$(E2E attempts "$RUN/run.db" --regex "^${batch//./\\.}\\." --started-after "$kstep")
  [ "$after" = 0 ] || fail "$after attempt(s) of $batch started after $kstep failed"
  E2E meta "$RUN/meta.json" "link_apply_exit=$rc" "link_failed_step=$kstep"
  wait_for "ssh to $h again" 60 ssh_ok "$SSH_CONFIG" "$(host_ip "$h")"
}

# fault_kill_resume: resume; SIGKILL it when the next compute's step starts; resume again until
# it stops refusing (a command of the killed run may still run on its host) and finishes
fault_kill_resume() {
  local kstep; kstep=$(E2E kill-step "$RUN/plan.json" --computes cmp2) || fail "no step on cmp2"
  log "resume; killed (SIG$KILL_SIGNAL) when $kstep starts"
  local rc=0 waited=0
  while :; do
    rc=0
    (cd "$RUN" && exec "$STACKHOP" resume --journal "$RUN/run.db" --plan "$RUN/plan.json") \
      >"$RUN/resume.log" 2>&1 &
    APPLY_PID=$!
    while kill -0 "$APPLY_PID" 2>/dev/null; do
      [ "$(E2E attempts "$RUN/run.db" --step "$kstep" 2>/dev/null || echo 0)" -gt 0 ] && break
      sleep 0.2
    done
    kill -0 "$APPLY_PID" 2>/dev/null && break
    wait "$APPLY_PID" || rc=$?
    APPLY_PID=
    # the command the lost connection left may still run on its host: resume must refuse then
    [ $rc = 3 ] && grep -q "still be running" "$RUN/resume.log" && [ $waited -lt 60 ] \
      || { cat "$RUN/resume.log" >&2; fail "resume ended (exit $rc) before $kstep started"; }
    waited=$((waited + 1)); sleep 2
  done
  [ $waited = 0 ] || log "resume refused $waited time(s) while the link-down run's command still ran"
  E2E meta "$RUN/meta.json" "link_resume_refused=$waited"
  if [ "$KILL_SIGNAL" = INT ]; then
    kill -INT "$APPLY_PID"; sleep 1; kill -INT "$APPLY_PID" 2>/dev/null || true
  else
    kill -KILL "$APPLY_PID"
  fi
  wait "$APPLY_PID" || rc=$?
  APPLY_PID=
  log "resume killed (exit $rc) at $kstep"
  run_report report-killed
  local rrc=0 tries=0 refused=0
  while :; do
    rrc=0; tries=$((tries + 1))
    (cd "$RUN" && "$STACKHOP" resume --journal "$RUN/run.db" --plan "$RUN/plan.json") >"$RUN/resume2.log" 2>&1 || rrc=$?
    [ $rrc = 3 ] && grep -q "still be running" "$RUN/resume2.log" && [ $tries -lt 60 ] || break
    refused=$((refused + 1)); sleep 2
  done
  log "resume exited $rrc after $tries tries ($refused refused while a command of the killed run still ran)"
  E2E meta "$RUN/meta.json" "kill_step=$kstep" "resume_refused=$refused" "resume_exit=$rrc"
  [ $rrc = 0 ] || { tail -30 "$RUN/resume2.log" >&2; fail "the final resume exited $rrc"; }
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
