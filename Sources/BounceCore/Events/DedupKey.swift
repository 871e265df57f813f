/// The identity of a bounce, stable across restarts, backfill versus follow, and file versus journal:
///
/// `v1|<host>|<mta>|<queue id>|<message>|<recipient>|<status>`
///
/// - `host`: the configured MTA host name (never the syslog header's);
/// - `message`: `m:<Message-ID>` when known, else `t:<first-seen Unix seconds>` — Postfix reuses short queue
///   ids, so the queue id alone does not name a message. Whole seconds, because a classic syslog line and its
///   journal entry agree on the second but not on the fraction;
/// - `recipient`: as logged, lower-cased;
/// - `status`: the outcome (`bounced`, `expired`, `deferred`).
///
/// `%` and `|` inside a part are written `%25` and `%7C`, so parts never run into each other.
public enum DedupKey {
    public static func make(_ o: FinalOutcome) -> String {
        let message: String
        if let m = o.messageID, !m.isEmpty {
            message = "m:" + m
        } else if let t = o.firstSeen {
            message = "t:" + String(t.seconds)
        } else {
            message = "t:-"
        }
        let parts = [o.host, o.mta.rawValue, o.queueID, message, o.recipient.lowercased(), o.kind.rawValue]
        return "v1|" + parts.map(escape).joined(separator: "|")
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
