# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers of the operations tests (issue 17): a real smsctld on a temporary SQLite file with
sim: modems, HTTP over its Unix socket and TCP. The process and the checks are harness.py's."""
import http.client
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Smsctld, UnixConnection, check, finish, free_port, raw_request  # noqa: E402,F401

__all__ = ["Daemon", "TOKEN", "UnixConnection", "check", "finish", "free_port"]
harness.SHOW_OK = True
TOKEN = "ops-test-token-0123456789abcdef"


class Daemon(Smsctld):
    def __init__(self, smsctld, tmp, modems, extra="", env=None, send=None):
        sock = os.path.join(tmp, "api.sock")
        self.port = free_port()
        tok = os.path.join(tmp, "tokens")
        with open(tok, "w") as f:
            f.write("# name:token\nshop:" + TOKEN + "\n")
        os.chmod(tok, 0o600)
        lines = ["[daemon]", "node_id = ops-test", "shutdown_timeout = 10s",
                 "[store]", f"url = sqlite://{tmp}/smsctl.db",
                 "[send]"] + (send or ["retry_initial = 1s", "retry_max = 2s"]) + [
                 "[http]", f"listen = 127.0.0.1:{self.port}, unix:{sock}",
                 f"tokens_file = {tok}"]
        for name, dev in modems:
            lines += [f"[modem {name}]", f"device = {dev}"]
        super().__init__(smsctld, tmp, "\n".join(lines) + "\n" + extra, sock, env=env)

    # the operations tests read raw bodies and headers: (status, raw, headers)
    def unix(self, method, path, body=None, headers=None):
        return raw_request(UnixConnection(self.sock, 15), method, path, body, headers)

    def tcp(self, method, path, body=None, headers=None):
        return raw_request(http.client.HTTPConnection("127.0.0.1", self.port, timeout=15),
                           method, path, body, headers)

    def submit(self, to, text, **kw):
        doc = dict(kw, to=to, text=text)
        st, raw, _ = self.unix("POST", "/v1/messages", doc)
        if st != 202:
            raise RuntimeError(f"submit: {st} {raw!r}")
        return json.loads(raw)["messages"][0]["id"]
