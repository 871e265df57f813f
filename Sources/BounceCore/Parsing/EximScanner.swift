/// Recognises Exim mainlog messages (the part after the timestamp and optional `[pid]`).
enum EximScanner {
    struct Scan {
        var kind: RecordKind
        var idStart = 0, idEnd = 0
        var rest = 0
    }

    /// An Exim message id at `i`: `1xWcEN-0006wR-1B` (6-6-2, up to 4.96) or `1xWcEN-00000006wR-001B`
    /// (6-11-4, 4.97+), followed by a space or the end. Returns its end.
    static func messageID(_ s: ByteSpan, _ i: Int, _ end: Int) -> Int? {
        func run(_ a: Int) -> Int {
            var k = a
            while k < end && s[k].isASCIIAlnum { k += 1 }
            return k - a
        }
        guard run(i) == 6, i + 6 < end, s[i + 6] == 0x2D else { return nil }
        let b = i + 7
        let n2 = run(b)
        guard n2 == 6 || n2 == 11, b + n2 < end, s[b + n2] == 0x2D else { return nil }
        let c = b + n2 + 1
        let n3 = run(c)
        guard (n2 == 6 && n3 == 2) || (n2 == 11 && n3 == 4) else { return nil }
        let e = c + n3
        guard e == end || s[e] == 0x20 else { return nil }
        return e
    }

    /// A header name written by a DATA-ACL `logwrite` (`X-Listmonk-Campaign:`) at `i`; returns the index of its colon.
    static func headerName(_ s: ByteSpan, _ i: Int, _ end: Int) -> Int? {
        guard i + 3 < end, s[i] == 0x58 || s[i] == 0x78, s[i + 1] == 0x2D else { return nil }
        var k = i + 2
        while k < end, s[k].isASCIIAlnum || s[k] == 0x2D || s[k] == 0x5F { k += 1 }
        guard k < end, k > i + 2, s[k] == 0x3A, k + 1 == end || s[k + 1] == 0x20 else { return nil }
        return k
    }

    static func scan(_ s: ByteSpan, _ m: Int, _ end: Int, structural: Bool) -> Scan? {
        guard let idEnd = messageID(s, m, end) else {
            if structural { return nil }
            if s.find(" rejected ", m, end) != nil || s.has("rejected ", at: m, end) {
                return Scan(kind: .inboundReject)
            }
            if s.has("Warning: ", at: m, end) || s.has("warning: ", at: m, end) || s.has("PANIC", at: m, end) {
                return Scan(kind: .warning)
            }
            return Scan(kind: .otherMTA)
        }
        var scan = Scan(kind: .otherMTA, idStart: m, idEnd: idEnd, rest: min(idEnd + 1, end))
        let r = scan.rest
        if r + 2 < end, s[r + 2] == 0x20 {
            let a = s[r], b = s[r + 1]
            switch (a, b) {
            case (0x3C, 0x3D): scan.kind = .queued  // <=
            // => -> >> *> ** ==
            case (0x3D, 0x3E), (0x2D, 0x3E), (0x3E, 0x3E), (0x2A, 0x3E), (0x2A, 0x2A), (0x3D, 0x3D):
                scan.kind = .delivery
            default: break
            }
        }
        if scan.kind == .otherMTA {
            if s.equals("Completed", r, s.trimEnd(r, end)) || s.has("Completed ", at: r, end) {
                scan.kind = .removed
            } else if headerName(s, r, end) != nil {
                scan.kind = .header
            } else if s.find(" rejected ", r, end) != nil {
                scan.kind = .inboundReject
            }
        }
        if structural, scan.kind == .otherMTA { return nil }
        return scan
    }

