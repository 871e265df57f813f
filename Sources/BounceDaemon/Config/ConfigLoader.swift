import Foundation
import TOMLKit

/// Loads and validates the configuration file.
///
/// Order of precedence, lowest first: built-in defaults, the file, flags (`ConfigOverride`s). Secrets
/// come from the environment or from files named in the configuration (`ListmonkConfig.resolveToken`),
/// never from the file itself or the command line.
public enum ConfigLoader {
    /// Loads `path`, or the default path when nil. A missing file at the default path gives the
    /// defaults (a build from source runs without installing); a missing file that was named is an error.
    public static func load(path: String? = nil, overrides: [ConfigOverride] = []) throws(ConfigError)
        -> BounceTailConfig
    {
        let explicit = path != nil
        let path = path ?? BounceTailConfig.defaultPath
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            if !explicit, !FileManager.default.fileExists(atPath: path) {
                return try parse("", origin: nil, overrides: overrides)
            }
            throw ConfigError(issues: [
                ConfigIssue(kind: .unreadable, origin: path, message: Self.readFailure(path: path, error: error))
            ])
        }
        return try parse(text, origin: path, overrides: overrides)
    }

    /// Parses and validates configuration text. `origin` names the file in messages.
    public static func parse(_ text: String, origin: String? = nil, overrides: [ConfigOverride] = [])
        throws(ConfigError) -> BounceTailConfig
    {
        let (config, context) = decode(text, origin: origin, overrides: overrides)
        if let config, context.issues.isEmpty { return config }
        let sorted = context.issues.enumerated().sorted { a, b in
            // File order where lines are known; flag issues after, in the order found.
            switch (a.element.line, b.element.line) {
            case let (x?, y?): return x != y ? x < y : a.offset < b.offset
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a.offset < b.offset
            }
        }.map(\.element)
        throw ConfigError(issues: sorted)
    }

    /// Every key path the model reads (array indices removed, e.g. `sources.file.paths`), as found by
    /// decoding `text`; with text that has one `[[sources.file]]` this is the whole schema.
    public static func schemaKeys(decoding text: String) -> Set<String> {
        decode(text, origin: nil, overrides: []).1.schemaKeys
    }

    private static func decode(_ text: String, origin: String?, overrides: [ConfigOverride]) -> (
        BounceTailConfig?, ConfigDecodingContext
    ) {
        let context = ConfigDecodingContext(locator: TOMLKeyLocator(source: text), origin: origin)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            context.append(
                ConfigIssue(
                    kind: .syntax, origin: origin, line: error.source.begin.line, column: error.source.begin.column,
                    message: "not valid TOML: \(error.description)"))
            return (nil, context)
        } catch {
            context.append(ConfigIssue(kind: .syntax, origin: origin, message: "not valid TOML: \(error)"))
            return (nil, context)
        }
        for o in overrides { apply(o, to: table, context: context) }
        let root = TableReader(table: table, path: "", schemaPath: "", context: context)
        return (BounceTailConfig(reading: root), context)
    }

    private static func apply(_ override: ConfigOverride, to root: TOMLTable, context: ConfigDecodingContext) {
        let parts = override.keyPath.split(separator: ".").map(String.init)
        guard let last = parts.last else { return }
        var table = root
        for part in parts.dropLast() {
            if let existing = table[part] {
                guard let t = existing.table else {
                    context.append(
                        ConfigIssue(
                            kind: .wrongType, origin: override.origin, keyPath: override.keyPath,
                            message: "\(part) is not a table"))
                    return
                }
                table = t
            } else {
                table[part] = TOMLTable()
                guard let t = table[part]?.table else { return }
                table = t
            }
        }
        switch override.value {
        case .string(let s): table[last] = s
        case .int(let i): table[last] = i
        case .double(let d): table[last] = d
        case .bool(let b): table[last] = b
        case .strings(let a): table[last] = TOMLArray(a)
        }
        context.overrideOrigins[override.keyPath] = override.origin
    }

    private static func readFailure(path: String, error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if !FileManager.default.fileExists(atPath: path) {
            return
                "no such file; pass the right path with --config or create it (an annotated example is in /usr/share/doc/bouncetail)"
        }
        if !FileManager.default.isReadableFile(atPath: path) {
            return
                "permission denied; the file must be readable by the user bouncetail runs as (the package installs it root:bouncetail 0640)"
        }
        if underlying != nil || (error as NSError).code == NSFileReadInapplicableStringEncodingError {
            return "cannot be read as UTF-8 text (\(error.localizedDescription))"
        }
        return "cannot be read: \(error.localizedDescription)"
    }
}
