#!/usr/bin/env bash
# `bouncetail report` over a generated month, in a real browser (root suite step "report-html"):
#   1. scripts/gen-postfix-log.py writes a month of Postfix log (2 hosts, 4 campaigns, 6 providers, a blocklist
#      from day 20, a burst of unknown addresses on day 25) and its own expectations;
#   2. `bouncetail backfill` fills a state database; `report --format json` and `report --html` read it;
#   3. headless Chromium loads the page over the DevTools protocol (e2e/report_browser.py): its requests, its
#      DOM, the boxes it drew each chart mark in, a full-page PNG;
#   4. e2e/check_report_page.py: no request but the page itself; the charts and tables are there; the values
#      drawn match the JSON report; the JSON matches the generator; the PNG is a real rendering;
#   5. the same browser harness on a page with one remote image must see that request (the check can fail).
# Exit 0 with "SKIPPED" when chromium or python3 is missing; 1 on any failure. Needs no root.
#   BIN=.build/debug/bouncetail e2e/report-html.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
name=report-html
command -v python3 >/dev/null || { echo "$name: SKIPPED: python3 not found"; exit 0; }
command -v chromium >/dev/null || { echo "$name: SKIPPED: chromium not found (apt-get install chromium)"; exit 0; }
if [[ -z "${BIN:-}" ]]; then
    swift build --product bouncetail
    BIN="$(swift build --show-bin-path)/bouncetail"
fi
work="$(mktemp -d /tmp/bouncetail-report-html.XXXXXX)"
fail() { echo "$name: FAIL: $*" >&2; echo "$name: outputs in $work" >&2; exit 1; }
ok() { echo "$name: ok: $*"; }

python3 scripts/gen-postfix-log.py 1.5 11 --days 30 --hosts mx1,mx2 --campaigns 4 --expect "$work/expect.json" > "$work/mail.log"
# Year-less syslog times take their year from the file's time.
touch -d 2026-12-01T00:00:00Z "$work/mail.log"
cat > "$work/bt.toml" <<TOML
[general]
host_name = "mx"
time_zone = "UTC"
state_db = "$work/state.db"
[outbox]
hold_older_than = "36500d"
TOML
"$BIN" backfill --config "$work/bt.toml" --quiet "$work/mail.log" 2> "$work/backfill.err" || fail "backfill: $(cat "$work/backfill.err")"
"$BIN" report --config "$work/bt.toml" --format json > "$work/report.json" || fail "report --format json"
"$BIN" report --config "$work/bt.toml" --html "$work/report.html" > "$work/summary.txt" || fail "report --html"
cat "$work/summary.txt"
grep -q "HTML report written to $work/report.html" "$work/summary.txt" || fail "report --html did not say where it wrote"
ok "backfilled $(wc -l < "$work/mail.log") lines; report.json, report.html ($(wc -c < "$work/report.html") bytes)"

python3 e2e/report_browser.py "$work/report.html" "$work/page.json" "$work/page.png" || fail "Chromium could not load the page"
python3 e2e/check_report_page.py "$work/report.json" "$work/page.json" "$work/expect.json" "$work/page.png" || fail "the page does not match"

# The request check must be able to fail: a page with one remote image.
printf '<!DOCTYPE html><html><body><img src="http://198.51.100.1/pixel.png"></body></html>\n' > "$work/control.html"
python3 e2e/report_browser.py "$work/control.html" "$work/control.json" "$work/control.png" || fail "Chromium could not load the control page"
python3 - "$work/control.json" <<'PY' || fail "the browser harness did not see the control page's request"
import json, sys
d = json.load(open(sys.argv[1]))
assert "http://198.51.100.1/pixel.png" in d["requests"], d["requests"]
PY
ok "control: the harness sees a remote image's request (it goes to a closed loopback proxy, nowhere else)"
echo "$name: screenshot $work/page.png"
echo "$name: PASS"
