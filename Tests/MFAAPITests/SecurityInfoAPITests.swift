import Foundation
import Hummingbird
@testable import MFAAPI
import MFACore
import MFATesting
import Testing

@Suite struct SecurityInfoAPITests {
    @Test func listShowsMethodsWithoutSecrets() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (method, _) = try await api.enrollTOTP(user: "alice")
            _ = try await api.post("/v1/users/alice/methods/recovery-codes", key: f.enroll)
            let r = try await api.get("/v1/users/alice/methods", key: f.manage)
            #expect(r.status == .ok)
            #expect(r.headers[.cacheControl] == "no-store")
            let methods = try #require(r.json["methods"] as? [[String: Any]])
            #expect(methods.count == 2)
            #expect(methods[0]["id"] as? String == method)
            #expect(methods[0]["is_default"] as? Bool == true)
            #expect(methods[0]["created_at"] is String)
            #expect((methods[0]["info"] as? [String: String])?["digits"] == "6")
            #expect(methods[1]["type"] as? String == "recovery_codes")
            #expect(methods[1]["remaining_codes"] as? Int == 10)

            let empty = try await api.get("/v1/users/nobody/methods", key: f.manage)
            #expect(empty.status == .ok)
            #expect((empty.json["methods"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func patchRenamesDisablesEnablesAndSetsTheDefault() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (first, totp) = try await api.enrollTOTP(user: "alice")
            f.clock.advance(by: 30)
            let (second, _) = try await api.enrollTOTP(user: "alice")
            let uri = "/v1/users/alice/methods/\(second)"

            let renamed = try await api.send(.patch, uri, key: f.manage, json: ["name": "Work phone", "default": true])
            #expect(renamed.status == .ok, "\(renamed.text)")
            #expect(renamed.json["name"] as? String == "Work phone")
            #expect(renamed.json["is_default"] as? Bool == true)

            let disabled = try await api.send(.patch, "/v1/users/alice/methods/\(first)", key: f.manage, json: ["disabled": true])
            #expect(disabled.json["status"] as? String == "disabled")
            f.clock.advance(by: 30)
            let refused = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": try api.code(totp), "method_id": first])
            refused.problem(.notFound, code: "not_found")

            let enabled = try await api.send(.patch, "/v1/users/alice/methods/\(first)", key: f.manage, json: ["disabled": false])
            #expect(enabled.json["status"] as? String == "active")
            let ok = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": try api.code(totp), "method_id": first])
            #expect(ok.json["verified"] as? Bool == true)
        }
    }

    @Test func patchErrors() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (method, _) = try await api.enrollTOTP(user: "alice")
            let uri = "/v1/users/alice/methods/\(method)"
            try await api.send(.patch, uri, key: f.manage, json: [String: String]()).problem(.badRequest, code: "invalid_input")
            try await api.send(.patch, uri, key: f.manage, json: ["default": false]).problem(.badRequest, code: "invalid_input", field: "default")
            try await api.send(.patch, uri, key: f.manage, json: ["name": ""]).problem(.badRequest, code: "invalid_input", field: "name")
            try await api.send(.patch, uri, key: f.manage, json: ["disabled": "yes"]).problem(.badRequest, code: "malformed_request", field: "disabled")
            try await api.send(.patch, uri, key: f.manage, json: ["colour": "red"]).problem(.badRequest, code: "malformed_request", field: "colour")
            // A pending enrollment cannot be switched on without its confirmation.
            let pending = try #require(try await api.beginTOTP(user: "alice")["enrollment_id"] as? String)
            try await api.send(.patch, "/v1/users/alice/methods/\(pending)", key: f.manage, json: ["disabled": false])
                .problem(.conflict, code: "conflict")
            try await api.send(.patch, "/v1/users/alice/methods/\(pending)", key: f.manage, json: ["name": "New phone"])
                .problem(.conflict, code: "conflict")
            // Another user's, another tenant's, unknown and malformed ids: 404.
            try await api.send(.patch, "/v1/users/bob/methods/\(method)", key: f.manage, json: ["name": "x"]).problem(.notFound, code: "not_found")
            try await api.send(.patch, uri, key: try await f.otherTenantKey(), json: ["name": "x"]).problem(.notFound, code: "not_found")
            try await api.send(.patch, "/v1/users/alice/methods/m_aaaaaaaaaaaaaaaaaaaaaaaaaa", key: f.manage, json: ["name": "x"])
                .problem(.notFound, code: "not_found")
            try await api.send(.patch, "/v1/users/alice/methods/42", key: f.manage, json: ["name": "x"]).problem(.notFound, code: "not_found")
        }
    }

    @Test func deleteRemovesTheMethod() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (method, _) = try await api.enrollTOTP(user: "alice")
            try await api.send(.delete, "/v1/users/alice/methods/\(method)", key: try await f.otherTenantKey())
                .problem(.notFound, code: "not_found")
            try await api.send(.delete, "/v1/users/bob/methods/\(method)", key: f.manage).problem(.notFound, code: "not_found")
            let r = try await api.send(.delete, "/v1/users/alice/methods/\(method)", key: f.manage)
            #expect(r.status == .noContent)
            #expect(r.bytes.isEmpty)
            try await api.send(.delete, "/v1/users/alice/methods/\(method)", key: f.manage).problem(.notFound, code: "not_found")
            let list = try await api.get("/v1/users/alice/methods", key: f.manage)
            #expect((list.json["methods"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func userIDsArePercentDecodedAndChecked() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let r = try await api.post("/v1/users/alice%40example.com%2Fx%20y/methods/recovery-codes", key: f.enroll)
            #expect(r.status == .created, "\(r.text)")
            let methods = try await f.engine.methods(tenant: "acme", user: "alice@example.com/x y")
            #expect(methods.count == 1)
            try await api.get("/v1/users/\(String(repeating: "a", count: 256))/methods", key: f.manage)
                .problem(.badRequest, code: "invalid_input", field: "user_id")
            try await api.get("/v1/users/a%0Ab/methods", key: f.manage).problem(.badRequest, code: "invalid_input", field: "user_id")
        }
    }
}
