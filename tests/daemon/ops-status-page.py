#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The status page GET / (issue 17), rendered by headless Chromium against a daemon with four
sim: modems, one of them without a SIM.

Chromium cannot speak to a Unix socket, so a small proxy of this test forwards its requests
to the daemon's socket (where file permissions suffice) and sets Accept-Language: one proxy
port per language. Checks on the DOM (--dump-dom): four cards `class="modem"` with
`data-modem`, the blocked one showing the remedy of sim.absent exactly as the library words
it (`smsctl diagnose --json`, in English, then in Chinese under zh-CN), the page in Chinese
under zh-CN, no external asset, the 10 s refresh; a screenshot is taken. The TCP login flow
(401 with the form, POST /login, the cookie's attributes, the page with the cookie) is
checked over HTTP directly.

Exits 77 when Chromium is not installed.
Usage: ops-status-page.py SMSCTLD SMSCTL LOCALEDIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ops_common import Daemon, UnixConnection, check, finish, TOKEN  # noqa: E402

SMSCTLD, SMSCTL = sys.argv[1], sys.argv[2]
os.environ["SMSCTL_LOCALEDIR"] = sys.argv[3]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    print("chromium is not installed: skipped")
    sys.exit(77)
try:
    import locale
    locale.setlocale(locale.LC_ALL, "zh_CN.UTF-8")
    locale.setlocale(locale.LC_ALL, "C")
except locale.Error:
    print("the zh_CN.UTF-8 locale does not exist (localedef -i zh_CN -f UTF-8 zh_CN.UTF-8): skipped")
    sys.exit(77)


def proxy(sock_path, language):
    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            c = UnixConnection(sock_path)
            c.request("GET", self.path, headers={"Accept-Language": language})
            r = c.getresponse()
            body = r.read()
            self.send_response(r.status)
            for k, v in r.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "date"):
                    self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
            c.close()

        def log_message(self, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class Cards(HTMLParser):
    """The modem cards of a DOM: data-modem -> text inside the card; plus external refs."""

    def __init__(self):
        super().__init__()
        self.cards = {}
        self.depth = 0
        self.current = None
        self.external = []
        self.refresh = None
        self.lang = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.refresh = a.get("content")
        for k in ("src", "href"):
            if a.get(k) and re.match(r"^(https?:)?//", a[k]):
                self.external.append(a[k])
        if tag == "link":
            self.external.append(a.get("href") or "link")
        if tag == "script":
            self.external.append("script")
        if self.current is not None:
            self.depth += 1
        elif tag == "div" and "modem" in (a.get("class") or "").split() and "data-modem" in a:
            self.current = a["data-modem"]
            self.cards[self.current] = ""
            self.depth = 1

    def handle_endtag(self, tag):
        if self.current is not None:
            self.depth -= 1
            if self.depth == 0:
                self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.cards[self.current] += data


def chromium(url, tmp, name, screenshot=None):
    prof = tempfile.mkdtemp(dir=tmp, prefix="chromium-")
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={prof}"]
    if screenshot:
        args += [f"--screenshot={screenshot}", "--window-size=1280,1600"]
    else:
        args += ["--dump-dom"]
    r = subprocess.run(args + [url], capture_output=True, encoding="utf-8", errors="replace", timeout=120)
    with open(os.path.join(tmp, name + ".chromium.log"), "w", encoding="utf-8") as f:
        f.write(r.stderr)
    return r.stdout


def remedy_of(finding_id, lang):
    env = dict(os.environ, LANG=lang, LC_ALL=lang, LANGUAGE="")
    r = subprocess.run([SMSCTL, "--device", "sim:?fault=sim_absent", "diagnose", "--json"],
                       capture_output=True, encoding="utf-8", env=env, timeout=60)
    doc = json.loads(r.stdout)
    for f in doc["findings"]:
        if f["id"] == finding_id:
            return f["summary"], f["remedy"]
    raise RuntimeError("no finding " + finding_id)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        modems = [("counter-1", "sim:"), ("counter-2", "sim:wavecom"),
                  ("back-office", "sim:huawei"), ("nosim", "sim:?fault=sim_absent")]
        d = Daemon(SMSCTLD, tmp, modems)
        d.start()
        time.sleep(2)
        d.submit("+8613800138000", "held for the modem without SIM", modem="nosim")
        en_px = proxy(d.sock, "en-GB,en;q=0.9")
        zh_px = proxy(d.sock, "zh-CN,zh;q=0.9,en;q=0.8")
        time.sleep(6)  # one refresh of the queue gauges

        en_summary, en_remedy = remedy_of("sim.absent", "C.UTF-8")
        zh_summary, zh_remedy = remedy_of("sim.absent", "zh_CN.UTF-8")
        check(zh_remedy != en_remedy, "the library has a Chinese remedy for sim.absent")

        for lang, px, summary, remedy in (("en", en_px, en_summary, en_remedy),
                                          ("zh-CN", zh_px, zh_summary, zh_remedy)):
            url = f"http://127.0.0.1:{px.server_address[1]}/"
            dom = chromium(url, tmp, lang)
            with open(os.path.join(tmp, lang + ".html"), "w", encoding="utf-8") as f:
                f.write(dom)
            p = Cards()
            p.feed(dom)
            check(sorted(p.cards) == sorted(n for n, _ in modems),
                  f"[{lang}] four modem cards with data-modem ({sorted(p.cards)})")
            text = re.sub(r"\s+", " ", p.cards.get("nosim", ""))
            check(re.sub(r"\s+", " ", remedy) in text,
                  f"[{lang}] the blocked card shows sim.absent's remedy as the library words it")
            check(summary in text, f"[{lang}] the blocked card shows the finding's summary")
            for n in ("counter-1", "counter-2", "back-office"):
                check(remedy not in p.cards.get(n, ""), f"[{lang}] {n} shows no remedy")
            check(p.lang == lang, f"[{lang}] <html lang=\"{lang}\"> ({p.lang})")
            check(p.external == [], f"[{lang}] no external asset, no script ({p.external})")
            check(p.refresh == "10", f"[{lang}] refreshes itself every 10 s ({p.refresh})")
            han = len(re.findall(r"[\u4e00-\u9fff]", dom))
            if lang == "zh-CN":
                check(han > 40 and "短信猫" in dom, f"[zh-CN] the page is in Chinese ({han} Han)")
            else:
                check(han == 0, f"[en] no Chinese on the English page ({han} Han)")
        shot = os.path.join(tmp, "status.png")
        chromium(f"http://127.0.0.1:{zh_px.server_address[1]}/", tmp, "shot", screenshot=shot)
        with open(shot, "rb") as f:
            png = f.read()
        check(png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10000,
              f"a screenshot is taken ({len(png)} bytes)")
        keep = os.environ.get("SMSCTL_TEST_ARTIFACTS")
        if keep:
            os.makedirs(keep, exist_ok=True)
            for n in ("status.png", "en.html", "zh-CN.html"):
                shutil.copy(os.path.join(tmp, n), keep)

        # TCP: a token or a login
        st, body, hdrs = d.tcp("GET", "/")
        check(st == 401 and b'name="token"' in body and b'action="/login"' in body,
              "on TCP without a token: 401 and the login form")
        st, _, hdrs = d.tcp("POST", "/login", body="token=wrong-token-0123456789",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        check(st == 401 and "set-cookie" not in hdrs, "a wrong token sets no cookie")
        st, _, hdrs = d.tcp("POST", "/login", body="token=" + urllib.parse.quote(TOKEN),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        cookie = hdrs.get("set-cookie", "")
        check(st in (302, 303) and hdrs.get("location") == "/", f"login redirects to / ({st})")
        attrs = [a.strip() for a in cookie.split(";")]
        check(re.fullmatch(r"smsctl_session=[0-9a-f]{64}", attrs[0] if attrs else "") is not None
              and "HttpOnly" in attrs and "SameSite=Strict" in attrs and TOKEN not in cookie,
              f"the cookie smsctl_session is HttpOnly, SameSite=Strict, not the token ({cookie})")
        st, body, _ = d.tcp("GET", "/", headers={"Cookie": attrs[0]})
        check(st == 200 and body.count(b'data-modem=') == 4, "the page with the cookie")
        st, body, _ = d.tcp("GET", "/", headers={"Cookie": "smsctl_session=" + "0" * 64})
        check(st == 401, "a made-up session is refused")
        st, body, _ = d.tcp("GET", "/", headers={"Authorization": "Bearer " + TOKEN})
        check(st == 200 and b'data-modem="nosim"' in body, "the page with a Bearer token")
        en_px.shutdown()
        zh_px.shutdown()
        d.stop()
    finish()


if __name__ == "__main__":
    main()
