#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the seed corpora of fuzz-recv and fuzz-sim, and the seeds fuzz-pdu (encoder options),
fuzz-at (lines beyond the limit) and fuzz-parse (PIN files) gained with them, from the real
captures in tests/data/ (sources named in each corpus folder's README).

Run from the source root: tests/fuzz/gen-seeds.py. Each seed's file name says where it comes
from; running it again rewrites the same files."""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def load_cases(kind):
    cases = {}
    d = os.path.join(DATA, kind)
    for f in sorted(os.listdir(d)):
        if f.endswith(".json"):
            for c in json.load(open(os.path.join(d, f)))["cases"]:
                cases[c["id"]] = c
    return cases


AT = load_cases("at")
PDU = load_cases("pdu")


def raw(cid):
    return AT[cid]["raw"].encode("latin-1")


def write(corpus, name, data):
    d = os.path.join(HERE, "corpus-" + corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def with_final(b):
    return b if re.search(rb"OK|ERROR", b) else b + b"\r\nOK\r\n"


# ---- fuzz-recv: header (2 bytes) + NUL-separated records ----
def recv_seed(name, h0, h1, records):
    write("recv", name, bytes([h0, h1]) + b"\0".join(records))


LIST_ALL, LIST_READ, DELETE_ALL = 0x10, 0x20, 0x30
DIRECT, NO_IND, ONLY_SM, AGE0, REFUSE, FLUSH = 0x01, 0x02, 0x04, 0x08, 0x40, 0x80

cmgl = [c for c in AT if re.search(r"cmgl-(response|urc)", c)]
for cid in cmgl:
    body = with_final(raw(cid))
    recv_seed(cid + "-list", LIST_ALL, 0, [b"CMGL\t" + body])
    # the listing, then each entry read again and deleted
    rereads = []
    for m in re.finditer(rb"\+CMGL: *(\d+),(\d*),[^,\r\n]*,(\d+)\r\n?([0-9A-Fa-f]+)", raw(cid)):
        idx, stat, ln, pdu = m.groups()
        rereads.append(b"CMGR=" + idx + b"\t+CMGR: " + stat + b",," + ln + b"\r\n" + pdu +
                       b"\r\nOK\r\n")
    recv_seed(cid + "-reread", LIST_READ, 0, [b"CMGL\t" + body] + rereads)
    recv_seed(cid + "-start", ONLY_SM, 1, [b"CMGL\t" + body])

# +CMTI announces, +CMGR reads (every PDU-mode +CMGR capture)
cmgr = [c for c in AT if "cmgr" in c and "text" not in c]
for cid in cmgr:
    body = raw(cid)
    if not re.search(rb"[0-9A-F]{20}", body):
        continue
    recv_seed(cid + "-cmti", 0, 3,
              [b'!\r\n+CMTI: "SM",3\r\n', b"CMGR=3\t" + with_final(body.replace(b" 0", b"\r\n0", 1)
                                                                   if cid == "mm-cmgr-response-generic"
                                                                   else body)])
# two parts of one message (dongle-cmgr-3 and -4: reference 0xCA), in both orders
for order, (a, b) in (("12", (3, 4)), ("21", (4, 3))):
    recv_seed("dongle-cmgr-concat-" + order, 0, 5,
              [b'!\r\n+CMTI: "SM",%d\r\n' % a, b'!\r\n+CMTI: "SM",%d\r\n' % b,
               b"CMGR=3\t" + with_final(raw("dongle-cmgr-3")),
               b"CMGR=4\t" + with_final(raw("dongle-cmgr-4"))])
    recv_seed("dongle-cmgr-concat-refused-" + order, REFUSE | AGE0 | FLUSH, 5,
              [b'!\r\n+CMTI: "SM",%d\r\n' % a, b'!\r\n+CMTI: "SM",%d\r\n' % b,
               b"CMGR=3\t" + with_final(raw("dongle-cmgr-3")),
               b"CMGR=4\t" + with_final(raw("dongle-cmgr-4"))])
# +CMTI forms
for cid in ("gammu-atgen-cmti-sm-1", "smsctl-cmti-huawei-0", "dongle-cmti-1", "dongle-cmti-2",
            "dongle-cmti-3", "gsmmodem-cdsi-1", "gammu-atgen-cdsi-sr-1"):
    recv_seed(cid, 0, 2, [b"!\r\n" + raw(cid).rstrip(b"\r\n") + b"\r\n",
                          b"CMGR=\t" + with_final(raw("gammu-atgen-cmgr-deliver-pdu"))])
# status reports read from storage
for cid in ("gsmmodem-cmgr-status-report", "gammu-atgen-cmgr-status-report-pdu"):
    recv_seed(cid + "-cdsi", 0, 2, [b'!\r\n+CDSI: "SR",1\r\n', b"CMGR=1\t" + with_final(raw(cid))])

# +CMT (direct): single, the two parts of gammu-atgen-cmt-2/-3 in both orders, refused
# (stored with +CMGW), with +CSMS service 0 and 1
for cid in ("gammu-atgen-cmt-1", "gammu-atgen-cmt-2", "gammu-atgen-cmt-3"):
    recv_seed(cid, DIRECT, 2, [b"!\r\n" + raw(cid) + b"\n"])
for order, ids in (("23", ("gammu-atgen-cmt-2", "gammu-atgen-cmt-3")),
                   ("32", ("gammu-atgen-cmt-3", "gammu-atgen-cmt-2"))):
    urcs = [b"!\r\n" + raw(i) + b"\n" for i in ids]
    recv_seed("gammu-atgen-cmt-concat-" + order, DIRECT, 4, urcs)
    recv_seed("gammu-atgen-cmt-concat-refused-" + order, DIRECT | REFUSE | AGE0, 4,
              urcs + [b"CSMS?\t\r\n+CSMS: 1,1,1,1\r\n\r\nOK\r\n"])
    recv_seed("gammu-atgen-cmt-concat-csms0-" + order, DIRECT | REFUSE | FLUSH, 4,
              urcs + [b"CSMS?\t\r\n+CSMS: 0,1,1,1\r\n\r\nOK\r\n",
                      b"CMGW=\t\r\n> ", b"\t\r\n+CMGW: 12\r\n\r\nOK\r\n"])
recv_seed("mm-cds-1-direct", DIRECT, 2, [b"!" + raw("mm-cds-1")])
# URCs inside answers, lines ending in CR only
recv_seed("gammu-atgen-cmgl-urc-inside-start", 0, 3,
          [b"CMGL\t" + raw("gammu-atgen-cmgl-urc-inside"),
           b"CMGR=1\t" + with_final(raw("gammu-atgen-cmgr-deliver-pdu"))])
recv_seed("gammu-statemachine-cmti-before-echo", 0, 2,
          [b"CPMS=\"\t" + raw("gammu-statemachine-cmti-before-echo")])
# modems that refuse: the error answers of the listing and of the memory switch
for cid in ("mm-serial-error-3", "mm-serial-error-10", "gsmmodem-cms-310",
            "smsctl-cms-verbose-sim", "gsmmodem-command-not-support"):
    recv_seed(cid + "-cmgl", LIST_ALL, 0, [b"CMGL\t" + raw(cid)])
    recv_seed(cid + "-cpms", ONLY_SM, 0, [b"CPMS\t" + raw(cid)])
# the memories as real modems list them, then delete everything
for cid in [c for c in AT if c.startswith("mm-cpms-test") or "cpms-test" in c][:8]:
    recv_seed(cid + "-delete-all", DELETE_ALL, 0, [b"CPMS=?\t" + with_final(raw(cid))])
# no indications: storage polled
recv_seed("mm-cmgl-response-generic-multiple-poll", NO_IND, 3,
          [b"CMGL\t" + with_final(raw("mm-cmgl-response-generic-multiple"))])

# the program refuses everything: nothing may be deleted (h1 bit 6)
REFUSE_ALL = 0x40
recv_seed("dongle-cmgr-concat-refuse-all", 0, REFUSE_ALL | 5,
          [b'!\r\n+CMTI: "SM",3\r\n', b'!\r\n+CMTI: "SM",4\r\n',
           b"CMGR=3\t" + with_final(raw("dongle-cmgr-3")),
           b"CMGR=4\t" + with_final(raw("dongle-cmgr-4"))])
recv_seed("mm-cmgl-response-generic-multiple-refuse-all", AGE0 | FLUSH, REFUSE_ALL | 3,
          [b"CMGL\t" + with_final(raw("mm-cmgl-response-generic-multiple"))])
recv_seed("gammu-atgen-cmt-concat-refuse-all", DIRECT | FLUSH, REFUSE_ALL | 4,
          [b"!\r\n" + raw("gammu-atgen-cmt-2") + b"\n", b"!\r\n" + raw("gammu-atgen-cmt-1") + b"\n"])

# the modem goes away (EOT: hang up) in the middle of a listing, of a read, after a +CMT part
cut = raw("mm-cmgl-response-generic-multiple")
recv_seed("mm-cmgl-response-generic-multiple-gone", LIST_ALL, 0, [b"CMGL\t" + cut[:len(cut) // 2] + b"\x04"])
recv_seed("dongle-cmgr-3-gone", 0, 3, [b'!\r\n+CMTI: "SM",3\r\n', b"CMGR=3\t" + raw("dongle-cmgr-3")[:60] + b"\x04"])
recv_seed("gammu-atgen-cmt-2-gone", DIRECT, 3, [b"!\r\n" + raw("gammu-atgen-cmt-2") + b"\n", b"!\x04"])

# ---- fuzz-sim: header (2 bytes) + host bytes, 0xFE OP for actions ----
def sim_seed(name, h0, h1, host):
    write("sim", name, bytes([h0, h1]) + host)


SETTLE = b"\xfe\x00"
PREPARE = b"ATE0;+CMEE=1;+CPIN?;+CMGF=0\r"
submits = [c for c in PDU.values() if c["direction"] == "MO" and not c["expect_error"]
           and c["smsc_included"]][:12]
for i, c in enumerate(submits):
    hexpdu = c["hex"].encode()
    smsc_len = int(hexpdu[:2], 16)
    tpdu_len = len(hexpdu) // 2 - 1 - smsc_len
    cmgs = b"AT+CMGS=%d\r" % tpdu_len + SETTLE + hexpdu + b"\x1a"
    sim_seed(c["id"] + "-cmgs", i % 6, i, PREPARE + SETTLE + cmgs + SETTLE)
    sim_seed(c["id"] + "-cmgw", (i + 1) % 6, i,
             PREPARE + b"AT+CMGW=%d,2\r" % tpdu_len + SETTLE + hexpdu + b"\x1a" + SETTLE +
             b"AT+CMGL=4\r" + SETTLE)
    sim_seed(c["id"] + "-cancel", 0x10 | (i % 6), i * 8 + 1,
             b"AT+CMGS=%d\r" % tpdu_len + SETTLE + hexpdu[:10] + b"\x1b" + b"AT\r")
# the commands each transcript's engine wrote (sources named in tests/data/transcripts)
tdir = os.path.join(DATA, "transcripts")
for f in sorted(os.listdir(tdir)):
    if not f.endswith(".at"):
        continue
    host = b""
    for line in open(os.path.join(tdir, f), encoding="utf-8"):
        if line.startswith("> "):
            text = line[2:].rstrip("\n").encode("latin-1").decode("unicode_escape").encode(
                "latin-1")
            host += text if text.endswith(b"\x1a") else text + b"\r"
    if host:
        sim_seed("transcript-" + f[:-3], 0, 0, host + SETTLE)
# receiving: stored, announced, read, deleted; direct with acknowledgement
sim_seed("own-recv-stored", 5, 0,
         PREPARE + b"AT+CNMI=2,1,0,2,0\r" + SETTLE + b"\xfe\x01" + b"\xfe\x0a" + SETTLE +
         b"AT+CPMS=?\rAT+CPMS?\rAT+CMGL=4\r" + SETTLE + b"AT+CMGR=0\rAT+CMGR=1\rAT+CMGD=0\r" +
         b"AT+CMGD=1,4\r" + SETTLE + b"\xfe\x04")
sim_seed("own-recv-direct", 1, 0,
         PREPARE + b"AT+CSMS=1\rAT+CNMI=2,2,0,1,0\r" + SETTLE + b"\xfe\x01\xfe\x42" + SETTLE +
         b"AT+CNMA\r" + SETTLE + b"AT+CNMA=2\r" + SETTLE)
sim_seed("own-pin", 0x10, 1, b"AT+CPIN?\rAT+CPIN=\"0000\"\rAT+CPIN=\"1234\"\rAT+CPIN?\r" + SETTLE)
sim_seed("own-puk", 0x10, 2,
         b"AT+CPIN?\rAT+CPIN=\"12345678\",\"4321\"\rAT+CLCK=\"SC\",2\r" + SETTLE)
sim_seed("own-status", 3, 0,
         b"AT+CSQ\rAT+CESQ\rAT+CREG?\rAT+CGREG?\rAT+CEREG?\rAT+COPS?\rAT+CSCA?\r"
         b"AT+CGMI\rAT+CGMM\rAT+CGMR\rAT+CGSN\rAT+CIMI\rAT+CCID\rAT+CNUM\rATI\r" + SETTLE)
for prof in range(6):  # the vendors' own ICCID commands, character sets, attach
    sim_seed("own-vendor-%d" % prof, prof, 0,
             b"AT+ICCID\rAT^SCID\rAT+QCCID\rAT^ICCID?\rAT+CGATT?\rAT+CGATT=1\r"
             b"AT+CSCS=?\rAT+CSCS=\"UCS2\"\rAT+CSCS?\rAT+COPS?\rAT+CSCS=\"GSM\"\r"
             b"AT+GCAP\rAT+CPINR\rAT^SYSINFO\rAT+CSMP?\rAT+CSMP=17,167,0,0\r" + SETTLE)
sim_seed("own-faults", 4, 0,
         b"\xfe\x1b\xfe\x93AT+CMGS=10\r" + SETTLE + b"0011000B916407281553F80000AA00\x1a" + SETTLE +
         b"\xfe\x04ATZ\rAT&F\rAT+CFUN=1,1\r" + SETTLE)
# storage faults switched at run time: full, then freed; memories that disagree
sim_seed("own-storage-faults", 0, 0,
         b"\xfe\x63AT+CPMS?\r" + SETTLE + b"\xfe\x63\xfe\xd3AT+CPMS?\rAT+CPMS=\"ME\"\rAT+CMGL=4\r" + SETTLE)
sim_seed("own-noise", 0, 0, b"\x00\xff\r\n\x1a\x1bAT\rat+cmgf=0\r\r\rA\rAT+\rAT+CMGL=\"ALL\"\r" +
         SETTLE)
sim_seed("own-spec-preload", 0x80, 0,
         b"huawei?sms=%2B8613800138000,%E4%BD%A0%E5%A5%BD&pdu=" +
         PDU["gsmmodem-decode-1"]["hex"].encode() + b"&arrive=0,10086,hi&sm=5&pin=1111\n" +
         PREPARE + b"AT+CPIN=\"1111\"\rAT+CMGL=4\r" + SETTLE)
sim_seed("own-spec-bad", 0x80, 0, b"nosuch?fault=warp\nAT\r")

# ---- fuzz-pdu: 6 option bytes + UTF-8 text ----
texts = {
    "en": "Your code is 4711. Valid for 5 minutes.".encode(),
    "zh": "您的验证码是 4711，五分钟内有效。".encode(),
    "ext": "Price: 5€ [promo] {x}|y ~z^".encode(),
    "long": ("Order shipped. " * 14).encode(),
    "empty": b"",
}
combos = [
    ("submit-plain", 0x00, 0x80, 0, 0, 0, 0x00),
    ("submit-smsc-srr-vp", 0x40, 0x00, 0x24, 0x07, 0x00, 0x02),  # validity 36*40 min
    ("submit-class0-mr", 0x10, 0x80, 0, 0x2A, 0, 0x23),
    ("submit-ucs2-class3-16bit", 0x2E, 0x00, 0x01, 0x55, 0x99, 0x14),
    ("submit-vp-max", 0x00, 0x3E, 0x03, 0x00, 0x00, 0x01),
    ("submit-vp-too-long", 0x00, 0x3F, 0xFF, 0x00, 0x00, 0x01),
    ("deliver-alnum", 0x80, 0x80, 0x00, 0x01, 0x10, 0xA0),
    ("deliver-stamp-concat", 0x84, 0x01, 0x00, 0x00, 0xCA, 0x21),
]
for tname, text in texts.items():
    for cname, *h in combos:
        write("pdu", "own-options-%s-%s" % (cname, tname), bytes(h) + text)

# ---- fuzz-at: lines beyond the 8,192-byte limit (run expansion, byte 0 bit 5) ----
def run(n_bytes, b):
    assert n_bytes % 64 == 0 and 64 <= n_bytes <= 16384
    return b"\xff" + bytes([n_bytes // 64 - 1]) + b


cmgl_line = raw("mm-cmgl-response-generic").split(b"\r\n")
write("at", "own-long-line-8192", b"\x20" + run(8192, b"A") + b"\r\nOK\r\n")
write("at", "own-long-line-8256", b"\x20" + run(8256, b"A") + b"\r\nOK\r\n")
write("at", "own-long-line-exact-plus-one", b"\x20" + run(8192, b"7") + b"B\r\nOK\r\n")
write("at", "own-long-cmgl-pdu", b"\x27" + cmgl_line[0] + b"\r\n" + cmgl_line[1] +
      run(9024, b"0") + b"\r\nOK\r\n")
write("at", "own-long-cmt-pdu", b"\x20" + b"\r\n+CMT: ,23\r\n" + run(16384, b"F") + b"\r\nOK\r\n")
write("at", "own-long-urc", b"\x23" + b"\r\n+CMTI: \"SM\"," + run(10240, b"9") + b"\r\nOK\r\n")
write("at", "own-long-no-end", b"\x20" + run(16384, b"x") + run(16384, b"y"))
write("at", "own-long-prompt", b"\x21" + b"\r\n> " + run(8448, b" ") + b"\r\nOK\r\n")

# ---- fuzz-parse: PIN files ----
for name, text in (("pin-plain", b"1234\n"), ("pin-crlf-blanks", b"12345678 \t\r\n"),
                   ("pin-no-newline", b"4711"), ("pin-short", b"123\n"),
                   ("pin-long", b"123456789\n"), ("pin-letter", b"12a4\n"),
                   ("pin-first-line-empty", b"\n1234\n"), ("pin-two-lines", b"0000\r\n5678\n"),
                   ("pin-nul", b"12\x0034\n"), ("pin-leading-blank", b" 1234\n")):
    write("parse", "own-" + name, text)
