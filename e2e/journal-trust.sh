#!/usr/bin/env bash
# Forged journal entries are refused; the real MTAs' bounces still arrive (issue 13).
#
# Runs the real Postfix and Exim (e2e/run-mtas.sh) logging to syslog, into a systemd-journald of
# their own (BOUNCETAIL_E2E_JOURNALD=1: private /run and /dev/log), with `bouncetail run` following
# that journal with its default trust settings. As hooks of that run (inside its namespaces):
#
#   started  start bouncetail; an unprivileged user (nobody) forges a complete Postfix bounce of
#            victim1 with `runuser ... logger -p mail.err -t postfix/smtp`, of victim2 with a copy of
#            logger renamed `smtp`, and of victim3 through the native protocol with forged `_UID=0`
#            and `_SYSTEMD_UNIT=postfix@-.service` fields (journald must drop them); then the campaigns.
#   drained  checks: the forged entries are in the journal with the fields the old selection matched
#            (facility mail, identifier postfix/...); no victim has an event; every real Postfix and
#            Exim bounce is in the store exactly once (e2e/check.py); bouncetail_untrusted_entries_total
#            counts exactly the forged entries (so no real MTA entry was refused); the warning names
#            uid, comm and unit; `backfill --journal --journal-dir` refuses the same entries; and the
#            provenance of every agent (_UID, _COMM, _EXE, _SYSTEMD_UNIT by SYSLOG_IDENTIFIER) is written
#            to provenance.tsv and printed: the evidence behind the defaults.
#
# Needs root. Exit 0 with "SKIPPED" when not root or a tool is missing; 1 on any failure.
#   BIN=.build/debug/bouncetail e2e/journal-trust.sh
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
root="$(cd "$(dirname "$0")/.." && pwd)"
name=journal-trust
fail() { echo "$name: FAIL: $*" >&2; exit 1; }
ok() { echo "$name: ok: $*"; }

forged_count=9 # three forged bounces of three entries each

# --- hooks, called by e2e/mtas-in-namespace.sh inside the namespaces --------------------------------
if [[ "${1:-}" == started ]]; then
    out=$2
    bt="$out/bt"
    mkdir -p "$bt"
    cat > "$bt/bouncetail.toml" <<EOF
[general]
host_name = "e2e.test"
time_zone = "UTC"
state_db = "$bt/state.db"

[sources.journal]
enabled = true
directory = "/run/log/journal"

[sink]
kind = "sqlite"

[metrics]
enabled = true
listen = "127.0.0.1:9155"
EOF
    "$BIN" check-config --config "$bt/bouncetail.toml" > "$bt/check-config.out" 2>&1 || { cat "$bt/check-config.out" >&2; fail "check-config rejected the test configuration"; }
    # Bounded, in case the run dies before the drained hook stops it.
    timeout --kill-after=5 900 "$BIN" run --config "$bt/bouncetail.toml" > "$bt/run.log" 2>&1 &
    echo $! > "$bt/run.pid"
    for _ in $(seq 1 200); do
        grep -q 'journal: .*starting at' "$bt/run.log" && break
        sleep 0.05
    done
    grep -q 'journal: .*starting at' "$bt/run.log" || { cat "$bt/run.log" >&2; fail "bouncetail run did not report its journal start"; }

    # The forgeries: complete Postfix bounces (qmgr from=, smtp status=bounced, qmgr removed), one per way.
    forge_lines() { # QID VICTIM
        printf '%s\n' \
            "postfix/qmgr|$1: from=<bounces@lab.test>, size=1000, nrcpt=1 (queue active)" \
            "postfix/smtp|$1: to=<$2>, relay=mx.example.org[192.0.2.1]:25, delay=0.1, delays=0/0/0/0.1, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 <$2>: Recipient address rejected: User unknown (in reply to RCPT TO command))" \
            "postfix/qmgr|$1: removed"
    }
    as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
    # 1. logger as an unprivileged user (runuser), through /dev/log.
    while IFS='|' read -r tag msg; do
        runuser -u nobody -- logger -p mail.err -t "$tag" "$msg"
    done < <(forge_lines DEAD0001A1 victim1@example.org)
    # 2. a copy of logger named smtp (its _COMM and _EXE are its own choice).
    mkdir -p "$bt/fake/usr/lib/postfix/sbin"
    install -m 0755 "$(command -v logger)" "$bt/fake/usr/lib/postfix/sbin/smtp"
    chmod 755 "$bt" "$bt/fake"
    while IFS='|' read -r tag msg; do
        "${as_nobody[@]}" "$bt/fake/usr/lib/postfix/sbin/smtp" -p mail.err -t "$tag" "$msg"
    done < <(forge_lines DEAD0002B2 victim2@example.org)
    # 3. the native protocol, claiming trusted fields: journald drops fields a sender writes with `_`.
    while IFS='|' read -r tag msg; do
        printf 'MESSAGE=%s\nSYSLOG_IDENTIFIER=%s\nSYSLOG_FACILITY=2\nPRIORITY=3\n_UID=0\n_SYSTEMD_UNIT=postfix@-.service\n_COMM=smtp\n' "$msg" "$tag" \
            | "${as_nobody[@]}" logger --journald
    done < <(forge_lines DEAD0003C3 victim3@example.org)
    # Provenance probes: one message to each other Postfix delivery agent (lmtp, local, virtual, pipe);
    # each bounces. Their events are real but not the campaign's: left out of the comparison below.
    python3 - <<'PY'
