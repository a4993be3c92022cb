#!/usr/bin/env bash
# Bring up a minimal OpenStack Zed lab (Debian 12 packages) of four machines -- ctl, cmp1..cmp3,
# each a network namespace with its own sshd and supervisord on the lab's own network -- with
# nova 2023.1 pre-installed in a venv for a later rolling upgrade. See lab/README.md.
#
#   sudo lab/up.sh              # all stages (idempotent: a second run leaves a running lab alone)
#   STACKHOP_LAB=/srv/lab lab/up.sh
#   lab/up.sh STAGE...          # (debugging) run only the named stages, e.g. `lab/up.sh boot inventory`
source "$(dirname "$0")/common.sh"
on_exit() {
  local rc=$?
  [ $rc -eq 0 ] && return
  local failed=${_STAGE:-?}
  stage_end
  # a background venv install must not outlive a failed run
  if [ -n "${VENV_PID:-}" ] && kill -0 "$VENV_PID" 2>/dev/null; then
    kill $(descendants "$VENV_PID") "$VENV_PID" 2>/dev/null || true
  fi
  printf '\n[lab] up.sh FAILED (exit %s) in stage "%s". Logs: %s/logs/  Clean up: lab/down.sh\n' "$rc" "$failed" "$LAB" >&2
}
trap on_exit EXIT

[ "$(id -u)" = 0 ] || die "must run as root"
[ -r /etc/debian_version ] && grep -q '^12' /etc/debian_version || log "warning: not Debian 12; continuing anyway"

APT_PKGS="mariadb-server rabbitmq-server supervisor curl
  keystone placement-api glance-api nova-api nova-conductor nova-scheduler python3-nova nova-common
  python3-openstackclient python3-pymysql python3-venv python3-dev build-essential
  uwsgi-core uwsgi-plugin-python3 crudini openssh-server iproute2"

# ---------------------------------------------------------------------------------------------
st_packages() {
  stage "apt: install packages"
  # no systemd here, and we start daemons ourselves: forbid postinsts from starting anything
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  local missing=0 p
  for p in $APT_PKGS; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing=1; done
  if [ $missing = 0 ]; then log "all packages already installed"; return; fi
  debconf-set-selections <<'E'
keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
nova-common nova/configure_db boolean false
placement-common placement/configure_db boolean false
glance-common glance/configure_db boolean false
glance-api glance/register-endpoint boolean false
nova-api nova/register-endpoint boolean false
placement-api placement/register-endpoint boolean false
E
  mkdir -p "$LAB/logs"
  log "apt-get update + install (output in $LAB/logs/setup-apt.log)"
  quiet apt apt-get -o Acquire::Retries=3 update -q
  # no recommends: keeps out nova-compute/libvirt/linux-image and friends (see README);
  # uwsgi-core is the uwsgi binary without the init-script package `uwsgi`
  # shellcheck disable=SC2086
  quiet apt apt-get install -y -q --no-install-recommends -o Acquire::Retries=3 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $APT_PKGS
  grep -E 'newly installed|additional disk' "$LAB/logs/setup-apt.log" >&2 || true
}

# ---------------------------------------------------------------------------------------------
# quiet NAME CMD...: run a setup command with its (noisy) output in logs/setup-NAME.log
quiet() {
  local name=$1; shift
  if ! "$@" >>"$LAB/logs/setup-$name.log" 2>&1; then
    tail -20 "$LAB/logs/setup-$name.log" >&2
    die "failed: $* (see $LAB/logs/setup-$name.log)"
  fi
}

# helpers that write config

# write_if_changed FILE < content: replace FILE only when the content differs (no churn)
write_if_changed() {
  local f=$1 tmp; tmp=$(mktemp)
  cat >"$tmp"
  if cmp -s "$tmp" "$f"; then rm -f "$tmp"; else mkdir -p "$(dirname "$f")"; mv "$tmp" "$f"; chmod 644 "$f"; fi
}
# write_once FILE < content: per-host OpenStack config is written only when it does not exist yet.
# The upgrade edits it (crudini: the compute RPC pin, the fake driver class), so a second up.sh
# on an upgraded lab must leave it alone. down.sh resets it.
write_once() {
  local f=$1 tmp; tmp=$(mktemp)
  cat >"$tmp"
  if [ ! -e "$f" ]; then mkdir -p "$(dirname "$f")"; mv "$tmp" "$f"; chmod 644 "$f"; return; fi
  cmp -s "$tmp" "$f" || log "kept $f as it is (edited since up.sh wrote it; lab/down.sh resets it)"
  rm -f "$tmp"
}

