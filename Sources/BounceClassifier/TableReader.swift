import TOMLKit

/// Finds the line of a key or id in a pattern file's text, since TOMLKit keeps no positions for values.
struct LineIndex {
    let file: String
    /// The first line (1-based) of each quoted value on a line that starts with `id` or `reason`.
    private let idLines: [Substring: Int]
    /// The first line of each `[[name]]` or `[name]` header.
    private let headerLines: [Substring: Int]
    /// The first line of each name that starts a line followed by a blank or `=` (`key = ...`).
    private let keyLines: [Substring: Int]
    /// Every line (1-based, ascending) that sets a vector's `line` or `expect` key, inline tables included.
    private let vectorKeyLines: [VectorKey: [Int]]

    // Every rule asks where it is written (for its error messages), so the lookups are indexed once per
    // file: scanning the file per rule made loading the pattern set quadratic, and it was most of a
    // `classify` or `ingest-mail` start-up (profile in docs/design/2026-12-03-mail-reader.md).
    init(text: String, file: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        self.file = file
        var ids: [Substring: Int] = [:]
        var headers: [Substring: Int] = [:]
        var keys: [Substring: Int] = [:]
        var vectorKeys: [VectorKey: [Int]] = [:]
        for (i, line) in lines.enumerated() {
            let t = line.drop { $0 == " " || $0 == "\t" }
            if t.isEmpty || t.hasPrefix("#") { continue }
            let n = i + 1
            let bytes = Array(t.utf8)
            for key in VectorKey.allCases where Self.sets(bytes, key: key.bytes) {
                vectorKeys[key, default: []].append(n)
            }
            if t.hasPrefix("[[") {
                if let end = t.firstRange(of: "]]") {
                    headers[t[t.index(t.startIndex, offsetBy: 2)..<end.lowerBound], default: n] = n
                }
            } else if t.hasPrefix("[") {
                if let end = t.firstIndex(of: "]") { headers[t[t.index(after: t.startIndex)..<end], default: n] = n }
            }
            if let end = t.firstIndex(where: { $0 == " " || $0 == "=" }) {
                keys[t[..<end], default: n] = n
            }
            if t.hasPrefix("id") || t.hasPrefix("reason") {
                for quote in ["\"", "'"] as [Character] {
                    let pieces = t.split(separator: quote, omittingEmptySubsequences: false)
                    // Every span between two quotes, as `contains("\"X\"")` would find it.
                    for k in stride(from: 1, to: pieces.count - 1, by: 1) { ids[pieces[k], default: n] = n }
                }
            }
        }
        idLines = ids
        headerLines = headers
        keyLines = keys
        vectorKeyLines = vectorKeys
    }

    /// An index that knows no lines: every location is line 0 of `file` (see `PatternLoader.load(locate:)`).
    init(unlocatedFile file: String) {
        self.file = file
        idLines = [:]
        headerLines = [:]
        keyLines = [:]
        vectorKeyLines = [:]
    }

    /// The keys ``nth(_:after:n:)`` answers for: the first key of a vector of each kind (a format's `line`,
    /// a rule's `expect`), indexed with the file since every vector asks.
    enum VectorKey: String, CaseIterable {
        case line
        case expect

        var bytes: [UInt8] { Array(rawValue.utf8) }
    }

    /// Whether the (indent-trimmed, uncommented) line sets `key`, as a key of its own (`key =`, `key=`) or
    /// in an inline table (`{key =`, `{ key =`, `, key =`).
    static func sets(_ t: Substring, key: String) -> Bool { sets(Array(t.utf8), key: Array(key.utf8)) }

    /// ``sets(_:key:)`` on the line's bytes, converted once for every key asked about.
    static func sets(_ line: [UInt8], key k: [UInt8]) -> Bool {
        // Bytes, not `String.contains`: this runs on every line of every pattern file at each start-up.
        guard line.count >= k.count else { return false }
        var p = 0
        while p + k.count <= line.count {
            if line[p] == k[0], line[p..<(p + k.count)].elementsEqual(k) {
                let after = p + k.count
                if p == 0 {
                    if after < line.count, line[after] == UInt8(ascii: " ") || line[after] == UInt8(ascii: "=") {
                        return true
                    }
                } else if line[p - 1] == UInt8(ascii: " ") || line[p - 1] == UInt8(ascii: "{"),
                    after + 1 < line.count, line[after] == UInt8(ascii: " "), line[after + 1] == UInt8(ascii: "=")
                {
                    return true
                }
            }
            p += 1
        }
        return false
    }

    /// The line of `id = "X"` (the entry's identity), else the first `[[kind]]` header.
    func id(_ id: String, kind: String) -> SourceLocation {
        if let n = idLines[Substring(id)] { return .init(file: file, line: n) }
        return header(kind)
    }

