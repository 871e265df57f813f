import Testing

@testable import BounceCore

@Suite("MessageTracker re-queue chains")
struct TrackingChainTests {
    /// amavis-style: headers and Message-ID logged under the first id, the failure under the second.
    @Test func failureUnderTheLaterIDCarriesWhatTheFirstIDLearned() {
        var tr = TF.tracker()
        var lines = [TF.messageID("OLD1", "chain@lists", at: 0)]
        lines += TF.listmonkHeaders("OLD1", at: 0)
        lines += [
            TF.queued("OLD1", at: 1),
            // The filter re-injects before it answers, so the new id's first lines come before the hand-off.
            TF.messageID("NEW1", "chain@lists", at: 2),
            TF.sent(
                "OLD1", to: "gone@example.com", relay: "127.0.0.1[127.0.0.1]:10024", remoteHost: "127.0.0.1",
                queuedAs: "NEW1", at: 2),
            TF.removed("OLD1", at: 2),
            TF.queued("NEW1", at: 3),
            TF.bounced550("NEW1", at: 4),
            TF.removed("NEW1", at: 5),
        ]
        let out = TF.run(&tr, lines)
        #expect(out.count == 1)
        #expect(out[0].queueID == "NEW1")
        #expect(out[0].campaignUUID == TF.campaign)
        #expect(out[0].subscriberUUID == TF.subscriber)
        #expect(out[0].messageID == "chain@lists")
        #expect(out[0].sender == TF.list)
        #expect(tr.counters.delivered == 0, "the hand-off to the filter is not a delivery")
        #expect(tr.counters.filterHandOffs == 1)
        #expect(tr.messageCount == 0)
    }

    @Test func handOffBeforeTheNewIDIsSeenAndHeadersLoggedLate() {
        var tr = TF.tracker()
        var lines = [
            TF.queued("OLD2", at: 0),
            TF.sent(
                "OLD2", to: "gone@example.com", relay: "localhost[::1]:10026", remoteHost: "localhost",
                queuedAs: "NEW2", at: 1),
        ]
        // Headers arrive under the old id after the hand-off (out-of-order syslog): still passed on.
        lines += TF.listmonkHeaders("OLD2", at: 1)
        lines += [TF.bounced550("NEW2", at: 2)]
        let out = TF.run(&tr, lines)
        #expect(out.count == 1)
        #expect(out[0].subscriberUUID == TF.subscriber)
        #expect(out[0].sender == TF.list)
    }

    @Test func headersUnderTheSecondIDOnly() {
        var tr = TF.tracker()
        var lines = [
            TF.queued("OLD3", at: 0),
            TF.sent(
                "OLD3", to: "gone@example.com", relay: "[127.0.0.1]:10024", remoteHost: nil, queuedAs: "NEW3", at: 1),
        ]
        lines += TF.listmonkHeaders("NEW3", at: 1)
        lines += [TF.bounced550("NEW3", at: 2)]
        let out = TF.run(&tr, lines)
        #expect(out.first?.campaignUUID == TF.campaign)
        #expect(out.first?.sender == TF.list)
    }

    @Test func configuredFilterRelayIsAHandOffAndRemoteQueuedAsIsADelivery() {
        var tr = TF.tracker { $0.filterRelays = ["smtp-amavis:[10.0.0.9]:10024"] }
        let out = TF.run(
            &tr,
            [
                TF.queued("F1", at: 0),
                TF.sent(
                    "F1", to: "a@example.com", relay: "filter.lan[10.0.0.9]:10024", remoteHost: "filter.lan",
                    queuedAs: "F2", at: 1),
                TF.sent("F1", to: "b@example.com", relay: "mx.example.com[192.0.2.10]:25", queuedAs: "REMOTEQ", at: 1),
                TF.bounced550("F2", to: "a@example.com", at: 2),
            ])
        #expect(tr.counters.filterHandOffs == 1)
        #expect(tr.counters.delivered == 1)
        #expect(out.map(\.queueID) == ["F2"])
        #expect(out.first?.sender == TF.list)
    }

    @Test func filterRelayOnADifferentPortIsNotAHandOff() {
        var tr = TF.tracker { $0.filterRelays = ["[10.0.0.9]:10024"] }
        _ = TF.run(&tr, [TF.sent("P1", to: "a@example.com", relay: "x[10.0.0.9]:25", queuedAs: "P2", at: 0)])
        #expect(tr.counters.filterHandOffs == 0)
        #expect(tr.counters.delivered == 1)
    }

    @Test func bounceNotificationStatusFollowsTheChain() {
        var tr = TF.tracker()
        let out = TF.run(
            &tr,
            [
                TF.queued("NB1", from: "", at: 0),
                TF.sent(
                    "NB1", to: "bounces@lists.example.org", relay: "127.0.0.1[127.0.0.1]:10024", queuedAs: "NB2", at: 1),
                TF.bounced550("NB2", to: "bounces@lists.example.org", at: 2),
            ])
        #expect(out.isEmpty)
        #expect(tr.counters.bounceNotifications == 1)
    }

    @Test func relayMatcherSplitsPostfixRelayForms() {
        #expect(RelayMatcher.split("127.0.0.1[127.0.0.1]:10024").names == ["127.0.0.1", "127.0.0.1"])
        #expect(RelayMatcher.split("127.0.0.1[127.0.0.1]:10024").port == "10024")
        #expect(RelayMatcher.split("[::1]:10026").names == ["::1"])
        #expect(RelayMatcher.split("smtp-amavis:[127.0.0.1]:10024").names == ["127.0.0.1"])
        #expect(RelayMatcher.split("filter.lan:10024").names == ["filter.lan"])
        #expect(RelayMatcher.split("none").names == ["none"])
        let m = RelayMatcher(filterRelays: [])
        #expect(m.isFilterHop(relay: "none", remoteHost: nil) == false)
        #expect(m.isFilterHop(relay: "mx.example.com[192.0.2.1]:25", remoteHost: "mx.example.com") == false)
        #expect(m.isFilterHop(relay: "localhost[127.0.0.1]:10025", remoteHost: "localhost"))
        #expect(m.isFilterHop(relay: "filter[127.0.0.2]:10025", remoteHost: nil))
        #expect(m.isFilterHop(relay: "LOCALHOST[::1]:10025", remoteHost: nil))
        #expect(m.isFilterHop(relay: "mx.example.com[192.0.2.127]:25", remoteHost: nil) == false)
        #expect(m.isFilterHop(relay: "127x.example.com[192.0.2.1]:25", remoteHost: "127x.example.com") == false)
    }
}
