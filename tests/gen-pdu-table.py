#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turn the PDU corpus (tests/data/pdu/*.json) into a C table for tests/test-pdu.c.

Usage: gen-pdu-table.py OUTPUT.h INPUT.json...

Every case becomes one row; a field the case's `expected` object does not name is not
compared. OVERRIDES lists the few cases where smsctl's contract (CONTRACTS.md, TS 23.040/23.038)
decides differently from the corpus value, each with its reason; the replacement values are
still compared, so an override cannot hide a regression.
"""
import json
import sys

# The cases whose TP-UDL promises more user data than the PDU holds (each checked by hand
# against its source's note): decoded as far as the data goes, marked "truncated".
TRUNCATED = {"derived-ud-shorter-than-udl", "mm-pdu_insufficient_data", "gammu-atsms-41",
             "gsmmodem-decode-8"}

# id -> (reason, replacement fields; "expect_error": False turns a must-reject case into a decode)
OVERRIDES = {
    "derived-ud-shorter-than-udl": (
        "CONTRACTS: a TP-UDL past the end of the data is decoded as far as the data goes",
        {"expect_error": False, "type": "deliver", "text": "How are y", "coding": "gsm7"}),
    "mm-pdu_insufficient_data": (
        "CONTRACTS: a TP-UDL past the end of the data is decoded as far as the data goes",
        {"expect_error": False, "type": "deliver", "text": "hellohello", "coding": "gsm7"}),
    "gammu-atsms-41": (
        "UDL past the end: decoded as far as the data goes, not padded with '@' (zero septets)",
        {"text": "MBOXUPDATE?m=15;server=natashenka.party;port=993;pw=liUfOyVO;name=n@natashenka.par"}),
    "gammu-atsms-09": (
        "SCTS year 99 is 2099 under the 2000+YY rule every other timestamp follows; 2089 is gammu's",
        {"timestamp": "2099-03-29T15:16:59+02:00"}),
    "gammu-atsms-14": (
        "DCS 0xF9: group 1111 with bit 2 clear is GSM 7-bit (bit 3 reserved), as gammu-atsms-42 "
        "(DCS 0xFB) expects; the 8bit value is gammu's",
        {"coding": "gsm7", "data_hex": None, "text": "\u00e8D\u0394(C \u0394$B@@\u00a3\u00a1\n\u00a12@f"}),
    "gammu-atsms-20": (
        "TP-UDHI set with TP-UDL 0: the header runs past the end; ModemManager's tests "
        "(pdu_wrong_udh, source values) require rejecting that, the decoding is gammu's",
        {"expect_error": True}),
    "gammu-atsms-34": (
        "status report whose TP-PI announces DCS 0x00 and UDL 0: GSM 7-bit, no class, empty "
        "text; class 0 and a null coding are gammu's",
        {"coding": "gsm7", "text": "", "class": None}),
}

STR_FIELDS = ["type", "smsc", "number", "number_type", "coding", "text", "data_hex",
              "timestamp", "discharge_time", "validity_format"]
INT_FIELDS = ["class", "validity_minutes", "message_ref", "status", "pid", "dcs"]


def cstr(s):
    if s is None:
        return "NULL"
    out = '"'
    for b in s.encode("utf-8"):
        c = chr(b)
        if 0x20 <= b < 0x7F and c not in '"\\?':
            out += c
        else:
            out += "\\%03o" % b
    return out + '"'


def main():
    rows = []
    for path in [a for a in sys.argv[2:] if a.endswith(".json")]:
        doc = json.load(open(path, encoding="utf-8"))
        for case in doc["cases"]:
            exp = dict(case.get("expected") or {})
            err = case["expect_error"]
            reason = None
            if case["id"] in OVERRIDES:
                reason, repl = OVERRIDES[case["id"]]
                repl = dict(repl)
                err = repl.pop("expect_error", err)
                exp.update(repl)
            fields = []
            has = []
            for f in STR_FIELDS:
                if f in exp:
                    has.append("F_" + f.upper())
                    fields.append(".%s = %s" % (f, cstr(exp[f])))
            for f in INT_FIELDS:
                if f in exp:
                    has.append("F_" + f.upper())
                    v = exp[f]
                    fields.append(".%s = %d" % ("msg_class" if f == "class" else f,
                                                -1 if v is None else v))
            if "status_report_request" in exp:
                has.append("F_SRR")
                fields.append(".srr = %s" % ("true" if exp["status_report_request"] else "false"))
            # every decoded case is checked: truncated only for the cases listed
            fields.append(".truncated = %s" % ("true" if case["id"] in TRUNCATED else "false"))
            if "concat" in exp:
                has.append("F_CONCAT")
                c = exp["concat"]
                if c is None:
                    fields.append(".concat_ref = -1")
                else:
                    fields.append(".concat_ref = %d, .concat_total = %d, .concat_seq = %d" %
                                  (c["ref"], c["total"], c["seq"]))
                    fields.append(".concat_ref_bits = %d" % c.get("ref_bits", 0))
            rows.append("\t{.id = %s, .file = %s, .hex = %s, .smsc_included = %s,\n"
                        "\t .expect_error = %s, .override = %s, .has = %s,\n\t %s},\n" % (
                            cstr(case["id"]), cstr(path.split("/")[-1]), cstr(case["hex"]),
                            "true" if case["smsc_included"] else "false",
                            "true" if err else "false", cstr(reason),
                            " | ".join(has) if has else "0", ",\n\t ".join(fields)))
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        f.write("/* Generated by tests/gen-pdu-table.py from the JSON files of tests/data/pdu. */\n")
        f.write("static const struct corpus_case corpus[] = {\n")
        f.writelines(rows)
        f.write("};\n")


if __name__ == "__main__":
    main()
