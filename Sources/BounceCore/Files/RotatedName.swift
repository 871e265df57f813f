/// A log file name taken apart the way logrotate, savelog and exicyclog build them:
/// `BASE`, `BASE.N`, `BASE-DATE` or `BASE.DATE`, each optionally followed by a compression suffix.
public struct RotatedName: Sendable, Hashable {
    /// How a rotated copy is marked.
    public enum Mark: Sendable, Hashable {
        /// The live file (`mail.log`).
        case current
        /// `BASE.N`: higher is older (`.0` is savelog's newest).
        case numbered(Int)
        /// `BASE-YYYYMMDD[HH…]` or `BASE.YYYY-MM-DD`: the date's digits; lower is older.
        case dated(String)
    }

    /// The compression a name says its file has.
    public enum Compression: String, Sendable, Hashable, CaseIterable {
        case gzip = "gz"
        case bzip2 = "bz2"
        case xz = "xz"
        case zstd = "zst"
    }

    /// The path as given.
    public var path: String
    /// The directory part, with its trailing `/`, or "" for a bare name.
    public var directory: String
    /// The base name shared by the family (`mail.log`).
    public var base: String
    /// The rotation mark.
    public var mark: Mark
    /// The compression suffix, if any.
    public var compression: Compression?

    /// The family key: directory and base name.
    public var familyKey: String { directory + base }

    /// Takes `path` apart. Every name parses: one without a rotation mark is a `.current` of its own family.
    public init(path: String) {
        self.path = path
        let bytes = Array(path.utf8)
        let slash = bytes.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
        directory = String(decoding: bytes[..<slash], as: UTF8.self)
        var name = Array(bytes[slash...])

        compression = nil
        if let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > 0 {
            let ext = String(decoding: name[(dot + 1)...], as: UTF8.self)
            if let c = Compression(rawValue: ext) {
                compression = c
                name.removeSubrange(dot...)
            }
        }

        mark = .current
        // The trailing run of digits, '-' and '_' is a rotation mark when a separator precedes its digits.
        var start = name.count
        while start > 0, Self.isMarkByte(name[start - 1]) { start -= 1 }
        var digitsStart = start
        while digitsStart < name.count, !Self.isDigit(name[digitsStart]) { digitsStart += 1 }
        let run = name[digitsStart...]
        let digits = run.filter(Self.isDigit)
        let separatorIndex = digitsStart - 1
        if !digits.isEmpty, separatorIndex > 0, Self.isSeparator(name[separatorIndex]),
            Self.isDigit(name[name.count - 1])
        {
            let baseEnd = separatorIndex
            if digits.count >= 8 {
                mark = .dated(String(decoding: digits, as: UTF8.self))
                name.removeSubrange(baseEnd...)
            } else if digits.count == run.count, let n = Int(String(decoding: digits, as: UTF8.self)) {
                mark = .numbered(n)
                name.removeSubrange(baseEnd...)
            }
        }
        base = String(decoding: name, as: UTF8.self)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    private static func isMarkByte(_ b: UInt8) -> Bool {
        isDigit(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
    }
    private static func isSeparator(_ b: UInt8) -> Bool { b == UInt8(ascii: ".") || b == UInt8(ascii: "-") }
}
