/// Finding the parts of a remote SMTP reply inside a diagnostic text: reply code, enhanced status code,
/// the SMTP stage, and the flattened text of a multi-line reply.
enum SMTPReply {
    /// A basic reply code at `i` (`[2-5]dd` followed by a space, `-`, or the end).
    static func code(_ s: ByteSpan, _ i: Int, _ end: Int) -> Int? {
        guard i + 3 <= end, (0x32...0x35).contains(s[i]), s[i + 1].isASCIIDigit, s[i + 2].isASCIIDigit else {
            return nil
        }
        if i + 3 < end, s[i + 3] != 0x20, s[i + 3] != 0x2D { return nil }
        return Int(s[i] &- 0x30) * 100 + Int(s[i + 1] &- 0x30) * 10 + Int(s[i + 2] &- 0x30)
    }

    /// An enhanced status code (`5.1.1`, `4.7.28`) starting exactly at `i`; returns its end.
    static func enhancedCode(at i: Int, _ s: ByteSpan, _ end: Int) -> Int? {
        guard i + 5 <= end, s[i] == 0x32 || s[i] == 0x34 || s[i] == 0x35, s[i + 1] == 0x2E else { return nil }
        let a = s.digitRun(i + 2, end)
        guard a >= 1, a <= 3, i + 2 + a < end, s[i + 2 + a] == 0x2E else { return nil }
        let b = s.digitRun(i + 3 + a, end)
        guard b >= 1, b <= 3 else { return nil }
        let e = i + 3 + a + b
        // Not part of a longer dotted number (an IP address, a version).
        if e < end, s[e].isASCIIDigit || (s[e] == 0x2E && e + 1 < end && s[e + 1].isASCIIDigit) { return nil }
        return e
    }

    /// The first enhanced status code in `[from, to)` that stands on its own (not inside an IP address).
    static func findEnhancedCode(_ s: ByteSpan, _ from: Int, _ to: Int) -> (Int, Int)? {
        var i = from
        while i + 5 <= to {
            let c = s[i]
            if c == 0x32 || c == 0x34 || c == 0x35, s[i + 1] == 0x2E {
                let prev: UInt8 = i > 0 ? s[i - 1] : 0x20
                if !prev.isASCIIDigit, prev != 0x2E, !prev.isASCIIAlpha, let e = enhancedCode(at: i, s, to) {
                    return (i, e)
                }
            }
            i += 1
        }
        return nil
    }

    /// The flattened reply text: the continuation prefixes (`550-5.1.1 `) of a multi-line reply dropped,
    /// Exim's literal `\n` turned into spaces, runs of spaces at the joins collapsed. Returns the text and
    /// the reply code of the last line.
    ///
    /// - Parameters:
    ///   - replyStart: where the reply code is, when there is one.
    static func flatten(_ s: ByteSpan, _ from: Int, _ to: Int, replyStart: Int?) -> (text: String, lastCode: Int?) {
        guard from < to else { return ("", nil) }
        let code = replyStart.flatMap { SMTPReply.code(s, $0, to) }
        let hasEscapedNewline = s.find(0x5C, from, to) != nil && s.find("\\n", from, to) != nil
        let multiline = replyStart.map { $0 + 3 < to && s[$0 + 3] == 0x2D } ?? false
        if !hasEscapedNewline && !multiline {
            return (s.string(from, to), code)
        }
        var out = [UInt8]()
        out.reserveCapacity(to - from)
        var lastCode = code
        var i = from
        var enh: (Int, Int)?
        if let r = replyStart, code != nil {
            // Copy up to and including the first code, write a space for its separator.
            while i < r + 3 { out.append(s[i]); i += 1 }
            out.append(0x20)
            i = r + 4
            if let e = enhancedCode(at: i, s, to) { enh = (i, e) }
        }
        var continuing = multiline
        /// Skips a `CODE[- ][ENH ]` prefix at `j` when it continues the reply; returns the index after it.
        func skipPrefix(_ j: Int, exim: Bool) -> Int? {
            guard let c = SMTPReply.code(s, j, to) else { return nil }
            if !exim, c != code { return nil }
            if j + 3 < to, s[j + 3] == 0x20 { continuing = false }
            lastCode = c
            var k = min(j + 4, to)
            if let (es, ee) = enh, ee - es <= to - k, memcmp(s.base + k, s.base + es, ee - es) == 0,
                k + (ee - es) == to || s[k + (ee - es)] == 0x20
            {
                k += ee - es
            } else if exim, let e = enhancedCode(at: k, s, to) {
                k = e
            }
            return s.skipSpaces(k, to)
        }
        while i < to {
            let c = s[i]
            if c == 0x5C, i + 1 < to, s[i + 1] == 0x6E {
                // Exim: a literal `\n` between the lines of a multi-line reply.
                while let l = out.last, l == 0x20 { out.removeLast() }
                out.append(0x20)
                let j = s.skipSpaces(i + 2, to)
                i = skipPrefix(j, exim: true) ?? j
                continue
            }
            if continuing, c == 0x20, let j = skipPrefix(i + 1, exim: false) {
                while let l = out.last, l == 0x20 { out.removeLast() }
                out.append(0x20)
                i = j
                continue
            }
            out.append(c)
            i += 1
        }
        return (String(decoding: out, as: UTF8.self), lastCode)
    }