    func header(_ kind: String) -> SourceLocation {
        let n = [headerLines[Substring(kind)], keyLines[Substring(kind)]].compactMap { $0 }.min()
        return .init(file: file, line: n ?? 0)
    }

    func key(_ key: String) -> SourceLocation {
        .init(file: file, line: keyLines[Substring(key)] ?? 0)
    }

    /// The `n`th (0-based) line after line `after` (1-based) that sets `key`, inline tables included.
    func nth(_ key: VectorKey, after: Int, n: Int) -> SourceLocation? {
        // From the index built with the file: a scan per vector was a quarter of an `ingest-mail` start-up.
        let all = vectorKeyLines[key] ?? []
        var lo = 0
        var hi = all.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if all[mid] <= after { lo = mid + 1 } else { hi = mid }
        }
        return lo + n < all.count ? .init(file: file, line: all[lo + n]) : nil
    }
}

/// Reads typed values from one TOML table and collects problems with the entry's location.
struct TableReader {
    let table: TOMLTable
    let kind: String
    let lines: LineIndex
    var location: SourceLocation
    var problems: [PatternProblem] = []

    init(table: TOMLTable, kind: String, lines: LineIndex, index: Int) {
        self.table = table
        self.kind = kind
        self.lines = lines
        if let id = table["id"]?.string {
            self.location = lines.id(id, kind: kind)
        } else {
            self.location = lines.header(kind)
        }
    }

    mutating func locateBy(key: String, value: String) {
        location = lines.id(value, kind: kind)
    }

    mutating func fail(_ message: String) {
        problems.append(.init(location: location, message: message))
    }

    mutating func string(_ key: String) -> String? {
        guard let v = table[key] else { return nil }
        guard let s = v.string else {
            fail("`\(key)` in [[\(kind)]] must be a string, not \(v.type)")
            return nil
        }
        return s
    }

    mutating func requiredString(_ key: String) -> String? {
        guard table[key] != nil else {
            fail("[[\(kind)]] entry needs `\(key)`")
            return nil
        }
        return string(key)
    }

    mutating func int(_ key: String) -> Int? {
        guard let v = table[key] else { return nil }
        guard let i = v.int else {
            fail("`\(key)` in [[\(kind)]] must be an integer, not \(v.type)")
            return nil
        }
        return i
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let v = table[key] else { return nil }
        guard let b = v.bool else {
            fail("`\(key)` in [[\(kind)]] must be true or false, not \(v.type)")
            return nil
        }
        return b
    }

    /// A string or a list of strings.
    mutating func strings(_ key: String) -> [String] {
        guard let v = table[key] else { return [] }
        if let s = v.string { return [s] }
        guard let a = v.array else {
            fail("`\(key)` in [[\(kind)]] must be a list of strings")
            return []
        }
        var out: [String] = []
        for e in a {
            if let s = e.string { out.append(s) } else { fail("`\(key)` in [[\(kind)]] must hold only strings") }
        }
        return out
    }

    mutating func ints(_ key: String) -> [Int] {
        guard let v = table[key] else { return [] }
        if let i = v.int { return [i] }
        guard let a = v.array else {
            fail("`\(key)` in [[\(kind)]] must be a list of integers")
            return []
        }
        var out: [Int] = []
        for e in a {
            if let i = e.int { out.append(i) } else { fail("`\(key)` in [[\(kind)]] must hold only integers") }
        }
        return out
    }

    mutating func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _: E.Type) -> E?
    where E.RawValue == String {
        guard let s = string(key) else { return nil }
        if let e = E(rawValue: s) ?? E(rawValue: s.uppercased()) ?? E(rawValue: s.lowercased()) { return e }
        fail(
            "`\(key)` = \"\(s)\" in [[\(kind)]]: expected one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        return nil
    }

    mutating func enumList<E: RawRepresentable & CaseIterable>(_ key: String, _: E.Type) -> [E]
    where E.RawValue == String {
        strings(key).compactMap { s in
            if let e = E(rawValue: s) ?? E(rawValue: s.uppercased()) ?? E(rawValue: s.lowercased()) { return e }
            fail(
                "`\(key)` value \"\(s)\" in [[\(kind)]]: expected one of \(E.allCases.map(\.rawValue).joined(separator: ", "))"
            )
            return nil
        }
    }

    /// A list of tables (`[[x.vector]]` or `vector = [{...}]`).
    mutating func tables(_ key: String) -> [TOMLTable] {
        guard let v = table[key] else { return [] }
        if let t = v.table { return [t] }
        guard let a = v.array else {
            fail("`\(key)` in [[\(kind)]] must be a list of tables: write [[\(kind).\(key)]]")
            return []
        }
        return a.compactMap { $0.table }
    }

    mutating func rejectUnknown(_ known: Set<String>) {
        for k in table.keys where !known.contains(k) {
            fail("unknown key `\(k)` in [[\(kind)]]; known keys: \(known.sorted().joined(separator: ", "))")
        }
    }
}
