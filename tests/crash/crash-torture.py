#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Crash torture, single host: smsctld on SQLite with four simulated modems (generic,
wavecom, simcom, huawei), messages with unique texts (a third of them three-part Chinese)
submitted at a steady pace while the daemon is killed with SIGKILL at random moments and
restarted at once. Then:
  - 0 lost: every message the API accepted (202) ends sent, delivered, failed, expired or
    unknown; none is left queued or sending;
  - 0 sent twice: no PDU in the modems' records twice; every part the store says `sent` is
    in the records exactly once;
  - at most 4 unknown parts per kill, each message unknown with its message.unknown event;
  - a trial with SIGTERM instead of SIGKILL ends with 0 unknown.

Usage: crash-torture.py SMSCTLD SMSCTL [--messages N] [--kills K] [--interval-ms MS]
       [--trials T] [--sigterm-trial] [--seed S] [--faults]
With --faults a fifth modem (quectel) gets, from the control socket, in turn: `unplug` (the
line goes away when the next PDU arrives: that part ends unknown), `send_timeout` for a
moment (the PDU is accepted and never answered: unknown) and a timed `unplug:0` (wherever a
command is: cut off before the prompt, sent later, once); each time it comes back 2 s later.
Parts whose PDU was written end unknown and are never resent (the unknown bound per kill does
not apply to them).
CI runs a scaled-down trial (tests/daemon/meson.build); the full one is a benchmark that
prints its figures.

