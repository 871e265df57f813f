import BounceCore
import Foundation

@testable import BounceClassifier

/// The repository root, found from this file's path (Tests/BounceClassifierTests/Support.swift).
func repoRoot(_ file: String = #filePath) -> String {
    URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}

/// The embedded default set (loading must succeed for most tests to mean anything).
func defaultSet() throws -> PatternSet { try PatternLoader.embeddedDefault() }

/// A failure with sensible defaults for tests.
func failure(
    _ text: String, dsn: String? = nil, reply: Int? = nil, stage: SMTPStage? = nil, status: DeliveryStatus = .bounced,
    host: String? = nil, domain: String? = nil
) -> FailureEvidence {
    FailureEvidence(
        mta: .postfix, status: status, dsn: dsn, replyCode: reply ?? TextCodes.replyCode(in: text),
        enhancedCode: TextCodes.enhancedCode(in: text), smtpStage: stage, diagnostic: text, remoteHost: host,
        recipientDomain: domain)
}

/// A minimal reader of one Postfix delivery line, for the scoring harness only (the real parser lives in
/// BounceCore/Parsing): `to=`, `relay=`, `dsn=`, `status=WORD (TEXT)`, and the stage from `(in reply to X command)`.
func evidenceFromPostfixLine(_ line: String) -> FailureEvidence? {
    func field(_ name: String, until: Character) -> String? {
        guard let r = line.range(of: name) else { return nil }
        let rest = line[r.upperBound...]
        return String(rest.prefix { $0 != until })
    }
    guard let statusWord = field(" status=", until: " ") else { return nil }
    let status = DeliveryStatus(rawValue: statusWord) ?? .other
    var text = ""
    if let r = line.range(of: " status=\(statusWord) (") {
        text = String(line[r.upperBound...])
        if text.hasSuffix(")") { text.removeLast() }
    }
    let rcpt = field("to=<", until: ">")
    let relay = field(" relay=", until: ",").map { String($0.prefix { $0 != "[" }) }
    var stage: SMTPStage?
    if let r = text.range(of: "(in reply to ", options: .backwards) {
        let cmd = text[r.upperBound...].prefix { $0 != ")" }.uppercased()
        if cmd.hasPrefix("RCPT") {
            stage = .rcpt
        } else if cmd.hasPrefix("MAIL") {
            stage = .mail
        } else if cmd.contains("DATA") {
            stage = .data
        } else if cmd.hasPrefix("HELO") || cmd.hasPrefix("EHLO") {
            stage = .ehlo
        } else if cmd.hasPrefix("CONNECT") {
            stage = .conn
        }
    }
    return FailureEvidence(
        mta: .postfix, status: status, dsn: field(" dsn=", until: ","), replyCode: TextCodes.replyCode(in: text),
        enhancedCode: TextCodes.enhancedCode(in: text), smtpStage: stage, diagnostic: text,
        remoteHost: relay.flatMap { $0 == "none" || $0.isEmpty ? nil : $0.lowercased() },
        recipientDomain: rcpt.flatMap { $0.split(separator: "@").last.map { $0.lowercased() } })
}
