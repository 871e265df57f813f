#!/usr/bin/env bash
# `bouncetail backfill --journal --journal-dir DIR` against the file backfill of the same log.
#
# Converts samples/postfix-mail.log and samples/exim-mainlog to Journal Export Format the way journald
# stores such lines (Postfix: the syslog header becomes __REALTIME_TIMESTAMP, SYSLOG_IDENTIFIER and
# _PID, MESSAGE is the rest; Exim logging to syslog keeps its own timestamp in MESSAGE), writes a
# journal with systemd-journal-remote, then checks through the CLI:
#   1. the journal dry run prints exactly the lines the file dry run prints (same events, same order);
#   2. both match the expectations (e2e/check.py);
#   3. a backfill into a state DB, run twice: the second resumes after the stored cursor, adds nothing;
#   4. a file backfill of the same log into that DB afterwards adds nothing either (same identities);
#   5. `bouncetail report --format json` is the same after the journal backfill, the second one and the file's:
#      the outcome counts (deliveries and deferrals too, not only bounces) follow the outcome identity.
# Needs no root. Exit 0 with "SKIPPED" when systemd-journal-remote is missing; 1 on any failure.
#   BIN=.build/debug/bouncetail e2e/journal-backfill.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
name=journal-backfill
remote=/lib/systemd/systemd-journal-remote
[[ -x $remote ]] || remote=/usr/lib/systemd/systemd-journal-remote
[[ -x $remote ]] || { echo "$name: SKIPPED: systemd-journal-remote not found (apt-get install systemd-journal-remote)"; exit 0; }
if [[ -z "${BIN:-}" ]]; then
    swift build --product bouncetail
    BIN="$(swift build --show-bin-path)/bouncetail"
fi
work="$(mktemp -d /tmp/bouncetail-journal-backfill.XXXXXX)"
fail() { echo "$name: FAIL: $*" >&2; echo "$name: outputs in $work" >&2; exit 1; }
ok() { echo "$name: ok: $*"; }

for sample in postfix-mail.log exim-mainlog; do
    kind=${sample%%[-.]*}
    log="$root/samples/$sample"
    dir="$work/$kind"
    mkdir -p "$dir"
    # Times are taken from the file dry run's view of each line: year from the file's mtime, UTC.
    python3 - "$log" "$kind" "$(stat -c %Y "$log")" > "$dir/input.export" <<'PY'
import calendar, re, struct, sys, time
path, kind, mtime = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = sys.stdout.buffer
ref_year = time.gmtime(mtime).tm_year
syslog = re.compile(r"^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) \S+ ([^\[:]+)\[(\d+)\]: (.*)$")
exim = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) ")
months = {m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}
for i, line in enumerate(open(path, encoding="utf-8")):
    line = line.rstrip("\n")
    if kind == "postfix":
        m = syslog.match(line)
        mon, day, hh, mm, ss, prog, pid, message = m.groups()
        t = calendar.timegm((ref_year, months[mon], int(day), int(hh), int(mm), int(ss)))
        if t > mtime + 86400:  # a December line in a January file: last year
            t = calendar.timegm((ref_year - 1, months[mon], int(day), int(hh), int(mm), int(ss)))
        fields = {"SYSLOG_IDENTIFIER": prog, "_PID": pid, "_SYSTEMD_UNIT": "postfix@-.service"}
    else:
        m = exim.match(line)
        t = calendar.timegm(tuple(int(x) for x in m.groups()))
        message = line
        fields = {"SYSLOG_IDENTIFIER": "exim", "_SYSTEMD_UNIT": "exim4.service"}
    head = {"__REALTIME_TIMESTAMP": str(t * 1_000_000), "__MONOTONIC_TIMESTAMP": str(7_000_000 + i * 1000),
            "_BOOT_ID": "00112233445566778899aabbccddeeff", "_HOSTNAME": "mail", "SYSLOG_FACILITY": "2", **fields}
    for k, v in head.items():
        out.write(f"{k}={v}\n".encode())
    data = message.encode()
    out.write(b"MESSAGE\n" + struct.pack("<Q", len(data)) + data + b"\n\n")