The modems are served by `smsctl sim serve` on pseudo-terminals, outside the daemon: a kill
never resets them (their TP-MR counters go on), and what they accepted is read from the
control socket (`records`: one decoded record per submitted PDU with the TP-MR answered).
Checked from those records as well: no (recipient, part, text) submitted twice, and every
part the store says `sent` carries the TP-MR the modem answered for it.
"""
import argparse
import os
import random
import signal
import sqlite3
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "daemon"))
from harness import SimServe, Smsctld, unix_request  # noqa: E402

FINAL = {"sent", "delivered", "failed", "expired", "unknown"}


def api(sock, method, path, body=None):
    return unix_request(sock, method, path, body, timeout=10)


PROFILES = ("generic", "wavecom", "simcom", "huawei")


class Served(SimServe):
    """The four profiles (and with faults a Quectel one, "flaky") served on ptys in tmp."""

    def __init__(self, smsctl, tmp, faults=False):
        names = list(PROFILES) + (["flaky"] if faults else [])
        devices = [f"sim:{p}" for p in PROFILES] + (["sim:quectel"] if faults else [])
        super().__init__(smsctl, tmp, devices, names)


def wait_replugged(served, before, stop_at):
    """Until the fifth modem was unplugged (more than `before` unplugs) and is back."""
    while time.time() < stop_at:
        st = served.ctl(cmd="state", modem=4)
        if st["unplugs"] > before and not st["unplugged"]:
            return True
        time.sleep(0.1)
    return False


def fault_driver(served, stop, rnd, hits):
    """--faults, on the fifth modem, in turn until stop is set (at least one round):
      - `unplug`: the line goes away when the next PDU arrives (that part: unknown);
      - `send_timeout` until one PDU was accepted unanswered, then `unplug:0` at once (the
        daemon reads EOF after Ctrl-Z instead of waiting 60 s: unknown either way);
      - `unplug:0` at a random moment (mostly between or before prompts: sent later, once).
    hits counts the faults that caught a PDU; hits["timeout_pdus"] lists those accepted
    unanswered (records of the fifth modem)."""
    rounds = 0
    while rounds == 0 or not stop.is_set():
        rounds += 1
        st = served.ctl(cmd="state", modem=4)
        served.ctl(cmd="fault", modem=4, fault="unplug", on=True)
        if wait_replugged(served, st["unplugs"], time.time() + 20):
            hits["unplug_at_pdu"] += 1
        served.ctl(cmd="fault", modem=4, fault="unplug", on=False)

        st = served.ctl(cmd="state", modem=4)
        served.ctl(cmd="fault", modem=4, fault="send_timeout", on=True)
        deadline = time.time() + 20
        now = st
        while time.time() < deadline:
            now = served.ctl(cmd="state", modem=4)
            if now["sent"] > st["sent"]:
                break
            time.sleep(0.02)
        served.ctl(cmd="fault", modem=4, fault="unplug:0", on=True)
        served.ctl(cmd="fault", modem=4, fault="send_timeout", on=False)
        if now["sent"] > st["sent"]:
            recs = served.ctl(cmd="records", modem=4, since=st["sent"])["records"]
            hits["timeout_pdus"] += [r["pdu"] for r in recs]
        wait_replugged(served, st["unplugs"], time.time() + 10)

        time.sleep(rnd.random() * 1.5)
        st = served.ctl(cmd="state", modem=4)
        served.ctl(cmd="fault", modem=4, fault="unplug:0", on=True)
        if wait_replugged(served, st["unplugs"], time.time() + 10):
            hits["unplug_anywhere"] += 1


class Daemon(Smsctld):
    start_timeout = 30

    def __init__(self, smsctld, tmp, served):
        sock = os.path.join(tmp, "api.sock")
        conf = (f"[daemon]\nnode_id = torture\nshutdown_timeout = 20s\n"
                f"[store]\nurl = sqlite://{tmp}/smsctl.db\n"
                f"[send]\nretry_initial = 1s\nretry_max = 2s\n"
                f"[http]\nlisten = unix:{sock}\nmax_body = 1m\n")
        for name, path in zip(served.names, served.paths):
            conf += f"[modem {name}]\ndevice = {path}\n"
        super().__init__(smsctld, tmp, conf, sock)


def trial(args, rnd, use_sigterm):
    with tempfile.TemporaryDirectory() as tmp:
        served = Served(args.smsctl, tmp, args.faults)
        d = Daemon(args.smsctld, tmp, served)
        d.start()
        stop_faults = threading.Event()
        hits = {"unplug_at_pdu": 0, "timeout_pdus": [], "unplug_anywhere": 0}
        driver = None
        if args.faults:
            driver = threading.Thread(target=fault_driver,
                                      args=(served, stop_faults, random.Random(rnd.random()),
                                            hits))
            driver.start()
        accepted = {}  # id -> text
        pending = []  # texts whose submit got no answer (the daemon died)
        kills_at = sorted(rnd.sample(range(1, args.messages), min(args.kills,
                                                                   args.messages - 1)))
        kills = 0
        t0 = time.time()
        for i in range(args.messages):
            if i % 3 == 0:
                text = f"第{i}号订单：您的会员卡已充值，余额一百二十元，感谢惠顾。" * 5
            else:
                text = f"order {i}: your card was recharged, balance 120.00, thank you"
            try:
                st, doc = api(d.sock, "POST", "/v1/messages",
                              {"to": f"+86139{rnd.randrange(10**8):08d}", "text": text})
                if st == 202:
                    accepted[doc["messages"][0]["id"]] = text
                else:
                    pending.append(text)
            except OSError:
                pending.append(text)
            if kills_at and i >= kills_at[0]:
                kills_at.pop(0)
                time.sleep(rnd.random() * args.interval_ms / 1000)
                d.kill(signal.SIGTERM if use_sigterm else signal.SIGKILL)
                kills += 1
                d.start()
            time.sleep(args.interval_ms / 1000)
        submit_s = time.time() - t0
        if driver:
            stop_faults.set()
            driver.join()
        # let it finish
        deadline = time.time() + 120
        while time.time() < deadline:
            db = sqlite3.connect(f"file:{tmp}/smsctl.db?mode=ro", uri=True)
            left = db.execute("select count(*) from messages where state in "
                              "('queued', 'sending')").fetchone()[0]
            db.close()
            if left == 0:
                break
            time.sleep(0.5)
        rc = d.kill(signal.SIGTERM)
        problems = []
        if rc != 0:
            problems.append(f"the last SIGTERM exited {rc}")
        db = sqlite3.connect(f"file:{tmp}/smsctl.db?mode=ro", uri=True)
        states = dict(db.execute("select id, state from messages").fetchall())
        # accepted ones that the API answered for; unanswered ones may or may not exist
        lost = [m for m in accepted if m not in states]
        if lost:
            problems.append(f"{len(lost)} accepted messages lost: {lost[:3]}")
        not_final = [m for m, s in states.items() if s not in FINAL]
        if not_final:
            problems.append(f"{len(not_final)} messages not final: {not_final[:3]}")
        records = served.records()
        served_rc = served.stop()
        if served_rc != 0:
            problems.append(f"smsctl sim serve exited {served_rc} on SIGTERM")
        recs = []
        per_modem = {}
        mr_of = {}  # TPDU -> the TP-MR the modem answered
        for name, rs in records.items():
            per_modem[name] = len(rs)
            for r in rs:
                recs.append(r["pdu"])
                mr_of[r["pdu"]] = r["mr"]
        dup = len(recs) - len(set(recs))
        if dup:
            problems.append(f"{dup} PDUs accepted twice by the modems")
        # the same part of the same text to the same number, whatever the reference
        keys = [(r.get("to"), r.get("text"), (r.get("concat") or {}).get("seq"))
                for rs in records.values() for r in rs]
        dup_text = len(keys) - len(set(keys))
        if dup_text:
            problems.append(f"{dup_text} parts submitted twice (same recipient, part, text)")
        recset = {}
        for r in recs:
            recset[r] = recset.get(r, 0) + 1
        sent_parts = db.execute("select message_id, seq, pdu, mr from message_parts "
                                "where state = 'sent'").fetchall()
        missing = 0
        wrong_mr = 0
        for mid, seq, pdu, mr in sent_parts:
            tpdu = pdu.upper()
            smsc = int(tpdu[:2], 16)
            tpdu = tpdu[2 + 2 * smsc:]
            if recset.get(tpdu, 0) != 1:
                missing += 1
            elif mr != mr_of[tpdu]:
                wrong_mr += 1
        if missing:
            problems.append(f"{missing} parts sent per the store are not in the records once")
        if wrong_mr:
            problems.append(f"{wrong_mr} sent parts whose TP-MR is not the one the modem "
                            f"answered")
        unknown_pdus = db.execute("select pdu from message_parts "
                                  "where state = 'unknown'").fetchall()
        twice = 0
        for (pdu,) in unknown_pdus:
            tpdu = pdu.upper() if pdu else ""
            if tpdu:
                tpdu = tpdu[2 + 2 * int(tpdu[:2], 16):]
            if recset.get(tpdu, 0) > 1:
                twice += 1
        if twice:
            problems.append(f"{twice} unknown parts were submitted again")
        if args.faults:
            # every PDU the modem accepted without answering is an unknown part (never sent
            # again: the duplicate checks above), and the faults did catch submits
            states_by_tpdu = {}
            for pdu, pstate in db.execute("select pdu, state from message_parts "
                                          "where pdu is not null"):
                t = pdu.upper()
                states_by_tpdu[t[2 + 2 * int(t[:2], 16):]] = pstate
            wrong = [t for t in hits["timeout_pdus"] if states_by_tpdu.get(t) != "unknown"]
            if wrong:
                problems.append(f"{len(wrong)} PDUs accepted unanswered did not end unknown: "
                                f"{[states_by_tpdu.get(t) for t in wrong]}")
            if hits["unplug_at_pdu"] + len(hits["timeout_pdus"]) == 0:
                problems.append("no fault caught a PDU (the faults did not take effect)")
            n_unknown = db.execute("select count(*) from message_parts "
                                   "where state = 'unknown'").fetchone()[0]
            if n_unknown < hits["unplug_at_pdu"] + len(hits["timeout_pdus"]):
                problems.append(f"{n_unknown} unknown parts for "
                                f"{hits['unplug_at_pdu']} unplugs at a PDU and "
                                f"{len(hits['timeout_pdus'])} submits unanswered")
        unknown_parts = db.execute("select count(*) from message_parts "
                                   "where state = 'unknown'").fetchone()[0]
        unknown_msgs = [m for m, s in states.items() if s == "unknown"]
        no_event = [m for m in unknown_msgs if db.execute(
            "select count(*) from events where message_id = ? and type = 'message.unknown'",
            (m,)).fetchone()[0] == 0]
        if no_event:
            problems.append(f"{len(no_event)} unknown messages without message.unknown")
        if use_sigterm and unknown_parts and not args.faults:
            problems.append(f"SIGTERM trial: {unknown_parts} unknown parts")
        if unknown_parts > 4 * max(kills, 1) and not args.faults:
            problems.append(f"{unknown_parts} unknown parts for {kills} kills")
        counts = {}
        for s in states.values():
            counts[s] = counts.get(s, 0) + 1
        db.close()
        print(f"trial ({'SIGTERM' if use_sigterm else 'SIGKILL'}): {len(accepted)} accepted, "
              f"{len(pending)} unanswered, {kills} kills, {len(recs)} PDUs recorded, "
              f"{unknown_parts} unknown parts, states {counts}, per modem {per_modem}, "
              f"submit phase {submit_s:.1f} s"
              + (f", faults: {hits['unplug_at_pdu']} unplugs at a PDU, "
                 f"{len(hits['timeout_pdus'])} submits unanswered, "
                 f"{hits['unplug_anywhere']} unplugs anywhere" if args.faults else ""),
              flush=True)
        if problems:
            print(open(os.path.join(tmp, "smsctld.log")).read()[-3000:])
        return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("smsctld")
    ap.add_argument("smsctl")
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--kills", type=int, default=25)
    ap.add_argument("--interval-ms", type=int, default=800)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--sigterm-trial", action="store_true")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--faults", action="store_true",
                    help="a fifth modem that is unplugged and times out submits")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"seed {seed}", flush=True)
    rnd = random.Random(seed)
    failed = 0
    for t in range(args.trials):
        for p in trial(args, rnd, False):
            print("FAIL:", p)
            failed += 1
    if args.sigterm_trial:
        for p in trial(args, rnd, True):
            print("FAIL:", p)
            failed += 1
    print(f"{failed} problems")
    sys.exit(1 if failed else 0)


main()
