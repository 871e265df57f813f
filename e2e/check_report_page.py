#!/usr/bin/env python3
"""Checks the HTML report as Chromium rendered it (e2e/report_browser.py's JSON) against the JSON report of the
same state database, and both against the generator's own expectations:

    e2e/check_report_page.py REPORT.json PAGE.json EXPECT.json PAGE.png

- the page fetched nothing but itself;
- its DOM holds the three charts, the worst-domains table and the totals;
- the values the charts draw, read back from the boxes the browser rendered (not from the data attributes
  alone), match the JSON report: the bounce rate per day and domain, the bounces per day and reason, the
  sender-fault holds per provider;
- the JSON report's totals match the generator's expectations;
- the PNG is a real full-page rendering (its header's size, and not one flat colour).
Prints one "ok:" line per check; exits 1 at the first failure.
"""
import json
import struct
import sys
import zlib

report = json.load(open(sys.argv[1]))
page = json.load(open(sys.argv[2]))
expect = json.load(open(sys.argv[3]))
png_path = sys.argv[4]


def fail(msg):
    print(f"check_report_page: FAIL: {msg}")
    sys.exit(1)


def ok(msg):
    print(f"check_report_page: ok: {msg}")


# 1. No network.
others = [u for u in page["requests"] if u != page["url"]]
if others:
    fail(f"the page made requests: {others}")
ok(f"the page made no request but its own file ({len(page['requests'])} in all)")

# 2. The DOM.
dom = page["dom"]
charts = {c["attrs"].get("data-chart"): c for c in page["charts"]}
for name in ("rate", "reasons", "holds"):
    if name not in charts:
        fail(f"no {name} chart in the DOM")
    if not charts[name]["marks"]:
        fail(f"the {name} chart draws nothing")
for needle in ('<table class="worst">', 'data-total="delivered"', 'id="guard"', 'id="delivery"'):
    if needle not in dom:
        fail(f"the DOM lacks {needle}")
if "<script" in dom.lower():
    fail("the page has a script")
ok("the DOM holds the rate, reasons and holds charts, the worst-domains table, the totals, spike guard and delivery")


def close(a, b, tol):
    return abs(a - b) <= tol


# 3. Values drawn == the JSON report.
rate = charts["rate"]
ymax = float(rate["attrs"]["data-ymax"])
top = float(rate["attrs"]["data-top"])
height = float(rate["attrs"]["data-plot-height"])
want = {(d["domain"], d["day"]): d["bounce_rate"] for d in report["daily_by_domain"] if d.get("bounce_rate") is not None}
seen = 0
for m in rate["marks"]:
    b = m["box"]
    cy = b["y"] + b["height"] / 2
    drawn = ymax * (top + height - cy) / height
    key = (m["attrs"]["data-domain"], m["attrs"]["data-day"])
    if key not in want:
        fail(f"the rate chart draws {key}, which the JSON report does not have")
    if not close(drawn, want[key], ymax * 0.005):
        fail(f"rate {key}: drawn {drawn:.5f}, JSON {want[key]:.5f}")
    seen += 1
if seen != len(want):
    fail(f"the rate chart draws {seen} points, the JSON report has {len(want)}")
ok(f"rate chart: {seen} points, each drawn at the JSON report's bounce rate (within 0.5 % of the axis)")

reasons = charts["reasons"]
ymax = float(reasons["attrs"]["data-ymax"])
height = float(reasons["attrs"]["data-plot-height"])
by_day = {}
for r in report["reasons_by_day"]:
    by_day[r["day"]] = by_day.get(r["day"], 0) + r["count"]
named = {}
for r in report["reasons_by_day"]:
    named[(r["day"], r["reason"])] = r["count"]
drawn_day = {}
for m in reasons["marks"]:
    v = m["box"]["height"] * ymax / height
    day, reason = m["attrs"]["data-day"], m["attrs"]["data-reason"]
    drawn_day[day] = drawn_day.get(day, 0) + v
    if reason != "other" and not close(v, named.get((day, reason), -1), 0.02 * ymax / 10 + 0.05):
        fail(f"reasons {day} {reason}: drawn {v:.2f}, JSON {named.get((day, reason))}")
for day, n in by_day.items():
    if not close(drawn_day.get(day, 0), n, 0.1):
        fail(f"reasons on {day}: drawn {drawn_day.get(day, 0):.2f} in all, JSON {n}")
ok(f"reasons chart: {len(reasons['marks'])} bars over {len(by_day)} days, heights == the JSON report's counts")

holds = charts["holds"]
xmax = float(holds["attrs"]["data-xmax"])
width = float(holds["attrs"]["data-plot-width"])
want = {h["domain"]: h["count"] for h in report["sender_fault_holds"]}
for m in holds["marks"]:
    v = m["box"]["width"] * xmax / width
    d = m["attrs"]["data-domain"]
    if not close(v, want.get(d, -1), 0.05):
        fail(f"holds {d}: drawn {v:.2f}, JSON {want.get(d)}")
if len(holds["marks"]) != min(10, len(want)):
    fail(f"the holds chart draws {len(holds['marks'])} providers, the JSON report has {len(want)}")
ok(f"holds chart: {len(want)} provider(s), bar lengths == the JSON report's counts")

# 4. The JSON report == the generator's expectations.
tot = {k: sum(c[k] for c in expect["cells"]) for k in ("delivered", "hard", "soft", "deferred", "held")}
got = {k: report["totals"][k] for k in tot}
if got != tot:
    fail(f"JSON totals {got}, generator expected {tot}")
trips = sorted({f["subject"] for f in report["spike_guard"] if f["kind"] == "guard_tripped"})
if trips != sorted(expect.get("guard_trips", [])):
    fail(f"spike guard trips {trips}, generator expected {expect.get('guard_trips')}")
for key, label in (("delivered", "delivered"), ("hard", "hard"), ("held", "held")):
    marker = f'data-total="{key}"><b>{tot[key]}</b>'
    if marker not in dom:
        fail(f"the page's {label} tile does not show {tot[key]}")
ok(f"totals {tot} == the generator's expectations, in the JSON and on the page; spike guard trips {trips}")

# 5. The PNG.
raw = open(png_path, "rb").read()
if raw[:8] != b"\x89PNG\r\n\x1a\n":
    fail("not a PNG")
w, h = struct.unpack(">II", raw[16:24])
if w != page["png"]["width"] or h < 1500:
    fail(f"the PNG is {w}x{h}: not the full page")
# Decompress the image data: a rendered page has many distinct rows.
pos, idat = 8, b""
while pos < len(raw):
    n = struct.unpack(">I", raw[pos:pos + 4])[0]
    kind = raw[pos + 4:pos + 8]
    if kind == b"IDAT":
        idat += raw[pos + 8:pos + 8 + n]
    pos += 12 + n
pixels = zlib.decompress(idat)
stride = len(pixels) // h
rows = {pixels[i * stride + 1:(i + 1) * stride] for i in range(h)}
if len(rows) < 100:
    fail(f"the PNG has only {len(rows)} distinct rows: nothing was drawn")
ok(f"PNG {w}x{h}, {len(rows)} distinct rows")
print("check_report_page: PASS")
