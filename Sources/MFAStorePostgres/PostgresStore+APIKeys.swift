import Foundation
import MFACore
import PostgresNIO

extension PostgresStore {
    public func insertAPIKey(_ record: APIKeyRecord, audit: [AuditEvent]) async throws {
        var s = PostgresStatement()
        let values = [
            s.bind(record.id), s.bind(record.tenantID.rawValue), s.bind(record.name),
            s.bind(record.scopes.sorted().map(\.rawValue).joined(separator: ",")), s.bind(bytes: record.secretHash),
            s.bind(time: record.createdAt), s.bind(time: record.revokedAt) + "::bigint",
        ]
        let auditSQL = try s.auditInsert(audit, when: "EXISTS (SELECT 1 FROM k)")
        s.append("""
            WITH k AS (
                INSERT INTO api_keys (\(PostgresRows.apiKeyColumns)) VALUES (\(values.joined(separator: ", "))) RETURNING 1
            )
            \(auditSQL.isEmpty ? "" : ", a AS (\(auditSQL))")
            SELECT count(*) FROM k
            """)
        guard try await Self.count(rows(s, duplicate: "api key")) == 1 else {
            throw StoreError(.unavailable, "api key insert was not applied")
        }
    }

    public func apiKey(id: String) async throws -> APIKeyRecord? {
        try await rows(Prepared.APIKeyByID(id)).first.map(PostgresRows.apiKey)
    }

    public func apiKeys(tenant: TenantID) async throws -> [APIKeyRecord] {
        var s = PostgresStatement()
        s.append("""
            SELECT \(PostgresRows.apiKeyColumns) FROM api_keys WHERE tenant_id = \(s.bind(tenant.rawValue))
            ORDER BY created_at, seq
            """)
        return try await rows(s).map(PostgresRows.apiKey)
    }

    public func revokeAPIKey(tenant: TenantID, id: String, now: Date, audit: [AuditEvent]) async throws -> Bool {
        var s = PostgresStatement()
        let update = """
            UPDATE api_keys SET revoked_at = \(s.bind(time: now))
            WHERE id = \(s.bind(id)) AND tenant_id = \(s.bind(tenant.rawValue)) AND revoked_at IS NULL
            RETURNING 1
            """
        return try await changed(s, update: update, audit: audit)
    }
}
