#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""html_check.py - framecap's HTML reports in a real headless Chromium.

    html_check.py B TMP CAPTURE...        the checks (ok / FAIL lines)
    html_check.py B TMP --shots DIR       the documentation's screenshots

For each capture: `framecap --html` beside `--json` and the text view of
the same run; the page opens with no script error; its frame boxes are the
JSON frames (count and order, per stream and direction); its segment boxes
are its segment records on the byte axis (in offset order, per stream and
direction; retransmissions marked as such), and those records are the text
view's segment lines, in order; its embedded records are the --json
objects (--json's segment records are its retransmissions). On chosen captures: hover details, a frame's bytes on click, an
anomaly's explanation, the reads lane against --recv-view, the time axis,
the print stylesheet, screenshots. Then a stream of 100,000 frames: the
page opens in seconds and draws a window of it, the right frames.
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, BrowserError  # noqa: E402

B, TMP = sys.argv[1], sys.argv[2]
bad = False


def ok(msg):
    print("ok   html: " + msg, flush=True)


def fail(msg, detail=""):
    global bad
    bad = True
    print("FAIL html: " + msg, flush=True)
    for line in str(detail).splitlines()[:30]:
        print("     " + line)


def framecap(*args):
    r = subprocess.run([os.path.join(B, "framecap")] + list(args), capture_output=True, timeout=300)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def report(cap, name, extra=()):
    """The page, the --json lines and the text view of one capture."""
    page = os.path.join(TMP, name + ".html")
    rc, text, err = framecap("-r", cap, "--color=never", "--html", page, *extra)
    rc2, js, err2 = framecap("-r", cap, "--json", *extra)
    if rc != rc2:
        raise RuntimeError("exit %d with --html, %d with --json: %s" % (rc, rc2, err))
    return page, [json.loads(l) for l in js.splitlines()], text


def text_segments(text):
    """(stream, dir) -> packet numbers, from the text view's segment lines."""
    out, stream = {}, None
    for line in text.splitlines():
        m = re.match(r"stream (\d+) ", line)
        if m:
            stream = m.group(1)
            continue
        m = re.match(r"  #(\d+)\s+(c2s|s2c) ", line)
        if m and stream:
            out.setdefault((stream, m.group(2)), []).append(m.group(1))
    return out


BOXES = """JSON.stringify({
  frames: [...document.querySelectorAll('.box.frame')].map(e => [e.dataset.stream, e.dataset.dir, e.dataset.index]),
  segs: [...document.querySelectorAll('.box.seg[data-packet]')].map(e => [e.closest('.dir').dataset.stream, e.closest('.dir').dataset.dir, e.dataset.packet + (e.classList.contains('retx') ? ' retx' : '')]),
  aggs: document.querySelectorAll('.agg[data-k]').length,
  data: document.getElementById('framecap-data').textContent
})"""


def group(rows):
    out = {}
    for s, d, v in rows:
        out.setdefault((s, d), []).append(v)
    return out


def check_capture(b, cap):
    name = os.path.basename(cap).rsplit(".", 1)[0]
    try:
        path, objs, text = report(cap, name)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        fail("%s: framecap --html" % name, e)
        return None
    page = b.open("file://" + path)
    if not page.wait_for("document.documentElement.dataset.ready === '1'", 20):
        fail("%s: page drew itself" % name, page.errors)
        return None
    got = json.loads(page.eval(BOXES))
    problems = []
    want_frames = group([(str(o["stream"]), o["dir"], str(o["index"])) for o in objs if o["type"] == "frame"])
    if group(got["frames"]) != want_frames:
        problems.append("frame boxes %s != JSON frames %s" % (group(got["frames"]), want_frames))
    embedded = [json.loads(l) for l in got["data"].splitlines() if l]
    segs = [o for o in embedded if o["type"] == "segment"]
    # The lane draws them on the byte axis: by offset, then as they came.
    lane = sorted(segs, key=lambda o: o["offset"])
    want_segs = group([(str(o["stream"]), o["dir"], str(o["packet"]) + (" retx" if o.get("retransmission") else ""))
                       for o in lane])
    if group(got["segs"]) != want_segs:
        problems.append("segment boxes %s != segment records %s" % (group(got["segs"]), want_segs))
    in_text = group([(str(o["stream"]), o["dir"], str(o["packet"])) for o in segs])
    if in_text != text_segments(text):
        problems.append("segment records %s != text view segments %s" % (in_text, text_segments(text)))
    if got["aggs"]:
        problems.append("%d aggregated bins on a small capture" % got["aggs"])
    same = [o for o in embedded if o["type"] in ("frame", "anomaly", "summary")]
    if same != [o for o in objs if o["type"] != "segment"]:
        problems.append("embedded records differ from --json")
    # --json's segment records are the retransmissions, with the same
    # fields (less the endpoints) as the page's.
    retx = [{k: v for k, v in o.items() if k not in ("src", "dst", "vlan", "frames")}
            for o in segs if o.get("retransmission")]
    if retx != [{k: v for k, v in o.items() if k not in ("src", "dst", "vlan")}
                for o in objs if o["type"] == "segment"]:
        problems.append("retransmission records differ from --json's segment records")
    if any(o.get("retransmission") and (o.get("new_bytes") != 0 or o["frames"] != 0) for o in segs):
        problems.append("a retransmission record with new bytes or frames")
    if page.errors:
        problems.append("script errors: %s" % page.errors)
    nf = sum(len(v) for v in want_frames.values())
    ns = sum(len(v) for v in want_segs.values())
    if problems:
        fail("%s: page matches the run" % name, "\n".join(problems))
    else:
        nr = sum(1 for o in segs if o.get("retransmission"))
        ok("%s: %d frame boxes = --json frames, %d segment boxes (%d retransmissions) = "
           "segment records = text view segments, records = --json, no script error" % (name, nf, ns, nr))
    return page


def center(page, selector):
    page.front()
    r = page.eval("""(() => { const e = document.querySelector(%s); if (!e) return null;
        e.scrollIntoView({block: 'center', inline: 'nearest'}); const r = e.getBoundingClientRect();
        return [r.left + Math.min(r.width / 2, 20), r.top + r.height / 2]; })()""" % json.dumps(selector))
    return r


def hover(page, selector):
    c = center(page, selector)
    if not c:
        return None
    page.mouse("mouseMoved", c[0], c[1])
    page.wait_for("document.getElementById('framecap-tip').classList.contains('on')", 5)
    return page.eval("document.getElementById('framecap-tip').classList.contains('on') ? "
                     "document.getElementById('framecap-tip').textContent : null")


def hover_shows(page, selector, want, good, what):
    """Hovering selector shows every string of want: ok(good), else fail(what)."""
    tip = hover(page, selector)
    if tip and all(w in tip for w in want):
        ok(good)
    else:
        fail(what, tip)


def click(page, selector):
    c = center(page, selector)
    if not c:
        return False
    page.mouse("mousePressed", c[0], c[1], "left", 1)
    page.mouse("mouseReleased", c[0], c[1], "left", 1)
    return True


def check_interaction(b, pages):
    # live-talk: the sticky segment, the split frame, the header split.
    p = pages.get("live-talk")
    if p:
        hover_shows(p, ".box.frame[data-dir=c2s][data-index='4']",
                    ["frame #4: offset 41, header 4 B, length field 30, payload 30 B", "packets 10, 12, 14",
                     "#4 split: 3 segs", "text: xin正在学习 split in three"],
                    "hovering frame #4 shows its offsets, lengths, packets, 'split: 3 segs' and a text preview",
                    "hover details of frame #4")
        hover_shows(p, ".box.seg[data-packet='8']", ["packet #8", "bytes [9,41) = 32 B", "STICKY: 3 frames"],
                    "hovering segment #8 shows its byte range and 'STICKY: 3 frames'",
                    "hover details of segment #8")
        hover_shows(p, ".box.frame[data-dir=c2s][data-index='5']", ["#5 header split"],
                    "hovering frame #5 says '#5 header split'", "hover details of frame #5")
        click(p, ".box.frame[data-dir=c2s][data-index='4']")
        shown = p.eval("[...document.querySelectorAll('.bytes.on')].map(e => e.textContent).join('|')")
        if "frame #4 of stream 1 c2s" in shown and "78 69 6e e6 ad a3" in shown and "30 of 30 payload bytes" in shown:
            ok("clicking frame #4 shows its payload bytes in hex")
        else:
            fail("clicking frame #4 shows its bytes", shown)
        # The reads lane against --recv-view 16 of the same capture.
        p.eval("(() => { const i = document.getElementById('framecap-recv'); i.value = '16'; "
               "i.dispatchEvent(new Event('change')); })()")
        rc, rv, _ = framecap("-r", "captures/live-talk.pcap", "--recv-view", "16")
        want = [(d, int(a), int(b_)) for d, a, b_ in
                re.findall(r"(c2s|s2c) recv -> +\d+ B \[(\d+),(\d+)\)", rv)]
        got = p.eval("""JSON.stringify([...document.querySelectorAll('.box.read')].map(e => {
            const d = e.closest('.dir').dataset.dir; return [d, e.dataset.i]; }))""")
        tips = []
        for d, i in json.loads(got):
            tips.append(hover(p, ".dir[data-dir=%s] .box.read[data-i='%s']" % (d, i)) or "")
        got_reads = sorted((d, int(m.group(1)), int(m.group(2))) for (d, _), tip in zip(json.loads(got), tips)
                           for m in [re.search(r"returned \d+ B \[(\d+),(\d+)\)", tip)] if m)
        glued_page = sum("GLUED" in x for x in tips)
        glued_text = rv.count("GLUED")
        if want and got_reads == sorted(want) and glued_page == glued_text:
            ok("reads lane with recv(16): the %d reads of --recv-view 16 (%d glued)" % (len(want), glued_text))
        else:
            fail("reads lane matches --recv-view 16", "page %s\ntext %s" % (got_reads, want))
        # The shared time axis draws the same boxes.
        p.eval("(() => { const s = document.getElementById('framecap-axis'); s.value = 'time'; "
               "s.dispatchEvent(new Event('change')); })()")
        n = p.eval("document.querySelectorAll('.box.frame').length")
        if n == 7 and not p.errors:
            ok("time axis: both directions on one time scale, the same 7 frame boxes")
        else:
            fail("time axis", "%s boxes, errors %s" % (n, p.errors))
        p.call("Emulation.setEmulatedMedia", media="print")
        hidden = p.eval("getComputedStyle(document.getElementById('framecap-controls')).display")
        p.call("Emulation.setEmulatedMedia", media="")
        if hidden == "none":
            ok("print stylesheet hides the controls")
        else:
            fail("print stylesheet hides the controls", hidden)
    # retrans: packets that brought no new bytes are hatched boxes with
    # their details; overlap: a packet that repeated some says how many.
    for name in ("retrans", "overlap"):
        if name not in pages:
            fail("%s.pcap's page was checked" % name)
    p = pages.get("retrans")
    if p:
        sel = ".box.seg.retx[data-packet='8']"
        tip = hover(p, sel)
        look = p.eval("(() => { const e = document.querySelector(%s); if (!e) return null; const s = getComputedStyle(e);"
                      " return [s.backgroundImage, s.borderTopStyle]; })()" % json.dumps(sel))
        want = ["packet #8", "bytes [9,25) = 16 B", "retransmission: no new bytes, repeats [9,25)",
                "retransmit_conflict"]
        if tip and all(w in tip for w in want) and look and "repeating-linear-gradient" in look[0]:
            ok("hovering retransmission #8 shows its repeated range and its conflict; it is hatched (%s)"
               % look[1])
        else:
            fail("retransmission box #8", "%s\n%s" % (tip, look))
        n = p.eval("document.querySelectorAll('.box.seg.retx').length")
        if n == 2:
            ok("retrans: 2 retransmission boxes (#5, #8) besides the 3 segments")
        else:
            fail("retrans: retransmission boxes", n)
    p = pages.get("overlap")
    if p:
        hover_shows(p, ".box.seg[data-packet='5']", ["6 B of it repeated older bytes"],
                    "hovering overlap's segment #5 says 6 of its bytes were repeated",
                    "hover details of overlap's segment #5")
    # gap: the anomaly marker's finding and --explain paragraph.
    p = pages.get("gap")
    if p:
        tip = hover(p, ".mark[data-anomaly=gap]")
        _, expl, _ = framecap("--explain", "gap")
        first = " ".join(expl.split()[1:8])
        if tip and "gap @9 (packet #8): 16 bytes missing" in tip and first in " ".join(tip.split()):
            ok("hovering the gap marker shows the finding and its --explain paragraph")
        else:
            fail("hover on the gap marker", "%s\n(want %r)" % (tip, first))
        click(p, ".mark[data-anomaly=resync]")
        shown = p.eval("[...document.querySelectorAll('.bytes.on')].map(e => e.textContent).join('|')")
        if "resync @25" in shown and "still a guess" in shown:
            ok("clicking the resync marker pins its explanation")
        else:
            fail("clicking the resync marker", shown)
        n = p.eval("document.querySelectorAll('.box.gapbox').length")
        if n == 1:
            ok("the gap is drawn in the segments lane")
        else:
            fail("the gap is drawn in the segments lane", n)


def screenshots(pages):
    for name in ("live-talk", "gap", "many"):
        p = pages.get(name)
        if not p:
            continue
        out = os.path.join(TMP, "shot-%s.png" % name)
        p.eval("window.scrollTo(0, 0)")
        p.screenshot(out)
        data = open(out, "rb").read()
        if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000:
            ok("screenshot of %s: %d bytes of PNG" % (name, len(data)))
        else:
            fail("screenshot of %s" % name, "%d bytes" % len(data))


def check_scale(b):
    cap = os.path.join(TMP, "big.pcap")
    subprocess.run([os.path.join(B, "fc-pcapgen"), "bench-small", cap, "100000"], check=True,
                   stdout=subprocess.DEVNULL)
    t0 = time.monotonic()
    path, objs, _ = report(cap, "big")
    t1 = time.monotonic()
    frames = [o for o in objs if o["type"] == "frame"]
    jsize = sum(len(json.dumps(o)) for o in objs)
    hsize = os.path.getsize(path)
    if len(frames) == 100000 and hsize < 2 * jsize + (1 << 20):
        ok("100,000 frames: page of %d MB (--json: %d MB), both written in %.1f s" %
           (hsize >> 20, jsize >> 20, t1 - t0))
    else:
        fail("100,000 frames: page size", "%d frames, page %d B, json %d B" % (len(frames), hsize, jsize))
    start = time.monotonic()
    page = b.open("file://" + path, timeout=90)
    ready = page.wait_for("document.documentElement.dataset.ready === '1'", 60)
    took = time.monotonic() - start
    nodes = page.eval("document.querySelectorAll('.box, .agg').length")
    if ready and took < 30 and nodes < 20000 and not page.errors:
        ok("100,000 frames: drawn in %.1f s with %d boxes in the document (bins when zoomed out)" %
           (took, nodes))
    else:
        fail("100,000 frames open quickly", "ready %s in %.1f s, %d nodes, errors %s" %
             (ready, took, nodes, page.errors))
    # Zoom in, scroll to the middle: the boxes drawn are the frames there.
    page.eval("(() => { const z = document.getElementById('framecap-zoom'); z.value = '12'; "
              "z.dispatchEvent(new Event('input')); const v = document.querySelector('.view'); "
              "v.scrollLeft = v.scrollWidth / 2; })()")
    time.sleep(0.3)
    got = json.loads(page.eval("""JSON.stringify((() => { const v = document.querySelector('.view');
        const idx = [...v.querySelectorAll('.box.frame')].map(e => +e.dataset.index);
        return {idx: idx, left: v.scrollLeft, width: v.clientWidth, total: v.scrollWidth}; })())"""))
    idx = got["idx"]
    total = max(f["offset"] + f["header_len"] + f["payload_len"] for f in frames)
    mid = total * (got["left"] + got["width"] / 2) / got["total"]
    want_mid = [f["index"] for f in frames if f["offset"] <= mid < f["offset"] + f["header_len"] + f["payload_len"]]
    if (idx and len(idx) < 5000 and idx == list(range(idx[0], idx[-1] + 1)) and want_mid
            and want_mid[0] in idx and not page.errors):
        ok("100,000 frames zoomed in: %d boxes drawn around the middle, frames #%d..#%d, "
           "the frame at byte %d among them" % (len(idx), idx[0], idx[-1], int(mid)))
    else:
        fail("100,000 frames zoomed in: the frames in view are drawn",
             "%s... (%d), want %s, errors %s" % (idx[:10], len(idx), want_mid, page.errors))


def check_limits(b):
    path, objs, _ = report("captures/many.pcap", "limited", ("--html-max-streams", "2",
                                                              "--html-max-frames", "4"))
    page = b.open("file://" + path)
    page.wait_for("document.documentElement.dataset.ready === '1'", 20)
    note = page.eval("(document.getElementById('framecap-left-out') || {}).textContent || ''")
    n = page.eval("document.querySelectorAll('.box.frame').length")
    if n == 4 and "3 streams after stream 2" in note and "2 frames" in note and not page.errors:
        ok("--html-max-streams 2 --html-max-frames 4: 4 frame boxes, and the page says what it left out")
    else:
        fail("limits and the left-out notice", "%d boxes, notice %r, errors %s" % (n, note, page.errors))


def shots(b, outdir):
    """The documentation's screenshots (docs/html.md)."""
    path, _, _ = report("captures/live-talk.pcap", "doc-live")
    p = b.open("file://" + path)
    p.wait_for("document.documentElement.dataset.ready === '1'", 20)

    def clip_of(sel, pad_below=0):
        r = p.eval("""(() => { const e = document.querySelector(%s); e.scrollIntoView({block: 'start'});
            window.scrollBy(0, -60); const r = e.getBoundingClientRect();
            return {x: 0, y: r.top + window.scrollY, width: window.innerWidth, height: r.height}; })()""" % json.dumps(sel))
        r["height"] += pad_below
        return r
    p.screenshot(os.path.join(outdir, "html-report.png"))
    hover(p, ".box.seg[data-packet='8']")
    p.screenshot(os.path.join(outdir, "html-sticky.png"), clip_of(".dir[data-dir=c2s]", 120))
    hover(p, ".box.frame[data-dir=c2s][data-index='5']")
    p.screenshot(os.path.join(outdir, "html-header-split.png"), clip_of(".dir[data-dir=c2s]", 120))
    path, _, _ = report("captures/gap.pcap", "doc-gap")
    p = b.open("file://" + path)
    p.wait_for("document.documentElement.dataset.ready === '1'", 20)
    hover(p, ".mark[data-anomaly=gap]")
    p.screenshot(os.path.join(outdir, "html-anomaly.png"), clip_of(".dir[data-dir=c2s]", 200))


def main():
    try:
        with Browser(TMP) as b:
            if sys.argv[3] == "--shots":
                shots(b, sys.argv[4])
                return 0
            pages = {}
            for cap in sys.argv[3:]:
                p = check_capture(b, cap)
                name = os.path.basename(cap).rsplit(".", 1)[0]
                if p and name in ("live-talk", "gap", "many", "retrans", "overlap"):
                    pages[name] = p
                elif p:
                    p.close()
            check_interaction(b, pages)
            screenshots(pages)
            check_limits(b)
            check_scale(b)
    except BrowserError as e:
        fail("chromium", e)
    return 1 if bad else 0


sys.exit(main())
