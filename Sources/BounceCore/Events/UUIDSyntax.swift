/// listmonk's UUID check (`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`).
///
/// A `campaign_uuid` that fails it makes listmonk drop the whole bounce after answering 200, and a bad
/// `subscriber_uuid` is a 400: such values are left out of the event.
public enum UUIDSyntax {
    public static func isWellFormed(_ s: String) -> Bool {
        var n = 0
        for c in s.utf8 {
            switch n {
            case 8, 13, 18, 23:
                guard c == UInt8(ascii: "-") else { return false }
            default:
                let hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
                guard hex else { return false }
            }
            n += 1
            if n > 36 { return false }
        }
        return n == 36
    }
}