# program NAME PRIORITY COMMAND [extra supervisord lines...]: one [program:] section on stdout
program() {
  local name=$1 prio=$2 cmd=$3; shift 3
  echo "[program:$name]"
  echo "command=$cmd"
  echo "directory=$LAB/state"
  echo "priority=$prio"
  echo "autostart=true"
  echo "autorestart=unexpected"
  echo "startsecs=5"
  echo "startretries=3"
  echo "stopsignal=TERM"
  echo "stopwaitsecs=60"
  echo "stopasgroup=true"
  echo "killasgroup=true"
  echo "redirect_stderr=true"
  echo "stdout_logfile=$LAB/logs/$name.log"
  echo "stdout_logfile_maxbytes=50MB"
  echo "stdout_logfile_backups=1"
  local l; for l in "$@"; do echo "$l"; done
  echo
}
# group NAME PROGRAM...: a [group:] section on stdout (supervisorctl stop/start 'NAME:*')
group() { local name=$1; shift; local IFS=,; echo "[group:$name]"; echo "programs=$*"; echo; }
# sv_file HOST NAME < sections: that host's supervisor conf.d/NAME.conf
sv_file() { write_if_changed "$LAB/hosts/$1/etc/supervisor/conf.d/$2.conf"; }
# sv_update HOST: add new program files to the host's supervisord and start them (changed ones
# are restarted)
sv_update() { sv "$1" reread >/dev/null; sv "$1" update; }
# wait until a program of a host (GROUP:PROGRAM for grouped ones) is RUNNING
sv_running() { sv "$1" status "$2" | grep -q RUNNING; }
wait_running() { wait_for "$1's program $2 RUNNING" "${3:-60}" sv_running "$1" "$2" || true; sv_running "$1" "$2" || die "$2 on $1 is not RUNNING; see $LAB/logs/${2#*:}.log"; }

# uwsgi_ini PORT WSGI_FILE [VIRTUALENV] > file. Which config the app reads is not here: it is
# per host, set by the supervisord program's environment (OS_NOVA_CONFIG_FILES,
# OS_PLACEMENT_CONFIG_DIR), so this ini is per-release glue only.
uwsgi_ini() {
  local port=$1 wsgi=$2 venv=${3:-}
  echo "[uwsgi]"
  echo "plugins = python3"
  echo "http-socket = $CTL_IP:$port"
  echo "wsgi-file = $wsgi"
  [ -z "$venv" ] || echo "virtualenv = $venv"
  echo "need-app = true"
  echo "master = true"
  echo "processes = 1"
  echo "threads = 1"
  echo "die-on-term = true"
  # a worker that does not die on SIGTERM is killed after 5 s. Zed's nova-api worker sometimes
  # segfaults on SIGTERM and then hangs; the master would wait 60 s for it (supervisord kills
  # the lot at stopwaitsecs=30), with the API accepting connections and answering none
  echo "worker-reload-mercy = 5"
  echo "reload-mercy = 5"
  echo "lazy-apps = true"
  echo "buffer-size = 65535"
  echo "add-header = Connection: close"     # pitfall 1: keystoneauth would reuse dead connections
}

authtoken() {   # [keystone_authtoken] for service user $1
  cat <<E
[keystone_authtoken]
www_authenticate_uri = http://$CTL_IP:5000/v3
auth_url = http://$CTL_IP:5000/v3
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $PASS
service_token_roles_required = true
E
}
svcauth() {     # a keystoneauth section body for user nova
  cat <<E
auth_type = password
auth_url = http://$CTL_IP:5000/v3
project_domain_name = Default
user_domain_name = Default
project_name = service
username = nova
password = $PASS
region_name = RegionOne
E
}
# every host reaches the controller's services on its address, never on loopback
DB=mysql+pymysql://os:$PASS@$CTL_IP
RABBIT=rabbit://openstack:$PASS@$CTL_IP:5672/
CETC=$LAB/hosts/$CTL/etc          # the controller's /etc (infra config lives there too)

# ---------------------------------------------------------------------------------------------
st_net() {
  stage "network: namespaces, veths, $LAB_BRIDGE"
  local owner h
  owner=$(cat "$NET_OWNER" 2>/dev/null || true)
  if [ -n "$owner" ] && [ "$owner" != "$LAB" ] && [ -e "$owner/.stackhop-lab" ]; then
    die "the lab network ($LAB_BRIDGE, $LAB_SUBNET.0/24) belongs to the lab at $owner; remove that lab first: STACKHOP_LAB=$owner lab/down.sh"
  fi
  subnet_free "$LAB_BRIDGE" "$LAB_SUBNET.0/24"
  echo "$LAB" >"$NET_OWNER"          # before anything is made, so down.sh removes a half-made network too
  bridge_up "$LAB_BRIDGE" "$LAB_GW/24"
  for h in $HOSTS; do netns_up "$(host_ns "$h")" "$(host_veth "$h")" "$LAB_BRIDGE" "$(host_ip "$h")/24"; done
  log "hosts: $(for h in $HOSTS; do printf '%s %s (%s)  ' "$h" "$(host_ip "$h")" "$(host_ns "$h")"; done)"
}