    static func record(_ scan: Scan, _ s: ByteSpan, _ end: Int) -> (LogRecord, [LogRecord]) {
        let id = s.string(scan.idStart, scan.idEnd)
        let r = scan.rest
        switch scan.kind {
        case .delivery:
            return (.delivery(delivery(s, r, end, queueID: id)), [])
        case .queued:
            return (.queued(arrival(s, r + 3, end, queueID: id)), [])
        case .removed:
            return (.removed(mta: .exim, queueID: id), [])
        case .header:
            var headers: [LogRecord] = []
            var i = r
            while i < end, let colon = headerName(s, i, end) {
                let name = s.string(i, colon)
                let vs = s.skipSpaces(min(colon + 1, end), end)
                // The value runs to the next header name at a word start, or the end.
                var k = vs
                var ve = s.trimEnd(vs, end)
                var next = end
                while k < end {
                    if headerName(s, k, end) != nil, k == vs || s[k - 1] == 0x20 {
                        ve = s.trimEnd(vs, k)
                        next = k
                        break
                    }
                    guard let sp = s.find(0x20, k, end) else { break }
                    k = s.skipSpaces(sp, end)
                }
                headers.append(.header(mta: .exim, queueID: id, name: name, value: s.string(vs, ve)))
                i = next
            }
            guard let first = headers.first else { return (.otherMTA(mta: .exim), []) }
            return (first, Array(headers.dropFirst()))
        case .inboundReject:
            return (.inboundReject(mta: .exim), [])
        case .warning:
            return (.warning(mta: .exim), [])
        default:
            return (.otherMTA(mta: .exim), [])
        }
    }

    /// Walks the `KEY=value` fields of an Exim line from `i`, honouring `"quoted values"`, and calls `body`
    /// with the key range, the value range and the index after the value. `body` returns false to stop.
    /// Stops at a token ending in `:` or a lone `:` (the error separator); returns that separator's index.
    @discardableResult
    static func fields(_ s: ByteSpan, _ i0: Int, _ end: Int, _ body: (Int, Int, Int, Int) -> Bool) -> Int? {
        var i = i0
        while i < end {
            i = s.skipSpaces(i, end)
            guard i < end else { break }
            if s[i] == 0x3A, i + 1 == end || s[i + 1] == 0x20 { return i }
            var k = i
            var eq = -1
            while k < end && s[k] != 0x20 {
                if s[k] == 0x3D && eq < 0 {
                    eq = k
                    if k + 1 < end, s[k + 1] == 0x22 {
                        // A quoted value: up to the closing quote, skipping `\"`.
                        var q = k + 2
                        while q < end && s[q] != 0x22 {
                            if s[q] == 0x5C { q += 1 }
                            q += 1
                        }
                        k = min(q + 1, end)
                        continue
                    }
                }
                k += 1
            }
            if eq > i {
                var ve = k
                if ve > eq + 1, s[ve - 1] == 0x3A, s[eq + 1] != 0x22 {
                    ve -= 1
                    if !body(i, eq, eq + 1, ve) { return nil }
                    return ve
                }
                if !body(i, eq, eq + 1, ve) { return nil }
            } else if k > i, s[k - 1] == 0x3A {
                return k - 1
            }
            i = k
        }
        return nil
    }

    /// `<= sender H=... P=... S=size id=msgid [R=original]`.
    static func arrival(_ s: ByteSpan, _ i: Int, _ end: Int, queueID: String) -> QueuedMessage {
        let se = s.wordEnd(i, end)
        var sender = s.string(i, se)
        if sender == "<>" { sender = "" }
        var msg = QueuedMessage(mta: .exim, queueID: queueID, sender: sender)
        fields(s, se, end) { ks, ke, vs, ve in
            if s.equals("id", ks, ke) {
                msg.messageID = s.string(vs, ve)
            } else if s.equals("R", ks, ke) {
                msg.bounceOf = s.string(vs, ve)
            } else if s.equals("S", ks, ke) {
                msg.size = s.int(vs, ve)
            }
            return true
        }
        return msg
    }

