import BounceCore
import BounceDelivery
import Foundation

/// Bounce events written for these tests (no corpus data).
enum Fixtures {
    static func event(_ i: Int, type: BounceType = .hard, email: String? = nil) -> BounceEvent {
        BounceEvent(
            email: email ?? "user\(i)@example.org", subscriberUUID: nil,
            campaignUUID: "6fbd6a4c-3b0e-4a0e-9a8e-2f1c1f4f7a01", source: "bouncetail", type: type,
            createdAt: "2026-11-26T16:21:54Z",
            meta: .init(
                reason: "userunknown", fault: .recipient, action: .forward, status: "bounced", dsn: "5.1.1",
                replyCode: 550, smtpStage: .rcpt, remoteHost: "mx.example.org", mta: .postfix, host: "mail.test",
                queueID: "4Q\(i)ABC", messageID: "<m\(i)@test>",
                diagnostic: "550 5.1.1 <user\(i)@example.org>: user unknown",
                rule: "probe.userunknown.text", evidence: "text contains \"user unknown\"", sender: "news@test"),
            dedupKey: "mail.test|4Q\(i)ABC|m\(i)|user\(i)@example.org|bounced")
    }

    static func body(_ i: Int, email: String? = nil) -> String {
        try! WebhookBody.encode(event(i, email: email))
    }

    static let user = "bouncetail"
    static let token = "s3cret-token"

    static func credentials(_ scheme: ListmonkCredentials.Scheme = .token, token: String = token) -> ListmonkCredentials
    {
        try! ListmonkCredentials(user: user, token: token, scheme: scheme)
    }

    static func client(
        _ double: ListmonkDouble, scheme: ListmonkCredentials.Scheme = .token, token: String = token,
        requestTimeout: Duration = .seconds(5)
    ) throws -> ListmonkClient {
        try ListmonkClient(
            configuration: ListmonkClientConfiguration(
                baseURL: double.baseURL, credentials: credentials(scheme, token: token), connectTimeout: .seconds(2),
                requestTimeout: requestTimeout))
    }
}

/// A fixed clock for pure tests.
let t0 = Date(timeIntervalSince1970: 1_790_000_000)
