import Foundation
import Testing

@testable import BounceSources

/// Splitting mbox files into mails: From_ separators, the quoting of both conventions, limits, and
/// reading a real file in chunks.
@Suite struct MboxTests {
    static func split(_ text: String, quoting: MboxQuoting = .mboxrd, limit: Int = 1 << 20) -> [MboxSplitter.Mail] {
        var splitter = MboxSplitter(quoting: quoting, limit: limit)
        var out: [MboxSplitter.Mail] = []
        let bytes = Array(text.utf8)
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            if let m = splitter.feed(bytes[start...i]) { out.append(m) }
            start = i + 1
        }
        if start < bytes.count, let m = splitter.feed(bytes[start...]) { out.append(m) }
        if let m = splitter.finish() { out.append(m) }
        return out
    }

    static let twoMails = """
        From MAILER-DAEMON Thu Dec  3 10:00:00 2026
        Subject: one

        body one
        >From the start
        >>From quoted twice
        From here on, not a separator: no blank line before it

        From MAILER-DAEMON Thu Dec  3 10:01:00 2026
        Subject: two

        body two

        """

    @Test func mboxrdRemovesOneQuoteLevelAndTheSeparatorsBlankLine() throws {
        let mails = Self.split(Self.twoMails)
        #expect(mails.count == 2)
        #expect(mails.map(\.index) == [1, 2])
        #expect(
            String(decoding: mails[0].bytes, as: UTF8.self) == """
                Subject: one

                body one
                From the start
                >From quoted twice
                From here on, not a separator: no blank line before it

                """)
        #expect(String(decoding: mails[1].bytes, as: UTF8.self) == "Subject: two\n\nbody two\n")
        #expect(!mails[0].truncated)
    }

    @Test func mboxoUnquotesOnlyOneLevel() {
        let mails = Self.split(Self.twoMails, quoting: .mboxo)
        let text = String(decoding: mails[0].bytes, as: UTF8.self)
        #expect(text.contains("\nFrom the start\n"))
        #expect(text.contains("\n>>From quoted twice\n"))
    }

    @Test func aMailOverTheLimitIsCutAndFlagged() {
        let mails = Self.split("From x\nSubject: big\n\n" + String(repeating: "y", count: 500) + "\n", limit: 100)
        #expect(mails.count == 1)
        #expect(mails[0].bytes.count == 100)
        #expect(mails[0].truncated)
    }

    @Test func textBeforeTheFirstSeparatorIsCountedNotAMail() {
        var splitter = MboxSplitter(limit: 1000)
        #expect(splitter.feed(Array("Subject: no mbox\n".utf8)[...]) == nil)
        #expect(splitter.finish() == nil)
        #expect(splitter.leadingBytes == 17)
    }

    @Test func aFileIsReadInChunksWithCRLFAndNoFinalNewline() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bt-mbox-\(UUID().uuidString)").path
        var text = ""
        for i in 1...300 {
            text += "From sender\(i)@example.org Thu Dec  3 10:00:00 2026\r\nSubject: mail \(i)\r\n\r\n"
            text += String(repeating: "line of mail \(i)\r\n", count: 40) + "\r\n"
        }
        text += "From last Thu Dec  3 10:00:00 2026\nSubject: last\n\nno newline at the end"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var file = try MboxFile(path: path, quoting: .mboxrd, limit: 1 << 20)
        defer { file.closeFile() }
        var mails: [MboxSplitter.Mail] = []
        while let m = try file.next() { mails.append(m) }
        #expect(mails.count == 301)
        #expect(
            String(decoding: mails[41].bytes, as: UTF8.self).hasPrefix("Subject: mail 42\r\n\r\nline of mail 42\r\n"))
        #expect(String(decoding: mails[41].bytes, as: UTF8.self).hasSuffix("line of mail 42\r\n"))
        #expect(String(decoding: mails[300].bytes, as: UTF8.self) == "Subject: last\n\nno newline at the end")
        #expect(file.leadingBytes == 0)
    }
}
