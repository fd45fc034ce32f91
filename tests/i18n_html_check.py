#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""i18n_html_check.py - the HTML report with --lang zh in headless Chromium.

    i18n_html_check.py B TMP

live-talk.pcap and diag-ascii.pcap as Chinese pages: no script error; the
page says it is zh-CN and shows the interface in Chinese (no English label
left); a frame's and a segment's details use the tutorials' words (半包,
粘包, 包头); an anomaly marker shows its finding and its explanation in
Chinese; the records a script reads are the --json ones, English.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, BrowserError  # noqa: E402

B, TMP = sys.argv[1], sys.argv[2]
bad = False


def result(good, msg, detail=""):
    global bad
    print(("ok   " if good else "FAIL ") + "i18n: " + msg, flush=True)
    if not good:
        bad = True
        for line in str(detail).splitlines()[:30]:
            print("     " + line)


def run(*args):
    return subprocess.run([os.path.join(B, "framecap")] + list(args), capture_output=True,
                          timeout=120).stdout.decode("utf-8", "replace")


# Focus or hover (a synthetic mouseover) an element; the tip's text.
TIP = """(() => { const e = document.querySelector(%s); if (!e) return null;
    e.scrollIntoView({block: 'center'});
    if (e.tabIndex >= 0) e.focus(); else { const r = e.getBoundingClientRect();
      e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true, clientX: r.left + 2, clientY: r.top + 2})); }
    const t = document.getElementById('framecap-tip');
    return t.classList.contains('on') ? t.textContent : null; })()"""


def tip(page, selector):
    return page.eval(TIP % json.dumps(selector))


def page_of(b, cap, name):
    path = os.path.join(TMP, name + ".html")
    run("-r", cap, "--lang", "zh", "--color=never", "--html", path)
    page = b.open("file://" + path)
    if not page.wait_for("document.documentElement.dataset.ready === '1'", 20):
        result(False, "%s: the Chinese page drew itself" % name, page.errors)
        return None
    embedded = [json.loads(l) for l in page.eval(
        "document.getElementById('framecap-data').textContent").splitlines() if l]
    same = [o for o in embedded if o["type"] in ("frame", "anomaly", "summary")]
    want = [json.loads(l) for l in run("-r", cap, "--json").splitlines()]
    result(same == want and not page.errors,
           "%s: the Chinese page draws with no script error; its records are the English --json" % name,
           "errors %s; records equal: %s" % (page.errors, same == want))
    return page


def main():
    try:
        with Browser(TMP) as b:
            p = page_of(b, "captures/live-talk.pcap", "zh-live-talk")
            if p:
                info = json.loads(p.eval("""JSON.stringify({lang: document.documentElement.lang,
                    title: document.title, text: document.body.innerText})"""))
                want = ["概要", "流列表", "粘包段", "半包帧", "最严重的问题", "客户端 → 服务端", "报文段", "包头 | 载荷"]
                english = [w for w in ("Summary", "Streams", "worst problem", "sticky segments", "split frames",
                                       "Hover a box") if w in info["text"]]
                result(info["lang"] == "zh-CN" and info["title"] == "framecap 报告" and
                       all(w in info["text"] for w in want) and not english,
                       "live-talk: lang zh-CN, title, summary, table and legend in Chinese, no English label",
                       "lang %s title %s missing %s english %s" % (
                           info["lang"], info["title"], [w for w in want if w not in info["text"]], english))
                t = tip(p, ".box.frame[data-dir=c2s][data-index='4']")
                result(bool(t) and "帧 #4：偏移 41，包头 4 B" in t and "#4 半包：跨 3 段" in t and
                       "文本：xin正在学习 split in three" in t,
                       "live-talk: frame #4's details in Chinese (偏移, 包头, 半包：跨 3 段)", t)
                t = tip(p, ".box.frame[data-dir=c2s][data-index='5']")
                result(bool(t) and "#5 包头被拆开" in t, "live-talk: frame #5 says 包头被拆开", t)
                t = tip(p, ".box.seg[data-packet='8']")
                result(bool(t) and "报文段：数据包 #8" in t and "粘包：3 帧" in t,
                       "live-talk: segment #8's details say 粘包：3 帧", t)
                p.close()
            p = page_of(b, "captures/diag-ascii.pcap", "zh-diag-ascii")
            if p:
                t = tip(p, ".mark[data-anomaly=ascii_length_suspect]")
                result(bool(t) and "长度字段读出来是 \"15ho\"" in t and "struct.pack" in t and
                       "十进制数字" in t,
                       "diag-ascii: the ascii_length_suspect marker's finding and explanation in Chinese", t)
                p.close()
    except BrowserError as e:
        result(False, "chromium", e)
    return 1 if bad else 0


sys.exit(main())
