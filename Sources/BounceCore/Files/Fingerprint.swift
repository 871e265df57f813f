/// A 64-bit FNV-1a hash: tiny, dependency-free and stable across releases and machines.
///
/// It hashes at most ``FileIdentity/fullLength`` bytes per file, so its speed does not matter; its
/// stability does, because fingerprints are stored in the state database and compared after restarts.
public struct Fingerprint: Sendable, Hashable {
    /// The hash so far.
    public private(set) var value: UInt64

    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// A fresh hash of no bytes.
    public init() { value = Self.offsetBasis }

    /// Adds `bytes` to the hash.
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        var h = value
        for byte in bytes {
            h ^= UInt64(byte)
            h &*= Self.prime
        }
        value = h
    }

    /// The FNV-1a hash of `bytes`.
    public static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var f = Fingerprint()
        f.update(bytes)
        return f.value
    }
}
