#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""i18n_html_check.py - the HTML report with --lang zh in headless Chromium.

    i18n_html_check.py B TMP
    i18n_html_check.py B TMP --shots DIR    docs/html-report.zh.png

live-talk.pcap and diag-ascii.pcap as Chinese pages: no script error; the
page says it is zh-CN and shows the interface in Chinese (no English label
left); a frame's and a segment's details use the tutorials' words (半包,
粘包, 包头); an anomaly marker shows its finding and its explanation in
Chinese; the records a script reads are the --json ones, English. The
page draws real CJK glyphs with the font make deps installs: distinct
characters come out as distinct pixels, where a Chromium that sees only a
Latin font (its own fontconfig) draws them all as one missing-glyph box,
and its screenshot differs.
"""
import json
import os
import shutil
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


# How many different pictures the page's font draws for four different
# characters: 4 when it has their glyphs, 1 when each is the same
# missing-glyph box (or nothing).
GLYPHS = """(() => { const c = document.createElement('canvas'); c.width = 64; c.height = 32;
  const x = c.getContext('2d'), font = getComputedStyle(document.body).fontFamily;
  const draw = ch => { x.clearRect(0, 0, 64, 32); x.font = '24px ' + font; x.fillText(ch, 4, 26);
    return Array.from(x.getImageData(0, 0, 64, 32).data).join(','); };
  return new Set(['粘', '包', '半', '头'].map(draw)).size; })()"""


def latin_only_fontconfig():
    """A fontconfig file that knows only the directory of the Latin font
    fontconfig picks for sans-serif: the page as a machine without a CJK
    font shows it."""
    latin = subprocess.run(["fc-match", "-f", "%{file}", "sans-serif:lang=en"],
                           capture_output=True, text=True).stdout
    conf = os.path.join(TMP, "latin-fonts.conf")
    with open(conf, "w") as f:
        f.write('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                "<fontconfig><dir>%s</dir><cachedir>%s</cachedir></fontconfig>\n"
                % (os.path.dirname(latin), os.path.join(TMP, "latin-fc-cache")))
    return conf


def shot_of(b, html, png):
    page = b.open("file://" + html)
    page.wait_for("document.documentElement.dataset.ready === '1'", 20)
    page.screenshot(png)
    n = page.eval(GLYPHS)
    page.close()
    return n


def check_glyphs(b):
    """The Chinese report's screenshot, with the CJK font and without."""
    html = os.path.join(TMP, "zh-live-talk.html")
    with_font = shot_of(b, html, os.path.join(TMP, "zh-font.png"))
    saved = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = latin_only_fontconfig()
    try:
        with Browser(os.path.join(TMP, "latin")) as latin:
            without = shot_of(latin, html, os.path.join(TMP, "zh-nofont.png"))
    finally:
        if saved is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = saved
    with open(os.path.join(TMP, "zh-font.png"), "rb") as f:
        a = f.read()
    with open(os.path.join(TMP, "zh-nofont.png"), "rb") as f:
        b2 = f.read()
    result(with_font == 4 and without == 1 and a != b2 and a[:8] == b"\x89PNG\r\n\x1a\n",
           "the Chinese report draws CJK glyphs (4 characters, 4 pictures; 1 box each "
           "without a CJK font), its screenshot is %d bytes of PNG" % len(a),
           "with the font: %s different, without: %s, screenshots differ: %s"
           % (with_font, without, a != b2))


def shots(b, outdir):
    """The documentation's Chinese screenshot (docs/html.md, tutorial.zh.md)."""
    path = os.path.join(TMP, "doc-zh.html")
    run("-r", "captures/live-talk.pcap", "--lang", "zh", "--color=never", "--html", path)
    p = b.open("file://" + path)
    p.wait_for("document.documentElement.dataset.ready === '1'", 20)
    p.eval("document.querySelector(\".box.seg[data-packet='8']\").scrollIntoView({block: 'center'})")
    tip(p, ".box.seg[data-packet='8']")
    p.eval("window.scrollTo(0, 0)")
    p.screenshot(os.path.join(outdir, "html-report.zh.png"))


def main():
    try:
        with Browser(TMP) as b:
            if len(sys.argv) > 4 and sys.argv[3] == "--shots":
                shots(b, sys.argv[4])
                return 0
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
            if shutil.which("fc-match"):
                check_glyphs(b)
            else:
                result(False, "fc-match is installed (fontconfig, with chromium)")
    except BrowserError as e:
        result(False, "chromium", e)
    return 1 if bad else 0


sys.exit(main())
