import Foundation
import HTTPTypes
import Hummingbird
@testable import MFAAPI
import MFACore
import MFATesting
import Testing

@Suite struct AuthenticationAPITests {
    @Test func missingMalformedUnknownAndRevokedKeysAre401() async throws {
        let f = try await APIFixture.make()
        let revoked = try await f.engine.createAPIKey(tenant: "acme", name: "old", scopes: [.admin])
        try await f.engine.revokeAPIKey(tenant: "acme", id: revoked.summary.id)
        let wrongSecret = String(f.admin.dropLast(4)) + "aaaa"
        try await f.test { api in
            var answers: [APIResponse] = []
            answers.append(try await api.get("/v1/users/alice/methods", key: nil))
            answers.append(try await api.get("/v1/users/alice/methods", key: "nonsense"))
            answers.append(try await api.get("/v1/users/alice/methods", key: wrongSecret))
            answers.append(try await api.get("/v1/users/alice/methods", key: revoked.key))
            answers.append(try await api.send(.get, "/v1/users/alice/methods", key: nil, headers: [.authorization: "Basic \(f.admin)"]))
            answers.append(try await api.send(.get, "/v1/users/alice/methods", key: nil, headers: [.authorization: "Bearer"]))
            for answer in answers {
                answer.problem(.unauthorized, code: "unauthorized")
                #expect(answer.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(answer.bytes == answers[0].bytes)
            }
            // The scheme is case-insensitive.
            let lower = try await api.send(.get, "/v1/users/alice/methods", key: nil, headers: [.authorization: "bearer \(f.manage)"])
            #expect(lower.status == .ok)
        }
    }

    @Test func revokingAKeyStopsIt() async throws {
        let f = try await APIFixture.make()
        let made = try await f.engine.createAPIKey(tenant: "acme", name: "temp", scopes: [.manage])
        try await f.test { api in
            #expect(try await api.get("/v1/users/alice/methods", key: made.key).status == .ok)
            try await f.engine.revokeAPIKey(tenant: "acme", id: made.summary.id)
            try await api.get("/v1/users/alice/methods", key: made.key).problem(.unauthorized, code: "unauthorized")
        }
    }

    /// Each operation with a key of each scope: 403 without its scope, not 401/403 with it or admin.
    @Test(arguments: [
        ("POST", "/v1/users/u/methods/totp", "enroll"),
        ("GET", "/v1/enrollments/m_aaaaaaaaaaaaaaaaaaaaaaaaaa/qr.png", "enroll"),
        ("GET", "/v1/enrollments/m_aaaaaaaaaaaaaaaaaaaaaaaaaa/qr.svg", "enroll"),
        ("POST", "/v1/enrollments/m_aaaaaaaaaaaaaaaaaaaaaaaaaa/confirm", "enroll"),
        ("POST", "/v1/users/u/methods/hotp", "enroll"),
        ("POST", "/v1/users/u/methods/recovery-codes", "enroll"),
        ("POST", "/v1/users/u/verify", "verify"),
        ("GET", "/v1/users/u/methods", "manage"),
        ("PATCH", "/v1/users/u/methods/m_aaaaaaaaaaaaaaaaaaaaaaaaaa", "manage"),
        ("DELETE", "/v1/users/u/methods/m_aaaaaaaaaaaaaaaaaaaaaaaaaa", "manage"),
        ("GET", "/v1/users/u/export", "manage"),
        ("DELETE", "/v1/users/u", "manage"),
        ("GET", "/v1/users/u/activity", "manage"),
    ])
    func scopesAreEnforced(method: String, path: String, scope: String) async throws {
        let f = try await APIFixture.make()
        let bodies: [String: [String: any Sendable]] = [
            "confirm": ["code": "123456"], "hotp": ["secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"],
            "verify": ["code": "123456"], "m_aaaaaaaaaaaaaaaaaaaaaaaaaa": ["name": "x"],
        ]
        let body = method == "POST" || method == "PATCH" ? bodies.first { path.hasSuffix($0.key) }?.value : nil
        try await f.test { api in
            let keys = ["enroll": f.enroll, "verify": f.verify, "manage": f.manage]
            for (name, key) in keys {
                let r = try await api.send(HTTPRequest.Method(method)!, path, key: key, json: body)
                if name == scope {
                    #expect(r.status != .forbidden && r.status != .unauthorized, "\(name) \(method) \(path): \(r.text)")
                } else {
                    r.problem(.forbidden, code: "forbidden")
                }
            }
            let admin = try await api.send(HTTPRequest.Method(method)!, path, key: f.admin, json: body)
            #expect(admin.status != .forbidden && admin.status != .unauthorized, "admin \(method) \(path): \(admin.text)")
            let none = try await api.send(HTTPRequest.Method(method)!, path, key: nil, json: body)
            none.problem(.unauthorized, code: "unauthorized")
        }
    }

    @Test func theTenantComesFromTheKey() async throws {
        let f = try await APIFixture.make()
        let other = try await f.otherTenantKey()
        try await f.test { api in
            let (method, _) = try await api.enrollTOTP(user: "alice")
            let otherList = try await api.get("/v1/users/alice/methods", key: other)
            #expect((otherList.json["methods"] as? [Any])?.isEmpty == true)
            _ = try await api.post("/v1/users/alice/methods/recovery-codes", key: other)
            let ours = try await api.get("/v1/users/alice/methods", key: f.manage)
            #expect((ours.json["methods"] as? [[String: Any]])?.map { $0["id"] as? String } == [method])
            // A tenant query parameter or header changes nothing.
            let sneaky = try await api.send(.get, "/v1/users/alice/methods?tenant=acme", key: other, headers: [HTTPField.Name("X-Tenant")!: "acme"])
            #expect((sneaky.json["methods"] as? [[String: Any]])?.map { $0["type"] as? String } == ["recovery_codes"])
        }
    }

    @Test func operationsEndpointsNeedNoKey() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            for path in ["/healthz", "/readyz", "/metrics", "/openapi.yaml"] {
                let r = try await api.get(path, key: nil)
                #expect(r.status == .ok, "\(path)")
            }
        }
    }

    @Test func theAuditSourceIsTheKeyAndTheClient() async throws {
        let f = try await APIFixture.make()
        try await f.test(options: .init(trustForwardedFor: true)) { api in
            let r = try await api.send(.post, "/v1/users/alice/methods/recovery-codes", key: f.enroll,
                                       headers: [.userAgent: "login-server/1.0", HTTPField.Name("X-Forwarded-For")!: "203.0.113.9, 198.51.100.7"])
            #expect(r.status == .created)
        }
        let events = try await f.engine.activity(tenant: "acme", user: "alice")
        let source = try #require(events.first?.source)
        #expect(source.ip == "198.51.100.7")
        #expect(source.userAgent == "login-server/1.0")
        #expect(source.actor?.hasPrefix("api:ak_") == true)
    }

    @Test func forwardedForIsIgnoredUnlessTrusted() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            _ = try await api.send(.post, "/v1/users/alice/methods/recovery-codes", key: f.enroll,
                                   headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.9"])
        }
        let events = try await f.engine.activity(tenant: "acme", user: "alice")
        #expect(events.first?.source.ip == nil)
    }
}
