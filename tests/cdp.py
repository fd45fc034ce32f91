# SPDX-License-Identifier: GPL-2.0-or-later
"""cdp.py - a small driver for headless Chromium over the DevTools protocol
on a pipe (--remote-debugging-pipe: file descriptors 3 and 4, messages
ended by a NUL byte), so the tests need no WebSocket library.

    with Browser(tmp) as b:
        page = b.open("file:///tmp/x.html")    # waits for the load event
        page.eval("document.title")            # a JSON-able value
        page.errors                            # exceptions, console errors

Every wait has a deadline: a browser that stops answering fails the test
instead of hanging it.
"""
import base64
import json
import os
import shutil
import subprocess
import threading
import time


class BrowserError(Exception):
    pass


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Page:
    """One tab, attached with a flat session."""

    def __init__(self, browser, session):
        self.b = browser
        self.session = session
        self.errors = []

    def call(self, method, timeout=30, **params):
        return self.b.call(method, params, session=self.session, timeout=timeout)

    def eval(self, expr, timeout=30):
        r = self.call("Runtime.evaluate", timeout=timeout, expression=expr,
                      returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise BrowserError("evaluate: %s" % json.dumps(r["exceptionDetails"])[:400])
        return r["result"].get("value")

    def wait_for(self, expr, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.eval(expr):
                return True
            time.sleep(0.05)
        return False

    def front(self):
        """Make this tab the visible one: a hidden tab is not painted and
        its input and animation frames are throttled."""
        if self.b.front is not self:
            self.call("Page.bringToFront")
            self.b.front = self

    def mouse(self, kind, x, y, button="none", clicks=0):
        self.front()
        self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button=button,
                  clickCount=clicks)

    def screenshot(self, path, clip=None):
        self.front()
        params = {"format": "png"}
        if clip:
            params["clip"] = dict(clip, scale=1)
        data = self.call("Page.captureScreenshot", **params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        self.b.call("Target.closeTarget", {"targetId": self.target})


class Browser:
    def __init__(self, tmp, width=1280, height=900):
        exe = find_chromium()
        if not exe:
            raise BrowserError("chromium not found (make deps installs it)")
        os.makedirs(tmp, exist_ok=True)
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()

        def fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--remote-debugging-pipe", "--no-sandbox",
             "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking",
             "--hide-scrollbars", "--user-data-dir=" + os.path.join(tmp, "chromium-profile"),
             "--window-size=%d,%d" % (width, height), "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(tmp, "chromium.log"), "wb"),
            preexec_fn=fds, pass_fds=(3, 4))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.width, self.height = width, height
        self._id = 0
        self._lock = threading.Condition()
        self._replies = {}
        self._pages = {}
        self._closed = False
        self.front = None
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self._r, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._lock:
                    self._closed = True
                    self._lock.notify_all()
                return
            buf += chunk
            while b"\0" in buf:
                msg, buf = buf.split(b"\0", 1)
                m = json.loads(msg)
                with self._lock:
                    if "id" in m:
                        self._replies[m["id"]] = m
                        self._lock.notify_all()
                    else:
                        self._event(m)

    def _event(self, m):
        page = self._pages.get(m.get("sessionId"))
        if not page:
            return
        method, p = m.get("method"), m.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            page.errors.append("exception: %s %s" % (d.get("text", ""),
                               d.get("exception", {}).get("description", "")))
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            page.errors.append("console.%s: %s" % (p["type"], " ".join(
                str(a.get("value", a.get("description", ""))) for a in p.get("args", []))))
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            page.errors.append("log: %s" % p["entry"].get("text", ""))
        elif method == "Page.loadEventFired":
            page.loaded = True

    def call(self, method, params=None, session=None, timeout=30):
        with self._lock:
            self._id += 1
            mid = self._id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self._w, data)
            data = data[n:]
        end = time.monotonic() + timeout
        with self._lock:
            while mid not in self._replies:
                left = end - time.monotonic()
                if self._closed or left <= 0:
                    raise BrowserError("%s: no answer from chromium" % method)
                self._lock.wait(left)
            r = self._replies.pop(mid)
        if "error" in r:
            raise BrowserError("%s: %s" % (method, r["error"].get("message")))
        return r.get("result", {})

    def open(self, url, timeout=60):
        """A new tab showing url, after its load event."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.target = target
        page.loaded = False
        with self._lock:
            self._pages[session] = page
        for m in ("Page.enable", "Runtime.enable", "Log.enable"):
            page.call(m)
        page.call("Emulation.setDeviceMetricsOverride", width=self.width, height=self.height,
                  deviceScaleFactor=1, mobile=False)
        self.front = page
        page.call("Page.navigate", url=url)
        end = time.monotonic() + timeout
        while not page.loaded:
            if time.monotonic() > end:
                raise BrowserError("%s: not loaded in %d s" % (url, timeout))
            time.sleep(0.02)
        return page

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except BrowserError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._w)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
