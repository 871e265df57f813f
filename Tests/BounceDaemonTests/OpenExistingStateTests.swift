import Foundation
import Testing

@testable import BounceDaemon

/// Commands that only look at the state database never create one.
@Suite("Opening an existing state database")
struct OpenExistingStateTests {
    @Test func aMissingDatabaseIsAnErrorNamingPathAndOriginAndNothingIsCreated() throws {
        let dir = NSTemporaryDirectory() + "bouncetail-open-existing-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/sub/state.db"
        do {
            _ = try StateDatabase.openExisting(path, origin: "--state")
            Issue.record("opened a database that does not exist")
        } catch let e as MissingStateDatabase {
            #expect(e.description.hasPrefix("no state database at \(path) (from --state)"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir))  // not even the parent directory
    }

    @Test func anExistingDatabaseOpens() throws {
        let dir = NSTemporaryDirectory() + "bouncetail-open-existing-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try StateDatabase.open(dir + "/state.db")
        let db = try StateDatabase.openExisting(dir + "/state.db", origin: "--state")
        #expect(try db.status().pending == 0)
    }
}
