import BounceCore
import Foundation
import TOMLKit

/// The compact binary form of one parsed pattern file, as the one-shot commands use it (`locate: false`):
/// what ``PatternLoader`` would read from the file's TOML, minus the test vectors (only `check-patterns`
/// runs them) and minus line numbers (every location is line 0 of the file, as without `locate`).
///
/// The default files' forms are generated at build time (`scripts/embed-patterns.sh`) into
/// ``EmbeddedCompiledPatterns`` and used only for a file whose bytes equal an embedded default file's,
/// so nothing read from disk is ever trusted in this form (see docs/design/2026-12-03-pattern-load.md).
enum CompiledPatternFile {
    /// Bumped whenever the encoding or what the loader reads changes; a form with another version is
    /// ignored (the file is read from its TOML).
    static let version: UInt64 = 1

    /// The encoded form of a file parsed without problems, or nil when the file holds something this form
    /// cannot carry (then it is always read from its TOML).
    static func encode(_ f: PatternLoader.ParsedFile) -> [UInt8]? {
        var w = Writer()
        w.int(version)
        w.count(f.providers.count)
        for p in f.providers {
            w.string(p.id)
            w.strings(p.hosts)
            w.strings(p.domains)
        }
        w.count(f.rules.count)
        for r in f.rules { w.rule(r) }
        w.count(f.disables.count)
        for d in f.disables { w.string(d.id) }
        w.count(f.policy.count)
        for p in f.policy {
            w.string(p.reason)
            w.string(p.type.rawValue)
            w.string(p.fault.rawValue)
            w.string(p.action.rawValue)
            w.bool(p.softWhenTemporary)
        }
        w.count(f.settings.count)
        for s in f.settings {
            w.string(s.key)
            // Only the kinds the loader accepts for a setting; anything else keeps the file in TOML form,
            // so its error reads as before.
            if let b = s.value.bool {
                w.byte(1)
                w.bool(b)
            } else if let t = s.value.string {
                w.byte(2)
                w.string(t)
            } else {
                return nil
            }
        }
        w.count(f.formats.count)
        for x in f.formats {
            w.string(x.id)
            w.string(x.mta.rawValue)
            w.strings(x.prefilter)
            w.string(x.regex.pattern)
            let keys = x.statusMap.keys.sorted()
            w.count(keys.count)
            for k in keys {
                w.string(k)
                w.string(x.statusMap[k]!.rawValue)
            }
        }
        return w.bytes
    }

    /// The parsed file `name` from its encoded form, or nil when the form is damaged or of another version.
    static func decode(_ bytes: [UInt8], name: String) -> PatternLoader.ParsedFile? {
        var r = Reader(bytes: bytes)
        return try? r.file(name: name)
    }