st_ssh() {
  stage "ssh: sshd per host, key, known_hosts"
  # without PAM (see netns.sh) sshd refuses every login to a locked account
  ! grep -q '^root:!' /etc/shadow \
    || die "root's password is locked ('!' in /etc/shadow), so sshd refuses key logins as root; unlock it without a password: usermod -p '*' root"
  mkdir -p "$SSH_DIR" "$LAB/logs"
  chmod go-w "$LAB"; chmod 700 "$SSH_DIR"     # sshd's StrictModes checks the authorized_keys path
  ssh_client_key "$SSH_DIR/id_ed25519"
  install -m 600 "$SSH_DIR/id_ed25519.pub" "$SSH_DIR/authorized_keys"
  local h known=""
  for h in $HOSTS; do
    sshd_up "$(host_ns "$h")" "$(host_ip "$h")" "$LAB/hosts/$h/etc/ssh" "$SSH_DIR/authorized_keys" "$LAB/logs/sshd-$h.log"
    known+=$(known_host "$h" "$(host_ip "$h")" "$LAB/hosts/$h/etc/ssh")$'\n'
  done
  printf '%s' "$known" | write_if_changed "$SSH_DIR/known_hosts"
  { cat <<E
# The stackhop lab's hosts, as root with the lab's own key and known_hosts (lab/up.sh wrote this):
#   ssh -F $SSH_CONFIG $CTL_IP true      or by name:  ssh -F $SSH_CONFIG ctl
E
    for h in $HOSTS; do printf 'Host %s\n  HostName %s\n' "$h" "$(host_ip "$h")"; done
    cat <<E
Host *
  User root
  IdentityFile $SSH_DIR/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $SSH_DIR/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
E
  } | write_if_changed "$SSH_CONFIG"
  for h in $HOSTS; do wait_for "ssh to $h at $(host_ip "$h")" 20 ssh_ok "$SSH_CONFIG" "$(host_ip "$h")"; done
  log "ssh -F $SSH_CONFIG <host> works for: $HOSTS"
}

# ---------------------------------------------------------------------------------------------
st_layout() {
  stage "layout + supervisord"
  mkdir -p "$LAB"/{logs,state,venvs,run,bin,releases,current}
  mkdir -p "$CETC"/{mysql,keystone,placement,glance,nova} "$LAB/hosts/$CTL/root" "$LAB/hosts/$CTL/var/lib/nova"
  for h in $COMPUTES; do mkdir -p "$LAB/hosts/$h/etc/nova" "$LAB/hosts/$h/var/lib/nova"; done
  cp "$LAB_SRC/fake_neutron.py" "$LAB/bin/fake_neutron.py"; chmod +x "$LAB/bin/fake_neutron.py"
  local h
  for h in $HOSTS; do sv_conf_file "$h"; done
  # mysqldump's credentials on the controller, where /root/.my.cnf is on a real host
  write_if_changed "$LAB/hosts/$CTL/root/.my.cnf" <<E
[client]
user = root
socket = $LAB/run/mysqld/mysqld.sock
E
  chmod 600 "$LAB/hosts/$CTL/root/.my.cnf"

  # Release trees: releases/<project>-<release>/bin is the code a program runs; current/<project>-<host>
  # links to one of them. Upgrading a project's code on a host = re-pointing that one link.
  local b zn=$LAB/releases/nova-$OLD zp=$LAB/releases/placement-$OLD
  mkdir -p "$zn/bin" "$zp/bin" "$LAB/releases/nova-$NEW" "$LAB/releases/placement-$NEW"
  for b in nova-api-wsgi nova-conductor nova-scheduler nova-manage nova-status; do ln -sfn "/usr/bin/$b" "$zn/bin/$b"; done
  for b in placement-api placement-manage placement-status; do ln -sfn "/usr/bin/$b" "$zp/bin/$b"; done
  # Zed compute without the nova-compute package (and its linux-image dependency): exactly
  # what Debian's /usr/bin/nova-compute does.
  write_if_changed "$zn/bin/nova-compute" <<'E'
#!/bin/sh
exec /usr/bin/python3 -c 'import sys; from nova.cmd.compute import main; sys.exit(main())' "$@"
E
  chmod 755 "$zn/bin/nova-compute"
  ln -sfn "$NOVA_VENV/bin" "$LAB/releases/nova-$NEW/bin"
  ln -sfn "$PLACEMENT_VENV/bin" "$LAB/releases/placement-$NEW/bin"
  # per-release glue of the old release (the new one's is written once its venv is there)
  cp /etc/nova/api-paste.ini "$zn/api-paste.ini"
  uwsgi_ini 8774 /usr/bin/nova-api-wsgi | write_if_changed "$zn/nova-api-uwsgi.ini"
  uwsgi_ini 8778 /usr/bin/placement-api | write_if_changed "$zp/placement-api-uwsgi.ini"
  # what each host runs: the old release, unless it has already been switched
  for h in $CTL $COMPUTES; do
    [ -L "$LAB/current/nova-$h" ] || ln -sfn "$zn" "$LAB/current/nova-$h"
  done
  [ -L "$LAB/current/placement-$CTL" ] || ln -sfn "$zp" "$LAB/current/placement-$CTL"

  # each host's supervisord runs inside its namespace, so its programs do too
  for h in $HOSTS; do
    if alive "$(sv_pid "$h")"; then
      log "$h: supervisord already running (pid $(sv_pid "$h"))"
      sv "$h" reread >/dev/null
    else
      on_host "$h" supervisord -c "$(sv_conf "$h")"
      wait_for "$h's supervisord socket" 20 sv "$h" pid
      log "$h: supervisord started in $(host_ns "$h") (pid $(sv_pid "$h"))"
    fi
  done
}