PY
    "$remote" --output="$dir/sample.journal" - < "$dir/input.export" 2> "$dir/remote.err" || fail "systemd-journal-remote: $(cat "$dir/remote.err")"
    rm -f "$dir/input.export"

    # The samples grow old: keep the age hold out of the comparison with the expectations. The samples were
    # logged on a machine called `mail`: host_name names it (in another form than the logs: its short form is
    # what both give), so Exim's mainlog (no host) and its journal entries (`_HOSTNAME=mail`) agree.
    cat > "$dir/bt.toml" <<EOF
[general]
host_name = "mail.e2e.test"
time_zone = "UTC"
state_db = "$dir/state.db"
[outbox]
hold_older_than = "36500d"
EOF
    common=(--config "$dir/bt.toml")
    "$BIN" backfill --dry-run --quiet "${common[@]}" "$log" > "$dir/file.jsonl" 2> "$dir/file.err" || fail "file dry run: $(cat "$dir/file.err")"
    "$BIN" backfill --dry-run --quiet "${common[@]}" --journal --journal-dir "$dir" > "$dir/journal.jsonl" 2> "$dir/journal.err" \
        || fail "journal dry run: $(cat "$dir/journal.err")"
    n=$(grep -c . "$dir/file.jsonl" || true)
    [[ $n -gt 0 ]] || fail "$sample: the file dry run found no bounces"
    cmp -s "$dir/file.jsonl" "$dir/journal.jsonl" || { diff "$dir/file.jsonl" "$dir/journal.jsonl" | head -20 >&2; fail "$sample: journal and file dry runs differ"; }
    ok "$sample: journal dry run == file dry run ($n events, byte for byte); $(grep -o 'journal: [0-9]* entries read.*' "$dir/journal.err" | head -1)"
    expect="samples/$kind.expect.tsv"
    python3 e2e/check.py "$expect" "$dir/journal.jsonl" "$name-$kind" || fail "$sample: the journal's events do not match $expect"

    # Into a state DB, twice, then the file: nothing is stored twice.
    "$BIN" backfill --config "$dir/bt.toml" --quiet --journal --journal-dir "$dir" 2> "$dir/db1.err" || fail "journal backfill: $(cat "$dir/db1.err")"
    report() { "$BIN" report --config "$dir/bt.toml" --format json | grep -v '"generated_at"'; }
    report > "$dir/report1.json" || fail "report after the journal backfill"
    grep -q '"deferred" : [1-9]' "$dir/report1.json" || fail "the report counts no deferral: $(head -c 600 "$dir/report1.json")"
    "$BIN" backfill --config "$dir/bt.toml" --quiet --journal --journal-dir "$dir" 2> "$dir/db2.err" || fail "second journal backfill: $(cat "$dir/db2.err")"
    grep -q 'resuming after cursor' "$dir/db2.err" || fail "the second journal backfill did not resume after the stored cursor: $(cat "$dir/db2.err")"
    grep -q ' 0 new' "$dir/db2.err" || fail "the second journal backfill added bounces: $(cat "$dir/db2.err")"
    "$BIN" backfill --config "$dir/bt.toml" --quiet "$log" 2> "$dir/db3.err" || fail "file backfill: $(cat "$dir/db3.err")"
    grep -q ' 0 new' "$dir/db3.err" || fail "the file backfill after the journal's added bounces: $(cat "$dir/db3.err")"
    report > "$dir/report3.json" || fail "report after the file backfill"
    cmp -s "$dir/report1.json" "$dir/report3.json" || { diff "$dir/report1.json" "$dir/report3.json" | head -20 >&2; fail "$sample: the report changed when the journal and then the file were read again"; }
    ok "$sample: report --format json unchanged after the journal again and the file (outcome counts follow the identity)"
    "$BIN" export --config "$dir/bt.toml" --format jsonl > "$dir/store.jsonl"
    python3 e2e/check.py --forwarded-only "$expect" "$dir/store.jsonl" "$name-$kind-store" || fail "$sample: the store does not match $expect"
    ok "$sample: journal backfill into a state DB; again (resumed after the cursor) and the file: 0 new"
done
echo "$name: PASS"
