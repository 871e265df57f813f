/// Recognises Postfix log messages (the part after `postfix/<daemon>[pid]: `).
///
/// `scan` only finds the kind and the queue id (no allocation; used for counting); `record` materialises
/// the fields of one line.
enum PostfixScanner {
    struct Scan {
        var kind: RecordKind
        var qidStart = 0, qidEnd = 0
        /// Where the text after `QID: ` starts.
        var rest = 0
    }

    /// The queue id at `m` followed by `: `; returns its end. Short ids are upper-case hex; long ids
    /// (`enable_long_queue_ids`) are base-52 without vowels, which keeps words like `statistics` out.
    /// One pass: it runs on every Postfix line.
    static func queueID(_ s: ByteSpan, _ m: Int, _ end: Int) -> Int? {
        var i = m
        let limit = min(end, m + 25)
        var hexUpper = true
        var vowel = false
        while i < limit {
            let c = s[i]
            if c &- 0x30 < 10 {
            } else if c &- 0x41 < 26 {
                if c > 0x46 { hexUpper = false }
                if c == 0x41 || c == 0x45 || c == 0x49 || c == 0x4F || c == 0x55 { vowel = true }
            } else if c &- 0x61 < 26 {
                hexUpper = false
                if c == 0x61 || c == 0x65 || c == 0x69 || c == 0x6F || c == 0x75 { vowel = true }
            } else {
                break
            }
            i += 1
        }
        let n = i - m
        guard i + 1 < end, s[i] == 0x3A, s[i + 1] == 0x20, n >= 5, n <= 24 else { return nil }
        guard hexUpper || (n >= 10 && !vowel) else { return nil }
        return i
    }

    static func isNoise(_ s: ByteSpan, _ m: Int, _ end: Int) -> Bool {
        s.has("warning: ", at: m, end) || s.has("error: ", at: m, end) || s.has("fatal: ", at: m, end)
            || s.has("panic: ", at: m, end)
    }

    /// The kind of the Postfix message `[m, end)`. `structural` is true when the program is unknown (a bare
    /// message): then only queue-id lines count as Postfix, and `nil` means "not Postfix".
    static func scan(_ s: ByteSpan, _ m: Int, _ end: Int, structural: Bool) -> Scan? {
        if !structural {
            if isNoise(s, m, end) { return Scan(kind: .warning) }
            if s.has("NOQUEUE: ", at: m, end) {
                let r = m + 9
                if s.has("reject: ", at: r, end) || s.has("milter-reject: ", at: r, end)
                    || s.has("reject_warning: ", at: r, end)
                {
                    return Scan(kind: .inboundReject)
                }
                return Scan(kind: .otherMTA)
            }
        }
        guard let q = queueID(s, m, end) else {
            if structural, s.has("NOQUEUE: reject: ", at: m, end) { return Scan(kind: .inboundReject) }
            return structural ? nil : Scan(kind: .otherMTA)
        }
        var scan = Scan(kind: .otherMTA, qidStart: m, qidEnd: q, rest: q + 2)
        let r = q + 2
        guard r < end else { return structural ? nil : scan }
        switch s[r] {
        case 0x74:  // t
            if s.has("to=", at: r, end), s.find("status=", r, end) != nil { scan.kind = .delivery }
        case 0x66:  // f
            if s.has("from=", at: r, end) {
                if let st = s.find(", status=", r, end) {
                    let w = st + 9
                    if s.has("expired", at: w, end) || s.has("force-expired", at: w, end) { scan.kind = .expired }
                } else if s.find(", size=", r, end) != nil {
                    scan.kind = .queued
                }
            }
        case 0x72:  // r
            if s.equals("removed", r, s.trimEnd(r, end)) {
                scan.kind = .removed
            } else if s.has("reject: ", at: r, end) || s.has("reject_warning: ", at: r, end) {
                scan.kind = .inboundReject
            }
        case 0x6D:  // m
            if s.has("message-id=", at: r, end) {
                scan.kind = .messageID
            } else if s.has("milter-reject: ", at: r, end) {
                scan.kind = .inboundReject
            }
        case 0x69:  // i
            if s.has("info: header ", at: r, end) { scan.kind = .header }
        case 0x77:  // w
            if s.has("warning: header ", at: r, end) {
                scan.kind = .header
            } else if s.has("warning: ", at: r, end) {
                scan.kind = .warning
            }
        case 0x73, 0x70:  // s, p
            if s.find(" notification: ", r, end) != nil,
                s.has("sender ", at: r, end) || s.has("postmaster ", at: r, end)
            {
                scan.kind = .bounceNotification
            }
        default:
            break
        }
        if scan.kind == .otherMTA, s.find(", relay=", r, end) != nil, s.find(" status=", r, end) != nil {
            // Old or mangled status lines without `to=` (`QID: user@example.com, relay=..., status=sent (...)`).
            let f = s.find(0x2C, r, end) ?? end
            if s.find(0x40, r, f) != nil { scan.kind = .delivery }
        }
        if structural, scan.kind == .otherMTA { return nil }
        if scan.kind == .otherMTA, s.has("error: ", at: r, end) || s.has("fatal: ", at: r, end) {
            scan.kind = .warning
        }
        return scan
    }

