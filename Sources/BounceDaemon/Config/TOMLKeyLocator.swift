/// Finds the line on which a key was written in a TOML document.
///
/// TOMLKit reports positions for syntax errors only, so for a semantic error ("bad value for
/// `outbox.hold_older_than`") we find the line by scanning the source text: table headers set the
/// current table (counting `[[array]]` occurrences so `sources.file[1].mta` is found in the second
/// `[[sources.file]]`), and `key = value` lines (dotted keys too) add `table.key`. Multi-line strings and
/// arrays are skipped so their contents are never mistaken for keys. This is a locator for messages,
/// not a parser: the document has already been parsed by TOMLKit when it is used.
public struct TOMLKeyLocator: Sendable {
    private var lines: [String: Int] = [:]

    /// Scans `source`.
    public init(source: String) {
        var table: [String] = []
        var arrayCounts: [String: Int] = [:]
        var inMultiLineString: String? = nil
        var bracketDepth = 0
        var lineNumber = 0
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if let delimiter = inMultiLineString {
                if line.contains(delimiter) { inMultiLineString = nil }
                continue
            }
            if bracketDepth > 0 {
                bracketDepth += Self.bracketBalance(line)
                continue
            }
            line = Self.stripComment(line)
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("[[") && trimmed.hasSuffix("]]") {
                let name = Self.splitKey(Substring(trimmed.dropFirst(2).dropLast(2)))
                let joined = name.joined(separator: ".")
                let index = arrayCounts[joined, default: 0]
                arrayCounts[joined] = index + 1
                table = Array(name.dropLast()) + ["\(name.last ?? "")[\(index)]"]
                // Index the path through any earlier array of tables too (sources.file[0] lives under sources).
                table = Self.resolve(table, arrayCounts: arrayCounts)
                lines[table.joined(separator: "."), default: lineNumber] = lineNumber
                continue
            }
            if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") {
                table = Self.resolve(Self.splitKey(Substring(trimmed.dropFirst().dropLast())), arrayCounts: arrayCounts)
                lines[table.joined(separator: "."), default: lineNumber] = lineNumber
                continue
            }
            guard let eq = Self.firstUnquotedEquals(trimmed) else { continue }
            let key = Self.splitKey(Substring(trimmed[..<eq]))
            var prefix: [String] = []
            for part in key {
                prefix.append(part)
                lines[(table + prefix).joined(separator: "."), default: lineNumber] = lineNumber
            }
            let value = trimmed[trimmed.index(after: eq)...].trimmingWhitespace()
            for delimiter in ["\"\"\"", "'''"] where value.hasPrefix(delimiter) {
                if !value.dropFirst(3).contains(delimiter) { inMultiLineString = delimiter }
            }
            if value.hasPrefix("[") { bracketDepth = max(0, Self.bracketBalance(Substring(value))) }
        }
    }

    /// The 1-based line where `keyPath` (e.g. `outbox.hold_older_than`, `sources.file[1].mta`) was
    /// written, or the line of its nearest enclosing table, or nil.
    public func line(of keyPath: String) -> Int? {
        var parts = keyPath.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            if let line = lines[parts.joined(separator: ".")] { return line }
            parts.removeLast()
        }
        return nil
    }

    // `a.b` names inside a header refer to the latest element of an array of tables named `a`.
    private static func resolve(_ path: [String], arrayCounts: [String: Int]) -> [String] {
        var out: [String] = []
        var plain: [String] = []
        for part in path {
            plain.append(part)
            let name = plain.joined(separator: ".")
            if !part.hasSuffix("]"), let count = arrayCounts[name], count > 0 {
                out.append("\(part)[\(count - 1)]")
            } else {
                out.append(part)
            }
        }
        return out
    }

    private static func splitKey(_ key: Substring) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character? = nil
        for c in key {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "." {
                parts.append(current.trimmingWhitespace()); current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current.trimmingWhitespace())
        return parts
    }

    private static func firstUnquotedEquals(_ s: String) -> String.Index? {
        var quote: Character? = nil
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "=" {
                return i
            }
            i = s.index(after: i)
        }
        return nil
    }

    private static func stripComment(_ line: Substring) -> Substring {
        var quote: Character? = nil
        var escaped = false
        for i in line.indices {
            let c = line[i]
            if escaped { escaped = false; continue }
            if let q = quote {
                if c == "\\" && q == "\"" { escaped = true } else if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" {
                return line[..<i]
            }
        }
        return line
    }

    private static func bracketBalance(_ line: Substring) -> Int {
        var balance = 0
        var quote: Character? = nil
        for c in stripComment(line) {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "[" {
                balance += 1
            } else if c == "]" {
                balance -= 1
            }
        }
        return balance
    }
}
