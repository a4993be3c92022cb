# stackhop_trace: an Ansible callback that writes, one JSON object a line, what a run of a
# `stackhop export ansible` playbook did: each play (and each of its serial batches), and each
# task's result per host with the step it carries out, the command as Ansible templated it, where
# it ran and when. crates/stackhop-export/ansible/replay.py checks such a trace against the plan;
# lab/e2e_ansible.sh takes the phases' windows from it.
#
#   ANSIBLE_CALLBACK_PLUGINS=crates/stackhop-export/ansible ANSIBLE_CALLBACKS_ENABLED=stackhop_trace \
#   STACKHOP_TRACE=trace.jsonl ansible-playbook site.yml
import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: stackhop_trace
    type: notification
    short_description: writes a JSON line per play batch and per task result (stackhop exports)
    description: the file is $STACKHOP_TRACE (default stackhop-trace.jsonl)
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "stackhop_trace"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._out = open(os.environ.get("STACKHOP_TRACE", "stackhop-trace.jsonl"), "a")
        self._play = -1
        self._play_name = None
        self._batch = -1
        self._phase = None
        self._started = {}

    def _write(self, obj):
        self._out.write(json.dumps(obj, sort_keys=True) + "\n")
        self._out.flush()

    def v2_playbook_on_play_start(self, play):
        # Ansible starts a play again for each serial batch
        name = play.get_name()
        if name == self._play_name:
            self._batch += 1
        else:
            self._play += 1
            self._play_name = name
            self._batch = 0
        self._phase = (play.vars or {}).get("stackhop_phase")
        self._write({"event": "play", "play": self._play, "name": name, "batch": self._batch,
                     "phase": self._phase, "t": time.time()})

    def v2_runner_on_start(self, host, task):
        self._started[(host.get_name(), task._uuid)] = time.time()

    def _result(self, status, result):
        task = result._task
        host = result._host.get_name()
        res = result._result or {}
        delegated = task.delegate_to
        # A skip for a false `when:`; a no_log task's result is censored, so its condition decides
        false_condition = status == "skipped" and (
            "false_condition" in res
            or "Conditional result was False" in str(res.get("skip_reason", ""))
            or ("censored" in res and bool(task.when)))
        self._write({
            "event": "result", "status": status, "host": host, "delegate_to": delegated or None,
            "play": self._play, "batch": self._batch, "phase": self._phase,
            "task": task.get_name(), "action": task.action,
            "step": (task.vars or {}).get("stackhop_step"), "steps": (task.vars or {}).get("stackhop_steps"),
            "cmd": (task.args or {}).get("cmd"),
            # in check mode, Ansible skips a command it would have run
            "check_mode_skip": status == "skipped" and not false_condition,
            "condition_false": false_condition,
            "rc": res.get("rc"),
            "start": self._started.pop((host, task._uuid), None), "end": time.time(),
        })

    def v2_runner_on_ok(self, result):
        self._result("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result("failed", result)

    def v2_runner_on_skipped(self, result):
        self._result("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._result("unreachable", result)

    def v2_playbook_on_stats(self, stats):
        self._write({"event": "end", "t": time.time(),
                     "failures": sorted(h for h in stats.processed if stats.failures.get(h)),
                     "unreachable": sorted(h for h in stats.processed if stats.dark.get(h))})
