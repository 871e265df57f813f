import BounceDelivery
import Foundation
import Testing

/// The client against the double over loopback HTTP.
@Suite struct ListmonkClientTests {
    @Test(arguments: [ListmonkCredentials.Scheme.token, .basic])
    func bothAuthFormsAreAccepted(_ scheme: ListmonkCredentials.Scheme) async throws {
        let double = try await ListmonkDouble.start()
        let client = try Fixtures.client(double, scheme: scheme)
        let result = await client.post(body: Array(Fixtures.body(1).utf8))
        try await client.shutdown()
        try await double.shutdown()
        #expect(result == .accepted)
        let header = try #require(double.log.authorizationHeaders.first)
        #expect(header.hasPrefix(scheme == .token ? "token bouncetail:" : "Basic "))
        #expect(double.log.accepted.count == 1)
    }

    @Test func subPathBaseURL() async throws {
        var settings = ListmonkDouble.Settings()
        settings.subPath = "/listmonk"
        let double = try await ListmonkDouble.start(settings: settings)
        #expect(double.baseURL.hasSuffix("/listmonk/"))
        let client = try Fixtures.client(double)
        let result = await client.post(body: Array(Fixtures.body(1).utf8))
        try await client.shutdown()
        try await double.shutdown()
        #expect(result == .accepted)
        #expect(double.log.paths == ["/listmonk/webhooks/bounce"])
    }

    @Test func wrongTokenAndMissingPermissionPauseWithListmonksMessage() async throws {
        var settings = ListmonkDouble.Settings()
        settings.users["bouncetail"]?.permissions = []
        let double = try await ListmonkDouble.start(settings: settings)
        let wrong = try Fixtures.client(double, token: "BAD-TOKEN-XYZ")
        let noPermission = try Fixtures.client(double)
        let r1 = await wrong.post(body: Array(Fixtures.body(1).utf8))
        let r2 = await noPermission.post(body: Array(Fixtures.body(1).utf8))
        try await wrong.shutdown()
        try await noPermission.shutdown()
        try await double.shutdown()
        guard case .paused(403, let m1) = r1, case .paused(403, let m2) = r2 else {
            Issue.record("expected pauses, got \(r1), \(r2)")
            return
        }
        #expect(m1.contains("invalid API credentials"))
        #expect(m2.contains("permission denied: webhooks:post_bounce"))
        #expect(!m1.contains("BAD-TOKEN-XYZ"), "the token must not appear in the error")
        #expect(double.log.accepted.isEmpty)
    }

    @Test func badBounceIsRejectedWithListmonksMessage() async throws {
        let double = try await ListmonkDouble.start()
        let client = try Fixtures.client(double)
        let result = await client.post(body: Array(Fixtures.body(1, email: "Name <x@y.z>").utf8))
        try await client.shutdown()
        try await double.shutdown()
        #expect(result == .rejected(status: 400, message: "Invalid email."))
    }

    @Test func connectionRefusedAndTimeoutAreRetried() async throws {
        // A port that was just free: nothing listens there now.
        let double = try await ListmonkDouble.start()
        let url = double.baseURL
        try await double.shutdown()
        let refused = try ListmonkClient(
            configuration: .init(baseURL: url, credentials: Fixtures.credentials(), connectTimeout: .seconds(1)))
        let r1 = await refused.post(body: Array(Fixtures.body(1).utf8))
        try await refused.shutdown()
        guard case .retry(nil, nil, let reason) = r1 else { Issue.record("expected retry, got \(r1)"); return }
        #expect(reason.hasPrefix("connect"))

        var faults = ListmonkDouble.Faults()
        faults.delay = .milliseconds(800)
        let slow = try await ListmonkDouble.start(faults: faults)
        let impatient = try Fixtures.client(slow, requestTimeout: .milliseconds(200))
        let r2 = await impatient.post(body: Array(Fixtures.body(1).utf8))
        try await impatient.shutdown()
        try await slow.shutdown()
        guard case .retry(nil, nil, let reason2) = r2 else { Issue.record("expected retry, got \(r2)"); return }
        #expect(reason2.hasPrefix("timeout"))
    }

    @Test func checkListmonkVerdictsOverHTTP() async throws {
        let double = try await ListmonkDouble.start()
        let client = try Fixtures.client(double)
        let ok = await client.checkListmonk()
        double.update { $0.webhooksEnabled = false }
        let off = await client.checkListmonk()
        try await client.shutdown()
        try await double.shutdown()
        #expect(ok.isOK, "\(ok)")
        #expect(off.verdict == .misconfigured && off.status == 404)
        #expect(double.log.accepted.isEmpty, "the check must record nothing")
    }
}
