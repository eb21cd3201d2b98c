import Foundation
import MFACore
import PostgresNIO

extension PostgresStore {
    public func insertMethod(_ record: MethodRecord, audit: [AuditEvent]) async throws {
        var s = PostgresStatement()
        let tenant = s.bind(record.tenantID.rawValue), user = s.bind(record.userID.rawValue)
        let created = s.bind(time: record.createdAt)
        let insertMethod = try Self.insertMethodSQL(record, into: &s, tenant: tenant, user: user, created: created)
        let auditSQL = try s.auditInsert(audit, when: "EXISTS (SELECT 1 FROM m)")
        s.append("""
            WITH u AS (
                INSERT INTO users (tenant_id, user_id, default_method_id, created_at) VALUES (\(tenant), \(user), NULL, \(created))
                ON CONFLICT (tenant_id, user_id) DO NOTHING
            ), m AS (\(insertMethod) RETURNING 1)
            \(auditSQL.isEmpty ? "" : ", a AS (\(auditSQL))")
            SELECT count(*) FROM m
            """)
        guard try await Self.count(rows(s, duplicate: "method")) == 1 else {
            throw StoreError(.unavailable, "method insert was not applied")
        }
    }

    public func method(tenant: TenantID, id: MethodID) async throws -> MethodRecord? {
        try await rows(Prepared.MethodByID(tenant: tenant, id: id)).first.map { try PostgresRows.method($0) }
    }

    public func methods(tenant: TenantID, user: UserID) async throws -> [MethodRecord] {
        try await rows(Prepared.MethodsOfUser(tenant: tenant, user: user)).map { try PostgresRows.method($0) }
    }

    public func user(tenant: TenantID, id: UserID) async throws -> UserRecord? {
        var s = PostgresStatement()
        s.append("""
            SELECT \(PostgresRows.userColumns) FROM users
            WHERE tenant_id = \(s.bind(tenant.rawValue)) AND user_id = \(s.bind(id.rawValue))
            """)
        return try await rows(s).first.map(PostgresRows.user)
    }

    public func setDefaultMethod(tenant: TenantID, user: UserID, method: MethodID?, audit: [AuditEvent]) async throws -> Bool {
        var s = PostgresStatement()
        let update = """
            UPDATE users SET default_method_id = \(s.bind(method?.rawValue))::text
            WHERE tenant_id = \(s.bind(tenant.rawValue)) AND user_id = \(s.bind(user.rawValue)) RETURNING 1
            """
        return try await changed(s, update: update, audit: audit)
    }

    public func activateMethod(tenant: TenantID, id: MethodID, lastCounter: Int64?, drift: Int, now: Date,
                               audit: [AuditEvent]) async throws -> Bool {
        var s = PostgresStatement()
        let nowMS = s.bind(time: now)
        let update = """
            UPDATE methods SET status = 'active', confirmed_at = \(nowMS), last_used_at = \(nowMS), expires_at = NULL,
                failures = 0, locked_until = NULL, last_counter = \(s.bind(lastCounter))::bigint, drift = \(s.bind(Int32(clamping: drift)))
            WHERE tenant_id = \(s.bind(tenant.rawValue)) AND id = \(s.bind(id.rawValue))
                AND status = 'pending' AND expires_at > \(nowMS)
            RETURNING 1
            """
        return try await changed(s, update: update, audit: audit)
    }

    public func reserveAttempt(tenant: TenantID, id: MethodID, status: MethodStatus, now: Date,
                               policy: LockoutPolicy) async throws -> AttemptReservation {
        let nowMillis = PostgresStatement.milliseconds(now)
        let statement = Prepared.ReserveAttempt(tenant: tenant, id: id, status: status, now: nowMillis, policy: policy)
        for _ in 0..<3 {
            guard let row = try await rows(statement).first else { return .unavailable }
            let record = try PostgresRows.method(row, offset: 1)
            let reserved: Bool
            do {
                reserved = try row.makeRandomAccess()[0].decode(Bool.self)
            } catch {
                throw StoreError.corrupt("reserveAttempt row")
            }
            if reserved { return .reserved(record) }
            guard record.status == status else { return .unavailable }
            if let until = record.lockedUntil, PostgresStatement.milliseconds(until) > nowMillis { return .locked(until: until) }
            // Unlocked between the UPDATE's check and the fallback read (a concurrent success): try again.
        }
        throw StoreError(.unavailable, "the attempt could not be reserved under contention")
    }

