import Foundation
import Testing

@testable import BounceDelivery

@Suite struct ListmonkAnswerTests {
    func http(_ status: Int, _ body: String, type: String = "application/json", retryAfter: String? = nil)
        -> ListmonkAnswer
    {
        .http(status: status, contentType: type, retryAfter: retryAfter, location: nil, body: Array(body.utf8))
    }

    @Test func twoHundredIsAcceptedEvenWithAnOddBody() {
        #expect(http(200, #"{"data":true}"#).deliveryResult(now: t0) == .accepted)
        #expect(http(200, #"{"data":true}"#).isListmonkSuccessBody)
        #expect(http(200, "<html>ok</html>", type: "text/html").deliveryResult(now: t0) == .accepted)
        #expect(!http(200, "<html>ok</html>").isListmonkSuccessBody)
    }

    @Test func fourHundredIsRejectedWithListmonksMessageOrTheRawBody() {
        #expect(
            http(400, #"{"message":"Invalid fields: type"}"# + "\n").deliveryResult(now: t0)
                == .rejected(status: 400, message: "Invalid fields: type"))
        guard
            case .rejected(400, let message) = http(400, "<html>\n<h1>Bad   Request</h1></html>", type: "text/html")
                .deliveryResult(now: t0)
        else {
            Issue.record("a non-JSON 400 must be rejected")
            return
        }
        #expect(message == "non-JSON 400 answer: <html> <h1>Bad Request</h1></html>")
    }

    @Test func pauseAnswersNameWhatToFix() {
        guard
            case .paused(403, let r403) = http(403, #"{"message":"permission denied: webhooks:post_bounce"}"#)
                .deliveryResult(now: t0),
            case .paused(404, let r404) = http(404, "<html>404 - Not found</html>", type: "text/html").deliveryResult(
                now: t0),
            case .paused(503, let r503) = http(503, #"{"message":"Internal server error"}"#).deliveryResult(now: t0),
            case .paused(401, _) = http(401, #"{"message":"Unauthorized"}"#).deliveryResult(now: t0),
            case .paused(301, let r301) = ListmonkAnswer.http(
                status: 301, contentType: nil, retryAfter: nil, location: "https://x/", body: []
            )
            .deliveryResult(now: t0)
        else {
            Issue.record("401, 403, 404, listmonk's 503 and redirects must pause")
            return
        }
        #expect(r403.contains("permission denied: webhooks:post_bounce") && r403.contains("User roles"))
        #expect(r404.contains("Enable bounce webhooks"))
        #expect(r503.contains("Enable bounce processing"))
        #expect(r301.contains("https://x/"))
    }

    @Test func passingFailuresAreRetriedWithRetryAfter() {
        #expect(http(500, #"{"message":"Internal server error"}"#).deliveryResult(now: t0).isRetry(after: nil))
        #expect(http(502, "bad gateway", type: "text/html").deliveryResult(now: t0).isRetry(after: nil))
        #expect(http(504, "").deliveryResult(now: t0).isRetry(after: nil))
        #expect(http(408, "").deliveryResult(now: t0).isRetry(after: nil))
        #expect(http(429, "slow down", retryAfter: "3").deliveryResult(now: t0).isRetry(after: .seconds(3)))
        // A proxy's 503 (not listmonk's JSON) is an outage, not "bounce processing off".
        #expect(
            http(503, "<h1>503</h1>", type: "text/html", retryAfter: "2").deliveryResult(now: t0).isRetry(
                after: .seconds(2)))
        #expect(
            ListmonkAnswer.transport(.init(kind: .connect, detail: "refused")).deliveryResult(now: t0).isRetry(
                after: nil))
        #expect(
            ListmonkAnswer.transport(.init(kind: .timeout, detail: "slow")).deliveryResult(now: t0).isRetry(after: nil))
        if case .paused = ListmonkAnswer.transport(.init(kind: .tls, detail: "untrusted")).deliveryResult(now: t0) {
        } else {
            Issue.record("a TLS trust failure must pause")
        }
    }

    @Test func retryAfterSecondsAndHTTPDates() {
        #expect(RetryAfter.parse("120", now: t0) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: t0) == .zero)
        let date = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: date.addingTimeInterval(-90)) == .seconds(90))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: date.addingTimeInterval(-1)) == .seconds(1))
        #expect(RetryAfter.parse("Sun Nov  6 08:49:37 1994", now: date.addingTimeInterval(-2)) == .seconds(2))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: date.addingTimeInterval(60)) == .zero)
        #expect(RetryAfter.parse("soon", now: t0) == nil)
        #expect(RetryAfter.parse("-5", now: t0) == nil)
    }
}

extension DeliveryResult {
    func isRetry(after expected: Duration?) -> Bool {
        if case .retry(let after, _, _) = self { return after == expected }
        return false
    }
}

