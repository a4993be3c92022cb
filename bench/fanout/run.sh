#!/usr/bin/env bash
# Fan-out benchmark: the same trivial command on N hosts at once, by Ansible and by stackhop's
# SSH target, measured in one run and printed as a ratio. See bench/fanout/README.md.
#
#   bench/fanout/run.sh                         # as root: N = 10 and 50, 3 runs of each
#   BENCH_SIZES="10" BENCH_RUNS=5 bench/fanout/run.sh
#   BENCH_ANSIBLE_PIPELINING=1 bench/fanout/run.sh   # Ansible with pipelining on
#
# Each host is a network namespace with its own sshd (lab/netns.sh) on the bridge shbench0,
# 10.214.0.0/24 (h01 .11, h02 .12, ...); the fleet's key, known_hosts and ssh config are under
# $BENCH_WORK. Everything the script made is removed when it exits, also on failure or ^C.
source "$(dirname "$0")/../../lab/common.sh"
exec </dev/null
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, sshd)"

REPO=$(cd "$LAB_SRC/.." && pwd)
WORK=${BENCH_WORK:-$REPO/target/bench-fanout}
SIZES=${BENCH_SIZES:-10 50}
RUNS=${BENCH_RUNS:-3}
SUBNET=${BENCH_SUBNET:-10.214.0}            # a /24 of its own, beside the lab's 10.213.0.0/24
BRIDGE=shbench0
ANSIBLE_VERSION=2.19.14
COMMANDS=("true" "cat /etc/os-release")
MAX_HOSTS=240                                # .11 to .250 of the /24

host_name() { printf 'h%02d' "$1"; }
host_addr() { echo "$SUBNET.$((10 + $1))"; }
host_ns() { echo "shbench-$(host_name "$1")"; }
host_veth() { echo "shbv-$(host_name "$1")"; }

