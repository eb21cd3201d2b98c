import Foundation
import MFACore
import PostgresNIO

extension PostgresStore {
    public func createTenant(_ tenant: Tenant) async throws {
        var s = PostgresStatement()
        let values = [s.bind(tenant.id.rawValue), s.bind(tenant.issuer), s.bind(try PostgresJSON.encode(tenant.policy)),
                      s.bind(time: tenant.createdAt)]
        s.append("INSERT INTO tenants (id, issuer, policy_json, created_at) VALUES (\(values.joined(separator: ", ")))")
        _ = try await rows(s, duplicate: "tenant")
    }

    public func tenant(_ id: TenantID) async throws -> Tenant? {
        try await rows(Prepared.TenantByID(id)).first.map(PostgresRows.tenant)
    }

    public func updateTenant(_ tenant: Tenant) async throws -> Bool {
        var s = PostgresStatement()
        s.append("""
            UPDATE tenants SET issuer = \(s.bind(tenant.issuer)), policy_json = \(s.bind(try PostgresJSON.encode(tenant.policy)))
            WHERE id = \(s.bind(tenant.id.rawValue)) RETURNING 1
            """)
        return try await !rows(s).isEmpty
    }

    public func tenants() async throws -> [Tenant] {
        let s = PostgresStatement("SELECT \(PostgresRows.tenantColumns) FROM tenants ORDER BY id COLLATE \"C\"")
        return try await rows(s).map(PostgresRows.tenant)
    }
}
