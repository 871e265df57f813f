/// The identity of a bounce, stable across restarts, backfill versus follow, and file versus journal:
///
/// `v2|<host>|<mta>|<queue id>|a:<anchor>|<recipient>|<status>`
///
/// - `host`: the identity host (``HostIdentity``): the host the line names (syslog header, `_HOSTNAME`) in
///   its canonical form, or `general.host_name` for this machine's lines and lines that name none. Keys
///   written before hosts were read carried `general.host_name` as written; the state database rewrites
///   them once (see `docs/design/2026-12-03-host-identity.md`);
/// - `anchor`: the Unix second of the line that decided the outcome (the bounced line, Postfix's qmgr
///   `expired` line, Exim's `**` retry-timeout line); for a deferred-too-long outcome, the message's first-seen
///   second. Postfix reuses short queue ids, so the queue id alone does not name a message; and the anchor must
///   not depend on how much of the message's history a reader saw: a daemon that only read `mail.log` and a
///   backfill that also read `mail.log.1` (with the headers and the Message-ID) must agree (v1 used the
///   Message-ID when known and so gave them different keys). Whole seconds, because a classic syslog line and
///   its journal entry agree on the second but not on the fraction;
/// - `recipient`: as logged, lower-cased;
/// - `status`: the outcome (`bounced`, `expired`, `deferred`).
///
/// `%` and `|` inside a part are written `%25` and `%7C`, so parts never run into each other.
public enum DedupKey {
    public static func make(_ o: FinalOutcome) -> String {
        let anchor: String
        switch o.kind {
        case .bounced, .expired:
            anchor = "a:" + String(o.time.seconds)
        case .deferredTooLong:
            anchor = "a:" + (o.firstSeen.map { String($0.seconds) } ?? String(o.time.seconds))
        }
        let parts = [o.host, o.mta.rawValue, o.queueID, anchor, o.recipient.lowercased(), o.kind.rawValue]
        return "v2|" + parts.map(escape).joined(separator: "|")
    }

    static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "%") }) else { return s }
        var out = ""
        for c in s {
            switch c {
            case "%": out += "%25"
            case "|": out += "%7C"
            default: out.append(c)
            }
        }
        return out
    }
}
