import Foundation
import Testing

@testable import BounceSources

/// Maildir reading on real temporary directories: what is listed, read, moved and deleted.
@Suite struct MaildirTests {
    static func makeMaildir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-maildir-\(UUID().uuidString)").path
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        return dir
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test func newMailsAreListedOldestNameFirstAndDotFilesAndTmpAreSkipped() throws {
        let dir = try Self.makeMaildir()
        try Self.write("b", to: dir + "/new/1700000002.M2P1.host")
        try Self.write("a", to: dir + "/new/1700000001.M1P1.host")
        try Self.write("x", to: dir + "/new/.hidden")
        try Self.write("t", to: dir + "/tmp/1700000003.M3P1.host")
        try Self.write("c", to: dir + "/cur/1600000000.M0P1.host:2,S")
        let maildir = Maildir(path: dir)
        try maildir.check()
        #expect(try maildir.newMessages().map(\.name) == ["1700000001.M1P1.host", "1700000002.M2P1.host"])
        #expect(
            try maildir.allMessages().map(\.name) == [
                "1600000000.M0P1.host:2,S", "1700000001.M1P1.host", "1700000002.M2P1.host",
            ])
        let first = try #require(try maildir.newMessages().first)
        #expect(try maildir.read(first, limit: 100) == Array("a".utf8))
    }

    @Test func markSeenMovesTheMailToCurWithTheSeenFlag() throws {
        let dir = try Self.makeMaildir()
        try Self.write("mail", to: dir + "/new/1700000001.M1P1.host")
        let maildir = Maildir(path: dir)
        let message = try #require(try maildir.newMessages().first)
        try maildir.markSeen(message)
        #expect(try maildir.newMessages().isEmpty)
        #expect(FileManager.default.fileExists(atPath: dir + "/cur/1700000001.M1P1.host:2,S"))
        // Moving a mail another reader already took is not an error.
        try maildir.markSeen(message)
    }

    @Test func theSeenNameKeepsOtherFlagsSorted() {
        #expect(Maildir.seenName("1.M1.h") == "1.M1.h:2,S")
        #expect(Maildir.seenName("1.M1.h:2,RF") == "1.M1.h:2,FRS")
        #expect(Maildir.seenName("1.M1.h:2,S") == "1.M1.h:2,S")
    }

    @Test func deleteRemovesTheFile() throws {
        let dir = try Self.makeMaildir()
        try Self.write("mail", to: dir + "/new/1700000001.M1P1.host")
        let maildir = Maildir(path: dir)
        let message = try #require(try maildir.newMessages().first)
        try maildir.delete(message)
        #expect(!FileManager.default.fileExists(atPath: message.path))
        #expect(try maildir.allMessages().isEmpty)
    }

    @Test func readStopsAtTheLimitAndAVanishedMailIsNil() throws {
        let dir = try Self.makeMaildir()
        try Self.write(String(repeating: "x", count: 200_000), to: dir + "/new/1.M1.h")
        let maildir = Maildir(path: dir)
        let message = try #require(try maildir.newMessages().first)
        #expect(try maildir.read(message, limit: 70_001)?.count == 70_001)
        #expect(try maildir.read(message, limit: 1 << 20)?.count == 200_000)
        try FileManager.default.removeItem(atPath: message.path)
        #expect(try maildir.read(message, limit: 10) == nil)
    }

    @Test func aDirectoryThatIsNoMaildirSaysWhatAMaildirIs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-notmaildir-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect {
            try Maildir(path: dir).check()
        } throws: { error in
            "\(error)".contains("must be a Maildir (new/, cur/ and tmp/)") && "\(error)".contains(dir + "/new")
        }
    }
}
