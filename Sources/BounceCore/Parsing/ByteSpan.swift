#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A read-only view of the bytes of one line, with the scanning primitives the parsers use.
///
/// Indices are plain `Int` offsets from `base`; every primitive takes an explicit `[from, to)` range and
/// never reads outside `[0, count)`, so any byte sequence is safe (NUL, invalid UTF-8, huge lines).
/// Nothing here allocates except ``string(_:_:)``.
@usableFromInline
struct ByteSpan {
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let count: Int

    @inlinable
    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    @inlinable
    subscript(_ i: Int) -> UInt8 { base[i] }

    /// The first index of `byte` in `[from, to)`.
    @inlinable
    func find(_ byte: UInt8, _ from: Int, _ to: Int) -> Int? {
        guard from < to else { return nil }
        guard let p = memchr(base + from, Int32(byte), to - from) else { return nil }
        return UnsafeRawPointer(p) - UnsafeRawPointer(base)
    }

    /// The first index of `needle` in `[from, to)`.
    @inlinable
    func find(_ needle: StaticString, _ from: Int, _ to: Int) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard from >= 0, to - from >= n, n > 0 else { return nil }
        // memchr for the first byte, memcmp for the rest: glibc's memmem is not exported to Swift.
        let first = needle.utf8Start[0]
        let last = to - n
        var i = from
        while i <= last {
            guard let p = memchr(base + i, Int32(first), last - i + 1) else { return nil }
            let k = UnsafeRawPointer(p) - UnsafeRawPointer(base)
            if n == 1 || memcmp(base + k + 1, needle.utf8Start + 1, n - 1) == 0 { return k }
            i = k + 1
        }
        return nil
    }

    /// The last index of `byte` in `[from, to)`.
    @inlinable
    func findLast(_ byte: UInt8, _ from: Int, _ to: Int) -> Int? {
        var i = to - 1
        while i >= from {
            if base[i] == byte { return i }
            i -= 1
        }
        return nil
    }

    /// Whether `[at, to)` starts with `prefix`.
    @inlinable
    func has(_ prefix: StaticString, at: Int, _ to: Int) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard at >= 0, to - at >= n else { return false }
        return memcmp(base + at, prefix.utf8Start, n) == 0
    }

    /// Whether `[from, to)` is exactly `word`.
    @inlinable
    func equals(_ word: StaticString, _ from: Int, _ to: Int) -> Bool {
        to - from == word.utf8CodeUnitCount && has(word, at: from, to)
    }

    /// Whether `[from, to)` ends with `suffix`.
    @inlinable
    func hasSuffix(_ suffix: StaticString, _ from: Int, _ to: Int) -> Bool {
        let n = suffix.utf8CodeUnitCount
        guard to - from >= n else { return false }
        return memcmp(base + (to - n), suffix.utf8Start, n) == 0
    }

    /// The index of the first byte in `[from, to)` that is not a space.
    @inlinable
    func skipSpaces(_ from: Int, _ to: Int) -> Int {
        var i = from
        while i < to && base[i] == 0x20 { i += 1 }
        return i
    }

    /// The end of `[from, to)` with trailing spaces, tabs, CR and LF dropped.
    @inlinable
    func trimEnd(_ from: Int, _ to: Int) -> Int {
        var e = to
        while e > from, base[e - 1] == 0x20 || base[e - 1] == 0x09 || base[e - 1] == 0x0D || base[e - 1] == 0x0A {
            e -= 1
        }
        return e
    }

    /// The index of the first space in `[from, to)`, or `to`.
    @inlinable
    func wordEnd(_ from: Int, _ to: Int) -> Int {
        find(0x20, from, to) ?? to
    }

    /// The decimal number spelled by `[from, to)`; nil when empty, not all digits, or too long.
    @inlinable
    func int(_ from: Int, _ to: Int) -> Int? {
        guard from < to, to - from <= 18 else { return nil }
        var v = 0
        for i in from..<to {
            let d = base[i] &- 0x30
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// The number of ASCII digits starting at `from` (not past `to`).
    @inlinable
    func digitRun(_ from: Int, _ to: Int) -> Int {
        var i = from
        while i < to && base[i] &- 0x30 < 10 { i += 1 }
        return i - from
    }

    /// `[from, to)` as a String; invalid UTF-8 becomes U+FFFD, so this never fails.
    @inlinable
    func string(_ from: Int, _ to: Int) -> String {
        guard from < to else { return "" }
        return String(decoding: UnsafeBufferPointer(start: base + from, count: to - from), as: UTF8.self)
    }
}

extension UInt8 {
    @inlinable var isASCIIDigit: Bool { self &- 0x30 < 10 }
    @inlinable var isASCIIAlpha: Bool { (self | 0x20) &- 0x61 < 26 }
    @inlinable var isASCIIAlnum: Bool { isASCIIDigit || isASCIIAlpha }
}
