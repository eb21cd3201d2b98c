import Foundation
import GRDB
import MFACore

extension SQLiteStore {
    public func replaceRecoveryCodes(method: MethodRecord, hashes: [[UInt8]], audit: [AuditEvent]) async throws {
        let arguments = try method.insertArguments()
        let events = try AuditRow.rows(audit)
        try await writer.write { db in
            let owner: StatementArguments = [method.tenantID.rawValue, method.userID.rawValue, MethodType.recoveryCodes.rawValue]
            try db.cachedStatement(sql: """
                DELETE FROM recovery_codes WHERE tenant_id = ?1
                AND method_id IN (SELECT id FROM methods WHERE tenant_id = ?1 AND user_id = ?2 AND type = ?3)
                """).execute(arguments: owner)
            try db.cachedStatement(sql: "DELETE FROM methods WHERE tenant_id = ? AND user_id = ? AND type = ?")
                .execute(arguments: owner)
            try db.cachedStatement(sql: Self.insertUserSQL)
                .execute(arguments: [method.tenantID.rawValue, method.userID.rawValue, method.createdAt.storedMilliseconds])
            try mappingDuplicate("method") {
                try db.cachedStatement(sql: MethodRecord.insertSQL).execute(arguments: arguments)
            }
            let insert = try db.cachedStatement(sql: """
                INSERT INTO recovery_codes (tenant_id, method_id, code_hash, used_at) VALUES (?, ?, COALESCE(?, X''), NULL)
                """)
            try mappingDuplicate("recovery code") {
                for hash in hashes {
                    try insert.execute(arguments: [method.tenantID.rawValue, method.id.rawValue, blob(hash)])
                }
            }
            try events.insert(db)
        }
    }

    public func consumeRecoveryCode(tenant: TenantID, method: MethodID, hash: [UInt8], now: Date,
                                    audit: [AuditEvent]) async throws -> Bool {
        let events = try AuditRow.rows(audit)
        let now = now.storedMilliseconds
        return try await writer.write { db in
            try db.cachedStatement(sql: """
                UPDATE recovery_codes SET used_at = ?
                WHERE tenant_id = ? AND method_id = ? AND code_hash = COALESCE(?, X'') AND used_at IS NULL
                """).execute(arguments: [now, tenant.rawValue, method.rawValue, blob(hash)])
            guard db.changesCount == 1 else { return false }
            try db.cachedStatement(sql: """
                UPDATE methods SET last_used_at = ?, failures = 0, locked_until = NULL WHERE tenant_id = ? AND id = ?
                """).execute(arguments: [now, tenant.rawValue, method.rawValue])
            try events.insert(db)
            return true
        }
    }

    public func remainingRecoveryCodes(tenant: TenantID, method: MethodID) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM recovery_codes WHERE tenant_id = ? AND method_id = ? AND used_at IS NULL
                """), arguments: [tenant.rawValue, method.rawValue]) ?? 0
        }
    }
}