    /// The record for a scanned line.
    /// - Parameter sentDetail: ``LineParserOptions/sentDetail``.
    static func record(_ scan: Scan, _ s: ByteSpan, _ end: Int, agent: String?, sentDetail: Bool = true) -> LogRecord {
        let qid = { s.string(scan.qidStart, scan.qidEnd) }
        let r = scan.rest
        switch scan.kind {
        case .delivery:
            return .delivery(delivery(s, r, end, queueID: qid(), agent: agent, sentDetail: sentDetail))
        case .queued:
            let (sender, after) = angleValue(s, r + 5, end)
            var size: Int?
            var nrcpt: Int?
            if let i = s.find(", size=", after, end) {
                let v = i + 7
                size = s.int(v, v + s.digitRun(v, end))
            }
            if let i = s.find(", nrcpt=", after, end) {
                let v = i + 8
                nrcpt = s.int(v, v + s.digitRun(v, end))
            }
            return .queued(
                QueuedMessage(mta: .postfix, queueID: qid(), sender: sender, size: size, recipientCount: nrcpt))
        case .expired:
            let (sender, after) = angleValue(s, r + 5, end)
            let st = (s.find(", status=", after, end) ?? after) + 9
            let we = s.find(0x2C, st, end) ?? s.wordEnd(st, end)
            return .expired(mta: .postfix, queueID: qid(), sender: sender, rawStatus: s.string(st, we))
        case .removed:
            return .removed(mta: .postfix, queueID: qid())
        case .messageID:
            var a = r + 11
            var b = s.trimEnd(a, end)
            if a < b, s[a] == 0x3C { a += 1 }
            if a < b, s[b - 1] == 0x3E { b -= 1 }
            return .messageID(mta: .postfix, queueID: qid(), messageID: s.string(a, b))
        case .header:
            let a = s.find("header ", r, end)! + 7
            let colon = s.find(0x3A, a, end) ?? end
            let vs = s.skipSpaces(min(colon + 1, end), end)
            // `header NAME: VALUE from CLIENT; from=<...> ...`: the value ends at the last ` from ` before `; from=`.
            var ve = s.trimEnd(vs, end)
            if let semi = s.find("; from=", vs, end) {
                var k = vs
                var lastFrom: Int?
                while let f = s.find(" from ", k, semi) {
                    lastFrom = f
                    k = f + 1
                }
                ve = lastFrom ?? semi
            }
            return .header(
                mta: .postfix, queueID: qid(), name: headerName(s, a, colon), value: s.string(vs, s.trimEnd(vs, ve)))
        case .bounceNotification:
            let n = s.find(" notification: ", r, end)!
            let ns = n + 15
            return .bounceNotification(
                mta: .postfix, queueID: qid(), notificationQueueID: s.string(ns, s.wordEnd(ns, s.trimEnd(ns, end))),
                kind: s.string(r, n))
        case .inboundReject:
            return .inboundReject(mta: .postfix)
        case .warning:
            return .warning(mta: .postfix)
        case .otherMTA, .other:
            return .otherMTA(mta: .postfix)
        }
    }