@Suite struct CredentialsAndURLTests {
    @Test func bothHeaderForms() throws {
        let token = try ListmonkCredentials(user: "api", token: "t0k:en", scheme: .token)
        #expect(token.authorizationHeader == "token api:t0k:en")
        let basic = try ListmonkCredentials(user: "api", token: "t0k:en", scheme: .basic)
        #expect(basic.authorizationHeader == "Basic " + Data("api:t0k:en".utf8).base64EncodedString())
    }

    @Test func theTokenNeverShowsInDescriptions() throws {
        let credentials = try ListmonkCredentials(user: "api", token: "very-secret-value")
        var dumped = ""
        dump(credentials, to: &dumped)
        let configuration = ListmonkClientConfiguration(baseURL: "https://x/", credentials: credentials)
        for text in ["\(credentials)", String(reflecting: credentials), dumped, "\(configuration)"] {
            #expect(!text.contains("very-secret-value"), "leaked in: \(text)")
        }
        #expect("\(credentials)".contains("api"))
    }

    @Test func tokenFromAFileOrTheEnvironment() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-cred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("token").path
        try "  abc123  \nignored\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try ListmonkCredentials.load(user: "api", tokenFile: file, environment: [:]).token == "abc123")
        #expect(
            try ListmonkCredentials.load(
                user: "api", tokenFile: nil, environment: ["BOUNCETAIL_LISTMONK_TOKEN": "xyz\n"]
            ).token
                == "xyz")
        #expect(throws: DeliveryConfigurationError.self) {
            try ListmonkCredentials.load(
                user: "api", tokenFile: dir.appendingPathComponent("missing").path, environment: [:])
        }
        do {
            _ = try ListmonkCredentials.load(user: "api", tokenFile: nil, environment: [:])
            Issue.record("expected an error")
        } catch let error as DeliveryConfigurationError {
            #expect(error.message.contains("BOUNCETAIL_LISTMONK_TOKEN"))
        }
        #expect(throws: DeliveryConfigurationError.self) { try ListmonkCredentials(user: "a:b", token: "t") }
    }

    @Test func webhookURLKeepsTheSubPath() throws {
        func url(_ base: String) throws -> String { try ListmonkClientConfiguration.webhookURL(base: base) }
        #expect(try url("https://lists.example.org") == "https://lists.example.org/webhooks/bounce")
        #expect(try url("https://lists.example.org/") == "https://lists.example.org/webhooks/bounce")
        #expect(try url("https://example.org/listmonk/") == "https://example.org/listmonk/webhooks/bounce")
        #expect(try url("http://127.0.0.1:9000/a/b") == "http://127.0.0.1:9000/a/b/webhooks/bounce")
        #expect(throws: DeliveryConfigurationError.self) { try url("ftp://x/") }
        #expect(throws: DeliveryConfigurationError.self) { try url("https://x/?a=1") }
        #expect(throws: DeliveryConfigurationError.self) { try url("https://user:pw@x/") }
        #expect(throws: DeliveryConfigurationError.self) { try url("lists.example.org") }
    }
}

@Suite struct ListmonkCheckJudgeTests {
    func judge(_ status: Int, _ body: String, type: String = "application/json") -> ListmonkCheckResult {
        ListmonkCheck.judge(
            .http(status: status, contentType: type, retryAfter: nil, location: nil, body: Array(body.utf8)),
            url: "https://l/webhooks/bounce", user: "api")
    }

    @Test func verdictsForEveryAnswer() {
        #expect(judge(400, #"{"message":"Invalid fields: email / subscriber_uuid"}"#).verdict == .ok)
        #expect(judge(400, #"{"message":"Invalid data:unexpected end of JSON input"}"#).verdict == .unexpected)
        #expect(judge(200, #"{"data":true}"#).verdict == .unexpected)
        let perm = judge(403, #"{"message":"permission denied: webhooks:post_bounce"}"#)
        #expect(perm.verdict == .misconfigured && perm.advice!.contains("webhooks:post_bounce"))
        #expect(judge(403, #"{"message":"invalid API credentials"}"#).advice!.contains("API"))
        #expect(judge(403, #"{"message":"invalid session"}"#).advice!.contains("proxy"))
        #expect(judge(404, "<html>", type: "text/html").advice!.contains("Enable bounce webhooks"))
        #expect(judge(404, #"{"message":"nope"}"#).advice!.contains("base URL"))
        #expect(judge(503, #"{"message":"Internal server error"}"#).advice!.contains("Enable bounce processing"))
        #expect(judge(401, "").advice!.contains("v2/v3"))
        #expect(judge(502, "bad gateway").verdict == .unreachable)
        let closed = ListmonkCheck.judge(.transport(.init(kind: .closed, detail: "eof")), url: "u", user: "api")
        #expect(closed.verdict == .unreachable && closed.advice!.contains("v6.2.0"))
        let tls = ListmonkCheck.judge(.transport(.init(kind: .tls, detail: "untrusted")), url: "u", user: "api")
        #expect(tls.advice!.contains("CA file"))
    }
}
