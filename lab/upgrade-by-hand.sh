#!/usr/bin/env bash
# The Zed -> 2023.1 rolling upgrade of the lab, by hand: placement, then the nova control plane
# (pinned), then one compute at a time, with exactly the commands the debian-venv profile
# renders (see README.md), each stage timed. A
# measuring stick and documentation for stackhop's catalog.
#   lab/upgrade-by-hand.sh            # probe runs alongside (PROBE=0 to skip)
#   PROBE_API=2 PROBE_BOOT=20 lab/upgrade-by-hand.sh   # probe cadences in seconds
source "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || die "must run as root"
[ -e "$(sv_conf "$CTL")" ] || die "no lab at $LAB (run lab/up.sh first)"

# S HOST ...: the profile's `supervisorctl -c {supervisor_conf}` on that host
S() { sv "$@"; }
R=$LAB                                    # deploy_root
ADMIN_RC=$LAB/adminrc
PROBE=${PROBE:-1}
PROBE_OUT=$LAB/logs/probe-upgrade.jsonl
export TZ=UTC
hr() { host_root "$1"; }                  # {host_root} for a host

sql() { mysql_root -N -B nova -e "$1"; }
svc_versions() { sql "SELECT host, \`binary\`, version FROM services WHERE deleted=0 ORDER BY host, \`binary\`"; }
# a compute has restarted on the new code: its row has the new version and reported after T
compute_on_new() {  # HOST T
  local v; v=$(sql "SELECT version, UNIX_TIMESTAMP(updated_at) FROM services WHERE deleted=0 AND host='$1' AND \`binary\`='nova-compute'")
  set -- $v "$2"
  [ "${1:-0}" = "$NEWVER" ] && awk -v u="${2:-0}" -v t="$3" 'BEGIN{exit !(u > t)}'
}
api_up() { openstack server list -f value -c ID >/dev/null; }
all_up() { [ "$(openstack compute service list -f value -c State | grep -vc '^up$')" = 0 ]; }
on_exit() {
  local rc=$?
  [ -e "${PROBE_PID_FILE:-/nonexistent}" ] && touch "$LAB/run/probe.stop"
  [ $rc -eq 0 ] || { stage_end; printf '\n[lab] upgrade-by-hand FAILED (exit %s); logs in %s/logs/\n' "$rc" "$LAB" >&2; }
}
trap on_exit EXIT

stage "preflight"
NEWVER=$("$NOVA_VENV/bin/python" -c 'from nova.objects.service import SERVICE_VERSION as v; print(v)')
log "new service version: $NEWVER"
log "services before:"; svc_versions >&2
mysql_root -N -B -e "SELECT uuid FROM nova.instances WHERE deleted=0 AND vm_state='active' ORDER BY uuid" >"$LAB/run/instances-before"
log "$(wc -l <"$LAB/run/instances-before") active instances before"
[ -s "$LAB/run/instances-before" ] || die "no ACTIVE instance to watch"
crudini --get "$(nova_conf "$CTL")" upgrade_levels compute >/dev/null 2>&1 \
  && die "$(nova_conf "$CTL") already has [upgrade_levels] compute (the lab must start unpinned)"
if [ "$PROBE" = 1 ]; then
  rm -f "$LAB/run/probe.stop" "$PROBE_OUT"
  nohup "$SYSPY" "$LAB_SRC/probe.py" --out "$PROBE_OUT" --stop-file "$LAB/run/probe.stop" --max-seconds 1800 --lab-net "$LAB_SUBNET.0/24" \
    --api-interval "${PROBE_API:-2}" --boot-interval "${PROBE_BOOT:-20}" >"$LAB/logs/probe.log" 2>&1 &
  echo $! >"$LAB/run/probe.pid"; PROBE_PID_FILE=$LAB/run/probe.pid
  sleep 10   # a baseline of api checks and one boot start before anything changes
fi

stage "check: new code present"
test -x "$R/venvs/nova-$NEW/bin/nova-manage"
test -x "$R/venvs/placement-$NEW/bin/placement-manage"

stage "gate: nova-status upgrade check"
set +e
"$R/venvs/nova-$NEW/bin/nova-status" --config-file "$(hr "$CTL")/etc/nova/nova.conf" upgrade check
rc=$?
set -e
case $rc in 0|1) log "upgrade check: pass (exit $rc)";; 2) die "upgrade check: FAILURE (exit 2): upgrade blocked";; *) die "upgrade check: error (exit $rc)";; esac

stage "backup: mysqldump all databases"
mysqldump --defaults-file="$(hr "$CTL")/root/.my.cnf" --single-transaction --all-databases \
  >"$(hr "$CTL")/root/stackhop-backup-all-$OLD.sql"
log "backup: $(du -h "$(hr "$CTL")/root/stackhop-backup-all-$OLD.sql" | cut -f1)"