    /// The header name `[a, b)`; listmonk's two names (on two lines of every campaign message) as literals,
    /// which need no allocation (they are longer than a String holds inline).
    static func headerName(_ s: ByteSpan, _ a: Int, _ b: Int) -> String {
        if s.equals("X-Listmonk-Campaign", a, b) { return "X-Listmonk-Campaign" }
        if s.equals("X-Listmonk-Subscriber", a, b) { return "X-Listmonk-Subscriber" }
        return s.string(a, b)
    }

    /// A value that may be in angle brackets, at `i`; ends at `>` or at `, `. Returns it and the index after.
    static func angleValue(_ s: ByteSpan, _ i: Int, _ end: Int) -> (String, Int) {
        let (a, b, after) = angleSpan(s, i, end)
        return (s.string(a, b), after)
    }

    /// ``angleValue(_:_:_:)`` as a span `[a, b)`, and the index after it.
    static func angleSpan(_ s: ByteSpan, _ i: Int, _ end: Int) -> (Int, Int, Int) {
        guard i < end else { return (end, end, end) }
        if s[i] == 0x3C {
            // The address ends at the `>` that is followed by `,` or the end (a quoted local part may hold `>`).
            var k = i + 1
            while let g = s.find(0x3E, k, end) {
                if g + 1 == end || s[g + 1] == 0x2C || s[g + 1] == 0x20 { return (i + 1, g, g + 1) }
                k = g + 1
            }
            return (i + 1, end, end)
        }
        let e = s.find(", ", i, end) ?? s.trimEnd(i, end)
        return (i, e, e)
    }

    /// Maps a Postfix status word to the normalised status.
    static func status(_ s: ByteSpan, _ a: Int, _ b: Int) -> DeliveryStatus {
        if s.equals("sent", a, b) { return .sent }
        if s.equals("deferred", a, b) || s.equals("SOFTBOUNCE", a, b) { return .deferred }
        if s.equals("bounced", a, b) { return .bounced }
        if s.equals("expired", a, b) || s.equals("force-expired", a, b) { return .expired }
        return .other
    }

