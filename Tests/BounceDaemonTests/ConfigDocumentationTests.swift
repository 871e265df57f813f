import Foundation
import Testing

@testable import BounceDaemon

/// The shipped example and the reference page must describe the model exactly.
@Suite struct ConfigDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func read(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    /// `section.key` for every row of every table under a `## \`[section]\`` heading.
    static func documentedKeys(_ markdown: String) -> Set<String> {
        var section: String? = nil
        var keys: Set<String> = []
        for line in markdown.split(separator: "\n") {
            if line.hasPrefix("## ") {
                let isSection = line.hasPrefix("## `[")
                section = isSection ? line.dropFirst(3).trimmingCharacters(in: CharacterSet(charactersIn: "`[] ")) : nil
                continue
            }
            guard let section, line.hasPrefix("| `") else { continue }
            let key = line.dropFirst(3).prefix(while: { $0 != "`" })
            keys.insert("\(section).\(key)")
        }
        return keys
    }

    @Test func theExampleFileLoads() throws {
        let text = try Self.read("packaging/bouncetail.toml")
        let config = try ConfigLoader.parse(text, origin: "packaging/bouncetail.toml")
        // The example shows defaults: it must mean the same as an empty file, but for what a stock Debian 12
        // needs (docs/design/2026-12-03-packaged-defaults.md): the journal (Postfix logs there, with or without
        // rsyslog), Exim's own log when it exists, and listmonk as soon as its URL is set (user and token file
        // named, sink "auto").
        var defaults = try ConfigLoader.parse("")
        defaults.sources.files = config.sources.files
        defaults.sources.journal.enabled = true
        defaults.listmonk.username = "bouncetail"
        defaults.listmonk.tokenFile = "/etc/bouncetail/listmonk.token"
        defaults.sink.automatic = true
        #expect(config == defaults)
        #expect(config.sources.files.map(\.paths) == [["/var/log/exim4/mainlog"]])
        #expect(config.sources.files.first?.optional == true && config.sources.files.first?.mta == .exim)
        #expect(config.sink.kind == .sqlite)
        // Setting the URL is the one change needed to send bounces to listmonk.
        let withURL = text.replacingOccurrences(
            of: #"#url = "https://lists.example.org""#, with: #"url = "https://lists.example.org""#)
        #expect(try ConfigLoader.parse(withURL).sink.kind == .webhook)
    }

    @Test func everyDocumentedKeyExistsAndEveryKeyIsDocumented() throws {
        let documented = Self.documentedKeys(try Self.read("docs/configuration.md"))
        // The example shows the mail inputs commented out; one of each makes their keys part of the model.
        let mailInputs = """

            [[mail.maildir]]
            path = "/m"

            [[mail.mailbox]]
            url = "imaps://h/INBOX"
            username = "u"
            password_env = "P"
            """
        let model = ConfigLoader.schemaKeys(decoding: try Self.read("packaging/bouncetail.toml") + mailInputs)
        let modelKeys = model.filter { key in
            // Table keys (general, sources.file, tracker.sender_filter, ...) are headings, not rows.
            !model.contains { $0.hasPrefix(key + ".") }
        }
        #expect(documented.count > 40)
        #expect(documented.subtracting(modelKeys).sorted() == [], "documented but not in the model")
        #expect(modelKeys.subtracting(documented).sorted() == [], "in the model but not documented")
    }

    @Test func everyKeyAppearsInTheExampleFile() throws {
        let text = try Self.read("packaging/bouncetail.toml")
        let model = ConfigLoader.schemaKeys(decoding: text)
        for key in model where !model.contains(where: { $0.hasPrefix(key + ".") }) {
            let last = key.split(separator: ".").last.map(String.init) ?? key
            #expect(
                text.contains("\(last) =") || text.contains("[\(key)]") || text.contains("[[\(key)]]"),
                "\(key) is not shown in the example")
        }
    }
}