# sv_conf_file HOST: the host's supervisord.conf (its programs in conf.d/, its socket and pid
# file in its run/, the logs of every host together in $LAB/logs)
sv_conf_file() {
  local h=$1 hr=$LAB/hosts/$1
  mkdir -p "$hr/etc/supervisor/conf.d" "$hr/run"
  write_if_changed "$(sv_conf "$h")" <<E
; stackhop lab host $h: its programs in conf.d/, OpenStack ones grouped per project and host.
; supervisord runs inside the namespace $(host_ns "$h"); supervisorctl works from anywhere:
;   supervisorctl -c $(sv_conf "$h") status | stop|start|restart 'nova-$h:*'
[unix_http_server]
file = $hr/run/supervisor.sock
chmod = 0700

[supervisord]
logfile = $LAB/logs/supervisord-$h.log
pidfile = $hr/run/supervisord.pid
childlogdir = $LAB/logs
minfds = 16384
identifier = stackhop-lab-$h

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl = unix://$hr/run/supervisor.sock

[include]
files = $hr/etc/supervisor/conf.d/*.conf
E
}

# ---------------------------------------------------------------------------------------------
st_infra() {
  stage "infra: epmd, mariadb, rabbitmq"
  # --- epmd: our own, on ctl's loopback only, so rabbit does not fork an unmanaged one
  program epmd 10 "nice -n 10 /usr/bin/epmd -address 127.0.0.1 -port 4369" "user=rabbitmq" "startsecs=1" | sv_file "$CTL" epmd
  # --- mariadb, data dir inside the lab root
  mkdir -p "$LAB/run/mysqld" "$LAB/state/mysql"
  chown mysql:mysql "$LAB/run/mysqld" "$LAB/state/mysql"
  write_if_changed "$CETC/mysql/my.cnf" <<E
[mysqld]
user = mysql
datadir = $LAB/state/mysql
socket = $LAB/run/mysqld/mysqld.sock
pid-file = $LAB/run/mysqld/mysqld.pid
bind-address = $CTL_IP
port = 3306
max_connections = 500
innodb_buffer_pool_size = 128M
innodb_log_file_size = 64M
innodb_flush_log_at_trx_commit = 2
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
skip-name-resolve
[client]
socket = $LAB/run/mysqld/mysqld.sock
E
  if [ ! -d "$LAB/state/mysql/mysql" ]; then
    mariadb-install-db --defaults-file="$CETC/mysql/my.cnf" --user=mysql \
      --auth-root-authentication-method=socket --skip-test-db >"$LAB/logs/mariadb-install-db.log" 2>&1 \
      || die "mariadb-install-db failed; see $LAB/logs/mariadb-install-db.log"
  fi
  program mariadb 10 "nice -n 10 /usr/sbin/mariadbd --defaults-file=$CETC/mysql/my.cnf" | sv_file "$CTL" mariadb
  # --- rabbitmq: amqp 5672 on ctl's address; dist 25672 and epmd 4369 on ctl's loopback (for
  #     rabbitmqctl inside ctl); mnesia inside the lab root
  mkdir -p "$LAB/state/rabbitmq" "$LAB/logs/rabbitmq" "$LAB/run/rabbitmq"
  chown rabbitmq:rabbitmq "$LAB/state/rabbitmq" "$LAB/logs/rabbitmq" "$LAB/run/rabbitmq"
  write_if_changed "$LAB/bin/rabbitmq-server" <<E
#!/bin/sh
# wait for the lab's epmd (a program of its own) so erl does not start an unmanaged one
i=0; while ! /usr/bin/epmd -names >/dev/null 2>&1 && [ \$i -lt 20 ]; do sleep 1; i=\$((i+1)); done
export HOME=/var/lib/rabbitmq
export RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=$CTL_IP RABBITMQ_NODE_PORT=5672
export RABBITMQ_DIST_PORT=25672 ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_MNESIA_BASE=$LAB/state/rabbitmq RABBITMQ_LOG_BASE=$LAB/logs/rabbitmq
export RABBITMQ_PID_FILE=$LAB/run/rabbitmq/rabbitmq.pid
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
exec /usr/lib/rabbitmq/bin/rabbitmq-server
E
  chmod +x "$LAB/bin/rabbitmq-server"
  program rabbitmq 20 "nice -n 10 $LAB/bin/rabbitmq-server" "user=rabbitmq" "stopwaitsecs=60" | sv_file "$CTL" rabbitmq
  sv_update "$CTL"
  wait_for "mariadb" 60 mysql_root -e 'select 1'
  mysql_root <<E
CREATE DATABASE IF NOT EXISTS keystone; CREATE DATABASE IF NOT EXISTS placement;
CREATE DATABASE IF NOT EXISTS glance;   CREATE DATABASE IF NOT EXISTS nova_api;
CREATE DATABASE IF NOT EXISTS nova;     CREATE DATABASE IF NOT EXISTS nova_cell0;
CREATE USER IF NOT EXISTS 'os'@'$LAB_SUBNET.%' IDENTIFIED BY '$PASS'; GRANT ALL ON *.* TO 'os'@'$LAB_SUBNET.%';
CREATE USER IF NOT EXISTS 'os'@'localhost' IDENTIFIED BY '$PASS'; GRANT ALL ON *.* TO 'os'@'localhost';
FLUSH PRIVILEGES;
E
  wait_for "rabbitmq" 120 rabbitctl await_startup
  rabbitctl list_users | grep -q '^openstack' || rabbitctl add_user openstack "$PASS"
  rabbitctl set_permissions openstack '.*' '.*' '.*'
}

# ---------------------------------------------------------------------------------------------
st_keystone() {
  stage "keystone"
  mkdir -p "$LAB/state/keystone"
  write_if_changed "$CETC/keystone/keystone.conf" <<E
[DEFAULT]
use_stderr = true
[database]
connection = $DB/keystone
[token]
provider = fernet
[fernet_tokens]
key_repository = $LAB/state/keystone/fernet-keys
[fernet_receipts]
key_repository = $LAB/state/keystone/fernet-keys
[credential]
key_repository = $LAB/state/keystone/credential-keys
[identity]
# bcrypt's cheapest cost: every token issue hashes the password (lab only)
password_hash_rounds = 4
E
  local K="--config-file $CETC/keystone/keystone.conf"
  quiet keystone keystone-manage $K db_sync
  [ -d "$LAB/state/keystone/fernet-keys" ] || quiet keystone keystone-manage $K fernet_setup --keystone-user root --keystone-group root
  [ -d "$LAB/state/keystone/credential-keys" ] || quiet keystone keystone-manage $K credential_setup --keystone-user root --keystone-group root
  quiet keystone keystone-manage $K bootstrap --bootstrap-password "$PASS" --bootstrap-username admin \
    --bootstrap-project-name admin --bootstrap-role-name admin --bootstrap-service-name keystone \
    --bootstrap-region-id RegionOne --bootstrap-admin-url "$OS_AUTH_URL/" \
    --bootstrap-internal-url "$OS_AUTH_URL/" --bootstrap-public-url "$OS_AUTH_URL/"
  uwsgi_ini 5000 /usr/bin/keystone-wsgi-public | write_if_changed "$CETC/keystone/uwsgi.ini"
  program keystone 30 "nice -n 10 /usr/bin/uwsgi --ini $CETC/keystone/uwsgi.ini" \
    "environment=OS_KEYSTONE_CONFIG_DIR=\"$CETC/keystone\"" | sv_file "$CTL" keystone
  sv_update "$CTL"
  wait_for "keystone on $CTL_IP:5000" 60 http_ok "$OS_AUTH_URL"
  wait_for "a keystone token" 60 openstack token issue
  write_if_changed "$LAB/adminrc" <<E
export OS_AUTH_URL=$OS_AUTH_URL OS_IDENTITY_API_VERSION=3 OS_USERNAME=admin OS_PASSWORD=$PASS
export OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne OS_INTERFACE=public OS_COMPUTE_API_VERSION=2.79
E
  # service project, users, roles, catalog: one openstackclient process reading commands from
  # stdin (one python start-up, one token); services/endpoints only for types not yet there
  local have name type url i u batch
  have=$(openstack service list -f value -c Type)
  batch="project create --or-show --domain default service -f value -c id
role create --or-show service -f value -c id"
  for u in nova placement glance; do
    batch+="
user create --or-show --domain default --password $PASS $u -f value -c id
role add --project service --user $u admin
role add --project service --user $u service"
  done
  while read -r name type url; do
    grep -qx "$type" <<<"$have" && continue
    batch+="
service create --name $name $type -f value -c id"
    for i in public internal admin; do
      batch+="
endpoint create --region RegionOne $type $i $url -f value -c id"
    done
  done <<E
nova compute http://$CTL_IP:8774/v2.1
placement placement http://$CTL_IP:8778
glance image http://$CTL_IP:9292
neutron network http://$CTL_IP:9696
E
  openstack <<<"$batch" >"$LAB/logs/keystone-setup.log" 2>&1 || true
  local n; n=$(openstack endpoint list -f value -c "Service Type" | grep -cE '^(compute|placement|image|network)$' || true)
  [ "$n" -ge 12 ] || die "keystone catalog incomplete ($n/12 endpoints); see $LAB/logs/keystone-setup.log"
  openstack user show nova >/dev/null || die "keystone user nova missing; see $LAB/logs/keystone-setup.log"
}

# ---------------------------------------------------------------------------------------------
st_services() {
  stage "placement, glance, neutron stand-in"
  { cat <<E
[DEFAULT]
use_stderr = true
[api]
auth_strategy = keystone
[placement_database]
connection = $DB/placement
E
    authtoken placement; } | write_once "$(placement_conf)"
  if [ "$(release_of "placement-$CTL")" = "placement-$OLD" ]; then
    quiet placement "$LAB/releases/placement-$OLD/bin/placement-manage" --config-file "$(placement_conf)" db sync
  else
    log "placement already on $(release_of "placement-$CTL"): no $OLD db sync"
  fi
  # the program runs whatever current/placement-ctl points at; its config dir is the host's
  { program "placement-api-$CTL" 40 "nice -n 10 /usr/bin/uwsgi --ini $LAB/current/placement-$CTL/placement-api-uwsgi.ini" \
      "environment=OS_PLACEMENT_CONFIG_DIR=\"$CETC/placement\"" "stopwaitsecs=30"
    group "placement-$CTL" "placement-api-$CTL"; } | sv_file "$CTL" "placement-$CTL"

  mkdir -p "$LAB/state/glance/images" "$LAB/state/glance/staging" "$LAB/state/glance/tasks"
  cp /etc/glance/glance-api-paste.ini "$CETC/glance/glance-api-paste.ini"
  { cat <<E
[DEFAULT]
bind_host = $CTL_IP
bind_port = 9292
workers = 1
use_stderr = true
enabled_backends = fs:file
[database]
connection = $DB/glance
[paste_deploy]
flavor = keystone
config_file = $CETC/glance/glance-api-paste.ini
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $LAB/state/glance/images/
[os_glance_staging_store]
filesystem_store_datadir = $LAB/state/glance/staging/
[os_glance_tasks_store]
filesystem_store_datadir = $LAB/state/glance/tasks/
[oslo_concurrency]
lock_path = $LAB/state/glance/lock
E
    authtoken glance; } | write_if_changed "$CETC/glance/glance-api.conf"
  quiet glance glance-manage --config-file "$CETC/glance/glance-api.conf" db_sync
  program glance-api 40 "nice -n 10 /usr/bin/glance-api --config-file $CETC/glance/glance-api.conf" | sv_file "$CTL" glance-api
  program neutron-stub 40 "nice -n 10 /usr/bin/python3 $LAB/bin/fake_neutron.py --host $CTL_IP --port 9696" "startsecs=2" \
    | sv_file "$CTL" neutron-stub
  sv_update "$CTL"
  wait_for "placement on $CTL_IP:8778" 60 http_ok "http://$CTL_IP:8778/"
  wait_for "glance on $CTL_IP:9292" 60 http_ok "http://$CTL_IP:9292/versions"
  wait_for "neutron stand-in on $CTL_IP:9696" 30 http_ok "http://$CTL_IP:9696/v2.0/networks"
}

# ---------------------------------------------------------------------------------------------
# Per-host nova config, the same file for both releases (as /etc/nova/nova.conf on a real host).
# Deliberately Zed's: no [upgrade_levels] compute, computes on fake.FakeDriver. The upgrade
# (stackhop's plan, or upgrade-by-hand.sh) sets `[upgrade_levels] compute = auto` on the
# controller and `compute_driver = fake.FakeDriverWithoutFakeNodes` on each compute.
nova_confs() {
  local ctlvar=$LAB/hosts/$CTL/var/lib/nova
  mkdir -p "$ctlvar/lock"
  { cat <<E
[DEFAULT]
host = $CTL
my_ip = $CTL_IP
state_path = $ctlvar
transport_url = $RABBIT
enabled_apis = osapi_compute
use_stderr = true
[api]
auth_strategy = keystone
[api_database]
connection = $DB/nova_api
[database]
connection = $DB/nova
[conductor]
workers = 1
[scheduler]
workers = 1
[oslo_concurrency]
lock_path = $ctlvar/lock
[vnc]
enabled = false
[glance]
region_name = RegionOne
[cinder]
os_region_name = RegionOne
E
    authtoken nova
    echo "[placement]"; svcauth
    echo "[neutron]"; svcauth
    echo "[service_user]"; echo "send_service_user_token = true"; svcauth
  } | write_once "$(nova_conf "$CTL")"
  local c var
  for c in $COMPUTES; do
    var=$LAB/hosts/$c/var/lib/nova     # distinct per compute: the driver's compute_id file lives here
    mkdir -p "$var/lock"
    { cat <<E
[DEFAULT]
host = $c
my_ip = $(host_ip "$c")
compute_driver = fake.FakeDriver
state_path = $var
transport_url = $RABBIT
use_stderr = true
[oslo_concurrency]
lock_path = $var/lock
[vnc]
enabled = false
[glance]
region_name = RegionOne
E
      echo "[placement]"; svcauth
      echo "[neutron]"; svcauth
      echo "[service_user]"; echo "send_service_user_token = true"; svcauth
    } | write_once "$(nova_conf "$c")"
  done
}

st_nova() {
  stage "nova zed: db, control plane, computes"
  nova_confs
  local cc; cc=$(nova_conf "$CTL")
  if [ "$(release_of "nova-$CTL")" = "nova-$OLD" ]; then
    local N="$LAB/releases/nova-$OLD/bin/nova-manage --config-file $cc"
    quiet nova $N api_db sync
    quiet nova $N cell_v2 map_cell0
    # list_cells can miss an existing cell1 on a busy machine; create_cell then says it exists
    if ! $N cell_v2 list_cells 2>/dev/null | grep -q ' cell1 '; then
      local out
      out=$($N cell_v2 create_cell --name=cell1 2>&1) \
        || grep -q 'already exists for another cell' <<<"$out" \
        || { printf '%s\n' "$out" >>"$LAB/logs/setup-nova.log"; die "cell_v2 create_cell failed (see $LAB/logs/setup-nova.log)"; }
    fi
    quiet nova $N db sync
  else
    log "nova control plane already on $(release_of "nova-$CTL"): no $OLD db sync"
  fi
  # nova-api reads the host's nova.conf and its release's api-paste.ini: OS_NOVA_CONFIG_FILES
  # (absolute paths; oslo finds api-paste.ini next to the config files, nova.conf's dir first,
  # so the host's etc/nova must not hold one)
  local cur=$LAB/current/nova-$CTL
  { program "nova-conductor-$CTL" 50 "nice -n 10 $cur/bin/nova-conductor --config-file $cc"
    program "nova-scheduler-$CTL" 50 "nice -n 10 $cur/bin/nova-scheduler --config-file $cc"
    program "nova-api-$CTL" 60 "nice -n 10 /usr/bin/uwsgi --ini $cur/nova-api-uwsgi.ini" "stopwaitsecs=30" \
      "environment=OS_NOVA_CONFIG_FILES=\"$cur/api-paste.ini;$cc\""
    group "nova-$CTL" "nova-api-$CTL" "nova-conductor-$CTL" "nova-scheduler-$CTL"; } | sv_file "$CTL" "nova-$CTL"
  local c
  for c in $COMPUTES; do
    { program "nova-compute-$c" 70 "nice -n 10 $LAB/current/nova-$c/bin/nova-compute --config-file $(nova_conf "$c")"
      group "nova-$c" "nova-compute-$c"; } | sv_file "$c" "nova-$c"
  done
  for c in $HOSTS; do sv_update "$c"; done
  wait_for "nova-api on $CTL_IP:8774" 90 http_ok "http://$CTL_IP:8774/"
  local p
  for p in "nova-conductor-$CTL" "nova-scheduler-$CTL"; do wait_running "$CTL" "nova-$CTL:$p" 60; done
  for c in $COMPUTES; do wait_running "$c" "nova-$c:nova-compute-$c" 60; done
  wait_for "3 nova-compute services up" 120 computes_up 3
  quiet nova "$cur/bin/nova-manage" --config-file "$cc" cell_v2 discover_hosts --verbose
  wait_for "3 hypervisors" 60 hypervisors 3
}
servers_settled() {  # every named server is ACTIVE or ERROR
  local l; l=$(openstack server list -f value -c Name -c Status)
  local n; for n in "$@"; do grep -qE "^$n (ACTIVE|ERROR)\$" <<<"$l" || return 1; done
}
computes_up() { [ "$(openstack compute service list --service nova-compute -f value -c State 2>/dev/null | grep -c '^up$')" -ge "$1" ]; }
hypervisors() { [ "$(openstack hypervisor list -f value -c ID 2>/dev/null | wc -l)" -ge "$1" ]; }

# ---------------------------------------------------------------------------------------------
# venv_one DIR DIST VERSION EXTRA...: DIR holds DIST==VERSION (built with the 2023.1 constraints)
venv_one() {
  local dir=$1 dist=$2 ver=$3; shift 3
  if [ -x "$dir/bin/python" ] && [ "$("$dir/bin/python" -c "import importlib.metadata as m; print(m.version('$dist'))" 2>/dev/null)" = "$ver" ]; then
    echo "$dist $ver already in $dir"; return 0
  fi
  local t0; t0=$(date +%s)
  rm -rf "$dir"
  "$SYSPY" -m venv "$dir"
  "$dir/bin/pip" install --disable-pip-version-check -c "$LAB/upper-constraints-$NEW.txt" "$dist==$ver" "$@"
  "$dir/bin/pip" check
  echo "$dist $ver installed in $dir in $(( $(date +%s) - t0 ))s"
}
venv_install() {   # runs in the background while the services come up
  [ -r "$CONSTRAINTS" ] || { echo "constraints file not found: $CONSTRAINTS (set STACKHOP_LAB_CONSTRAINTS)"; return 1; }
  # as real-lab.md ran it: 2023.1-eom upper constraints, greenlet 2.0.2 (Debian 12's, py3.11)
  sed 's/^greenlet===.*/greenlet===2.0.2/' "$CONSTRAINTS" >"$LAB/upper-constraints-$NEW.txt"
  venv_one "$NOVA_VENV" nova "$NOVA_NEW_VERSION" PyMySQL python-binary-memcached
  venv_one "$PLACEMENT_VENV" openstack-placement "$PLACEMENT_NEW_VERSION" PyMySQL
}
st_venv_start() {
  stage "pip: $NEW venvs (background)"
  mkdir -p "$LAB/logs" "$LAB/venvs" "$LAB/run"
  rm -f "$LAB/run/venv-install.done"
  ( set +e; t0=$(date +%s); (set -e; venv_install) >"$LAB/logs/venv-install.log" 2>&1; rc=$?
    echo "rc=$rc seconds=$(( $(date +%s) - t0 ))" >"$LAB/run/venv-install.done" ) &
  VENV_PID=$!
  echo "$VENV_PID" >"$LAB/run/venv-install.pid"
}
st_venv_wait() {
  stage "pip: wait for venvs"
  [ -n "${VENV_PID:-}" ] && wait "$VENV_PID" || true
  [ -r "$LAB/run/venv-install.done" ] || die "venv install did not finish (run up.sh with venv_start, or all stages)"
  log "venv install: $(cat "$LAB/run/venv-install.done"); $(grep -h ' in .* in [0-9]*s$\| already in ' "$LAB/logs/venv-install.log" | tr '\n' ';')"
  grep -q '^rc=0 ' "$LAB/run/venv-install.done" || { tail -30 "$LAB/logs/venv-install.log" >&2; die "venv install failed; see $LAB/logs/venv-install.log"; }
}

