#!/usr/bin/env bash
# Stop everything lab/up.sh started and remove the lab root. Safe when nothing is up, safe after
# a failed up.sh; every process is stopped by PID (supervisord, its programs, pidfiles).
#   lab/down.sh                 # default lab root /opt/stackhop-lab (or $STACKHOP_LAB)
#   KEEP_LAB_ROOT=1 lab/down.sh # stop everything, keep files (logs) for inspection
source "$(dirname "$0")/common.sh"
set +e
[ "$(id -u)" = 0 ] || die "must run as root"

# a real pid (never 0 or 1: `kill 0` would signal our own process group, and
# `supervisorctl pid all` prints 0 for every program that is not running)
alive() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -gt 1 ] && kill -0 "$1" 2>/dev/null; }
# kill_pids SIGNAL-WAIT-SECONDS PID...: TERM, wait, then KILL what is left
kill_pids() {
  local wait=$1; shift
  local p live=()
  for p in "$@"; do alive "$p" && live+=("$p"); done
  [ ${#live[@]} -gt 0 ] || return 0
  log "TERM ${live[*]}"
  kill -TERM "${live[@]}" 2>/dev/null
  local end=$(( $(date +%s) + wait ))
  while [ "$(date +%s)" -lt "$end" ]; do
    local any=0; for p in "${live[@]}"; do alive "$p" && any=1; done
    [ $any = 1 ] || return 0
    sleep 1
  done
  for p in "${live[@]}"; do alive "$p" && { log "KILL $p"; kill -KILL "$p" 2>/dev/null; }; done
}
pidfile() { [ -s "$1" ] && cat "$1"; }

if [ ! -d "$LAB" ]; then log "no lab root at $LAB: nothing to do"; exit 0; fi
if [ ! -e "$LAB/.stackhop-lab" ]; then die "$LAB is not a stackhop lab root (no .stackhop-lab marker): not touching it"; fi

# 0. an up.sh venv install still running in the background (failed up.sh)
VP=$(pidfile "$LAB/run/venv-install.pid")
if alive "$VP"; then kill_pids 10 $(descendants "$VP") "$VP"; fi

SPID=$(pidfile "$LAB/run/supervisord.pid")
PIDS=()
if alive "$SPID"; then
  # remember every program's pid in case supervisord does not get them all down
  PIDS+=($(sv pid all 2>/dev/null | grep -E '^[1-9][0-9]*$'))
  for p in "${PIDS[@]}"; do PIDS+=($(descendants "$p")); done
  # 1. rabbit the polite way (it needs the cookie + node name), with a bound
  if sv status rabbitmq 2>/dev/null | grep -q RUNNING; then
    log "rabbitmqctl stop"
    timeout 60 rabbitmqctl -q -n rabbit@localhost stop >/dev/null 2>&1 || log "rabbitmqctl stop failed (continuing)"
  fi
  # 2. OpenStack programs first, infra last (supervisord stops in reverse priority order)
  log "supervisorctl stop all"
  timeout 180 supervisorctl -c "$SUPERVISOR_CONF" stop all >/dev/null 2>&1
  log "supervisorctl shutdown"
  timeout 30 supervisorctl -c "$SUPERVISOR_CONF" shutdown >/dev/null 2>&1
  end=$(( $(date +%s) + 60 )); while alive "$SPID" && [ "$(date +%s)" -lt "$end" ]; do sleep 1; done
fi
# 3. whatever is still alive: supervisord itself, remembered programs, pidfiles
kill_pids 20 "$SPID" "${PIDS[@]}" \
  "$(pidfile "$LAB/run/mysqld/mysqld.pid")" "$(pidfile "$LAB/run/rabbitmq/rabbitmq.pid")"
# 4. any process still running a lab binary or config (e.g. an orphan after supervisord crashed)
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
# 5. epmd: the lab runs its own as a supervisord program (stopped above). If this lab's rabbit
#    ever forked one itself (`epmd -daemon`, reparented to PID 1), stop that one too -- but never
#    an epmd that belongs to a running supervisord (another lab root).
if [ -d "$LAB/state/rabbitmq" ]; then
  EP=$(ss -ltnpH 'sport = :4369' 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  if [ -n "$EP" ] && [ "$(ps -o ppid= -p "$EP" 2>/dev/null | tr -d ' ')" = 1 ] \
     && { tr '\0' ' ' <"/proc/$EP/cmdline"; } 2>/dev/null | grep -q 'epmd.*-daemon'; then
    kill_pids 5 "$EP"
  fi
fi

if [ "${KEEP_LAB_ROOT:-0}" = 1 ]; then
  log "stopped; kept $LAB (KEEP_LAB_ROOT=1)"
else
  case "$LAB" in /|/opt|/usr|/var|/home|/root|/tmp|"") die "refusing to remove $LAB";; esac
  rm -rf --one-file-system "$LAB"
  log "stopped and removed $LAB"
fi
exit 0
