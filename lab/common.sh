# shellcheck shell=bash
# Shared settings and helpers for the stackhop lab scripts (sourced, not run).
set -euo pipefail

LAB=${STACKHOP_LAB:-/opt/stackhop-lab}
LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# the 2023.1 upper constraints (openstack/requirements tag 2023.1-eom; not on PyPI): the shared
# copy next to the checkout if there is one, else the copy vendored in lab/ (byte-identical)
CONSTRAINTS=${STACKHOP_LAB_CONSTRAINTS:-$LAB_SRC/../../shared/lab/upper-constraints-2023.1.txt}
[ -n "${STACKHOP_LAB_CONSTRAINTS:-}" ] || [ -r "$CONSTRAINTS" ] || CONSTRAINTS=$LAB_SRC/upper-constraints-2023.1.txt
NOVA_NEW_VERSION=27.5.1          # nova 2023.1 (Antelope), as in real-lab.md
PLACEMENT_NEW_VERSION=9.0.0      # openstack-placement 2023.1
NEW=2023.1
OLD=zed
PROJECTS="nova placement"        # the projects with a release tree, a venv and current/ links
NOVA_VENV=$LAB/venvs/nova-$NEW
PLACEMENT_VENV=$LAB/venvs/placement-$NEW
PASS=secret                      # lab-only password for every account (lab network only)
CTL=ctl                          # the controller host: nova-api/conductor/scheduler, placement-api
COMPUTES="cmp1 cmp2 cmp3"        # the compute hosts, one nova-compute each
HOSTS="$CTL $COMPUTES"

# The lab network: every host is a network namespace of its own, joined to the bridge
# $LAB_BRIDGE of the root namespace. 10.213.0.0/24 sits in the middle of 10/8, away from what
# networks commonly take (10.0.x, 10.1.x, 10.10.x, Docker's 172.17/16, libvirt's
# 192.168.122/24, Kubernetes' 10.96/12 and 10.244/16); up.sh refuses it if it is routed here.
LAB_SUBNET=${STACKHOP_LAB_SUBNET:-10.213.0}     # the first three octets of a /24
LAB_BRIDGE=shlab0                               # holds $LAB_SUBNET.1, the root namespace's address
LAB_GW=$LAB_SUBNET.1
host_ip() {                      # ctl .10, cmpN .(10+N)
  case $1 in
    "$CTL") echo "$LAB_SUBNET.10" ;;
    cmp[0-9]*) echo "$LAB_SUBNET.$((10 + ${1#cmp}))" ;;
    *) die "no address for host $1" ;;
  esac
}
host_ns() { echo "shlab-$1"; }   # the host's network namespace
host_veth() { echo "shl-$1"; }   # the root namespace's end of its veth pair
on_host() { local h=$1; shift; on_ns "$(host_ns "$h")" "$@"; }
CTL_IP=$(host_ip "$CTL")        # where every service of the cloud listens
SSH_DIR=$LAB/ssh                 # the lab's client key, known_hosts and ssh config
SSH_CONFIG=$SSH_DIR/config
# the lab's network belongs to one lab root at a time: this file names it
NET_OWNER=/run/stackhop-lab.net

# The profile's layout (see lab/README.md):
#   $LAB/hosts/<host>/            that host's "/": etc/ (config shared by both releases), var/lib/nova
#   $LAB/releases/<project>-<rel> code (bin/) and per-release glue (uwsgi ini, api-paste.ini)
#   $LAB/current/<project>-<host> -> releases/<project>-<rel>: what that host runs
host_root() { echo "$LAB/hosts/$1"; }
nova_conf() { echo "$LAB/hosts/$1/etc/nova/nova.conf"; }
placement_conf() { echo "$LAB/hosts/$CTL/etc/placement/placement.conf"; }
release_of() { basename "$(readlink "$LAB/current/$1")" 2>/dev/null; }   # PROJECT-HOST -> nova-zed...
SYSPY=/usr/bin/python3           # Debian's python (never a pyenv/other python3 on PATH)

export DEBIAN_FRONTEND=noninteractive
export OS_AUTH_URL=http://$CTL_IP:5000/v3 OS_IDENTITY_API_VERSION=3 \
       OS_USERNAME=admin OS_PASSWORD=$PASS OS_PROJECT_NAME=admin \
       OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default \
       OS_REGION_NAME=RegionOne OS_INTERFACE=public \
       OS_COMPUTE_API_VERSION=2.79     # OSC 6.0.0 needs >= 2.37 for '--nic none'
# keep the lab's own tools first, Debian's /usr/bin before any pyenv shims
export PATH=/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin:/usr/local/bin:$PATH

log()  { printf '%s [lab] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '%s [lab] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# stage timing: `stage NAME` ends the previous stage and starts NAME; `stage_end` closes the last.
_STAGE=; _STAGE_T0=0; _T_START=$(date +%s.%N); TIMINGS=()
stage() {
  stage_end
  _STAGE=$1; _STAGE_T0=$(date +%s.%N)
  log "=== $1"
}
stage_end() {
  if [ -n "$_STAGE" ]; then
    local d; d=$(awk -v a="$_STAGE_T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    TIMINGS+=("$(printf '%-40s %7s s' "$_STAGE" "$d")")
    log "--- $_STAGE: ${d}s"
    _STAGE=
  fi
}
print_timings() {
  stage_end
  local total; total=$(awk -v a="$_T_START" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  printf '\n%-40s %9s\n' "stage" "wall time"
  printf '%s\n' "${TIMINGS[@]}"
  printf '%-40s %7s s\n' "TOTAL" "$total"
}

# each host runs its own supervisord, inside its namespace; supervisorctl reaches it through
# a unix socket in the host's files, so it works from any namespace
sv_conf() { echo "$LAB/hosts/$1/etc/supervisor/supervisord.conf"; }
sv() { local h=$1; shift; supervisorctl -c "$(sv_conf "$h")" "$@"; }
sv_pid() { cat "$LAB/hosts/$1/run/supervisord.pid" 2>/dev/null; }

# wait_for DESC TIMEOUT_S CMD...: retry CMD every second until it succeeds
wait_for() {
  local desc=$1 timeout=$2; shift 2
  local end=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$end" ]; then die "timed out after ${timeout}s waiting for $desc"; fi
    sleep 1
  done
}
http_ok()   { curl -fsS -o /dev/null --max-time 5 "$1"; }

# rabbitmqctl inside ctl's namespace, where the node's dist port and epmd listen
rabbitctl() { on_host "$CTL" rabbitmqctl -q -n rabbit@localhost "$@"; }
mysql_root() { mysql --socket="$LAB/run/mysqld/mysqld.sock" -uroot "$@"; }

# a real pid (never 0 or 1: `kill 0` would signal our own process group, and
# `supervisorctl pid all` prints 0 for every program that is not running)
alive() { [[ "${1:-}" =~ ^[0-9]+$ ]] && [ "$1" -gt 1 ] && kill -0 "$1" 2>/dev/null; }
# kill_pids WAIT-SECONDS PID...: TERM, wait, then KILL what is left
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
  return 0
}

# children (recursively) of a pid, deepest first
descendants() { local c; for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do descendants "$c"; echo "$c"; done; }

# namespaces, veths, sshds (on_ns, netns_up, sshd_up...)
source "$LAB_SRC/netns.sh"