st_newrel() {
  stage "prepare the $NEW release trees"
  local nn=$LAB/releases/nova-$NEW np=$LAB/releases/placement-$NEW
  [ -r "$NOVA_VENV/etc/nova/api-paste.ini" ] || die "no api-paste.ini in $NOVA_VENV/etc/nova"
  cp "$NOVA_VENV/etc/nova/api-paste.ini" "$nn/api-paste.ini"   # Debian's has an extra filter
  uwsgi_ini 8774 "$NOVA_VENV/bin/nova-api-wsgi" "$NOVA_VENV" | write_if_changed "$nn/nova-api-uwsgi.ini"
  uwsgi_ini 8778 "$PLACEMENT_VENV/bin/placement-api" "$PLACEMENT_VENV" | write_if_changed "$np/placement-api-uwsgi.ini"
  local b
  for b in nova-manage nova-status nova-api-wsgi nova-conductor nova-scheduler nova-compute; do
    [ -x "$nn/bin/$b" ] || die "$nn/bin/$b missing (venv $NOVA_VENV)"
  done
  for b in placement-manage placement-api; do [ -x "$np/bin/$b" ] || die "$np/bin/$b missing (venv $PLACEMENT_VENV)"; done
  "$NOVA_VENV/bin/nova-manage" --version >/dev/null 2>&1 || die "nova-manage from $NOVA_VENV does not run"
  "$PLACEMENT_VENV/bin/python" -c 'import placement.wsgi' 2>/dev/null || die "placement from $PLACEMENT_VENV does not import"
}

