import TOMLKit

/// Collects the issues of one load and knows where keys were written.
final class ConfigDecodingContext {
    private(set) var issues: [ConfigIssue] = []
    /// Every key path the model asked for, with array indices removed (`sources.file.paths`): the schema.
    private(set) var schemaKeys: Set<String> = []
    let locator: TOMLKeyLocator
    let origin: String?
    /// Key paths set by an override (a flag, an environment variable), with the name of that override.
    var overrideOrigins: [String: String] = [:]

    init(locator: TOMLKeyLocator, origin: String?) {
        self.locator = locator
        self.origin = origin
    }

    func noteSchemaKey(_ path: String) { schemaKeys.insert(path) }

    func report(_ kind: ConfigIssue.Kind, keyPath: String?, _ message: String) {
        if let keyPath, let override = overrideOrigins[keyPath] {
            issues.append(ConfigIssue(kind: kind, origin: override, keyPath: keyPath, message: message))
            return
        }
        let line = keyPath.flatMap { locator.line(of: $0) }
        issues.append(ConfigIssue(kind: kind, origin: origin, keyPath: keyPath, line: line, message: message))
    }

    func append(_ issue: ConfigIssue) { issues.append(issue) }
}

/// Reads typed values out of one TOML table, recording which keys the model knows so that the rest
/// can be reported as unknown, and reporting every bad value with its key path and line.
final class TableReader {
    let table: TOMLTable?
    /// The path used in messages (`sources.file[1]`).
    let path: String
    /// The path used for the schema (`sources.file`).
    let schemaPath: String
    let context: ConfigDecodingContext
    private var known: [String] = []
    private var rejected: [String] = []

    init(table: TOMLTable?, path: String, schemaPath: String, context: ConfigDecodingContext) {
        self.table = table
        self.path = path
        self.schemaPath = schemaPath
        self.context = context
    }

    /// Whether the table was written in the file at all.
    var isPresent: Bool { table != nil }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func raw(_ key: String) -> (any TOMLValueConvertible)? {
        known.append(key)
        context.noteSchemaKey(schemaPath.isEmpty ? key : "\(schemaPath).\(key)")
        guard let table, table.contains(key: key) else { return nil }
        return table[key]
    }

    func wrongType(_ key: String, expected: String, found value: any TOMLValueConvertible) {
        context.report(.wrongType, keyPath: keyPath(key), "expected \(expected), found \(Self.describe(value))")
    }

    func invalid(_ key: String, _ message: String) {
        context.report(.invalidValue, keyPath: keyPath(key), message)
    }

    func missing(_ key: String, _ message: String) {
        context.report(.missing, keyPath: keyPath(key), message)
    }

    func string(_ key: String) -> String? {
        guard let value = raw(key) else { return nil }
        guard let s = value.string else { wrongType(key, expected: "a string", found: value); return nil }
        return s
    }

    /// A string that must not be empty.
    func nonEmptyString(_ key: String) -> String? {
        guard let s = string(key) else { return nil }
        if s.trimmingWhitespace().isEmpty { invalid(key, "must not be empty"); return nil }
        return s
    }