    public func recordSuccess(tenant: TenantID, id: MethodID, counter: Int64, drift: Int, now: Date,
                              audit: [AuditEvent]) async throws -> Bool {
        let statement = try Prepared.RecordSuccess(tenant: tenant, id: id, counter: counter, drift: drift,
                                                   now: PostgresStatement.milliseconds(now), audit: audit)
        return try await Self.count(rows(statement)) > 0
    }

    public func resetFailures(tenant: TenantID, id: MethodID) async throws {
        _ = try await rows(Prepared.ResetFailures(tenant: tenant, id: id))
    }

    public func updateMethod(tenant: TenantID, id: MethodID, name: String?, status: MethodStatus?,
                             audit: [AuditEvent]) async throws -> Bool {
        guard status != .pending else { return false }
        var s = PostgresStatement()
        let newStatus = s.bind(status?.rawValue) + "::text"
        let enabling = "(\(newStatus) = 'active' AND status <> 'active')"
        let update = """
            UPDATE methods SET
                name = COALESCE(\(s.bind(name))::text, name),
                failures = CASE WHEN \(enabling) THEN 0 ELSE failures END,
                locked_until = CASE WHEN \(enabling) THEN NULL ELSE locked_until END,
                status = COALESCE(\(newStatus), status)
            WHERE tenant_id = \(s.bind(tenant.rawValue)) AND id = \(s.bind(id.rawValue)) AND status <> 'pending'
            RETURNING 1
            """
        return try await changed(s, update: update, audit: audit)
    }

    public func deleteMethod(tenant: TenantID, id: MethodID, audit: [AuditEvent]) async throws -> Bool {
        var s = PostgresStatement()
        let t = s.bind(tenant.rawValue), m = s.bind(id.rawValue)
        let auditSQL = try s.auditInsert(audit, when: "EXISTS (SELECT 1 FROM del)")
        s.append("""
            WITH del AS (
                DELETE FROM methods WHERE tenant_id = \(t) AND id = \(m) RETURNING user_id
            ), codes AS (
                DELETE FROM recovery_codes WHERE tenant_id = \(t) AND method_id = \(m)
            ), usr AS (
                UPDATE users SET default_method_id = NULL
                WHERE tenant_id = \(t) AND user_id IN (SELECT user_id FROM del) AND default_method_id = \(m)
            )
            \(auditSQL.isEmpty ? "" : ", a AS (\(auditSQL))")
            SELECT count(*) FROM del
            """)
        return try await Self.count(rows(s)) > 0
    }

    public func deleteExpiredEnrollments(tenant: TenantID?, user: UserID?, now: Date,
                                         audit makeEvent: @Sendable (MethodRecord) -> AuditEvent) async throws -> [MethodRecord] {
        var s = PostgresStatement()
        var conditions = ["status = 'pending'", "expires_at <= \(s.bind(time: now))"]
        if let tenant { conditions.append("tenant_id = \(s.bind(tenant.rawValue))") }
        if let user { conditions.append("user_id = \(s.bind(user.rawValue))") }
        s.append("DELETE FROM methods WHERE \(conditions.joined(separator: " AND ")) RETURNING \(PostgresRows.methodColumns), seq")
        let delete = s.query
        // `makeEvent` may not escape, so this maintenance operation runs in the calling task, without
        // `operationTimeout` (the server's statement_timeout still applies).
        return try await transactionInPlace { connection in
            let deleted = try await connection.query(delete, logger: Self.quietLogger).collect()
            let records = try deleted.map { row -> (MethodRecord, Int64) in
                let seq = try? row.makeRandomAccess()[17].decode(Int64.self)
                guard let seq else { throw StoreError.corrupt("method row") }
                return (try PostgresRows.method(row), seq)
            }.sorted { $0.1 < $1.1 }.map(\.0)
            guard !records.isEmpty else { return [] }
            var insert = PostgresStatement()
            insert.append(try insert.auditInsert(records.map(makeEvent)))
            try await connection.query(insert.query, logger: Self.quietLogger)
            return records
        }
    }

    public func methodsSealed(notWith keyID: String, limit: Int) async throws -> [MethodRecord] {
        var s = PostgresStatement()
        s.append("""
            SELECT \(PostgresRows.methodColumns) FROM methods WHERE key_id <> \(s.bind(keyID))
            ORDER BY seq LIMIT \(s.bind(Int64(max(0, limit))))
            """)
        return try await rows(s).map { try PostgresRows.method($0) }
    }