# ---------------------------------------------------------------------------------------------
st_boot() {
  stage "flavor, image, boot instances"
  openstack flavor show m1.tiny >/dev/null 2>&1 || openstack flavor create --vcpus 1 --ram 512 --disk 1 m1.tiny >/dev/null
  if ! openstack image show fake-img >/dev/null 2>&1; then
    head -c 1048576 /dev/zero >"$LAB/state/fake-img.raw"
    openstack image create --disk-format raw --container-format bare --public --file "$LAB/state/fake-img.raw" fake-img >/dev/null
  fi
  # one instance per compute, created together, then waited for
  local i=0 c st want=()
  for c in $COMPUTES; do
    i=$((i+1))
    st=$(openstack server show "vm$i" -f value -c status 2>/dev/null || true)
    [ "$st" = ACTIVE ] && continue
    [ -z "$st" ] || openstack server delete --wait "vm$i"
    openstack server create --flavor m1.tiny --image fake-img --nic none --availability-zone "nova:$c" "vm$i" >/dev/null
    want+=("vm$i")
  done
  if [ ${#want[@]} -gt 0 ]; then
    wait_for "${want[*]} ACTIVE or ERROR" 300 servers_settled "${want[@]}"
    for i in "${want[@]}"; do
      st=$(openstack server show "$i" -f value -c status)
      [ "$st" = ACTIVE ] || die "boot of $i: $st: $(openstack server show "$i" -f value -c fault 2>/dev/null)"
    done
  fi
  openstack server list -f value -c Name -c Status | sort
  [ "$(openstack server list -f value -c Status | grep -c '^ACTIVE$')" -ge 3 ] || die "not all instances ACTIVE"
}

st_inventory() {
  stage "inventory"
  # the built-in example `lab` with this lab's root and network: one source for both, so the
  # example stackhop's tests plan is the cloud this script builds. The boot stage puts one
  # instance on each compute.
  local example=$LAB_SRC/../crates/stackhop-inventory/examples-data/lab.yaml
  [ -r "$example" ] || die "no $example (lab/ runs from a stackhop checkout)"
  sed -e "s#/opt/stackhop-lab#$LAB#g" -e "s#10\.213\.0\.#$LAB_SUBNET.#g" "$example" \
    | write_if_changed "$LAB/inventory.yaml"
  log "wrote $LAB/inventory.yaml"
  local h; for h in $HOSTS; do sv "$h" status; done
}

main() {
  local stages=("$@") all=0
  [ ${#stages[@]} -gt 0 ] || { all=1; stages=(packages net ssh layout venv_start infra keystone services nova venv_wait newrel boot inventory); }
  mkdir -p "$LAB"; touch "$LAB/.stackhop-lab"   # lets down.sh know it may remove this directory
  for s in "${stages[@]}"; do "st_$s"; done
  print_timings
  if [ $all = 1 ]; then log "lab is up: source $LAB/adminrc; ssh -F $SSH_CONFIG ctl; supervisorctl -c $(sv_conf "$CTL") status"
  else log "done: ${stages[*]}"; fi
}
main "$@"
