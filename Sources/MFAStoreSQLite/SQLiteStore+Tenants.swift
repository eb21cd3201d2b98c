import Foundation
import GRDB
import MFACore

extension SQLiteStore {
    public func createTenant(_ tenant: Tenant) async throws {
        let policy = try JSONColumn.encode(tenant.policy)
        try await writer.write { db in
            try mappingDuplicate("tenant") {
                try db.cachedStatement(sql: "INSERT INTO tenants (id, issuer, policy_json, created_at) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [tenant.id.rawValue, tenant.issuer, policy, tenant.createdAt.storedMilliseconds])
            }
        }
    }

    public func tenant(_ id: TenantID) async throws -> Tenant? {
        let row = try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT id, issuer, policy_json, created_at FROM tenants WHERE id = ?"),
                             arguments: [id.rawValue])
                .map(TenantRow.init)
        }
        return try row?.tenant()
    }

    public func updateTenant(_ tenant: Tenant) async throws -> Bool {
        let policy = try JSONColumn.encode(tenant.policy)
        return try await writer.write { db in
            try db.cachedStatement(sql: "UPDATE tenants SET issuer = ?, policy_json = ? WHERE id = ?")
                .execute(arguments: [tenant.issuer, policy, tenant.id.rawValue])
            return db.changesCount == 1
        }
    }

    public func tenants() async throws -> [Tenant] {
        let rows = try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT id, issuer, policy_json, created_at FROM tenants ORDER BY id"))
                .map(TenantRow.init)
        }
        return try rows.map { try $0.tenant() }
    }
}

/// A `tenants` row as read; the policy JSON is decoded off the database queue.
struct TenantRow: Sendable {
    let id: String
    let issuer: String
    let policyJSON: String
    let createdAt: Int64

    init(_ row: Row) throws {
        (id, issuer, policyJSON, createdAt) = try decoding("tenant row") {
            (try row.decode(String.self, atIndex: 0), try row.decode(String.self, atIndex: 1),
             try row.decode(String.self, atIndex: 2), try row.decode(Int64.self, atIndex: 3))
        }
    }

    func tenant() throws -> Tenant {
        let policy = try decoding("policy of tenant \(id)") { try JSONColumn.decode(TenantPolicy.self, policyJSON) }
        return Tenant(id: TenantID(stringLiteral: id), issuer: issuer, policy: policy,
                      createdAt: Date(millisecondsSince1970: createdAt))
    }
}
