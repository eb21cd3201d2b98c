import Foundation
import MFACore
import PostgresNIO

extension PostgresStore {
    public func replaceRecoveryCodes(method: MethodRecord, hashes: [[UInt8]], audit: [AuditEvent]) async throws {
        // 1. Create the user row if missing and lock it, so two replacements for one user run one
        //    after the other (the second then voids the first's codes).
        var lockUser = PostgresStatement()
        lockUser.append("""
            INSERT INTO users (tenant_id, user_id, default_method_id, created_at)
            VALUES (\(lockUser.bind(method.tenantID.rawValue)), \(lockUser.bind(method.userID.rawValue)), NULL,
                    \(lockUser.bind(time: method.createdAt)))
            ON CONFLICT (tenant_id, user_id) DO UPDATE SET created_at = users.created_at
            """)
        // 2. Void every recovery-code method of the user, codes first.
        var void = PostgresStatement()
        let vt = void.bind(method.tenantID.rawValue), vu = void.bind(method.userID.rawValue)
        let kind = void.bind(MethodType.recoveryCodes.rawValue)
        void.append("""
            WITH old AS (
                SELECT id FROM methods WHERE tenant_id = \(vt) AND user_id = \(vu) AND type = \(kind)
            ), codes AS (
                DELETE FROM recovery_codes WHERE tenant_id = \(vt) AND method_id IN (SELECT id FROM old)
            )
            SELECT count(*) FROM old
            """)
        var deleteOld = PostgresStatement()
        deleteOld.append("""
            DELETE FROM methods WHERE tenant_id = \(deleteOld.bind(method.tenantID.rawValue))
                AND user_id = \(deleteOld.bind(method.userID.rawValue)) AND type = \(deleteOld.bind(MethodType.recoveryCodes.rawValue))
            """)
        // 3. Insert the new method, its codes and the audit events in one statement.
        var insert = PostgresStatement()
        let t = insert.bind(method.tenantID.rawValue), u = insert.bind(method.userID.rawValue)
        let created = insert.bind(time: method.createdAt)
        let insertMethod = try Self.insertMethodSQL(method, into: &insert, tenant: t, user: u, created: created)
        let methodID = insert.bind(method.id.rawValue)
        let codes = insert.bind(hashes.map { ByteBuffer(bytes: $0) })
        let auditSQL = try insert.auditInsert(audit)
        insert.append("""
            WITH m AS (\(insertMethod) RETURNING 1), c AS (
                INSERT INTO recovery_codes (tenant_id, method_id, code_hash)
                SELECT \(t), \(methodID), h FROM unnest(\(codes)::bytea[]) AS h
            )
            \(auditSQL.isEmpty ? "" : ", a AS (\(auditSQL))")
            SELECT count(*) FROM m
            """)
        let queries = [lockUser.query, void.query, deleteOld.query, insert.query]
        try await transaction(duplicate: "method or recovery code") { connection in
            for query in queries {
                try await connection.query(query, logger: Self.quietLogger)
            }
        }
    }

    public func consumeRecoveryCode(tenant: TenantID, method: MethodID, hash: [UInt8], now: Date,
                                    audit: [AuditEvent]) async throws -> Bool {
        let statement = try Prepared.ConsumeRecoveryCode(tenant: tenant, method: method, hash: hash,
                                                         now: PostgresStatement.milliseconds(now), audit: audit)
        return try await Self.count(rows(statement)) > 0
    }

    public func remainingRecoveryCodes(tenant: TenantID, method: MethodID) async throws -> Int {
        Int(try await Self.count(rows(Prepared.RemainingRecoveryCodes(tenant: tenant, method: method))))
    }
}
