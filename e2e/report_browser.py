#!/usr/bin/env python3
"""Loads a page in headless Chromium over the DevTools protocol (--remote-debugging-pipe, standard library only)
and writes what a test needs to know about it as JSON:

    e2e/report_browser.py PAGE.html OUT.json OUT.png

- requests: every request the page made (Network.requestWillBeSent of its own session), so a test can assert
  that a self-contained page fetched nothing but itself;
- dom: the DOM after load (document.documentElement.outerHTML);
- charts: for every <svg class="chart">, its data-* attributes and, for each element of class "mark", its
  data-* attributes and the box the browser rendered it in (getBBox), to read back the drawn values;
- the full page rendered to OUT.png (Page.captureScreenshot beyond the viewport), its width and height.

The browser's proxy points at a closed loopback port, so nothing it tries to fetch leaves the machine.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CHARTS_JS = r"""
JSON.stringify(Array.from(document.querySelectorAll('svg.chart')).map(svg => ({
  attrs: Object.fromEntries(Array.from(svg.attributes).filter(a => a.name.startsWith('data-')).map(a => [a.name, a.value])),
  marks: Array.from(svg.querySelectorAll('.mark')).map(m => {
    const b = m.getBBox();
    return {tag: m.tagName, box: {x: b.x, y: b.y, width: b.width, height: b.height},
            attrs: Object.fromEntries(Array.from(m.attributes).filter(a => a.name.startsWith('data-')).map(a => [a.name, a.value]))};
  })
})))
"""


class Browser:
    def __init__(self, binary: str):
        self.profile = tempfile.mkdtemp(prefix="bouncetail-chromium-")
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        # Chromium reads commands on fd 3 and writes answers on fd 4.
        high = [os.dup(fd) for fd in (to_child_r, from_child_w)]
        for fd in (to_child_r, from_child_w):
            os.close(fd)

        def child_fds():
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                f"--user-data-dir={self.profile}", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--hide-scrollbars",
                "about:blank"]
        self.proc = subprocess.Popen(args, preexec_fn=child_fds, pass_fds=(3, 4) + tuple(high),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in high:
            os.close(fd)
        self.w = os.fdopen(to_child_w, "wb", buffering=0)
        self.r = os.fdopen(from_child_r, "rb", buffering=0)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no answer from Chromium")
            chunk = self.r.read(65536)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, params: dict = None, session: str = None, timeout: float = 60) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.w.write(json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method: str, session: str, timeout: float = 60) -> dict:
        deadline = time.time() + timeout
        for i, m in enumerate(self.events):
            if m.get("method") == method and m.get("sessionId") == session:
                return self.events.pop(i)
        while True:
            m = self._read(deadline)
            if m.get("method") == method and m.get("sessionId") == session:
                return m
            self.events.append(m)

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def main() -> None:
    page, out_json, out_png = sys.argv[1], sys.argv[2], sys.argv[3]
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        print("report_browser: SKIPPED: chromium not installed (apt-get install chromium)")
        sys.exit(3)
    b = Browser(binary)
    try:
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network", "Page", "Runtime"):
            b.call(f"{domain}.enable", session=session)
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": 1000, "height": 800, "deviceScaleFactor": 1, "mobile": False}, session=session)
        url = "file://" + os.path.abspath(page)
        b.call("Page.navigate", {"url": url}, session=session)
        b.wait_event("Page.loadEventFired", session)
        time.sleep(0.5)  # late requests (none expected) still reach the event log
        dom = b.call("Runtime.evaluate", {"expression": "document.documentElement.outerHTML", "returnByValue": True},
                     session=session)["result"]["value"]
        charts = json.loads(b.call("Runtime.evaluate", {"expression": CHARTS_JS, "returnByValue": True},
                                   session=session)["result"]["value"])
        metrics = b.call("Page.getLayoutMetrics", session=session)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        width, height = 1000, int(size["height"]) + 1
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        shot = b.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=session)
        with open(out_png, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        requests = [m["params"]["request"]["url"] for m in b.events
                    if m.get("method") == "Network.requestWillBeSent" and m.get("sessionId") == session]
        with open(out_json, "w") as f:
            json.dump({"url": url, "requests": requests, "dom": dom, "charts": charts,
                       "png": {"width": width, "height": height}}, f)
    finally:
        b.close()


if __name__ == "__main__":
    main()
