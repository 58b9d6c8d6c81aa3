#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Journal fields of one message's life (issue 17), read from smsctld's standard error with
SMSCTLD_LOG_FIELDS=1 (the same fields go to sd_journal_sendv() under systemd): the records
of a sent message and of a permanently refused one carry SMSCTL_MESSAGE_ID, SMSCTL_MODEM,
SMSCTL_SIM, SMSCTL_EVENT and, for the failure, SMSCTL_ERROR_CODE; every line has a `<N>`
priority prefix; message texts never appear, nor the full recipient number.

Usage: ops-journal.py SMSCTLD
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ops_common import Daemon, check, finish  # noqa: E402

SMSCTLD = sys.argv[1]


def fields(line):
    return dict(re.findall(r" (SMSCTL_[A-Z_]+)=(\S+)", line))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(SMSCTLD, tmp, [("a", "sim:"), ("perm", "sim:?fault=send_fail:21")],
                   env={"SMSCTLD_LOG_FIELDS": "1"})
        d.start()
        text_ok = "journal-secret-text-7f3a"
        text_bad = "journal-secret-text-9c1e"
        ok_id = d.submit("+8613800138123", text_ok, modem="a")
        bad_id = d.submit("+8613800138456", text_bad, modem="perm")
        m_ok = d.wait_state(ok_id, ("sent",), 30)
        m_bad = d.wait_state(bad_id, ("failed",), 30)
        check(m_ok and m_ok["state"] == "sent" and m_bad and m_bad["state"] == "failed",
              "one message sent, one failed")
        d.stop()
        with open(d.log, encoding="utf-8") as f:
            lines = f.read().splitlines()
        check(all(re.match(r"^<[0-7]>smsctld: ", ln) for ln in lines if ln),
              "every line starts with a <N> priority prefix")
        mine = [fields(ln) for ln in lines if f"SMSCTL_MESSAGE_ID={ok_id}" in ln]
        sent = [f for f in mine if f.get("SMSCTL_EVENT") == "part.sent"]
        check(len(sent) == 1 and sent[0].get("SMSCTL_MODEM") == "a"
              and sent[0].get("SMSCTL_SIM") == m_ok["sim_iccid"],
              f"the sent message's record carries its id, modem, SIM and event ({mine})")
        bad = [fields(ln) for ln in lines if f"SMSCTL_MESSAGE_ID={bad_id}" in ln]
        failed = [f for f in bad if f.get("SMSCTL_EVENT") == "part.failed"]
        check(len(failed) == 1 and failed[0].get("SMSCTL_ERROR_CODE") == "cms.21"
              and failed[0].get("SMSCTL_MODEM") == "perm",
              f"the refused message's record carries part.failed and cms.21 ({bad})")
        others = [ln for ln in lines if "SMSCTL_MESSAGE_ID=" in ln and ok_id not in ln
                  and bad_id not in ln]
        check(others == [], f"no record carries another message's id ({others[:3]})")
        alltext = "\n".join(lines)
        check(text_ok not in alltext and text_bad not in alltext, "message texts are never logged")
        check("8613800138123" not in alltext and "8613800138456" not in alltext,
              "recipient numbers are not logged in full")
    finish()


if __name__ == "__main__":
    main()