    public func countMethodsSealed(notWith keyID: String) async throws -> Int {
        var s = PostgresStatement()
        s.append("SELECT count(*) FROM methods WHERE key_id <> \(s.bind(keyID))")
        return Int(try await Self.count(rows(s)))
    }

    public func replaceSealedPayload(tenant: TenantID, id: MethodID, old: [UInt8], new: [UInt8], keyID: String) async throws -> Bool {
        var s = PostgresStatement()
        s.append("""
            UPDATE methods SET sealed_payload = \(s.bind(bytes: new)), key_id = \(s.bind(keyID))
            WHERE tenant_id = \(s.bind(tenant.rawValue)) AND id = \(s.bind(id.rawValue))
                AND sealed_payload = \(s.bind(bytes: old))
            RETURNING 1
            """)
        return try await !rows(s).isEmpty
    }

    public func eraseUser(tenant: TenantID, user: UserID, userRef: String, audit: AuditEvent) async throws {
        var s = PostgresStatement()
        let t = s.bind(tenant.rawValue), u = s.bind(user.rawValue)
        s.append("""
            DELETE FROM recovery_codes WHERE tenant_id = \(t)
                AND method_id IN (SELECT id FROM methods WHERE tenant_id = \(t) AND user_id = \(u))
            """)
        let codes = s.query
        var ids = PostgresStatement()
        let t2 = ids.bind(tenant.rawValue), u2 = ids.bind(user.rawValue)
        ids.append("""
            WITH m AS (DELETE FROM methods WHERE tenant_id = \(t2) AND user_id = \(u2))
            DELETE FROM users WHERE tenant_id = \(t2) AND user_id = \(u2)
            """)
        let rows = ids.query
        var events = PostgresStatement()
        events.append("""
            UPDATE audit_events SET user_id = NULL
            WHERE tenant_id = \(events.bind(tenant.rawValue)) AND user_ref = \(events.bind(userRef)) AND user_id IS NOT NULL
            """)
        let pseudonymise = events.query
        var insert = PostgresStatement()
        insert.append(try insert.auditInsert([audit]))
        let append = insert.query
        try await transaction { connection in
            for query in [codes, rows, pseudonymise, append] {
                try await connection.query(query, logger: Self.quietLogger)
            }
        }
    }

    // MARK: Helpers

    /// Runs `update` (an UPDATE ... RETURNING 1 built on `s`) with `audit` written in the same
    /// statement only when a row changed; returns whether one did.
    func changed(_ statement: PostgresStatement, update: String, audit: [AuditEvent]) async throws -> Bool {
        var s = statement
        let auditSQL = try s.auditInsert(audit, when: "EXISTS (SELECT 1 FROM upd)")
        s.append("""
            WITH upd AS (\(update))
            \(auditSQL.isEmpty ? "" : ", a AS (\(auditSQL))")
            SELECT count(*) FROM upd
            """)
        return try await Self.count(rows(s)) > 0
    }

    /// The single `count(*)` a statement returned.
    static func count(_ rows: [PostgresRow]) throws -> Int64 {
        guard rows.count == 1, let count = try? rows[0].decode(Int64.self) else { throw StoreError.corrupt("row count") }
        return count
    }

    /// `INSERT INTO methods (...) VALUES (...)` for `record`, reusing the given placeholders.
    static func insertMethodSQL(_ record: MethodRecord, into s: inout PostgresStatement, tenant: String, user: String,
                                created: String) throws -> String {
        let values = [
            s.bind(record.id.rawValue), tenant, user, s.bind(record.type.rawValue), s.bind(record.name),
            s.bind(record.status.rawValue), s.bind(try PostgresJSON.encode(record.info)), s.bind(bytes: record.sealedPayload),
            s.bind(record.keyID), s.bind(record.lastCounter) + "::bigint", s.bind(Int32(clamping: record.drift)),
            s.bind(Int32(clamping: record.failures)), s.bind(time: record.lockedUntil) + "::bigint", created,
            s.bind(time: record.confirmedAt) + "::bigint", s.bind(time: record.lastUsedAt) + "::bigint",
            s.bind(time: record.expiresAt) + "::bigint",
        ]
        return "INSERT INTO methods (\(PostgresRows.methodColumns)) VALUES (\(values.joined(separator: ", ")))"
    }
}
