import Foundation
import GRDB
import MFACore

extension SQLiteStore {
    public func insertAPIKey(_ record: APIKeyRecord, audit: [AuditEvent]) async throws {
        let events = try AuditRow.rows(audit)
        let arguments: StatementArguments = [
            record.id, record.tenantID.rawValue, record.name, record.scopes.sorted().map(\.rawValue).joined(separator: ","),
            blob(record.secretHash), record.createdAt.storedMilliseconds, record.revokedAt?.storedMilliseconds,
        ]
        try await writer.write { db in
            try mappingDuplicate("api key") {
                try db.cachedStatement(sql: """
                    INSERT INTO api_keys (id, tenant_id, name, scopes, secret_hash, created_at, revoked_at)
                    VALUES (?, ?, ?, ?, COALESCE(?, X''), ?, ?)
                    """).execute(arguments: arguments)
            }
            try events.insert(db)
        }
    }

    public func apiKey(id: String) async throws -> APIKeyRecord? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.apiKeyColumns) FROM api_keys WHERE id = ?"), arguments: [id])
                .map(Self.apiKeyRecord)
        }
    }

    public func apiKeys(tenant: TenantID) async throws -> [APIKeyRecord] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.apiKeyColumns) FROM api_keys WHERE tenant_id = ? ORDER BY created_at, rowid
                """), arguments: [tenant.rawValue]).map(Self.apiKeyRecord)
        }
    }

    public func revokeAPIKey(tenant: TenantID, id: String, now: Date, audit: [AuditEvent]) async throws -> Bool {
        let events = try AuditRow.rows(audit)
        return try await writer.write { db in
            try db.cachedStatement(sql: """
                UPDATE api_keys SET revoked_at = ? WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL
                """).execute(arguments: [now.storedMilliseconds, id, tenant.rawValue])
            guard db.changesCount == 1 else { return false }
            try events.insert(db)
            return true
        }
    }

    static let apiKeyColumns = "id, tenant_id, name, scopes, secret_hash, created_at, revoked_at"

    static func apiKeyRecord(_ row: Row) throws -> APIKeyRecord {
        try decoding("api key") {
            let scopes = (try row.decode(String.self, atIndex: 3)).split(separator: ",").map { APIScope(String($0)) }
            return APIKeyRecord(id: try row.decode(String.self, atIndex: 0), tenantID: try TenantID(try row.decode(String.self, atIndex: 1)),
                                name: try row.decode(String.self, atIndex: 2), scopes: Set(scopes), secretHash: try row.bytes(4),
                                createdAt: Date(millisecondsSince1970: try row.decode(Int64.self, atIndex: 5)),
                                revokedAt: try row.decode(Int64?.self, atIndex: 6).map(Date.init(millisecondsSince1970:)))
        }
    }
}
