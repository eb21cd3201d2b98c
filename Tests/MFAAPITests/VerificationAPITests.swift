import Foundation
import Hummingbird
@testable import MFAAPI
import MFACore
import MFAOTP
import MFATesting
import Testing

@Suite struct VerificationAPITests {
    @Test func aRightCodeVerifiesOnceAndAReplayIsRefused() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (method, totp) = try await api.enrollTOTP(user: "alice")
            f.clock.advance(by: 30)
            let code = try api.code(totp)
            let ok = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": code])
            #expect(ok.status == .ok)
            #expect(ok.json["verified"] as? Bool == true)
            #expect(ok.json["method_id"] as? String == method)
            #expect(ok.json["method_type"] as? String == "totp")

            let replay = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": code])
            #expect(replay.status == .ok)
            #expect(replay.json["verified"] as? Bool == false)
            #expect(replay.json["method_id"] == nil)
        }
    }

    @Test func aWrongCodeIsNotVerifiedAndLooksLikeAReplay() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (method, totp) = try await api.enrollTOTP(user: "alice")
            f.clock.advance(by: 30)
            let code = try api.code(totp)
            _ = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": code, "method_id": method])
            let replay = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": code, "method_id": method])
            f.clock.advance(by: 5)
            let wrong = try await api.post("/v1/users/alice/verify", key: f.verify,
                                           json: ["code": try EngineRaceChecks.wrongCode(totp, clock: f.clock), "method_id": method])
            #expect(wrong.status == .ok)
            #expect(wrong.json["verified"] as? Bool == false)
            #expect(wrong.bytes == replay.bytes)
        }
    }

    @Test func aLockedMethodIs429WithRetryAfter() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (method, totp) = try await api.enrollTOTP(user: "alice")
            let wrong = try EngineRaceChecks.wrongCode(totp, clock: f.clock)
            var locked: APIResponse?
            for _ in 0..<10 {
                let r = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": wrong, "method_id": method])
                if r.status == .tooManyRequests { locked = r; break }
                #expect(r.json["verified"] as? Bool == false)
            }
            let r = try #require(locked)
            r.problem(.tooManyRequests, code: "locked")
            let retryAfter = try #require(Int(r.headers[.retryAfter] ?? ""))
            #expect(retryAfter >= 1)
            // Even the right code waits.
            let right = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": try api.code(totp)])
            right.problem(.tooManyRequests, code: "locked")
            f.clock.advance(by: TimeInterval(retryAfter) + 30)
            let after = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": try api.code(totp)])
            #expect(after.json["verified"] as? Bool == true, "\(after.text)")

            let metrics = f.metrics.render()
            #expect(metrics.contains(#"mfa_lockouts_total{operation="verify"}"#))
            #expect(metrics.contains(#"mfa_verifications_total{result="locked"}"#))
            #expect(metrics.contains(#"mfa_verifications_total{result="verified"} 1"#))
        }
    }

    @Test func anUnknownUserLooksExactlyLikeAUserWithoutMethods() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            // "pending" has only an unconfirmed enrollment; "disabled" only a disabled method.
            _ = try await api.beginTOTP(user: "pending")
            let (method, _) = try await api.enrollTOTP(user: "disabled")
            let patch = try await api.send(.patch, "/v1/users/disabled/methods/\(method)", key: f.manage, json: ["disabled": true])
            #expect(patch.status == .ok)
            let _ = try await api.enrollTOTP(user: "elsewhere")

            var answers: [APIResponse] = []
            for user in ["nobody", "pending", "disabled"] {
                answers.append(try await api.post("/v1/users/\(user)/verify", key: f.verify, json: ["code": "123456"]))
            }
            // Another tenant's user is unknown here.
            answers.append(try await api.post("/v1/users/elsewhere/verify", key: try await f.otherTenantKey(), json: ["code": "123456"]))
            // An unknown, malformed or other user's method id.
            answers.append(try await api.post("/v1/users/nobody/verify", key: f.verify,
                                              json: ["code": "123456", "method_id": "m_aaaaaaaaaaaaaaaaaaaaaaaaaa"]))
            answers.append(try await api.post("/v1/users/nobody/verify", key: f.verify, json: ["code": "123456", "method_id": "x"]))
            answers.append(try await api.post("/v1/users/nobody/verify", key: f.verify, json: ["code": "123456", "method_id": method]))
            for answer in answers {
                answer.problem(.notFound, code: "not_found")
                #expect(answer.bytes == answers[0].bytes)
                #expect(answer.headers == answers[0].headers)
            }
        }
    }

    @Test func malformedRequestsAre400NamingTheField() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            _ = try await api.enrollTOTP(user: "alice")
            try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": "12a456"])
                .problem(.badRequest, code: "invalid_code", field: "code")
            try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": "1234567"])
                .problem(.badRequest, code: "invalid_code", field: "code")
            try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": "１２３４５６"])
                .problem(.badRequest, code: "invalid_code", field: "code")
            try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": 123456])
                .problem(.badRequest, code: "malformed_request", field: "code")
            try await api.post("/v1/users/alice/verify", key: f.verify, json: ["method_id": "m_x"])
                .problem(.badRequest, code: "malformed_request", field: "code")
            try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": "123456", "extra": true])
                .problem(.badRequest, code: "malformed_request", field: "extra")
            try await api.send(.post, "/v1/users/alice/verify", key: f.verify, raw: #"{"code": "123456""#)
                .problem(.badRequest, code: "malformed_request")
            try await api.send(.post, "/v1/users/alice/verify", key: f.verify, raw: "[1, 2]")
                .problem(.badRequest, code: "malformed_request")
            try await api.send(.post, "/v1/users/alice/verify", key: f.verify)
                .problem(.badRequest, code: "malformed_request")
            try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": String(repeating: "1", count: 100)])
                .problem(.badRequest, code: "invalid_code", field: "code")
        }
    }

    @Test func aCodeIsNeverTakenFromTheQueryString() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (_, totp) = try await api.enrollTOTP(user: "alice")
            f.clock.advance(by: 30)
            let r = try await api.send(.post, "/v1/users/alice/verify?code=\(try api.code(totp))", key: f.verify)
            r.problem(.badRequest, code: "malformed_request")
        }
    }

    @Test func verificationFailsClosedWhenTheDatabaseFails() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (_, totp) = try await api.enrollTOTP(user: "alice")
            f.clock.advance(by: 30)
            await f.store.failNextOperations(100)
            let r = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": try api.code(totp)])
            let body = r.problem(.serviceUnavailable, code: "unavailable")
            #expect(r.headers[.retryAfter] == "1")
            #expect(!(body.detail ?? "").contains("injected"))
        }
    }
}
