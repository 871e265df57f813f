/// Reading the few server answers the pollers act on. libcurl speaks the protocols; these are the
/// lines it hands back as body.
public enum MailboxResponses {
    /// The UIDs of IMAP `* SEARCH` lines (RFC 3501 7.2.5), in order, without repeats.
    public static func searchUIDs(_ bytes: [UInt8]) -> [UInt32] {
        var out: [UInt32] = []
        var seen = Set<UInt32>()
        for line in lines(bytes) {
            let words = line.split(separator: " ")
            guard words.count >= 2, words[0] == "*", words[1].uppercased() == "SEARCH" else { continue }
            for w in words.dropFirst(2) {
                guard let uid = UInt32(w), uid > 0, seen.insert(uid).inserted else { continue }
                out.append(uid)
            }
        }
        return out
    }

    /// The message numbers of a POP3 LIST answer (RFC 1939: `n size` per line), in order.
    public static func listNumbers(_ bytes: [UInt8]) -> [Int] {
        var out: [Int] = []
        for line in lines(bytes) {
            let words = line.split(separator: " ")
            guard words.count >= 2, let n = Int(words[0]), n > 0, Int(words[1]) != nil else { continue }
            out.append(n)
        }
        return out
    }

    /// An IMAP mailbox name as a quoted string (RFC 3501 `quoted`): `\` and `"` escaped.
    public static func quoted(_ name: String) -> String {
        "\"" + name.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    private static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { String($0) }
    }
}
