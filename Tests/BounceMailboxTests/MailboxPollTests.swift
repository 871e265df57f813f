import Testing

@testable import BounceMailbox

/// The poll order, which is ours whatever the protocol: fetch, commit, then dispose; a failure stops
/// the poll with nothing disposed that was not committed, and the session always ends.
@Suite struct MailboxPollTests {
    /// A mailbox in memory that records the calls made on it (the protocol's real sessions are
    /// exercised against Dovecot in the root suite).
    final class RecordingMailbox: RemoteMailbox {
        var mails: [Int: [UInt8]]
        var calls: [String] = []
        var failList = false
        var failDispose: Int?

        init(_ mails: [Int: String]) { self.mails = mails.mapValues { Array($0.utf8) } }

        func list() throws(MailboxError) -> [Int] {
            calls.append("list")
            if failList { throw MailboxError(.connection, "refused") }
            return mails.keys.sorted()
        }

        func fetch(_ ref: Int, limit: Int) throws(MailboxError) -> [UInt8] {
            calls.append("fetch \(ref)")
            return Array((mails[ref] ?? []).prefix(limit))
        }

        func dispose(_ ref: Int) throws(MailboxError) {
            calls.append("dispose \(ref)")
            if failDispose == ref { throw MailboxError(.protocolError, "NO [CANNOT]") }
            mails[ref] = nil
        }

        func finish() throws(MailboxError) { calls.append("finish") }
    }

    struct CommitFailed: Error {}

    @Test func eachMailIsDisposedOfOnlyAfterItsCommit() {
        let box = RecordingMailbox([1: "a", 2: "b"])
        var committed: [String] = []
        let summary = MailboxPoll.run(box, limit: 100) { bytes in
            committed.append(String(decoding: bytes, as: UTF8.self))
            box.calls.append("commit")
        }
        #expect(box.calls == ["list", "fetch 1", "commit", "dispose 1", "fetch 2", "commit", "dispose 2", "finish"])
        #expect(committed == ["a", "b"])
        #expect(summary.listed == 2 && summary.committed == 2 && summary.disposed == 2 && summary.error == nil)
        #expect(box.mails.isEmpty)
    }

    @Test func aFailedCommitLeavesTheMailAndStopsThePoll() {
        let box = RecordingMailbox([1: "a", 2: "b", 3: "c"])
        let summary = MailboxPoll.run(box, limit: 100) { bytes in
            if bytes == Array("b".utf8) { throw CommitFailed() }
        }
        #expect(box.calls == ["list", "fetch 1", "dispose 1", "fetch 2", "finish"])
        #expect(box.mails.keys.sorted() == [2, 3])
        #expect(summary.committed == 1 && summary.disposed == 1)
        #expect(summary.error?.kind == .commit)
        #expect(summary.error?.description.contains("mail 2 not stored, left in the mailbox") == true)
    }

    @Test func aFailedDisposeStopsThePollAndTheSessionStillEnds() {
        let box = RecordingMailbox([1: "a", 2: "b"])
        box.failDispose = 1
        let summary = MailboxPoll.run(box, limit: 100) { _ in }
        #expect(box.calls == ["list", "fetch 1", "dispose 1", "finish"])
        #expect(summary.committed == 1 && summary.disposed == 0)
        #expect(summary.error?.kind == .protocolError)
    }

    @Test func aFailedListEndsTheSession() {
        let box = RecordingMailbox([1: "a"])
        box.failList = true
        let summary = MailboxPoll.run(box, limit: 100) { _ in Issue.record("nothing to commit") }
        #expect(box.calls == ["list", "finish"])
        #expect(summary.error?.kind == .connection)
        #expect(summary.error?.description.contains("reachable") == true)
    }

    @Test func aStopRequestFinishesTheMailInHand() {
        let box = RecordingMailbox([1: "a", 2: "b"])
        var stop = false
        let summary = MailboxPoll.run(box, limit: 100, commit: { _ in stop = true }, shouldStop: { stop })
        #expect(box.calls == ["list", "fetch 1", "dispose 1", "finish"])
        #expect(summary.committed == 1 && summary.error == nil)
    }
}
