/// The domain part of an e-mail address, for grouping by recipient domain (tracker, spike guard, outbox).
public enum AddressDomain {
    /// Lower-cased, after the last `@`; nil when there is no `@` or nothing after it.
    public static func of(_ address: String) -> String? {
        guard let at = address.utf8.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        let d = address[address.utf8.index(after: at)...]
        return d.isEmpty ? nil : d.lowercased()
    }
}