    /// FNV-1a (64 bits) of a text's UTF-8 bytes: ties a generated form to the text it came from, so a form
    /// left stale by an edit to `patterns/` is not used (the bytes themselves are compared as well).
    static func fingerprint(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var copy = text
        copy.withUTF8 { buf in
            for b in buf {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
        }
        return h
    }

    // MARK: - Encoding

    struct Writer {
        var bytes: [UInt8] = []

        mutating func byte(_ b: UInt8) { bytes.append(b) }

        /// LEB128.
        mutating func int(_ v: UInt64) {
            var v = v
            while v >= 0x80 {
                bytes.append(UInt8(v & 0x7f) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }

        mutating func count(_ n: Int) { int(UInt64(n)) }
        mutating func signed(_ n: Int) { int(UInt64(bitPattern: Int64(n))) }
        mutating func bool(_ b: Bool) { bytes.append(b ? 1 : 0) }

        mutating func string(_ s: String) {
            count(s.utf8.count)
            bytes += s.utf8
        }

        mutating func optional(_ s: String?) {
            if let s {
                byte(1)
                string(s)
            } else {
                byte(0)
            }
        }

        mutating func strings(_ list: [String]) {
            count(list.count)
            for s in list { string(s) }
        }

        mutating func rule(_ r: Rule) {
            string(r.id)
            string(r.section.rawValue)
            optional(r.provider)
            string(r.reason)
            let c = r.conditions
            strings(c.codes.map(\.description))
            strings(c.notCodes.map(\.description))
            count(c.replyCodes.count)
            for v in c.replyCodes { signed(v) }
            strings(c.stages.map(\.rawValue))
            strings(c.notStages.map(\.rawValue))
            byte(c.stageKnown.map { $0 ? 2 : 1 } ?? 0)
            strings(c.statuses.map(\.rawValue))
            optional(c.permanence?.rawValue)
            strings(c.contains)
            count(c.words.count)
            for list in c.words { strings(list) }
            strings(c.notContains)
            optional(c.regex?.pattern)
            optional(c.sameTextAs)
            bool(c.anyText)
            bool(r.disabled)
            strings(r.sources)
            optional(r.note)
            bool(r.soft)
        }
    }

    // MARK: - Decoding

    struct Damaged: Error {}

    struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func byte() throws -> UInt8 {
            guard at < bytes.count else { throw Damaged() }
            at += 1
            return bytes[at - 1]
        }

        mutating func int() throws -> UInt64 {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64 else { throw Damaged() }
                v |= UInt64(b & 0x7f) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }

        mutating func count() throws -> Int {
            let n = try int()
            // No list or string is longer than the form itself.
            guard n <= UInt64(bytes.count) else { throw Damaged() }
            return Int(n)
        }

        mutating func signed() throws -> Int { Int(Int64(bitPattern: try int())) }

        mutating func bool() throws -> Bool {
            switch try byte() {
            case 0: return false
            case 1: return true
            default: throw Damaged()
            }
        }

        mutating func string() throws -> String {
            let n = try count()
            guard at + n <= bytes.count else { throw Damaged() }
            defer { at += n }
            return String(decoding: bytes[at..<(at + n)], as: UTF8.self)
        }

        mutating func optional() throws -> String? {
            try bool() ? string() : nil
        }

        mutating func strings() throws -> [String] {
            let n = try count()
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try string()) }
            return out
        }

        mutating func value<T: RawRepresentable>(_: T.Type) throws -> T where T.RawValue == String {
            guard let v = T(rawValue: try string()) else { throw Damaged() }
            return v
        }

        mutating func values<T: RawRepresentable>(_: T.Type) throws -> [T] where T.RawValue == String {
            try strings().map { s in
                guard let v = T(rawValue: s) else { throw Damaged() }
                return v
            }
        }

        mutating func codes() throws -> [CodePattern] {
            try strings().map { s in
                guard let p = CodePattern(s) else { throw Damaged() }
                return p
            }
        }

        mutating func file(name: String) throws -> PatternLoader.ParsedFile {
            guard try int() == CompiledPatternFile.version else { throw Damaged() }
            let here = SourceLocation(file: name, line: 0)
            var f = PatternLoader.ParsedFile(name: name)
            for _ in 0..<(try count()) {
                f.providers.append(
                    Provider(id: try string(), hosts: try strings(), domains: try strings(), location: here))
            }
            for _ in 0..<(try count()) { f.rules.append(try rule(here)) }
            for _ in 0..<(try count()) { f.disables.append((try string(), here)) }
            for _ in 0..<(try count()) {
                f.policy.append(
                    ReasonPolicy(
                        reason: try string(), type: try value(BounceType.self), fault: try value(Fault.self),
                        action: try value(ForwardAction.self), softWhenTemporary: try bool(), location: here))
            }
            for _ in 0..<(try count()) {
                let key = try string()
                switch try byte() {
                case 1: f.settings.append((key, try bool(), here))
                case 2: f.settings.append((key, try string(), here))
                default: throw Damaged()
                }
            }
            for _ in 0..<(try count()) {
                let id = try string()
                let mta = try value(MTA.self)
                let prefilter = try strings()
                let regex = CompiledRegex(compiledBefore: try string())
                var map: [String: DeliveryStatus] = [:]
                for _ in 0..<(try count()) { map[try string()] = try value(DeliveryStatus.self) }
                f.formats.append(
                    LineFormat(
                        id: id, mta: mta, prefilter: prefilter, regex: regex, statusMap: map, vectors: [],
                        location: here))
            }
            guard at == bytes.count else { throw Damaged() }
            return f
        }

        mutating func rule(_ here: SourceLocation) throws -> Rule {
            let id = try string()
            let section = try value(RuleSection.self)
            let provider = try optional()
            let reason = try string()
            var c = RuleConditions()
            c.codes = try codes()
            c.notCodes = try codes()
            for _ in 0..<(try count()) { c.replyCodes.append(try signed()) }
            c.stages = try values(SMTPStage.self)
            c.notStages = try values(SMTPStage.self)
            switch try byte() {
            case 0: c.stageKnown = nil
            case 1: c.stageKnown = false
            case 2: c.stageKnown = true
            default: throw Damaged()
            }
            c.statuses = try values(DeliveryStatus.self)
            if let p = try optional() {
                guard let v = Permanence(rawValue: p) else { throw Damaged() }
                c.permanence = v
            }
            c.contains = try strings()
            for _ in 0..<(try count()) { c.words.append(try strings()) }
            c.notContains = try strings()
            if let p = try optional() { c.regex = CompiledRegex(compiledBefore: p) }
            c.sameTextAs = try optional()
            c.anyText = try bool()
            let disabled = try bool()
            let sources = try strings()
            let note = try optional()
            let soft = try bool()
            return Rule(
                id: id, section: section, provider: provider, reason: reason, conditions: c, disabled: disabled,
                vectors: [], location: here, sources: sources, note: note, soft: soft)
        }
    }
}
