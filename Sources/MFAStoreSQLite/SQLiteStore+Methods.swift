import Foundation
import GRDB
import MFACore

extension SQLiteStore {
    static let insertUserSQL = """
        INSERT INTO users (tenant_id, user_id, default_method_id, created_at) VALUES (?, ?, NULL, ?)
        ON CONFLICT (tenant_id, user_id) DO NOTHING
        """

    public func insertMethod(_ record: MethodRecord, audit: [AuditEvent]) async throws {
        let arguments = try record.insertArguments()
        let events = try AuditRow.rows(audit)
        try await writer.write { db in
            try db.cachedStatement(sql: Self.insertUserSQL)
                .execute(arguments: [record.tenantID.rawValue, record.userID.rawValue, record.createdAt.storedMilliseconds])
            try mappingDuplicate("method") {
                try db.cachedStatement(sql: MethodRecord.insertSQL).execute(arguments: arguments)
            }
            try events.insert(db)
        }
    }

    public func method(tenant: TenantID, id: MethodID) async throws -> MethodRecord? {
        try await pool.read { db in
            try MethodRow.fetchOne(db.cachedStatement(sql: Self.selectMethodSQL), arguments: [tenant.rawValue, id.rawValue])
        }?.record()
    }

    public func methods(tenant: TenantID, user: UserID) async throws -> [MethodRecord] {
        try await pool.read { db in
            try MethodRow.fetchAll(db.cachedStatement(sql: """
                SELECT \(MethodRow.columns) FROM methods WHERE tenant_id = ? AND user_id = ? ORDER BY created_at, rowid
                """), arguments: [tenant.rawValue, user.rawValue])
        }.map { try $0.record() }
    }

