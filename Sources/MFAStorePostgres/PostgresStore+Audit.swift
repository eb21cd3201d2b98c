import Foundation
import MFACore
import PostgresNIO

extension PostgresStore {
    public func appendAudit(_ events: [AuditEvent]) async throws {
        guard !events.isEmpty else { return }
        _ = try await rows(Prepared.AppendAudit(events))
    }

    /// Reads in id order and never skips an event: ids come from a sequence when a row is inserted,
    /// so a transaction that took id 10 may commit after one that took id 11. The read therefore
    /// first takes `SHARE` on `audit_events`, which waits for every transaction that is inserting
    /// (they hold `ROW EXCLUSIVE` from before their ids are drawn until they end) and holds new
    /// ones back for the few milliseconds of the read. Whatever it returns is complete up to its
    /// last id, so a sealer reading from its last checkpoint can never miss a late commit.
    public func auditEvents(afterID: Int64, limit: Int) async throws -> [AuditEvent] {
        var s = PostgresStatement()
        s.append("""
            SELECT \(PostgresRows.auditColumns) FROM audit_events WHERE id > \(s.bind(afterID))
            ORDER BY id LIMIT \(s.bind(Int64(max(0, limit))))
            """)
        let query = s.query
        let rows = try await transaction { connection in
            try await connection.query("LOCK TABLE audit_events IN SHARE MODE", logger: Self.quietLogger)
            return try await connection.query(query, logger: Self.quietLogger).collect()
        }
        return try rows.map(PostgresRows.audit)
    }

    public func auditEvents(tenant: TenantID, userRef: String, beforeID: Int64?, limit: Int) async throws -> [AuditEvent] {
        var s = PostgresStatement()
        s.append("""
            SELECT \(PostgresRows.auditColumns) FROM audit_events
            WHERE tenant_id = \(s.bind(tenant.rawValue)) AND user_ref = \(s.bind(userRef))
                AND id < \(s.bind(beforeID ?? Int64.max))
            ORDER BY id DESC LIMIT \(s.bind(Int64(max(0, limit))))
            """)
        return try await rows(s).map(PostgresRows.audit)
    }

    public func auditCheckpoints(afterSequence: Int64, limit: Int) async throws -> [AuditCheckpoint] {
        var s = PostgresStatement()
        s.append("""
            SELECT \(PostgresRows.checkpointColumns) FROM audit_checkpoints WHERE sequence > \(s.bind(afterSequence))
            ORDER BY sequence LIMIT \(s.bind(Int64(max(0, limit))))
            """)
        return try await rows(s).map(PostgresRows.checkpoint)
    }

    public func lastAuditCheckpoint() async throws -> AuditCheckpoint? {
        let s = PostgresStatement("SELECT \(PostgresRows.checkpointColumns) FROM audit_checkpoints ORDER BY sequence DESC LIMIT 1")
        return try await rows(s).first.map(PostgresRows.checkpoint)
    }

    public func insertAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws -> Bool {
        var s = PostgresStatement()
        let values = [
            s.bind(checkpoint.sequence), s.bind(checkpoint.firstEventID), s.bind(checkpoint.lastEventID),
            s.bind(Int64(checkpoint.eventCount)), s.bind(checkpoint.root), s.bind(checkpoint.previousMAC),
            s.bind(checkpoint.mac), s.bind(time: checkpoint.createdAt),
        ]
        s.append("""
            INSERT INTO audit_checkpoints (\(PostgresRows.checkpointColumns)) VALUES (\(values.joined(separator: ", ")))
            ON CONFLICT (sequence) DO NOTHING RETURNING 1
            """)
        return try await !rows(s).isEmpty
    }
}
