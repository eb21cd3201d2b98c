import Foundation
import Hummingbird
@testable import MFAAPI
import MFACore
import MFATesting
import Testing

@Suite struct UsersAPITests {
    @Test func exportHasMethodsAndEventsButNoSecrets() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (method, _) = try await api.enrollTOTP(user: "alice")
            let r = try await api.get("/v1/users/alice/export", key: f.manage)
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.headers[.cacheControl] == "no-store")
            #expect(r.json["user_id"] as? String == "alice")
            #expect((r.json["user_ref"] as? String)?.count == 32)
            #expect(r.json["default_method_id"] as? String == method)
            let methods = try #require(r.json["methods"] as? [[String: Any]])
            #expect(methods.map { $0["id"] as? String } == [method])
            let events = try #require(r.json["events"] as? [[String: Any]])
            let kinds = events.compactMap { $0["kind"] as? String }
            #expect(kinds.contains("enrollment_begun"))
            #expect(kinds.contains("enrollment_confirmed"))
            let source = try #require(events.first?["source"] as? [String: Any])
            #expect((source["actor"] as? String)?.hasPrefix("api:ak_") == true)

            try await api.get("/v1/users/nobody/export", key: f.manage).problem(.notFound, code: "not_found")
            try await api.get("/v1/users/alice/export", key: try await f.otherTenantKey()).problem(.notFound, code: "not_found")
        }
    }

    @Test func eraseRemovesEverythingButPseudonymousEvents() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (_, totp) = try await api.enrollTOTP(user: "alice")
            // Another tenant erasing "alice" touches nothing here.
            let other = try await api.send(.delete, "/v1/users/alice", key: try await f.otherTenantKey())
            #expect(other.status == .noContent)
            #expect((try await api.get("/v1/users/alice/methods", key: f.manage).json["methods"] as? [Any])?.count == 1)

            let r = try await api.send(.delete, "/v1/users/alice", key: f.manage)
            #expect(r.status == .noContent)
            let list = try await api.get("/v1/users/alice/methods", key: f.manage)
            #expect((list.json["methods"] as? [Any])?.isEmpty == true)
            f.clock.advance(by: 30)
            try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": try api.code(totp)])
                .problem(.notFound, code: "not_found")
            let again = try await api.send(.delete, "/v1/users/alice", key: f.manage)
            #expect(again.status == .noContent)
        }
    }

    @Test func activityIsNewestFirstAndPages() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (_, totp) = try await api.enrollTOTP(user: "alice")
            f.clock.advance(by: 30)
            _ = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": try api.code(totp)])
            let all = try await api.get("/v1/users/alice/activity", key: f.manage)
            #expect(all.status == .ok, "\(all.text)")
            let events = try #require(all.json["events"] as? [[String: Any]])
            #expect(events.first?["kind"] as? String == "verification_ok" || events.contains { $0["kind"] as? String == "enrollment_confirmed" })
            let ids = events.compactMap { ($0["id"] as? NSNumber)?.int64Value }
            #expect(ids == ids.sorted(by: >))
            #expect(all.json["next_before"] == nil)

            let page = try await api.get("/v1/users/alice/activity?limit=1", key: f.manage)
            let first = try #require(page.json["events"] as? [[String: Any]])
            #expect(first.count == 1)
            let next = try #require((page.json["next_before"] as? NSNumber)?.int64Value)
            let page2 = try await api.get("/v1/users/alice/activity?limit=1&before=\(next)", key: f.manage)
            let second = try #require(page2.json["events"] as? [[String: Any]])
            #expect(((second.first?["id"] as? NSNumber)?.int64Value ?? .max) < next)

            try await api.get("/v1/users/alice/activity?limit=0", key: f.manage).problem(.badRequest, code: "invalid_input", field: "limit")
            try await api.get("/v1/users/alice/activity?limit=abc", key: f.manage).problem(.badRequest, code: "malformed_request")
            let foreign = try await api.get("/v1/users/alice/activity", key: try await f.otherTenantKey())
            #expect((foreign.json["events"] as? [Any])?.isEmpty == true)
        }
    }
}
