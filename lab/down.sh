#!/usr/bin/env bash
# Stop everything lab/up.sh started and remove what it made: every host's supervisord and
# programs, its sshd, its network namespace and veth, the bridge, and the lab root (keys, config,
# data). Safe when nothing is up, after a failed up.sh, and twice in a row; every process is
# stopped by PID (supervisord, its programs, pidfiles, whatever is left inside a namespace).
#   lab/down.sh                 # default lab root /opt/stackhop-lab (or $STACKHOP_LAB)
#   KEEP_LAB_ROOT=1 lab/down.sh # stop everything and remove the network, keep files (logs, keys)
source "$(dirname "$0")/common.sh"
set +e
[ "$(id -u)" = 0 ] || die "must run as root"

pidfile() { [ -s "$1" ] && cat "$1"; }

# The network belongs to the lab root named in $NET_OWNER; another lab root's down.sh leaves it.
owner=$(cat "$NET_OWNER" 2>/dev/null)
remove_network() {
  if [ -n "$owner" ] && [ "$owner" != "$LAB" ]; then
    log "the lab network belongs to $owner: left alone"
    return
  fi
  local h
  for h in $HOSTS; do netns_down "$(host_ns "$h")" "$(host_veth "$h")"; done
  bridge_down "$LAB_BRIDGE"
  rm -f "$NET_OWNER"
}

if [ ! -d "$LAB" ]; then
  remove_network
  log "no lab root at $LAB: nothing else to do"
  exit 0
fi
if [ ! -e "$LAB/.stackhop-lab" ]; then die "$LAB is not a stackhop lab root (no .stackhop-lab marker): not touching it"; fi

# 0. an up.sh venv install still running in the background (failed up.sh)
VP=$(pidfile "$LAB/run/venv-install.pid")
if alive "$VP"; then kill_pids 10 $(descendants "$VP") "$VP"; fi

# 1. each host's supervisord: the computes first, the controller (rabbit, the database) last
PIDS=() SPIDS=()
for h in $COMPUTES $CTL; do
  SPID=$(sv_pid "$h")
  alive "$SPID" || continue
  SPIDS+=("$SPID")
  # remember every program's pid in case supervisord does not get them all down
  progs=($(sv "$h" pid all 2>/dev/null | grep -E '^[1-9][0-9]*$'))
  for p in "${progs[@]}"; do PIDS+=("$p" $(descendants "$p")); done
  # rabbit the polite way (it needs the cookie + node name, inside ctl's namespace), with a bound
  if [ "$h" = "$CTL" ] && sv "$h" status rabbitmq 2>/dev/null | grep -q RUNNING; then
    log "rabbitmqctl stop"
    timeout 60 ip netns exec "$(host_ns "$CTL")" rabbitmqctl -q -n rabbit@localhost stop >/dev/null 2>&1 \
      || log "rabbitmqctl stop failed (continuing)"
  fi
  # OpenStack programs first, infra last (supervisord stops in reverse priority order).
  # (`timeout` runs programs, not shell functions such as sv: spelt out here.)
  log "$h: supervisorctl stop all; shutdown"
  timeout 180 supervisorctl -c "$(sv_conf "$h")" stop all >/dev/null 2>&1
  timeout 30 supervisorctl -c "$(sv_conf "$h")" shutdown >/dev/null 2>&1
  end=$(( $(date +%s) + 60 )); while alive "$SPID" && [ "$(date +%s)" -lt "$end" ]; do sleep 1; done
done
# 2. whatever is still alive: supervisords, remembered programs, pidfiles, sshds
SSHDS=()
for h in $HOSTS; do SSHDS+=("$(pidfile "$LAB/hosts/$h/etc/ssh/sshd.pid")"); done
# ($LAB/run/supervisord.pid: the one supervisord of a lab built before the lab had hosts)
kill_pids 20 "${SPIDS[@]}" "${PIDS[@]}" "${SSHDS[@]}" "$(pidfile "$LAB/run/supervisord.pid")" \
  "$(pidfile "$LAB/run/mysqld/mysqld.pid")" "$(pidfile "$LAB/run/rabbitmq/rabbitmq.pid")"
# 3. any process still running a lab binary or config (e.g. an orphan after supervisord crashed)
#    Never this script or one of its callers (a `bash -c '... /opt/stackhop-lab ...'` that runs
#    down.sh names the lab root too).
MINE=" "; a=$$
while [ "${a:-0}" -gt 1 ]; do MINE+="$a "; a=$(ps -o ppid= -p "$a" 2>/dev/null | tr -d ' '); done
LEFT=()
for d in /proc/[0-9]*; do
  p=${d#/proc/}; case "$MINE" in *" $p "*) continue;; esac
  if { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -qF -- "$LAB/"; then LEFT+=("$p"); fi
done
kill_pids 10 "${LEFT[@]}"
# 4. the network: whatever still runs inside a lab namespace (an `epmd -daemon` rabbit forked,
#    a login over ssh) is the lab's; then the namespaces, veths and the bridge
remove_network

if [ "${KEEP_LAB_ROOT:-0}" = 1 ]; then
  log "stopped; kept $LAB (KEEP_LAB_ROOT=1)"
else
  case "$LAB" in /|/opt|/usr|/var|/home|/root|/tmp|"") die "refusing to remove $LAB";; esac
  rm -rf --one-file-system "$LAB"
  log "stopped and removed $LAB (with its ssh keys, known_hosts and config)"
fi
exit 0