import smtplib
from email.message import EmailMessage
with smtplib.SMTP("127.0.0.1", 25, local_hostname="listmonk.lab.test", timeout=30) as smtp:
    for rcpt in ["probe-lmtp@lmtp.test", "probe-local@local.test", "probe-virtual@virtual.test", "probe-pipe@pipe.test"]:
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "bounces@lab.test", rcpt, "provenance probe"
        m.set_content("probe")
        smtp.send_message(m, from_addr="bounces@lab.test", to_addrs=[rcpt])
PY
    ok "forged $forged_count entries as nobody (runuser+logger, logger renamed smtp, native with forged _UID/_SYSTEMD_UNIT)"
    exit 0
fi

if [[ "${1:-}" == drained ]]; then
    out=$2
    bt="$out/bt"
    pid=$(cat "$bt/run.pid")
    status=0
    check() { # CONDITION-TEXT MESSAGE
        if eval "$1"; then ok "$2"; else echo "$name: FAIL: $2" >&2; status=1; fi
    }
    jc=(journalctl -D /run/log/journal --no-pager)

    # The evidence: who logged what, by identifier.
    "${jc[@]}" -o json > "$out/journal.json"
    python3 - "$out/journal.json" > "$out/provenance.tsv" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    ident = e.get("SYSLOG_IDENTIFIER", "-")
    if not (ident.startswith("postfix") or ident.startswith("exim")):
        continue
    key = (ident, e.get("_UID", "-"), e.get("_COMM", "-"), e.get("_EXE", "-"), e.get("_SYSTEMD_UNIT", "-"), e.get("SYSLOG_FACILITY", "-"))
    rows[key] = rows.get(key, 0) + 1
print("identifier\t_UID\t_COMM\t_EXE\t_SYSTEMD_UNIT\tSYSLOG_FACILITY\tentries")
for key in sorted(rows):
    print("\t".join(key) + f"\t{rows[key]}")