# --- placement first: stop, switch code, db sync, start
stage "placement: stop"
S "$CTL" stop "placement-$CTL:*"
stage "placement: switch code"
ln -sfn "$R/releases/placement-$NEW" "$R/current/placement-$CTL"
stage "placement: db sync"
"$R/venvs/placement-$NEW/bin/placement-manage" --config-file "$(hr "$CTL")/etc/placement/placement.conf" db sync
stage "placement: start"
S "$CTL" start "placement-$CTL:*"
wait_for "placement API" 60 http_ok "http://$CTL_IP:8778/"

# --- nova control plane, pinned to what the oldest compute understands
stage "nova controllers: pin compute RPC (auto)"
crudini --set "$(hr "$CTL")/etc/nova/nova.conf" upgrade_levels compute auto

stage "nova controllers: stop"
S "$CTL" stop "nova-$CTL:*"

stage "nova controllers: switch code"
ln -sfn "$R/releases/nova-$NEW" "$R/current/nova-$CTL"

stage "db: api_db sync"
"$R/venvs/nova-$NEW/bin/nova-manage" --config-file "$(hr "$CTL")/etc/nova/nova.conf" api_db sync

stage "db: db sync"
"$R/venvs/nova-$NEW/bin/nova-manage" --config-file "$(hr "$CTL")/etc/nova/nova.conf" db sync

stage "nova controllers: start"
S "$CTL" start "nova-$CTL:*"
wait_for "compute API" 120 api_up

stage "nova controllers: settle (all services up)"
wait_for "every nova service up" 120 all_up
grep -h "Automatically selected compute RPC version" "$LAB/logs/nova-conductor-$CTL.log" | tail -1 >&2 \
  || log "no auto-pin log line seen"

# --- computes, one at a time: disable, stop, switch code + driver class, start, wait, enable
for c in $COMPUTES; do
  stage "compute $c: disable"
  ( . "$ADMIN_RC" && openstack compute service set --disable --disable-reason upgrade "$c" nova-compute )
  stage "compute $c: stop"
  T=$(date +%s)
  S "$c" stop "nova-$c:*"
  stage "compute $c: switch code + driver"
  ln -sfn "$R/releases/nova-$NEW" "$R/current/nova-$c"
  crudini --set "$(hr "$c")/etc/nova/nova.conf" DEFAULT compute_driver fake.FakeDriverWithoutFakeNodes
  stage "compute $c: start"
  S "$c" start "nova-$c:*"
  stage "compute $c: until reporting $NEWVER"
  wait_for "$c reporting version $NEWVER" 180 compute_on_new "$c" "$T"
  stage "compute $c: enable"
  ( . "$ADMIN_RC" && openstack compute service set --enable "$c" nova-compute )
done

stage "db: online_data_migrations"
while :; do
  set +e; "$R/venvs/nova-$NEW/bin/nova-manage" --config-file "$(hr "$CTL")/etc/nova/nova.conf" db online_data_migrations; rc=$?; set -e
  case $rc in 0) break;; 1) log "more online migrations to run";; *) die "online_data_migrations failed (exit $rc)";; esac
done

stage "verify"
log "services after:"; svc_versions >&2
bad=$(svc_versions | awk -v v="$NEWVER" '$3 != v' | wc -l)
[ "$bad" = 0 ] || die "$bad nova service(s) do not report version $NEWVER"
openstack compute service list
wait_for "every nova service up" 120 all_up
[ "$(openstack compute service list --service nova-compute -f value -c Status | grep -vc '^enabled$')" = 0 ] \
  || die "a compute is still disabled"
for u in $(cat "$LAB/run/instances-before"); do
  st=$(openstack server show "$u" -f value -c status)
  [ "$st" = ACTIVE ] || die "instance $u is $st after the upgrade"
done
log "all $(wc -l <"$LAB/run/instances-before") instances still ACTIVE"
for p in nova-$CTL placement-$CTL $(printf 'nova-%s ' $COMPUTES); do
  [ "$(readlink "$R/current/$p")" = "$R/releases/${p%-*}-$NEW" ] || die "current/$p is not on $NEW"
done
openstack server create --flavor m1.tiny --image fake-img --nic none --wait after-upgrade >/dev/null
[ "$(openstack server show after-upgrade -f value -c status)" = ACTIVE ] || die "boot after the upgrade failed"
openstack server delete --wait after-upgrade

if [ "$PROBE" = 1 ]; then
  stage "probe: stop + summary"
  touch "$LAB/run/probe.stop"
  for _ in $(seq 1 150); do kill -0 "$(cat "$LAB/run/probe.pid")" 2>/dev/null || break; sleep 1; done
  "$SYSPY" "$LAB_SRC/probe_summary.py" --text "$PROBE_OUT"
fi
print_timings | tee "$LAB/upgrade-timings.txt"
log "upgrade to $NEW done; probe log: $PROBE_OUT"
