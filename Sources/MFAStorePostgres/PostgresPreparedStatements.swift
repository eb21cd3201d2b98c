import Foundation
import MFACore
import PostgresNIO

/// The hot path (sign-in verification) as prepared statements: each is parsed and planned once per
/// connection and then only bound and executed. On a loopback server this is several times faster
/// than sending the text every time (the CTE statements cost more to plan than to run). Rows come
/// back as they are and are decoded by `PostgresRows`.
///
/// Every parameter type is declared (`bindingDataTypes`), so a NULL binds like any other value.
protocol StorePreparedStatement: PostgresPreparedStatement where Row == PostgresRow {
    var bindings: PostgresBindings { get }
}

extension StorePreparedStatement {
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

enum Prepared {
    struct TenantByID: StorePreparedStatement {
        static let sql = "SELECT \(PostgresRows.tenantColumns) FROM tenants WHERE id = $1"
        static let bindingDataTypes: [PostgresDataType] = [.text]
        let bindings: PostgresBindings

        init(_ id: TenantID) {
            var b = PostgresBindings(capacity: 1)
            b.append(id.rawValue)
            bindings = b
        }
    }

    struct MethodByID: StorePreparedStatement {
        static let sql = "SELECT \(PostgresRows.methodColumns) FROM methods WHERE tenant_id = $1 AND id = $2"
        static let bindingDataTypes: [PostgresDataType] = [.text, .text]
        let bindings: PostgresBindings

        init(tenant: TenantID, id: MethodID) {
            var b = PostgresBindings(capacity: 2)
            b.append(tenant.rawValue)
            b.append(id.rawValue)
            bindings = b
        }
    }

    /// Oldest first; `seq` (insertion order) breaks ties.
    struct MethodsOfUser: StorePreparedStatement {
        static let sql = """
            SELECT \(PostgresRows.methodColumns) FROM methods WHERE tenant_id = $1 AND user_id = $2
            ORDER BY created_at, seq
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text]
        let bindings: PostgresBindings

        init(tenant: TenantID, user: UserID) {
            var b = PostgresBindings(capacity: 2)
            b.append(tenant.rawValue)
            b.append(user.rawValue)
            bindings = b
        }
    }

    /// Counts the attempt and returns the updated row (`true, ...`) or, when nothing was counted,
    /// the current row (`false, ...`) so a lock can be told from a missing method. One statement.
    struct ReserveAttempt: StorePreparedStatement {
        private static let delay = "LEAST($7, $8 << LEAST(failures + 1 - $5, 30))"
        static let sql = """
            WITH upd AS (
                UPDATE methods SET
                    failures = failures + 1,
                    locked_until = CASE WHEN failures + 1 >= $5 AND \(delay) > 0
                                        THEN $4 + \(delay) * 1000 ELSE locked_until END,
                    status = CASE WHEN failures + 1 >= $6 THEN 'disabled' ELSE status END
                WHERE tenant_id = $1 AND id = $2 AND status = $3 AND (locked_until IS NULL OR locked_until <= $4)
                RETURNING \(PostgresRows.methodColumns)
            )
            SELECT true, \(PostgresRows.methodColumns) FROM upd
            UNION ALL
            SELECT false, \(PostgresRows.methodColumns) FROM methods
            WHERE tenant_id = $1 AND id = $2 AND NOT EXISTS (SELECT 1 FROM upd)
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .int8, .int4, .int4, .int8, .int8]
        let bindings: PostgresBindings

        init(tenant: TenantID, id: MethodID, status: MethodStatus, now: Int64, policy: LockoutPolicy) {
            var b = PostgresBindings(capacity: 8)
            b.append(tenant.rawValue)
            b.append(id.rawValue)
            b.append(status.rawValue)
            b.append(now)
            b.append(Int32(clamping: policy.threshold))
            b.append(Int32(clamping: policy.disableAfter))
            b.append(Int64(policy.maximumDelay))
            b.append(Int64(policy.baseDelay))
            bindings = b
        }
    }

