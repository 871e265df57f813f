#!/usr/bin/env bash
# Root suite step `mail-join` (issue 12): report mails through the real Postfix's pipe(8) into `bouncetail
# ingest-mail`, beside `bouncetail run` following the same Postfix's log, delivering to the listmonk double.
# The scenario runs inside run-mtas.sh's private namespace as its hook (e2e/mail-join-hook.sh):
#   1. a recipient the remote rejects: Postfix's own DSN through the pipe + the log line = exactly one event;
#   2. a remote that accepted (250) and later mails a DSN back: one event, with the subscriber's UUIDs;
#   3. an ARF complaint about a delivered message: one `complaint`;
#   4. an out-of-office reply: no event, counted (bouncetail_mail_records_total{kind="auto-reply"});
#   5. a DSN naming a message we never sent: held as `unmatched`, nothing sent to listmonk;
#   6. Exim (router + pipe transport as docs/mail.md): its own DSN for a rejected recipient + its mainlog line
#      = exactly one event (joined by Message-ID).
# The report mails of 2-5 are written by the hook (never copied from a corpus); 1 and 6 are the MTAs' own.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
if [ "$(id -u)" != 0 ]; then echo "mail-join: SKIPPED: needs root"; exit 0; fi
if [ -z "${BIN:-}" ]; then
  swift build --product bouncetail
  BIN=$(swift build --show-bin-path)/bouncetail
fi
export BIN
out=$(mktemp -d /tmp/bouncetail-mail-join.XXXXXX)
set +e
BOUNCETAIL_E2E_LIFETIME=${BOUNCETAIL_E2E_LIFETIME:-20} BOUNCETAIL_E2E_HOOK="$here/mail-join-hook.sh" \
  e2e/run-mtas.sh "$out/mtas"
rc=$?
set -e
if [ $rc = 77 ]; then echo "mail-join: SKIPPED: the MTAs cannot run here"; exit 0; fi
[ -f "$out/mtas/mail-join/result.txt" ] && cat "$out/mtas/mail-join/result.txt"
if [ $rc != 0 ] || ! [ -f "$out/mtas/mail-join/result.txt" ] || grep -q '^FAIL' "$out/mtas/mail-join/result.txt"; then
  echo "mail-join: FAILED (run-mtas exit $rc; outputs in $out)"
  exit 1
fi
echo "mail-join: all checks passed (outputs in $out)"
