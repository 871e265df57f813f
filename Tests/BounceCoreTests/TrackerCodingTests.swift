import Foundation
import Testing

@testable import BounceCore

/// The hand-written tracker-state JSON against the `Codable` definition it replaced for writing: rows
/// written by the previous release (with `JSONEncoder`) must still restore, and new rows must read back
/// through the same decoder to the same state.
@Suite("Tracker state coding")
struct TrackerCodingTests {
    /// `JSONEncoder` as the previous release configured it for tracker rows.
    static func foundationJSON<T: Encodable>(_ value: T) throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try e.encode(value))
    }

    static func written(_ s: MessageState) -> [UInt8] {
        var w = JSONWriter()
        TrackerCoding.write(s, to: &w)
        return w.bytes
    }

    static func written(_ a: StoredAttempt) -> [UInt8] {
        var w = JSONWriter()
        TrackerCoding.write(a, to: &w)
        return w.bytes
    }

    /// An attempt with every optional field set and awkward text (quotes, backslash, slash, control
    /// characters, non-ASCII).
    static func fullAttempt(_ qid: String, to rcpt: String, at s: Int64) -> StoredAttempt {
        StoredAttempt(
            time: TF.t(s),
            attempt: TF.attempt(
                qid, to: rcpt, .bounced, raw: "bounced", mta: .exim, agent: "relay/smtp",
                relay: "mx.example.com[192.0.2.10]:25", remoteHost: "mx.example.com", dsn: "5.1.1", code: 550,
                enhanced: "5.1.1", diag: "550 \"quoted\" back\\slash a/b tab\there\u{1} bell\u{7} nl\n grüße ✓",
                stage: .rcpt, orig: "Orig+tag@Example.com", queuedAs: "Q2", isAttempt: false, retryTimeout: true))
    }

    /// A state with every field set: several recipients and domains (so key order matters), children, a parent.
    static func fullState() -> MessageState {
        var s = MessageState(host: "mx1.example.net", mta: .postfix, queueID: "ABC123", time: TF.t(0))
        s.lastSeen = TF.t(90)
        s.sender = "news@lists.example.org"
        s.messageID = "<id/with\"odd@chars>"
        s.campaignUUID = TF.campaign
        s.subscriberUUID = TF.subscriber
        s.isBounceNotification = true
        s.parentQueueID = "PARENT1"
        s.childQueueIDs = ["C1", "C2"]
        s.expiredSeen = true
        for (i, rcpt) in ["zed@b.example", "amy@a.example", "Mixed@C.example", "bob@a.example"].enumerated() {
            var r = RecipientState(recipient: rcpt, originalRecipient: i == 0 ? "orig@b.example" : nil, order: i)
            r.firstDeferred = i == 1 ? nil : TF.t(Int64(i))
            r.lastAttempt = i == 3 ? nil : fullAttempt("ABC123", to: rcpt, at: Int64(10 + i))
            r.lastNonAttempt = i == 2 ? fullAttempt("ABC123", to: rcpt, at: 20) : nil
            r.borrowedAttempt = i == 0 ? fullAttempt("OTHER", to: "x@b.example", at: 5) : nil
            r.finished = i == 1
            r.reported = i == 2
            s.recipients[rcpt.lowercased()] = r
        }
        s.lastAttemptByDomain["b.example"] = fullAttempt("ABC123", to: "zed@b.example", at: 10)
        s.lastAttemptByDomain["a.example"] = StoredAttempt(
            time: TF.t(11), attempt: TF.attempt("ABC123", to: "amy@a.example", .deferred, diag: ""))
        return s
    }

    /// A fresh state: no optional field set, no recipients.
    static func bareState() -> MessageState {
        MessageState(host: "h", mta: .exim, queueID: "1aBcDe-000001-XY", time: TF.t(-5))
    }

    @Test func handWrittenStateIsByteForByteWhatJSONEncoderWrote() throws {
        for s in [Self.fullState(), Self.bareState()] {
            let mine = Self.written(s)
            let old = try Self.foundationJSON(s)
            #expect(String(decoding: mine, as: UTF8.self) == String(decoding: old, as: UTF8.self))
            #expect(try TrackerCoding.decode(MessageState.self, mine) == s)
        }
    }

    @Test func handWrittenRecentAttemptIsByteForByteWhatJSONEncoderWrote() throws {
        let plain = StoredAttempt(time: TF.t(3), attempt: TF.attempt("Q", to: "a@b", .deferred, diag: "x"))
        for a in [Self.fullAttempt("Q", to: "a@b", at: 1), plain] {
            let mine = Self.written(a)
            #expect(
                String(decoding: mine, as: UTF8.self) == String(decoding: try Self.foundationJSON(a), as: UTF8.self))
            #expect(try TrackerCoding.decode(StoredAttempt.self, mine) == a)
        }
    }

    /// A row as the previous release (JSONEncoder) stored it: `bouncetail backfill` of the
    /// `e2e/maillog.py` log, then `SELECT value FROM tracker_state`; restored and re-written by this one.
    @Test func restoresARowThePreviousReleaseWrote() throws {
        let row = #"""
            {"campaignUUID":"2cec2c39-5c1c-44e0-85be-bf874271041f","childQueueIDs":[],"expiredSeen":false,"firstSeen":{"microseconds":1795718960000000},"host":"mx1.test","isBounceNotification":false,"lastAttemptByDomain":{"example.org":{"agent":"smtp","code":421,"diag":"host mx2.example.org[192.0.2.157] said: 421 4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. (in reply to RCPT TO command)","dsn":"4.7.28","ecode":"4.7.28","mta":"postfix","qid":"0ABC6E8F176","raw":"deferred","rcpt":"r-bench-2159@example.org","relay":"mx2.example.org[192.0.2.157]:25","rhost":"mx2.example.org","stage":"RCPT","status":"deferred","time":{"microseconds":1795718960000000}}},"lastSeen":{"microseconds":1795718960000000},"messageID":"23a56fc5-f476-4a6a-81b4-a8405566facb@lists.example","mta":"postfix","queueID":"0ABC6E8F176","recipients":{"r-bench-2159@example.org":{"finished":false,"firstDeferred":{"microseconds":1795718960000000},"lastAttempt":{"agent":"smtp","code":421,"diag":"host mx2.example.org[192.0.2.157] said: 421 4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. (in reply to RCPT TO command)","dsn":"4.7.28","ecode":"4.7.28","mta":"postfix","qid":"0ABC6E8F176","raw":"deferred","rcpt":"r-bench-2159@example.org","relay":"mx2.example.org[192.0.2.157]:25","rhost":"mx2.example.org","stage":"RCPT","status":"deferred","time":{"microseconds":1795718960000000}},"order":0,"recipient":"r-bench-2159@example.org","reported":false}},"sender":"bounces@lists.example","subscriberUUID":"7eb18dcc-528d-42fb-9928-c8aa4120f5dd","v":1}
            """#
        var tr = TF.tracker()
        let key = "mx1.test|postfix|0ABC6E8F176"
        try tr.restore(key: key, bytes: Array(row.utf8))
        // Written when every key carried `host_name` as written: restored under today's identity, `mx1`.
        #expect(tr.messages[try #require(TrackerKey(text: key))] == nil)
        let s = try #require(tr.messages[TrackerKey(host: "mx1", mta: .postfix, queueID: "0ABC6E8F176")]?.state)
        #expect(s.recipients["r-bench-2159@example.org"]?.lastAttempt?.attempt.replyCode == 421)
        // What this release writes for the restored state is the very row it read, but for the host.
        let moved = row.replacingOccurrences(of: #""host":"mx1.test""#, with: #""host":"mx1""#)
        #expect(moved != row)
        #expect(String(decoding: Self.written(s), as: UTF8.self) == moved)
        // And the restored message still joins its bounce with the listmonk headers.
        let out = TF.run(&tr, [TF.bounced550("0ABC6E8F176", to: "r-bench-2159@example.org", at: 900_000)])
        #expect(out.count == 1)
        #expect(out.first?.campaignUUID == "2cec2c39-5c1c-44e0-85be-bf874271041f")
        #expect(out.first?.messageID == "23a56fc5-f476-4a6a-81b4-a8405566facb@lists.example")
    }

    @Test func drainWritesOnlyChangedMessagesAndNothingWhenIdle() throws {
        var tr = TF.tracker()
        _ = TF.run(&tr, [TF.queued("A1", at: 0), TF.queued("A2", at: 0)])
        #expect(tr.drainChanges().upserted.count == 2)
        #expect(tr.drainChanges().isEmpty)
        _ = TF.run(&tr, [TF.deferred("A2", to: "x@example.com", diag: "451 later", at: 1)])
        let c = tr.drainChanges()
        // A2 and the two recent-attempt rows (domain, remote host); A1 did not change.
        #expect(
            Set(c.upserted.keys) == [
                "\(TF.host)|postfix|A2", "\(TF.host)|postfix|~d:example.com",
                "\(TF.host)|postfix|~h:mx.example.com",
            ])
        for (k, v) in c.upserted where !MessageTracker.isRecentKey(k) {
            let live = tr.messages[try #require(TrackerKey(text: k))]?.state
            #expect(try TrackerCoding.decode(MessageState.self, v) == live)
        }
    }

    /// A message that begins and ends between two drains never had a row: no deletion for it. One that
    /// was drained (written) gets its deletion, also when its key comes and goes again before the next drain.
    @Test func deletionsOnlyForRowsThatWereWritten() {
        var tr = TF.tracker()
        _ = TF.run(&tr, [TF.queued("D1", at: 0), TF.removed("D1", at: 1), TF.queued("D2", at: 1)])
        var c = tr.drainChanges()
        #expect(c.deleted.isEmpty)
        #expect(Set(c.upserted.keys) == ["\(TF.host)|postfix|D2"])

        // D2 was written: its removal is a deletion, and so is a new D2 that came and went after it.
        _ = TF.run(&tr, [TF.removed("D2", at: 2), TF.queued("D2", at: 3), TF.removed("D2", at: 4)])
        c = tr.drainChanges()
        #expect(c.deleted == ["\(TF.host)|postfix|D2"])
        #expect(c.upserted.isEmpty)

        // Written, removed, then queued again: the new state replaces the row; no deletion beside it.
        _ = TF.run(&tr, [TF.queued("D3", at: 5)])
        _ = tr.drainChanges()
        _ = TF.run(&tr, [TF.removed("D3", at: 6), TF.queued("D3", at: 7)])
        c = tr.drainChanges()
        #expect(c.deleted.isEmpty)
        #expect(Set(c.upserted.keys) == ["\(TF.host)|postfix|D3"])

        // A restored row is a written row.
        var restored = TF.tracker()
        var src = TF.tracker()
        _ = TF.run(&src, [TF.queued("D4", at: 8)])
        for (k, v) in src.drainChanges().upserted { try? restored.restore(key: k, bytes: v) }
        _ = TF.run(&restored, [TF.removed("D4", at: 9)])
        #expect(restored.drainChanges().deleted == ["\(TF.host)|postfix|D4"])
    }
}
