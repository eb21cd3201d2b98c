import Foundation
import MFACore

extension StoreConformance {
    static let apiKeyChecks: [Check] = [
        Check("api keys: insert, get, list by tenant, duplicate throws, audit written") { store in
            let tenant = StoreFixtures.uniqueTenantID(), other = StoreFixtures.uniqueTenantID()
            let now = StoreFixtures.now
            let a = APIKeyRecord(id: "ak_" + StoreFixtures.uniqueName("k"), tenantID: tenant, name: "login server",
                                 scopes: [.verify, .enroll], secretHash: Array(repeating: 7, count: 32), createdAt: now)
            let b = APIKeyRecord(id: "ak_" + StoreFixtures.uniqueName("k"), tenantID: tenant, name: "admin", scopes: [.admin],
                                 secretHash: Array(repeating: 9, count: 32), createdAt: now.addingTimeInterval(1))
            let c = APIKeyRecord(id: "ak_" + StoreFixtures.uniqueName("k"), tenantID: other, name: "other", scopes: [.manage],
                                 secretHash: [1, 2, 3], createdAt: now)
            let event = StoreFixtures.event(tenant: tenant, user: nil, kind: .apiKeyCreated, at: now)
            let before = try await store.auditEvents(afterID: 0, limit: 100_000).count
            try await store.insertAPIKey(a, audit: [event])
            try await store.insertAPIKey(b, audit: [])
            try await store.insertAPIKey(c, audit: [])
            try check(try await store.auditEvents(afterID: 0, limit: 100_000).count == before + 1, "insertAPIKey wrote its audit event")
            try check(try await store.apiKey(id: a.id) == a, "apiKey(id:) round-trips every field")
            try check(try await store.apiKey(id: "ak_missing") == nil, "an unknown key id is nil")
            try check(try await store.apiKeys(tenant: tenant).map(\.id) == [a.id, b.id], "apiKeys(tenant:) lists the tenant's keys oldest first")
            do {
                try await store.insertAPIKey(a, audit: [])
                throw ConformanceFailure("a duplicate API key id was inserted")
            } catch let error as StoreError where error.kind == .duplicate {}
        },
        Check("api keys: revoke once, scoped by tenant") { store in
            let tenant = StoreFixtures.uniqueTenantID(), other = StoreFixtures.uniqueTenantID()
            let now = StoreFixtures.now
            let key = APIKeyRecord(id: "ak_" + StoreFixtures.uniqueName("k"), tenantID: tenant, name: "k", scopes: [.verify],
                                   secretHash: [4, 5, 6], createdAt: now)
            try await store.insertAPIKey(key, audit: [])
            try check(try await !store.revokeAPIKey(tenant: other, id: key.id, now: now, audit: []), "another tenant cannot revoke")
            try check(try await store.apiKey(id: key.id)?.revokedAt == nil, "not revoked by another tenant")
            let later = now.addingTimeInterval(5)
            try check(try await store.revokeAPIKey(tenant: tenant, id: key.id, now: later, audit: []), "revoke succeeds")
            try check(try await store.apiKey(id: key.id)?.revokedAt == later, "revokedAt is stored")
            try check(try await !store.revokeAPIKey(tenant: tenant, id: key.id, now: later, audit: []), "a second revoke is false")
        },
    ]

    private static func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ConformanceFailure("expected: " + message()) }
    }
}