    /// The replay compare-and-set and its audit events in one statement; returns the updated count.
    struct RecordSuccess: StorePreparedStatement {
        static let sql = """
            WITH upd AS (
                UPDATE methods SET last_counter = $3, drift = $4, failures = 0, locked_until = NULL, last_used_at = $5
                WHERE tenant_id = $1 AND id = $2 AND status = 'active' AND (last_counter IS NULL OR last_counter < $3)
                RETURNING 1
            ), a AS (
                \(PostgresAuditRows.insertSQL(firstParameter: 6, when: "EXISTS (SELECT 1 FROM upd)"))
            )
            SELECT count(*) FROM upd
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .int8, .int4, .int8] + PostgresAuditRows.dataTypes
        let bindings: PostgresBindings

        init(tenant: TenantID, id: MethodID, counter: Int64, drift: Int, now: Int64, audit: [AuditEvent]) throws {
            var b = PostgresBindings(capacity: 5 + PostgresAuditRows.parameterCount)
            b.append(tenant.rawValue)
            b.append(id.rawValue)
            b.append(counter)
            b.append(Int32(clamping: drift))
            b.append(now)
            try PostgresAuditRows(audit).append(to: &b)
            bindings = b
        }
    }

    /// Marks one unused code used, touches the method and writes the audit events, in one statement.
    struct ConsumeRecoveryCode: StorePreparedStatement {
        static let sql = """
            WITH used AS (
                UPDATE recovery_codes SET used_at = $4
                WHERE tenant_id = $1 AND method_id = $2 AND code_hash = $3 AND used_at IS NULL
                RETURNING 1
            ), upd AS (
                UPDATE methods SET last_used_at = $4, failures = 0, locked_until = NULL
                WHERE tenant_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM used)
            ), a AS (
                \(PostgresAuditRows.insertSQL(firstParameter: 5, when: "EXISTS (SELECT 1 FROM used)"))
            )
            SELECT count(*) FROM used
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .bytea, .int8] + PostgresAuditRows.dataTypes
        let bindings: PostgresBindings

        init(tenant: TenantID, method: MethodID, hash: [UInt8], now: Int64, audit: [AuditEvent]) throws {
            var b = PostgresBindings(capacity: 4 + PostgresAuditRows.parameterCount)
            b.append(tenant.rawValue)
            b.append(method.rawValue)
            b.append(ByteBuffer(bytes: hash))
            b.append(now)
            try PostgresAuditRows(audit).append(to: &b)
            bindings = b
        }
    }

    struct RemainingRecoveryCodes: StorePreparedStatement {
        static let sql = """
            SELECT count(*) FROM recovery_codes WHERE tenant_id = $1 AND method_id = $2 AND used_at IS NULL
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text]
        let bindings: PostgresBindings

        init(tenant: TenantID, method: MethodID) {
            var b = PostgresBindings(capacity: 2)
            b.append(tenant.rawValue)
            b.append(method.rawValue)
            bindings = b
        }
    }

    struct ResetFailures: StorePreparedStatement {
        static let sql = "UPDATE methods SET failures = 0, locked_until = NULL WHERE tenant_id = $1 AND id = $2"
        static let bindingDataTypes: [PostgresDataType] = [.text, .text]
        let bindings: PostgresBindings

        init(tenant: TenantID, id: MethodID) {
            var b = PostgresBindings(capacity: 2)
            b.append(tenant.rawValue)
            b.append(id.rawValue)
            bindings = b
        }
    }

    /// API key look-up, on every authenticated request.
    struct APIKeyByID: StorePreparedStatement {
        static let sql = "SELECT \(PostgresRows.apiKeyColumns) FROM api_keys WHERE id = $1"
        static let bindingDataTypes: [PostgresDataType] = [.text]
        let bindings: PostgresBindings

        init(_ id: String) {
            var b = PostgresBindings(capacity: 1)
            b.append(id)
            bindings = b
        }
    }

    struct AppendAudit: StorePreparedStatement {
        static let sql = PostgresAuditRows.insertSQL(firstParameter: 1)
        static let bindingDataTypes = PostgresAuditRows.dataTypes
        let bindings: PostgresBindings

        init(_ events: [AuditEvent]) throws {
            var b = PostgresBindings(capacity: PostgresAuditRows.parameterCount)
            try PostgresAuditRows(events).append(to: &b)
            bindings = b
        }
    }
}