    /// The SMTP stage a Postfix diagnostic names: `(in reply to RCPT TO command)`, `while sending ...`,
    /// `refused to talk to me`, `connect to ...`.
    static func postfixStage(_ s: ByteSpan, _ from: Int, _ to: Int) -> SMTPStage? {
        if let i = s.find("(in reply to ", from, to) {
            let c = i + 13
            if s.has("RCPT TO", at: c, to) { return .rcpt }
            if s.has("end of DATA", at: c, to) || s.has("DATA", at: c, to) || s.has("BDAT", at: c, to) { return .data }
            if s.has("MAIL FROM", at: c, to) { return .mail }
            if s.has("EHLO", at: c, to) || s.has("HELO", at: c, to) || s.has("LHLO", at: c, to)
                || s.has("STARTTLS", at: c, to)
            {
                return .ehlo
            }
            return nil
        }
        if s.find("refused to talk to me", from, to) != nil || s.find("initial server greeting", from, to) != nil {
            return .conn
        }
        if let i = s.find("while ", from, to) {
            if s.find("EHLO handshake", i, to) != nil || s.find("HELO handshake", i, to) != nil
                || s.find("LHLO handshake", i, to) != nil || s.find("TLS handshake", i, to) != nil
            {
                return .ehlo
            }
            if s.find("sending MAIL FROM", i, to) != nil { return .mail }
            if s.find("sending RCPT TO", i, to) != nil { return .rcpt }
            if s.find("sending DATA", i, to) != nil || s.find("end of data", i, to) != nil
                || s.find("message body", i, to) != nil
            {
                return .data
            }
        }
        if s.find("connect to ", from, to) != nil { return .conn }
        return nil
    }

    /// The SMTP stage an Exim error names: `after RCPT TO:<...>`, `after end of data`, `after MAIL FROM`,
    /// `after initial connection`, `in response to ...`.
    static func eximStage(_ s: ByteSpan, _ from: Int, _ to: Int) -> SMTPStage? {
        var i = s.find("after ", from, to).map { $0 + 6 } ?? s.find("in response to ", from, to).map { $0 + 15 }
        guard var c = i else { return nil }
        if s.has("pipelined ", at: c, to) { c += 10 }
        i = c
        if s.has("RCPT TO", at: c, to) { return .rcpt }
        if s.has("end of data", at: c, to) || s.has("DATA", at: c, to) || s.has("sending data block", at: c, to)
            || s.has("BDAT", at: c, to)
        {
            return .data
        }
        if s.has("MAIL FROM", at: c, to) { return .mail }
        if s.has("initial connection", at: c, to) { return .conn }
        if s.has("EHLO", at: c, to) || s.has("HELO", at: c, to) || s.has("STARTTLS", at: c, to) { return .ehlo }
        return nil
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