# ---------------------------------------------------------------------------------------------
# the fleet
MADE=0                                       # hosts 1..MADE may exist
cleanup() {
  local rc=$? i p left=()
  set +e
  # ssh masters Ansible left behind (ControlPersist) and the sshds name the fleet's files
  for p in $(pgrep -f -- "$WORK/" 2>/dev/null); do [ "$p" != $$ ] && left+=("$p"); done
  kill_pids 5 "${left[@]}" 2>/dev/null
  for ((i = 1; i <= MADE; i++)); do netns_down "$(host_ns "$i")" "$(host_veth "$i")" >/dev/null 2>&1; done
  bridge_down "$BRIDGE" >/dev/null 2>&1
  [ "$MADE" = 0 ] || log "removed the fleet: $MADE namespaces, their sshds, the bridge $BRIDGE"
  exit $rc
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# fleet_up N: hosts 1..N, each a namespace with an sshd; the key, known_hosts and ssh config
fleet_up() {
  local n=$1 i dir known="" t0=$SECONDS
  [ "$n" -le "$MAX_HOSTS" ] || die "at most $MAX_HOSTS hosts"
  subnet_free "$BRIDGE" "$SUBNET.0/24"
  bridge_up "$BRIDGE" "$SUBNET.1/24"
  mkdir -p "$WORK/ssh" "$WORK/hosts"
  chmod go-w "$WORK"; chmod 700 "$WORK/ssh"    # sshd's StrictModes checks the authorized_keys path
  ssh_client_key "$WORK/ssh/id_ed25519"
  install -m 600 "$WORK/ssh/id_ed25519.pub" "$WORK/ssh/authorized_keys"
  for ((i = 1; i <= n; i++)); do
    [ "$i" -le "$MADE" ] || MADE=$i
    dir=$WORK/hosts/$(host_name "$i")
    netns_up "$(host_ns "$i")" "$(host_veth "$i")" "$BRIDGE" "$(host_addr "$i")/24"
    sshd_up "$(host_ns "$i")" "$(host_addr "$i")" "$dir" "$WORK/ssh/authorized_keys" "$dir/sshd.log"
    known+=$(known_host "$(host_name "$i")" "$(host_addr "$i")" "$dir")$'\n'
  done
  printf '%s' "$known" >"$WORK/ssh/known_hosts"
  cat >"$WORK/ssh/config" <<E
# the fan-out benchmark's fleet (bench/fanout/run.sh)
Host *
  User root
  IdentityFile $WORK/ssh/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $WORK/ssh/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
E
  for ((i = 1; i <= n; i++)); do
    wait_for "ssh to $(host_name "$i")" 20 ssh_ok "$WORK/ssh/config" "$(host_addr "$i")"
  done
  log "fleet of $n hosts up in $((SECONDS - t0)) s: $(host_name 1) $(host_addr 1) .. $(host_name "$n") $(host_addr "$n")"
}

# write_inventory N FILE: the fleet as a stackhop inventory (h01 the controller, the rest computes)
write_inventory() {
  local n=$1 file=$2
  {
    cat <<E
# The fan-out benchmark's fleet of $n hosts (bench/fanout/run.sh): network namespaces with sshd.
name: fanout-$n
release: zed
profile: debian-venv
connection:
  user: root
  identity_file: $WORK/ssh/id_ed25519
  ssh_config: $WORK/ssh/config
  known_hosts: $WORK/ssh/known_hosts
options:
  fanout: $n                 # every host at once, as ansible -f N
hosts:
  - name: $(host_name 1)
    address: $(host_addr 1)
    roles: [controller]
    os: debian-12
E
    if [ "$n" -gt 1 ]; then
      cat <<E
  - name: h[02:$(printf '%02d' "$n")]
    address: $SUBNET.[12:$((10 + n))]
    roles: [compute]
    os: debian-12
E
    fi
  } >"$file"
}

# write_ansible_inventory N FILE
write_ansible_inventory() {
  local n=$1 file=$2 i
  {
    echo "[fleet]"
    for ((i = 1; i <= n; i++)); do echo "$(host_name "$i") ansible_host=$(host_addr "$i")"; done
    echo
    echo "[fleet:vars]"
    echo "ansible_python_interpreter=/usr/bin/python3"
    echo "ansible_ssh_common_args=-F $WORK/ssh/config"
  } >"$file"
}

# ---------------------------------------------------------------------------------------------
# the tools

ansible_venv() {
  local venv=$WORK/venv
  if [ "$("$venv/bin/ansible" --version 2>/dev/null | head -1)" != "ansible [core $ANSIBLE_VERSION]" ]; then
    log "installing ansible-core $ANSIBLE_VERSION into $venv (pip)"
    rm -rf "$venv"
    "$SYSPY" -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "ansible-core==$ANSIBLE_VERSION" >"$WORK/pip.log" 2>&1 \
      || { tail -20 "$WORK/pip.log" >&2; die "pip install ansible-core failed"; }
  fi
  # Ansible's own files stay under $WORK, not in root's home
  mkdir -p "$WORK/ansible/tmp"
  cat >"$WORK/ansible/ansible.cfg" <<E
[defaults]
host_key_checking = True
local_tmp = $WORK/ansible/tmp
remote_tmp = /tmp/.ansible-bench
interpreter_python = /usr/bin/python3
[ssh_connection]
pipelining = $([ "${BENCH_ANSIBLE_PIPELINING:-0}" = 1 ] && echo True || echo False)
E
  export ANSIBLE_CONFIG=$WORK/ansible/ansible.cfg ANSIBLE_HOME=$WORK/ansible
}

# run_ansible N COMMAND LOG: COMMAND on every host by `ansible all -m command -f N`, cold (no ssh
# master left from an earlier run); fails unless every host ran it
run_ansible() {
  local n=$1 command=$2 logfile=$3 ok
  rm -rf "$WORK/ansible/cp"; mkdir -p "$WORK/ansible/cp"
  ANSIBLE_SSH_CONTROL_PATH_DIR=$WORK/ansible/cp \
    "$WORK/venv/bin/ansible" all -i "$WORK/ansible/hosts-$n" -m command -a "$command" -f "$n" >"$logfile" 2>&1 \
    || { tail -20 "$logfile" >&2; return 1; }
  ok=$(grep -c ' | CHANGED | rc=0 >>' "$logfile")
  [ "$ok" = "$n" ] || { tail -20 "$logfile" >&2; echo "ansible: $ok of $n hosts ran it" >&2; return 1; }
}

# run_stackhop INVENTORY N COMMAND LOG: COMMAND on every host of INVENTORY by stackhop's SSH
# target, at most N hosts at once (the inventory's options.fanout); fails unless every host ran
# it. What runs is the whole of `apply`: a one-step plan (made from the inventory's own plan,
# its commands replaced, resealed and accepted as edited; --unverified, since one step finishes
# no upgrade), the host key check and a session per host, the journal with every intent and
# result committed, the ssh masters closed at the end.
run_stackhop() {
  local inventory=$1 n=$2 command=$3 logfile=$4 d=$WORK/stackhop
  mkdir -p "$d"; rm -f "$d"/run.db*
  "$STACKHOP" plan -i "$inventory" -s all-at-once --out "$d/plan.json" >/dev/null 2>"$logfile" || return 1
  "$SYSPY" - "$d/plan.json" "$command" <<'P' || return 1
import json, sys
path, command = sys.argv[1], sys.argv[2]
plan = json.load(open(path))
hosts = sorted({h for s in plan["steps"] for h in s["hosts"]})
step = dict(plan["steps"][0], id="bench.fanout", phase="bench", hosts=hosts, after=[],
            commands=[command], reason="the fan-out benchmark's one command")
step.pop("runs_on", None)
plan["steps"] = [step]
json.dump(plan, open(path, "w"), indent=2)
P
  "$STACKHOP" reseal "$d/plan.json" 2>>"$logfile" || return 1
  (cd "$d" && "$STACKHOP" apply --plan plan.json --accept-edited --unverified --target ssh --yes \
      --journal run.db) >>"$logfile" 2>&1 || { tail -20 "$logfile" >&2; return 1; }
  local done; done=$("$STACKHOP" status --journal "$d/run.db" --format json | "$SYSPY" -c \
    'import json,sys; print(json.load(sys.stdin)["steps"][0]["hosts_succeeded"])')
  [ "$done" = "$n" ] || { echo "stackhop: $done of $n hosts ran it" >&2; return 1; }
}

# ---------------------------------------------------------------------------------------------
# measuring

# time_runs OUT TOOL ARGS...: RUNS timed runs of run_TOOL; the seconds of each appended to OUT
# (one line). A run that fails (Ansible's "Failed to connect to new control master" with 50
# forks on 2 busy cores) is timed again, at most twice per run; how many failed goes to
# OUT.failed and into the table, so a flaky tool is not timed only on its good runs silently.
time_runs() {
  local out=$1 tool=$2; shift 2
  local r t0 t1 rc failed=0 tries times=()
  for ((r = 1; r <= RUNS; r++)); do
    for ((tries = 1; ; tries++)); do
      t0=$(date +%s.%N)
      rc=0; "run_$tool" "$@" || rc=$?
      t1=$(date +%s.%N)
      [ $rc = 0 ] && break
      failed=$((failed + 1))
      [ $tries -lt 3 ] || die "$tool failed 3 times on run $r (see its log)"
      log "  $tool failed on run $r (see its log); timing it again"
    done
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')")
  done
  echo "${times[*]}" >>"$out"
  echo "$failed" >"$out.failed"
}

median() { tr ' ' '\n' | sort -g | awk '{v[NR]=$1} END {print v[int((NR + 1) / 2)]}'; }

main() {
  local n c i results=$WORK/results.tsv largest=0
  STACKHOP=${STACKHOP:-${CARGO_TARGET_DIR:-$REPO/target}/release/stackhop}
  [ -x "$STACKHOP" ] || die "no stackhop at $STACKHOP: cargo build --release, or set STACKHOP"
  for n in $SIZES; do [ "$n" -gt "$largest" ] && largest=$n; done
  mkdir -p "$WORK"
  ansible_venv
  fleet_up "$largest"
  : >"$results"
  for n in $SIZES; do
    write_inventory "$n" "$WORK/inventory-$n.yaml"
    write_ansible_inventory "$n" "$WORK/ansible/hosts-$n"
    for i in "${!COMMANDS[@]}"; do
      c=${COMMANDS[$i]}
      log "N=$n: \`$c\` by ansible ($RUNS runs)"
      local a=$WORK/times.$n.$i.ansible s=$WORK/times.$n.$i.stackhop
      rm -f "$a" "$s" "$a.failed" "$s.failed"
      time_runs "$a" ansible "$n" "$c" "$WORK/ansible-$n-$i.log"
      log "N=$n: \`$c\` by stackhop ($RUNS runs)"
      time_runs "$s" stackhop "$WORK/inventory-$n.yaml" "$n" "$c" "$WORK/stackhop-$n-$i.log"
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$c" "$(median <"$a")" "$(median <"$s")" \
        "$(cat "$a.failed")" "$(cat "$s.failed")" >>"$results"
      log "  ansible: $(cat "$a") s; stackhop: $(cat "$s")"
    done
  done
  local pipelining=off; [ "${BENCH_ANSIBLE_PIPELINING:-0}" = 1 ] && pipelining=on
  printf '\nfan-out: one command on N hosts (namespaces with sshd), median of %s cold runs\n' "$RUNS"
  printf 'ansible-core %s (-m command -f N, pipelining %s) against stackhop --target ssh\n\n' \
    "$ANSIBLE_VERSION" "$pipelining"
  printf '%4s  %-20s %12s %12s %18s  %s\n' N command "ansible (s)" "stackhop (s)" \
    "ansible/stackhop" "failed runs (timed again): ansible, stackhop"
  awk -F'\t' '{
    ratio = sprintf("%.1fx", $3 / $4)
    printf "%4s  %-20s %12s %12s %18s  %s, %s\n", $1, $2, $3, $4, ratio, $5, $6 }' "$results"
  log "results: $results; logs in $WORK"
}
main "$@"