PY
    echo "$name: provenance of the MTA entries in the journal (uids: postfix=$(id -u postfix) Debian-exim=$(id -u Debian-exim) nobody=$(id -u nobody)):"
    awk -F'\t' '{ printf "  %-24s %-6s %-16s %-32s %-18s %-8s %s\n", $1, $2, $3, $4, $5, $6, $7 }' "$out/provenance.tsv"

    # The forgeries reached the journal looking like Postfix to the old selection.
    n=$(python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if "DEAD000" in e.get("MESSAGE", "") and e.get("SYSLOG_FACILITY") == "2" and e.get("SYSLOG_IDENTIFIER", "").startswith("postfix/") \
            and e.get("_UID") == sys.argv[2] and "_SYSTEMD_UNIT" not in e:
        n += 1
print(n)' "$out/journal.json" "$(id -u nobody)")
    check "[[ $n == $forged_count ]]" "the $forged_count forged entries are in the journal as facility mail, identifier postfix/..., _UID=nobody, no unit ($n found)"

    # Every real bounce reaches the store; wait for the expected count first.
    expected=$(cat "$out/postfix.expect.tsv" <(tail -n +2 "$out/exim.expect.tsv") | awk -F'\t' 'NR > 1 && $3 != "none" && $6 != "hold"' | wc -l)
    for agent in postfix/smtp postfix/lmtp postfix/local postfix/virtual postfix/pipe postfix/bounce exim; do
        check "grep -q '^$agent	' '$out/provenance.tsv'" "$agent logged to the journal"
    done
    count() { "$BIN" export --config "$bt/bouncetail.toml" --format jsonl 2>/dev/null | grep -c . || true; }
    for _ in $(seq 1 300); do (( $(count) >= expected )) && break; sleep 0.2; done
    sleep 1
    metrics=$(curl -fsS http://127.0.0.1:9155/metrics || true)
    untrusted=$(echo "$metrics" | awk '/^bouncetail_untrusted_entries_total\{source="journal"\}/ {print $2}')
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    "$BIN" export --config "$bt/bouncetail.toml" --format jsonl > "$bt/store-all.jsonl"
    grep -v '"email":"probe-' "$bt/store-all.jsonl" > "$bt/store.jsonl" || true
    cat "$out/postfix.expect.tsv" > "$out/all.expect.tsv"
    tail -n +2 "$out/exim.expect.tsv" >> "$out/all.expect.tsv"
    check 'python3 "$root/e2e/check.py" --forwarded-only "$out/all.expect.tsv" "$bt/store.jsonl" journal-trust-run' \
        "bouncetail run: every real Postfix and Exim bounce from the journal is stored exactly once ($(grep -c . "$bt/store.jsonl") of $expected)"
    check '! grep -q victim "$bt/store.jsonl"' "bouncetail run: no event for the forged victims"
    check "[[ '${untrusted:-none}' == $forged_count ]]" "bouncetail_untrusted_entries_total{source=\"journal\"} is ${untrusted:-absent}, the $forged_count forged entries and no real MTA entry"
    check "grep -q 'refused [0-9]* entr.* to be the MTA.*uid=$(id -u nobody) comm=logger unit=-' '$bt/run.log'" "the warning names uid, comm and unit of the logger forgery"
    check "grep -q 'uid=$(id -u nobody) comm=smtp unit=-' '$bt/run.log'" "the warning names the logger copy renamed smtp"
    check "[[ $(grep -c 'to be the MTA.s but w' "$bt/run.log") -le 2 ]]" "the warning is rate-limited ($(grep -c 'to be the MTA.s but w' "$bt/run.log") line(s) for $forged_count entries)"
    check "grep -q 'no entry in the journal comes from unit postfix.service, postfix@\*.service, exim4.service' '$bt/run.log'" "trusted units that never appear are warned about at start (no systemd as PID 1 here)"

    # The backfill of the same journal applies the same check.
    "$BIN" backfill --dry-run --config "$bt/bouncetail.toml" --journal --journal-dir /run/log/journal > "$bt/backfill-all.jsonl" 2> "$bt/backfill.err" || { cat "$bt/backfill.err" >&2; status=1; }
    grep -v '"email":"probe-' "$bt/backfill-all.jsonl" > "$bt/backfill.jsonl" || true
    check 'python3 "$root/e2e/check.py" "$out/all.expect.tsv" "$bt/backfill.jsonl" journal-trust-backfill' "backfill --journal-dir: every real bounce, exactly once"
    check '! grep -q victim "$bt/backfill.jsonl"' "backfill --journal-dir: no event for the forged victims"
    check "grep -q 'refused $forged_count entries' '$bt/backfill.err'" "backfill --journal-dir reports the $forged_count refused entries: $(grep -o 'refused [0-9]* entries' "$bt/backfill.err" | head -1)"
    [[ $status == 0 ]] || echo "$name: outputs in $out" >&2
    exit "$status"
fi

# --- outside: preconditions, build, then the MTAs with the hooks ----------------------------------
if [[ "$(id -u)" != 0 ]]; then
    echo "$name: SKIPPED: needs root (namespaces, a journald of its own, real MTAs)"
    exit 0
fi
for tool in unshare logger setpriv runuser python3 curl journalctl; do
    command -v "$tool" >/dev/null || { echo "$name: SKIPPED: $tool not found"; exit 0; }
done
if [[ ! -x /lib/systemd/systemd-journald && ! -x /usr/lib/systemd/systemd-journald ]]; then
    echo "$name: SKIPPED: systemd-journald not found (apt-get install systemd)"
    exit 0
fi
cd "$root"
if [[ -z "${BIN:-}" ]]; then
    swift build --product bouncetail
    BIN="$(swift build --show-bin-path)/bouncetail"
fi
export BIN="$(readlink -f "$BIN")"
out="$(mktemp -d /tmp/bouncetail-journal-trust.XXXXXX)"
chmod 755 "$out"
set +e
BOUNCETAIL_E2E_JOURNALD=1 BOUNCETAIL_E2E_HOOK="$self" e2e/run-mtas.sh "$out/mtas"
rc=$?
set -e
if [[ $rc == 77 ]]; then echo "$name: SKIPPED: the MTAs cannot run here"; exit 0; fi
[[ $rc == 0 ]] || fail "the MTA run or a check inside it failed (exit $rc; outputs in $out)"
echo "$name: PASS (outputs in $out)"