    /// `=> addr [<parent>] R=router T=transport H=host [ip] C="250 ..."`, `** addr ...: error`, `== addr ...: error`.
    static func delivery(_ s: ByteSpan, _ r: Int, _ end: Int, queueID: String) -> DeliveryAttempt {
        let flagA = s[r], flagB = s[r + 1]
        let status: DeliveryStatus =
            switch (flagA, flagB) {
            case (0x2A, 0x2A): .bounced
            case (0x3D, 0x3D): .deferred
            default: .sent
            }
        let a = s.skipSpaces(r + 3, end)
        var ae = s.wordEnd(a, end)
        var i = ae
        var sepAt: Int?
        if ae > a, s[ae - 1] == 0x3A {
            ae -= 1
            sepAt = ae
        }
        var attempt = DeliveryAttempt(
            mta: .exim, queueID: queueID, recipient: s.string(a, ae), rawStatus: s.string(r, r + 2), status: status)
        if sepAt == nil {
            let p = s.skipSpaces(i, end)
            if p < end, s[p] == 0x3C, let g = s.find(0x3E, p, end) {
                attempt.originalRecipient = s.string(p + 1, g)
                i = g + 1
                if i < end, s[i] == 0x3A {
                    sepAt = i
                }
            }
        }
        var confirmation: (Int, Int)?
        if sepAt == nil {
            sepAt = fields(s, i, end) { ks, ke, vs, ve in
                if s.equals("T", ks, ke) {
                    attempt.agent = s.string(vs, ve)
                } else if s.equals("H", ks, ke) {
                    // `H=name [ip]`: the bracketed address is the next word.
                    var he = ve
                    let n = s.skipSpaces(ve, end)
                    if n < end, s[n] == 0x5B, let close = s.find(0x5D, n, end) {
                        he = close + 1
                    }
                    attempt.relay = s.string(vs, he)
                    var nameEnd = ve
                    if nameEnd > vs, s[nameEnd - 1] == 0x3A { nameEnd -= 1 }
                    var name = s.string(vs, nameEnd)
                    if name.hasPrefix("("), name.hasSuffix(")") { name = String(name.dropFirst().dropLast()) }
                    if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
                        name = String(name[name.index(after: name.startIndex)..<close])
                    }
                    attempt.remoteHost = name
                } else if s.equals("C", ks, ke) {
                    var cs = vs, ce = ve
                    if ce > cs, s[cs] == 0x22 { cs += 1 }
                    if ce > cs, s[ce - 1] == 0x22 { ce -= 1 }
                    confirmation = (cs, ce)
                }
                return true
            }
        }
        if let (cs, ce) = confirmation {
            attempt.replyCode = SMTPReply.code(s, cs, ce)
            attempt.diagnostic = s.string(cs, ce)
            if let (x, y) = SMTPReply.findEnhancedCode(s, cs, ce) { attempt.enhancedCode = s.string(x, y) }
            if let q = s.find("queued as ", cs, ce) {
                let qs = q + 10
                var qe = qs
                while qe < ce && s[qe].isASCIIAlnum { qe += 1 }
                if qe > qs { attempt.queuedAs = s.string(qs, qe) }
            }
        }
        guard let sep = sepAt else { return attempt }
        let ts = s.skipSpaces(sep + 1, end)
        let te = s.trimEnd(ts, end)
        guard ts < te else { return attempt }
        if s.has("retry timeout exceeded", at: ts, te) || s.find("have been failing for a long time", ts, te) != nil {
            // An expiry verdict, not a conversation with the remote host: the reason must come from an earlier attempt.
            attempt.isRetryTimeout = true
            attempt.isAttempt = false
        }
        if s.find("retry time not reached", ts, te) != nil { attempt.isAttempt = false }
        var replyStart: Int?
        if s.has("SMTP error from remote mail server after ", at: ts, te) {
            attempt.smtpStage = SMTPReply.eximStage(s, ts, te)
            // The reply follows the stage's `: ` (after any `<address>` in it).
            let from = s.find(0x3E, ts, te).map { $0 + 1 } ?? ts + 41
            if let c = s.find(": ", min(from, te), te) ?? s.find(": ", ts + 41, te) { replyStart = c + 2 }
        } else {
            attempt.smtpStage = SMTPReply.eximStage(s, ts, te)
            if SMTPReply.code(s, ts, te) != nil { replyStart = ts }
        }
        if let rs = replyStart, SMTPReply.code(s, rs, te) == nil {
            replyStart = nil
            // Older Exims name the host inside the error: `...: host mx.example [192.0.2.1]: 451 ...`.
            if s.has("host ", at: rs, te), let close = s.find("]: ", rs, te), SMTPReply.code(s, close + 3, te) != nil {
                replyStart = close + 3
                if attempt.remoteHost == nil {
                    attempt.remoteHost = s.string(rs + 5, s.wordEnd(rs + 5, close))
                    attempt.relay = s.string(rs + 5, close + 1)
                }
            }
        }
        let (text, lastCode) = SMTPReply.flatten(s, ts, te, replyStart: replyStart)
        attempt.diagnostic = text
        attempt.replyCode = lastCode ?? attempt.replyCode
        if let (x, y) = SMTPReply.findEnhancedCode(s, replyStart ?? ts, te) { attempt.enhancedCode = s.string(x, y) }
        return attempt
    }
}
