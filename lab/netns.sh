# shellcheck shell=bash
# Machines of their own on one Linux host: a network namespace per machine, joined to a bridge
# of the root namespace by a veth pair, each with its own sshd. lab/up.sh makes the lab's hosts
# with it, bench/fanout/run.sh its fleet. Sourced after common.sh (log, die, kill_pids).
# Everything here can be run again; nothing touches /root/.ssh.

# bridge_up BRIDGE ADDRESS/PREFIX: the bridge, holding the root namespace's address on it
bridge_up() {
  local br=$1 cidr=$2
  ip link show "$br" >/dev/null 2>&1 || ip link add "$br" type bridge
  ip -4 -o addr show dev "$br" | grep -qF " $cidr " || ip addr add "$cidr" dev "$br"
  ip link set "$br" up
}

# bridge_down BRIDGE
bridge_down() {
  if ip link show "$1" >/dev/null 2>&1; then ip link del "$1"; log "removed bridge $1"; fi
}

# subnet_free BRIDGE NET.0/PREFIX: die unless the subnet is unused outside BRIDGE, so that the
# lab never shadows a network this machine already reaches
subnet_free() {
  local br=$1 net=$2 clash
  clash=$(ip -4 -o route show match "${net%/*}" | awk -v br="$br" '$1 != "default" && !/ dev '"$br"' /')
  [ -z "$clash" ] || die "$net is already routed here ($clash); pick another range (STACKHOP_LAB_SUBNET)"
}

# netns_up NS VETH BRIDGE ADDRESS/PREFIX: namespace NS with loopback up and `eth0` holding
# ADDRESS, the other end of the veth pair (VETH, at most 15 characters) on BRIDGE
netns_up() {
  local ns=$1 veth=$2 br=$3 cidr=$4
  [ -e "/run/netns/$ns" ] || ip netns add "$ns"
  if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
    ip link del "$veth" 2>/dev/null || true      # a leftover whose namespace end is gone
    ip link add "$veth" type veth peer name eth0 netns "$ns"
  fi
  ip link set "$veth" master "$br" up
  ip -n "$ns" link set lo up
  ip -n "$ns" -4 -o addr show dev eth0 | grep -qF " $cidr " || ip -n "$ns" addr add "$cidr" dev eth0
  ip -n "$ns" link set eth0 up
}

# netns_down NS VETH: every process still inside NS stopped (TERM, then KILL), NS and VETH gone
netns_down() {
  local ns=$1 veth=$2
  if [ -e "/run/netns/$ns" ]; then
    # shellcheck disable=SC2046  # one pid per word
    kill_pids 10 $(ip netns pids "$ns" 2>/dev/null)
    ip netns del "$ns" && log "removed namespace $ns"
  fi
  ip link del "$veth" 2>/dev/null || true
}

# on_ns NS CMD...: run CMD inside NS (its network; same files, users and processes)
on_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ssh_client_key FILE: an ed25519 key pair made once (FILE, FILE.pub)
ssh_client_key() {
  [ -e "$1" ] || ssh-keygen -q -t ed25519 -N '' -C "stackhop-lab client" -f "$1"
}

# sshd_up NS ADDRESS DIR AUTHORIZED_KEYS LOG: an sshd inside NS on ADDRESS:22 only, with its
# host key, config and pid file in DIR. root logs in by key only (AUTHORIZED_KEYS), no password,
# no PAM (a container's PAM session modules can refuse logins).
sshd_up() {
  local ns=$1 addr=$2 dir=$3 keys=$4 logfile=$5
  mkdir -p "$dir" /run/sshd          # /run/sshd: Debian's sshd privilege separation directory
  [ -e "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C "$ns" -f "$dir/ssh_host_ed25519_key"
  cat >"$dir/sshd_config" <<E
# sshd of $ns; written by lab/netns.sh
ListenAddress $addr:22
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
X11Forwarding no
PrintMotd no
PrintLastLog no
# ansible copies its modules over sftp; multiplexed clients open several sessions per connection
Subsystem sftp internal-sftp
MaxSessions 32
MaxStartups 64:30:256
E
  if alive "$(cat "$dir/sshd.pid" 2>/dev/null)"; then return 0; fi
  /usr/sbin/sshd -t -f "$dir/sshd_config" || die "sshd config $dir/sshd_config is not valid"
  on_ns "$ns" /usr/sbin/sshd -f "$dir/sshd_config" -E "$logfile" || die "sshd in $ns did not start (see $logfile)"
}

# known_host NAMES ADDRESS DIR: the known_hosts line of the sshd whose files are in DIR, for
# its address and any other NAMES (comma-separated; may be empty)
known_host() {
  local names=$1 addr=$2 dir=$3
  printf '%s %s\n' "${names:+$names,}$addr" "$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")"
}

# ssh_ok CONFIG ADDRESS: one command over ssh with that client config succeeds
ssh_ok() { ssh -F "$1" -o ConnectTimeout=5 "$2" true </dev/null; }