    /// The fields of a `QID: to=<...>, [orig_to=<...>, ]relay=..., ..., dsn=..., status=WORD (text)` line.
    /// - Parameter sentDetail: ``LineParserOptions/sentDetail``.
    static func delivery(
        _ s: ByteSpan, _ r: Int, _ end: Int, queueID: String, agent: String?, sentDetail: Bool = true
    ) -> DeliveryAttempt {
        var recipient = ""
        var orig: String?
        // Spans, made into Strings once the status says they are kept.
        var relaySpan: (Int, Int)?
        var dsnSpan: (Int, Int)?
        var i = r
        var statusStart = -1
        if !s.has("to=", at: r, end) {
            // `QID: user@example.com, relay=...`: the first field is the recipient.
            let (v, after) = angleValue(s, r, end)
            recipient = v
            i = after
        }
        while i < end {
            while i < end && (s[i] == 0x2C || s[i] == 0x20) { i += 1 }
            guard let eq = s.find(0x3D, i, min(end, i + 16)) else { break }
            let ks = i
            let vs = eq + 1
            if s.equals("status", ks, eq) {
                statusStart = vs
                break
            }
            // Strings only for the four fields kept (`delay=`, `delays=` and the like are skipped over).
            let (va, vb, after) = angleSpan(s, vs, end)
            if s.equals("to", ks, eq) {
                recipient = s.string(va, vb)
            } else if s.equals("orig_to", ks, eq) {
                orig = s.string(va, vb)
            } else if s.equals("relay", ks, eq) {
                relaySpan = (va, vb)
            } else if s.equals("dsn", ks, eq) {
                dsnSpan = (va, vb)
            }
            i = after
        }
        if statusStart < 0, let st = s.find(" status=", r, end) { statusStart = st + 8 }
        var rawStatus = ""
        var status = DeliveryStatus.other
        var textStart = end
        var textEnd = end
        if statusStart >= 0 {
            var we = statusStart
            while we < end && s[we] != 0x20 && s[we] != 0x2C { we += 1 }
            rawStatus = s.string(statusStart, we)
            status = Self.status(s, statusStart, we)
            let p = s.skipSpaces(we, end)
            if p < end, s[p] == 0x28 {
                textStart = p + 1
                textEnd = s.trimEnd(textStart, end)
                if textEnd > textStart, s[textEnd - 1] == 0x29 { textEnd -= 1 }
            } else {
                textStart = s.skipSpaces(p < end && s[p] == 0x2C ? p + 1 : p, end)
                textEnd = s.trimEnd(textStart, end)
            }
        }
        if !sentDetail, status == .sent, s.find("queued as ", textStart, textEnd) == nil {
            return DeliveryAttempt(
                mta: .postfix, queueID: queueID, recipient: recipient, originalRecipient: orig, agent: agent,
                rawStatus: rawStatus, status: status)
        }
        let relay = relaySpan.map { s.string($0.0, $0.1) }
        var attempt = DeliveryAttempt(
            mta: .postfix, queueID: queueID, recipient: recipient, originalRecipient: orig, agent: agent,
            relay: relay, remoteHost: relaySpan.flatMap { remoteHost(s, $0.0, $0.1, relay: relay!) },
            dsn: dsnSpan.map { s.string($0.0, $0.1) }, rawStatus: rawStatus, status: status)
        guard textStart < textEnd else { return attempt }
        if s.has("delivery temporarily suspended: ", at: textStart, textEnd) { attempt.isAttempt = false }
        // The reply: after `said: ` / `refused to talk to me: `, or the text itself (`250 2.0.0 Ok: ...`).
        var replyStart: Int?
        if let k = s.find(" said: ", textStart, textEnd) {
            replyStart = k + 7
        } else if let k = s.find("refused to talk to me: ", textStart, textEnd) {
            replyStart = k + 23
        } else if SMTPReply.code(s, textStart, textEnd) != nil {
            replyStart = textStart
        }
        if let rs = replyStart, SMTPReply.code(s, rs, textEnd) == nil { replyStart = nil }
        let (text, lastCode) = SMTPReply.flatten(s, textStart, textEnd, replyStart: replyStart)
        attempt.diagnostic = text
        attempt.replyCode = lastCode
        let enhFrom = replyStart ?? textStart
        if let (a, b) = SMTPReply.findEnhancedCode(s, enhFrom, textEnd) { attempt.enhancedCode = s.string(a, b) }
        attempt.smtpStage = SMTPReply.postfixStage(s, textStart, textEnd)
        if status == .sent, let q = s.find("queued as ", textStart, textEnd) {
            let qs = q + 10
            var qe = qs
            while qe < textEnd && s[qe].isASCIIAlnum { qe += 1 }
            if qe > qs { attempt.queuedAs = s.string(qs, qe) }
        }
        return attempt
    }

    /// ``remoteHost(_:)`` of `relay`, the text of `[a, b)`, read on the bytes: `firstIndex(of: "[")` walks
    /// grapheme clusters. A relay with a byte above 0x7F takes the String path (a combining mark after a
    /// bracket makes one cluster with it, which the String path does not take for a bracket).
    static func remoteHost(_ s: ByteSpan, _ a: Int, _ b: Int, relay: String) -> String? {
        guard a < b else { return nil }
        var i = a
        while i < b {
            if s[i] >= 0x80 { return remoteHost(relay) }
            i += 1
        }
        if s.equals("none", a, b) { return nil }
        guard let open = s.find(0x5B, a, b) else { return relay }
        if open > a { return s.string(a, open) }
        // `[192.0.2.1]:25`: the address itself.
        if let close = s.find(0x5D, open + 1, b) { return s.string(open + 1, close) }
        return relay
    }

    /// The host name of a relay (`mx.example.com[192.0.2.1]:25` → `mx.example.com`); nil for `none`.
    static func remoteHost(_ relay: String) -> String? {
        if relay == "none" || relay.isEmpty { return nil }
        if let b = relay.firstIndex(of: "[") {
            let name = relay[..<b]
            if !name.isEmpty { return String(name) }
            // `[192.0.2.1]:25`: the address itself.
            let rest = relay[relay.index(after: b)...]
            if let e = rest.firstIndex(of: "]") { return String(rest[..<e]) }
        }
        return relay
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
