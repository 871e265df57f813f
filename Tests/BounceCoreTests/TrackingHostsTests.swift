import Testing

@testable import BounceCore

/// The host each line names scopes its queue id: a fleet's central log keeps its machines apart, a file and
/// the journal naming one machine differently still agree, and state written before hosts were read is
/// carried over.
@Suite("MessageTracker hosts")
struct TrackingHostsTests {
    static func on(_ host: String?, _ line: ParsedLine) -> ParsedLine {
        var l = line
        l.envelope.host = host
        return l
    }

    static func central() -> MessageTracker {
        MessageTracker(
            options: TrackerOptions(host: "logs1", hosts: HostIdentity(hostName: "logs1", machineNames: ["logs1"])))
    }

    @Test func oneQueueIDOnThreeMachinesIsThreeMessages() {
        var tr = Self.central()
        var lines: [ParsedLine] = []
        let hosts = ["mx1", "mx2.example.org", "MX3"]
        for (i, h) in hosts.enumerated() {
            lines.append(Self.on(h, TF.queued("4QAB1", at: Int64(i))))
            lines.append(Self.on(h, TF.header("4QAB1", "X-Listmonk-Subscriber", "sub-\(i)", at: Int64(i))))
        }
        for (i, h) in hosts.enumerated() {
            lines.append(Self.on(h, TF.bounced550("4QAB1", to: "gone\(i)@example.com", at: Int64(10 + i))))
        }
        // The same bounce line again, from mx2 under its short name: already decided, nothing new.
        lines.append(Self.on("mx2", TF.bounced550("4QAB1", to: "gone1@example.com", at: 11)))
        let out = TF.run(&tr, lines)
        #expect(out.map(\.host) == ["mx1", "mx2", "mx3"])
        #expect(out.map(\.recipient) == ["gone0@example.com", "gone1@example.com", "gone2@example.com"])
        #expect(out.map(\.subscriberUUID) == ["sub-0", "sub-1", "sub-2"])
        #expect(Set(out.map { DedupKey.make($0) }).count == 3)
    }

    /// A file says `mx1`, the journal `mx1.example.org`: one message, one identity.
    @Test func shortAndQualifiedNamesOfOneMachineJoin() {
        var fromFile = Self.central()
        var mixed = Self.central()
        let queued = TF.queued("Q9", at: 0)
        let header = TF.header("Q9", "X-Listmonk-Campaign", "camp-1", at: 0)
        let bounce = TF.bounced550("Q9", at: 5)
        let a = TF.run(&fromFile, [queued, header, bounce].map { Self.on("mx1", $0) })
        let b = TF.run(
            &mixed, [Self.on("mx1", queued), Self.on("mx1.example.org", header), Self.on("MX1.Example.Org", bounce)])
        #expect(a.count == 1)
        #expect(a == b)
        #expect(b.first?.campaignUUID == "camp-1")
        #expect(b.first.map { DedupKey.make($0) } == a.first.map { DedupKey.make($0) })
    }

    /// `host_name` is not the syslog host: this machine's lines (its own name in the header or `_HOSTNAME`)
    /// and its lines without a host (Exim's mainlog) are all `host_name`.
    @Test func thisMachinesLinesAreHostNameWhateverTheyCarry() {
        var tr = MessageTracker(
            options: TrackerOptions(
                host: "mail.example.org", hosts: HostIdentity(hostName: "mail.example.org", machineNames: ["vm"])))
        let out = TF.run(
            &tr,
            [
                Self.on(nil, TF.queued("E1", mta: .exim, at: 0)),
                Self.on("vm.internal", TF.header("E1", "X-Listmonk-Subscriber", "sub-e", mta: .exim, at: 0)),
                Self.on("vm", TF.delivery(TF.attempt("E1", to: "x@example.com", .bounced, mta: .exim), at: 3)),
            ])
        #expect(out.count == 1)
        #expect(out.first?.host == "mail")
        #expect(out.first?.subscriberUUID == "sub-e")
    }

    /// Rows written before hosts were read: every key carried `general.host_name` as written. Restored, they
    /// live on under the identity host; the next drain writes the new keys and deletes the old.
    @Test func stateWrittenUnderTheOldIdentityIsRestoredUnderTheNewKey() throws {
        let old = "Mail.Example.org"
        var before = TF.tracker()
        // As the previous release did: the configured name for every line, whatever the header said.
        for line in [
            TF.queued("K1", at: 0), TF.header("K1", "X-Listmonk-Subscriber", "sub-k", at: 0),
            TF.deferred("K1", to: "slow@example.com", diag: "451 greylisted", at: 1),
        ] {
            _ = before.ingest(Self.on("vm", line), host: old)
        }
        let rows = before.drainChanges().upserted
        #expect(Set(rows.keys).contains("\(old)|postfix|K1"))
        #expect(rows.keys.contains { $0.hasPrefix("\(old)|postfix|~d:") })

        var after = MessageTracker(
            options: TrackerOptions(host: old, hosts: HostIdentity(hostName: old, machineNames: ["vm"])))
        for (k, v) in rows { try after.restore(key: k, bytes: v) }
        #expect(after.counters.restoredUnderNewHost == rows.count)
        let moved = after.drainChanges()
        #expect(moved.deleted == Set(rows.keys))
        #expect(Set(moved.upserted.keys) == Set(rows.keys.map { "mail" + $0.dropFirst(old.count) }))

        // The rest of the message, under today's rule: it joins the restored state.
        let out = after.ingest(Self.on("vm", TF.bounced550("K1", to: "slow@example.com", at: 9)))
        #expect(out.count == 1)
        #expect(out.first?.host == "mail")
        #expect(out.first?.subscriberUUID == "sub-k")

        // A second restore of the new rows moves nothing.
        var again = MessageTracker(
            options: TrackerOptions(host: old, hosts: HostIdentity(hostName: old, machineNames: ["vm"])))
        for (k, v) in moved.upserted { try again.restore(key: k, bytes: v) }
        #expect(again.counters.restoredUnderNewHost == 0)
        #expect(again.drainChanges().isEmpty)
    }
}