    func bool(_ key: String) -> Bool? {
        guard let value = raw(key) else { return nil }
        guard let b = value.bool else { wrongType(key, expected: "true or false", found: value); return nil }
        return b
    }

    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = raw(key) else { return nil }
        guard value.type == .int, let i = value.int else {
            wrongType(key, expected: "an integer", found: value); return nil
        }
        guard range.contains(i) else {
            invalid(key, "\(i) is out of range; allowed: \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return i
    }

    func double(_ key: String, greaterThan minimum: Double, atMost maximum: Double) -> Double? {
        guard let value = raw(key) else { return nil }
        let d: Double
        if value.type == .int, let i = value.int {
            d = Double(i)
        } else if value.type == .double, let x = value.double {
            d = x
        } else {
            wrongType(key, expected: "a number", found: value); return nil
        }
        guard d > minimum, d <= maximum else {
            invalid(key, "\(d) is out of range; allowed: more than \(minimum), at most \(maximum)")
            return nil
        }
        return d
    }

    func strings(_ key: String) -> [String]? {
        guard let value = raw(key) else { return nil }
        if value.type == .string, let s = value.string { return [s] }
        guard let array = value.array else { wrongType(key, expected: "an array of strings", found: value); return nil }
        var out: [String] = []
        for (i, element) in array.enumerated() {
            guard let s = element.string else {
                context.report(
                    .wrongType, keyPath: "\(keyPath(key))[\(i)]", "expected a string, found \(Self.describe(element))")
                return nil
            }
            out.append(s)
        }
        return out
    }

    func duration(_ key: String) -> ConfigDuration? {
        guard let value = raw(key) else { return nil }
        if value.type == .int, value.int == 0 { return ConfigDuration(milliseconds: 0) }
        guard let s = value.string else {
            wrongType(key, expected: "a duration string like \"30d\"", found: value); return nil
        }
        guard let d = ConfigDuration(parsing: s) else {
            invalid(key, "\"\(s)\" is not a duration; use \(ConfigDuration.syntaxHelp)")
            return nil
        }
        return d
    }

    func size(_ key: String) -> ByteSize? {
        guard let value = raw(key) else { return nil }
        if value.type == .int, let i = value.int {
            guard i >= 0 else { invalid(key, "a size cannot be negative"); return nil }
            return ByteSize(bytes: Int64(i))
        }
        guard let s = value.string else { wrongType(key, expected: "a size like \"512MiB\"", found: value); return nil }
        guard let size = ByteSize(parsing: s) else {
            invalid(key, "\"\(s)\" is not a size; use \(ByteSize.syntaxHelp)")
            return nil
        }
        return size
    }

    func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type = E.self) -> E?
    where E.RawValue == String {
        guard let s = string(key) else { return nil }
        guard let e = E(rawValue: s) else {
            invalid(
                key,
                "\"\(s)\" is not allowed; use one of: \(E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))"
            )
            return nil
        }
        return e
    }

    func table(_ key: String) -> TableReader {
        let sub: TOMLTable?
        if let value = raw(key) {
            if let t = value.table {
                sub = t
            } else {
                wrongType(key, expected: "a table ([\(keyPath(key))])", found: value)
                sub = nil
            }
        } else {
            sub = nil
        }
        let schema = schemaPath.isEmpty ? key : "\(schemaPath).\(key)"
        return TableReader(table: sub, path: keyPath(key), schemaPath: schema, context: context)
    }

    func tableArray(_ key: String) -> [TableReader] {
        guard let value = raw(key) else { return [] }
        guard let array = value.array else {
            wrongType(key, expected: "an array of tables ([[\(keyPath(key))]])", found: value)
            return []
        }
        let schema = schemaPath.isEmpty ? key : "\(schemaPath).\(key)"
        var out: [TableReader] = []
        for (i, element) in array.enumerated() {
            guard let t = element.table else {
                context.report(
                    .wrongType, keyPath: "\(keyPath(key))[\(i)]", "expected a table, found \(Self.describe(element))")
                continue
            }
            out.append(TableReader(table: t, path: "\(keyPath(key))[\(i)]", schemaPath: schema, context: context))
        }
        return out
    }

    /// Reports a key that must not be written (e.g. a secret), without making it part of the schema.
    func reject(_ key: String, _ message: String) {
        guard let table, table.contains(key: key) else { return }
        rejected.append(key)
        invalid(key, message)
    }

    /// Reports every key of the table that no accessor asked for.
    func finish() {
        guard let table else { return }
        for key in table.keys.sorted() where !known.contains(key) && !rejected.contains(key) {
            var message = "unknown key"
            if let suggestion = Self.closest(to: key, in: known) { message += "; did you mean \"\(suggestion)\"?" }
            let section = path.isEmpty ? "the top level" : "[\(path)]"
            message += " Allowed in \(section): \(known.joined(separator: ", "))"
            context.report(.unknownKey, keyPath: keyPath(key), message)
        }
    }

    static func describe(_ value: any TOMLValueConvertible) -> String {
        switch value.type {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a floating-point number"
        case .bool: return "a boolean"
        case .table: return "a table"
        case .array: return "an array"
        case .date: return "a date"
        case .time: return "a time"
        case .dateTime: return "a date-time"
        }
    }

    /// The known key nearest to a misspelt one, when the misspelling is small.
    static func closest(to key: String, in candidates: [String]) -> String? {
        var best: (String, Int)? = nil
        for c in candidates {
            let d = editDistance(Array(key), Array(c))
            if d <= max(2, key.count / 3), d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        return best?.0
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
