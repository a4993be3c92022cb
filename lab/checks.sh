#!/usr/bin/env bash
# The checks both end-to-end tests make of an upgraded lab (lab/e2e.sh after stackhop's run,
# lab/e2e_ansible.sh after the exported playbook's), sourced after common.sh: whichever engine
# carried the plan out, the cloud it leaves must pass the same checks.

# fail TEXT: a check failed
fail() { die "CHECK FAILED: $*"; }

E2E() { "$SYSPY" "$LAB_SRC/e2e.py" "$@"; }

services_all_up() {
  [ "$(openstack compute service list -f value -c State | grep -vc '^up$')" = 0 ]
}

# check_cloud_upgraded RUN BOOT_NAME: every nova service reports the version recorded in
# RUN/new-service-version and is up and enabled; every instance of RUN/instances-before.json is
# still ACTIVE; the pin, the computes' driver and every project's release are the new ones; the
# conductor pinned compute RPC itself; an instance named BOOT_NAME boots (and is deleted).
check_cloud_upgraded() {
  local run=$1 boot_name=$2 newver c l
  newver=$(cat "$run/new-service-version")
  mysql_root -N -B nova -e "SELECT host, \`binary\`, version FROM services WHERE deleted=0 ORDER BY host, \`binary\`" \
    | tee "$run/service-versions.tsv" >&2
  [ "$(wc -l <"$run/service-versions.tsv")" -ge $((3 + $(wc -w <<<"$COMPUTES"))) ] || fail "missing nova service rows"
  awk -v v="$newver" '$3 != v {bad=1} END {exit bad}' "$run/service-versions.tsv" \
    || fail "not every nova service reports version $newver"
  for _ in $(seq 1 90); do services_all_up 2>/dev/null && break; sleep 1; done
  openstack compute service list -f value -c Binary -c Host -c Status -c State | tee "$run/services.txt" >&2
  services_all_up || fail "not every nova service is up"
  ! grep -q disabled "$run/services.txt" || fail "a nova service is still disabled"
  openstack server list --all-projects -f json -c ID -c Name -c Status >"$run/instances-after.json"
  E2E still-active "$run/instances-before.json" "$run/instances-after.json" >&2 \
    || fail "an instance that existed before the upgrade is not ACTIVE"
  # the plan (the lab does not) pinned compute RPC and switched the computes' driver class;
  # every project on every host runs the new release
  [ "$(crudini --get "$(nova_conf "$CTL")" upgrade_levels compute 2>/dev/null)" = auto ] \
    || fail "[upgrade_levels] compute is not auto in $(nova_conf "$CTL")"
  for c in $COMPUTES; do
    [ "$(crudini --get "$(nova_conf "$c")" DEFAULT compute_driver)" = fake.FakeDriverWithoutFakeNodes ] \
      || fail "$c: compute_driver is not fake.FakeDriverWithoutFakeNodes"
  done
  for l in "$LAB"/current/*; do
    case "$(readlink "$l")" in *-"$NEW") ;; *) fail "$(basename "$l") runs $(readlink "$l")" ;; esac
  done
  grep -q "Automatically selected compute RPC version" "$LAB/logs/nova-conductor-$CTL.log" \
    || fail "the new conductor never auto-pinned compute RPC"
  openstack server create --flavor m1.tiny --image fake-img --nic none --wait "$boot_name" >/dev/null \
    || fail "a boot after the upgrade failed"
  openstack server delete --wait "$boot_name" || fail "deleting $boot_name failed"
}