    public func user(tenant: TenantID, id: UserID) async throws -> UserRecord? {
        let row = try await pool.read { db -> (String?, Int64)? in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT default_method_id, created_at FROM users WHERE tenant_id = ? AND user_id = ?"),
                arguments: [tenant.rawValue, id.rawValue]) else { return nil }
            return try decoding("user row") { (try row.decode(String?.self, atIndex: 0), try row.decode(Int64.self, atIndex: 1)) }
        }
        guard let (defaultMethod, createdAt) = row else { return nil }
        return UserRecord(tenantID: tenant, userID: id,
                          defaultMethodID: try defaultMethod.map { id in try decoding("default method id") { try MethodID(id) } },
                          createdAt: Date(millisecondsSince1970: createdAt))
    }

    public func setDefaultMethod(tenant: TenantID, user: UserID, method: MethodID?, audit: [AuditEvent]) async throws -> Bool {
        let events = try AuditRow.rows(audit)
        return try await writer.write { db in
            try db.cachedStatement(sql: "UPDATE users SET default_method_id = ? WHERE tenant_id = ? AND user_id = ?")
                .execute(arguments: [method?.rawValue, tenant.rawValue, user.rawValue])
            guard db.changesCount == 1 else { return false }
            try events.insert(db)
            return true
        }
    }

    public func activateMethod(tenant: TenantID, id: MethodID, lastCounter: Int64?, drift: Int, now: Date,
                               audit: [AuditEvent]) async throws -> Bool {
        let events = try AuditRow.rows(audit)
        let now = now.storedMilliseconds
        return try await writer.write { db in
            try db.cachedStatement(sql: """
                UPDATE methods SET status = 'active', confirmed_at = ?1, last_used_at = ?1, expires_at = NULL,
                    last_counter = ?2, drift = ?3, failures = 0, locked_until = NULL
                WHERE tenant_id = ?4 AND id = ?5 AND status = 'pending' AND expires_at > ?1
                """).execute(arguments: [now, lastCounter, Int64(drift), tenant.rawValue, id.rawValue])
            guard db.changesCount == 1 else { return false }
            try events.insert(db)
            return true
        }
    }

    public func reserveAttempt(tenant: TenantID, id: MethodID, status: MethodStatus, now: Date,
                               policy: LockoutPolicy) async throws -> AttemptReservation {
        let now = now.storedMilliseconds
        let arguments: StatementArguments = [
            now, Int64(policy.threshold), Int64(policy.baseDelay), Int64(policy.maximumDelay), Int64(policy.disableAfter),
            tenant.rawValue, id.rawValue, status.rawValue,
        ]
        let outcome = try await writer.write { db -> Reservation in
            try db.cachedStatement(sql: Self.reserveAttemptSQL).execute(arguments: arguments)
            if db.changesCount == 1 {
                // Same transaction: the row read is the one just updated.
                guard let row = try MethodRow.fetchOne(db.cachedStatement(sql: Self.selectMethodSQL),
                                                       arguments: [tenant.rawValue, id.rawValue]) else {
                    throw StoreError.corrupt("method \(id)")
                }
                return .reserved(row)
            }
            // Nothing counted (same transaction, so the row cannot have changed): locked or unavailable?
            let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT locked_until FROM methods WHERE tenant_id = ? AND id = ? AND status = ?
                """), arguments: [tenant.rawValue, id.rawValue, status.rawValue])
            guard let row else { return .unavailable }
            guard let until = try decoding("method lock", { try row.decode(Int64?.self, atIndex: 0) }), until > now else {
                throw StoreError.corrupt("lock of method \(id)")
            }
            return .locked(until)
        }
        switch outcome {
        case .reserved(let row): return .reserved(try row.record())
        case .locked(let until): return .locked(until: Date(millisecondsSince1970: until))
        case .unavailable: return .unavailable
        }
    }

    /// One statement: counts the attempt and locks or disables; the caller checks the row count and
    /// reads the row back in the same transaction (cheaper than RETURNING, which needs a statement
    /// journal inside a transaction). ?1 now (ms), ?2 threshold, ?3 base delay (s), ?4 maximum
    /// delay (s), ?5 disable after, ?6 tenant, ?7 id, ?8 required status. SET expressions see the
    /// row before the update.
    static let reserveAttemptSQL = """
        UPDATE methods SET
            failures = failures + 1,
            locked_until = CASE
                WHEN failures + 1 >= ?2 AND MIN(?4, ?3 << MIN(failures + 1 - ?2, 30)) > 0
                THEN ?1 + MIN(?4, ?3 << MIN(failures + 1 - ?2, 30)) * 1000
                ELSE locked_until END,
            status = CASE WHEN failures + 1 >= ?5 THEN 'disabled' ELSE status END
        WHERE tenant_id = ?6 AND id = ?7 AND status = ?8 AND (locked_until IS NULL OR locked_until <= ?1)
        """

    static let selectMethodSQL = "SELECT \(MethodRow.columns) FROM methods WHERE tenant_id = ? AND id = ?"

    private enum Reservation: Sendable {
        case reserved(MethodRow)
        case locked(Int64)
        case unavailable
    }

    public func recordSuccess(tenant: TenantID, id: MethodID, counter: Int64, drift: Int, now: Date,
                              audit: [AuditEvent]) async throws -> Bool {
        let events = try AuditRow.rows(audit)
        let arguments: StatementArguments = [counter, Int64(drift), now.storedMilliseconds, tenant.rawValue, id.rawValue]
        return try await writer.write { db in
            try db.cachedStatement(sql: """
                UPDATE methods SET last_counter = ?1, drift = ?2, failures = 0, locked_until = NULL, last_used_at = ?3
                WHERE tenant_id = ?4 AND id = ?5 AND status = 'active' AND (last_counter IS NULL OR last_counter < ?1)
                """).execute(arguments: arguments)
            guard db.changesCount == 1 else { return false }
            try events.insert(db)
            return true
        }
    }

    public func resetFailures(tenant: TenantID, id: MethodID) async throws {
        try await writer.write { db in
            try db.cachedStatement(sql: "UPDATE methods SET failures = 0, locked_until = NULL WHERE tenant_id = ? AND id = ?")
                .execute(arguments: [tenant.rawValue, id.rawValue])
        }
    }

    public func updateMethod(tenant: TenantID, id: MethodID, name: String?, status: MethodStatus?,
                             audit: [AuditEvent]) async throws -> Bool {
        guard status != .pending else { return false }
        let events = try AuditRow.rows(audit)
        return try await writer.write { db in
            try db.cachedStatement(sql: """
                UPDATE methods SET
                    name = COALESCE(?1, name),
                    failures = CASE WHEN ?2 = 'active' AND status != 'active' THEN 0 ELSE failures END,
                    locked_until = CASE WHEN ?2 = 'active' AND status != 'active' THEN NULL ELSE locked_until END,
                    status = COALESCE(?2, status)
                WHERE tenant_id = ?3 AND id = ?4 AND status != 'pending'
                """).execute(arguments: [name, status?.rawValue, tenant.rawValue, id.rawValue])
            guard db.changesCount == 1 else { return false }
            try events.insert(db)
            return true
        }
    }

    public func deleteMethod(tenant: TenantID, id: MethodID, audit: [AuditEvent]) async throws -> Bool {
        let events = try AuditRow.rows(audit)
        return try await writer.write { db in
            let key: StatementArguments = [tenant.rawValue, id.rawValue]
            try db.cachedStatement(sql: "DELETE FROM recovery_codes WHERE tenant_id = ? AND method_id = ?").execute(arguments: key)
            let user = try Row.fetchOne(db.cachedStatement(sql: "DELETE FROM methods WHERE tenant_id = ? AND id = ? RETURNING user_id"),
                                        arguments: key)
            guard let user else { return false }
            let userID = try decoding("method user") { try user.decode(String.self, atIndex: 0) }
            try db.cachedStatement(sql: """
                UPDATE users SET default_method_id = NULL WHERE tenant_id = ? AND user_id = ? AND default_method_id = ?
                """).execute(arguments: [tenant.rawValue, userID, id.rawValue])
            try events.insert(db)
            return true
        }
    }

    public func deleteExpiredEnrollments(tenant: TenantID?, user: UserID?, now: Date,
                                         audit: @Sendable (MethodRecord) -> AuditEvent) async throws -> [MethodRecord] {
        let arguments: StatementArguments = ["now": now.storedMilliseconds, "tenant": tenant?.rawValue, "user": user?.rawValue]
        // Not through the batcher: `audit` may not escape. A rare sweep, in its own transaction.
        return try await pool.write { db in
            let filter = """
                status = 'pending' AND expires_at <= :now
                AND (:tenant IS NULL OR tenant_id = :tenant) AND (:user IS NULL OR user_id = :user)
                """
            let expired = try MethodRow.fetchAll(db.makeStatement(sql: """
                SELECT \(MethodRow.columns) FROM methods WHERE \(filter) ORDER BY created_at, rowid
                """), arguments: arguments).map { try $0.record() }
            guard !expired.isEmpty else { return [] }
            try db.makeStatement(sql: """
                DELETE FROM recovery_codes WHERE (tenant_id, method_id) IN (SELECT tenant_id, id FROM methods WHERE \(filter))
                """).execute(arguments: arguments)
            try db.makeStatement(sql: "DELETE FROM methods WHERE \(filter)").execute(arguments: arguments)
            try AuditRow.rows(expired.map(audit)).insert(db)
            return expired
        }
    }

    public func methodsSealed(notWith keyID: String, limit: Int) async throws -> [MethodRecord] {
        guard limit > 0 else { return [] }
        return try await pool.read { db in
            try MethodRow.fetchAll(db.cachedStatement(sql: """
                SELECT \(MethodRow.columns) FROM methods WHERE key_id != ? ORDER BY rowid LIMIT ?
                """), arguments: [keyID, Int64(limit)])
        }.map { try $0.record() }
    }

    public func countMethodsSealed(notWith keyID: String) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM methods WHERE key_id != ?"), arguments: [keyID]) ?? 0
        }
    }

    public func replaceSealedPayload(tenant: TenantID, id: MethodID, old: [UInt8], new: [UInt8], keyID: String) async throws -> Bool {
        try await writer.write { db in
            try db.cachedStatement(sql: """
                UPDATE methods SET sealed_payload = COALESCE(?, X''), key_id = ?
                WHERE tenant_id = ? AND id = ? AND sealed_payload = COALESCE(?, X'')
                """).execute(arguments: [blob(new), keyID, tenant.rawValue, id.rawValue, blob(old)])
            return db.changesCount == 1
        }
    }
}
