# shellcheck shell=bash
# The venv that runs Ansible against stackhop's exports (sourced by check.sh and lab/e2e_ansible.sh):
# ansible-core and ansible-lint from PyPI, at the versions below, in a venv of their own.
#
#   ansible_venv VENV LOGDIR    make VENV unless it already holds these versions, then put its
#                               bin/ first on PATH; fail (exit 1, saying why) when it cannot:
#                               no python3, no venv module and no apt-get to add it, no PyPI

ANSIBLE_CORE=2.19.14
ANSIBLE_LINT=26.10.1

_venv_say() { printf '[ansible-venv] %s\n' "$*" >&2; }
_venv_fail() { _venv_say "FAILED: $*"; exit 1; }

# _venv_ok VENV: it has both tools at the pinned versions
_venv_ok() {
  [ -x "$1/bin/ansible-playbook" ] && [ -x "$1/bin/ansible-lint" ] &&
    "$1/bin/python" - "$ANSIBLE_CORE" "$ANSIBLE_LINT" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if (version("ansible-core"), version("ansible-lint")) == tuple(sys.argv[1:3]) else 1)
PY
}

# _venv_apt PACKAGE...: install Debian packages, as root only
_venv_apt() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
  _venv_say "installing $* with apt-get"
  { apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y "$@"; } >/dev/null
}

ansible_venv() {
  local venv=$1 logs=$2 t
  t=$(date +%s)
  if ! _venv_ok "$venv"; then
    command -v python3 >/dev/null || _venv_apt python3 python3-venv || _venv_fail "no python3 (and no apt-get as root to install it)"
    rm -rf "$venv"
    if ! python3 -m venv "$venv" 2>"$logs/venv.err"; then
      _venv_apt python3-venv || _venv_fail "python3 -m venv: $(cat "$logs/venv.err") (install python3-venv)"
      rm -rf "$venv"
      python3 -m venv "$venv" 2>"$logs/venv.err" || _venv_fail "python3 -m venv $venv: $(cat "$logs/venv.err")"
    fi
    "$venv/bin/pip" install -q --disable-pip-version-check "ansible-core==$ANSIBLE_CORE" \
      "ansible-lint==$ANSIBLE_LINT" >"$logs/pip.log" 2>&1 || {
      tail -5 "$logs/pip.log" >&2
      _venv_fail "cannot install ansible-core and ansible-lint from PyPI (see $logs/pip.log); is PyPI reachable?"
    }
    _venv_ok "$venv" || _venv_fail "$venv does not have ansible-core $ANSIBLE_CORE and ansible-lint $ANSIBLE_LINT"
    _venv_say "made $venv in $(( $(date +%s) - t ))s"
  fi
  export PATH=$venv/bin:$PATH
}
