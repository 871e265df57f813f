/// An amount of bytes written in the configuration file as an integer (bytes) or a number and a unit:
/// `"512MiB"`, `"64KiB"`, `"1GiB"`, or the decimal `"10MB"`, `"1GB"`, or `"4096B"`.
public struct ByteSize: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The number of bytes.
    public var bytes: Int64

    /// Creates a size of `bytes`.
    public init(bytes: Int64) { self.bytes = bytes }

    /// Creates a size of `n` KiB.
    public static func kibibytes(_ n: Int64) -> ByteSize { ByteSize(bytes: n * 1024) }
    /// Creates a size of `n` MiB.
    public static func mebibytes(_ n: Int64) -> ByteSize { ByteSize(bytes: n * 1024 * 1024) }
    /// Creates a size of `n` GiB.
    public static func gibibytes(_ n: Int64) -> ByteSize { ByteSize(bytes: n * 1024 * 1024 * 1024) }

    /// What the parser accepts, for error messages.
    public static let syntaxHelp =
        #"an integer number of bytes or a number followed by B, KiB, MiB, GiB, TiB, KB, MB, GB or TB, e.g. "512MiB""#

    private static let units: [(String, Int64)] = [
        ("B", 1),
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
    ]

    /// Parses the textual form; nil when it is not a size.
    public init?(parsing text: String) {
        let s = text.trimmingWhitespace()
        let digits = s.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, let value = Int64(digits) else { return nil }
        let unit = s.dropFirst(digits.count).trimmingWhitespace()
        let factor: Int64
        if unit.isEmpty {
            factor = 1
        } else if let match = Self.units.first(where: { $0.0 == unit }) {
            factor = match.1
        } else {
            return nil
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow else { return nil }
        self.init(bytes: product)
    }

    /// The textual form, in binary units when the value is a whole number of them.
    public var description: String {
        for (unit, factor) in [("TiB", Int64(1) << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(unit)"
        }
        return "\(bytes)B"
    }

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }
}
