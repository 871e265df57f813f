import Foundation
import Testing

/// The double must follow the reference, or the delivery tests prove nothing about listmonk.
@Suite struct ListmonkDoubleRulesTests {
    let users: [String: ListmonkRules.APIUser] = [
        "api": .init(token: "tok"),
        "noperm": .init(token: "tok", permissions: []),
        "admin": .init(token: "tok", permissions: [], superAdmin: true),
    ]

    func auth(_ value: String?, cookie: String? = nil) -> String? {
        var headers: [(String, String)] = []
        if let value { headers.append(("Authorization", value)) }
        if let cookie { headers.append(("Cookie", cookie)) }
        return ListmonkRules.authError(headers: headers, users: users)
    }

    @Test func authMessagesFollowTheReference() {
        #expect(auth(nil) == "invalid session")
        #expect(auth("token api:tok") == nil)
        #expect(auth("  token   api:tok  ") == nil)
        #expect(auth("Basic " + Data("api:tok".utf8).base64EncodedString()) == nil)
        #expect(auth("token api:wrong") == "invalid API credentials")
        #expect(auth("token nobody:tok") == "invalid API credentials")
        #expect(auth("Bearer abc") == "code=400, message=unknown Authorization scheme")
        #expect(auth("Basic !!!") == "code=400, message=invalid Base64 value in Basic Authorization header")
        #expect(auth("token apitok") == "code=400, message=api_key:token missing")
        #expect(auth("token :tok") == "code=400, message=empty `api_key` or `token`")
        #expect(auth("token noperm:tok") == "permission denied: webhooks:post_bounce")
        #expect(auth("token admin:tok") == nil)
        #expect(auth("token api:tok", cookie: "a=1; session=xyz") == "invalid session")
    }

    func validate(_ json: String) -> String? {
        switch ListmonkRules.decode(Array(json.utf8)) {
        case .failure(let e): return "Invalid data:" + e.message
        case .success(var b): return ListmonkRules.validate(&b)
        }
    }

    @Test func decodingAndValidationOrderAndMessages() {
        #expect(validate("") == "Invalid data:unexpected end of JSON input")
        #expect(validate("[]") == "Invalid data:json: cannot unmarshal array into Go value of type models.Bounce")
        #expect(
            validate(#"{"type":5,"email":"a@b.c"}"#)
                == "Invalid data:json: cannot unmarshal number into Go struct field Bounce.type of type string")
        #expect(validate(#"{"created_at":5}"#) == "Invalid data:Time.UnmarshalJSON: input is not a JSON string")
        #expect(validate(#"{"created_at":"2026-07-01 10:00:00"}"#)!.hasPrefix("Invalid data:parsing time"))
        #expect(validate("{}") == "Invalid fields: email / subscriber_uuid")
        #expect(validate("null") == "Invalid fields: email / subscriber_uuid")
        #expect(validate(#"{"subscriber_uuid":"abc","email":"bad"}"#) == "Invalid fields: subscriber_uuid")
        #expect(validate(#"{"email":"Someone <a@b.c>","type":"x"}"#) == "Invalid email.")
        #expect(validate(#"{"email":"a..b@c.d","type":"hard"}"#) == "Invalid email.")
        #expect(validate(#"{"email":"a@b.c","type":"HARD"}"#) == "Invalid fields: type")
        #expect(validate(#"{"email":"a@b.c"}"#) == "Invalid fields: type")
        #expect(validate(#"{"EMAIL":" A@B.C ","Type":"soft","meta":"x","unknown":1}"#) == nil)
        #expect(validate(#"{"email":"a@localhost","type":"complaint"}"#) == nil)
        #expect(validate(#"{"subscriber_uuid":"6FBD6A4C-3b0e-4a0e-9a8e-2f1c1f4f7a01","type":"hard"}"#) == nil)
    }

    @Test func emailIsTrimmedAndLowerCased() {
        #expect(ListmonkRules.sanitizeEmail("  Alice@Example.ORG ") == "alice@example.org")
        #expect(ListmonkRules.sanitizeEmail("\"quoted\"@x.y") == nil)
        #expect(ListmonkRules.sanitizeEmail("a@b@c") == nil)
        #expect(ListmonkRules.sanitizeEmail("a b@c.d") == nil)
    }
}

/// The double over real HTTP: route, auth and settings answers, with the bodies the reference gives.
@Suite struct ListmonkDoubleHTTPTests {
    @Test func answersOverLoopback() async throws {
        let double = try await ListmonkDouble.start()
        defer { Task { try? await double.shutdown() } }
        let client = try Fixtures.client(double)
        defer { Task { try? await client.shutdown() } }

        let ok = await client.send(body: Array(Fixtures.body(1).utf8))
        #expect(
            ok
                == .http(
                    status: 200, contentType: "application/json", retryAfter: nil, location: nil,
                    body: Array("{\"data\":true}\n".utf8)))
        let empty = await client.send(body: Array("{}".utf8))
        #expect(empty.listmonkMessage == "Invalid fields: email / subscriber_uuid")

        double.update { $0.bounceEnabled = false }
        let off = await client.send(body: Array(Fixtures.body(2).utf8))
        guard case .http(503, _, _, _, let offBody) = off else { Issue.record("expected 503, got \(off)"); return }
        #expect(String(decoding: offBody, as: UTF8.self) == "{\"message\":\"Internal server error\"}\n")

        double.update { $0.webhooksEnabled = false }
        guard case .http(404, let type?, _, _, let page) = await client.send(body: Array(Fixtures.body(3).utf8)) else {
            Issue.record("expected the HTML 404 page")
            return
        }
        #expect(type.hasPrefix("text/html") && String(decoding: page, as: UTF8.self).contains("404 - Not found"))
        #expect(double.log.accepted.count == 1)
        #expect(double.log.accepted[0].bounce.email == "user1@example.org")
    }
}
