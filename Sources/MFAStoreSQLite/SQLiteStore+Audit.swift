import Foundation
import GRDB
import MFACore

extension SQLiteStore {
    public func appendAudit(_ events: [AuditEvent]) async throws {
        guard !events.isEmpty else { return }
        let rows = try AuditRow.rows(events)
        try await writer.write { db in try rows.insert(db) }
    }

    public func auditEvents(afterID: Int64, limit: Int) async throws -> [AuditEvent] {
        guard limit > 0 else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(AuditRow.columns) FROM audit_events WHERE id > ? ORDER BY id LIMIT ?
                """), arguments: [afterID, Int64(limit)]).map(AuditRow.event)
        }
    }

    public func auditEvents(tenant: TenantID, userRef: String, beforeID: Int64?, limit: Int) async throws -> [AuditEvent] {
        guard limit > 0 else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(AuditRow.columns) FROM audit_events WHERE tenant_id = ? AND user_ref = ? AND id < ?
                ORDER BY id DESC LIMIT ?
                """), arguments: [tenant.rawValue, userRef, beforeID ?? Int64.max, Int64(limit)]).map(AuditRow.event)
        }
    }

    public func auditCheckpoints(afterSequence: Int64, limit: Int) async throws -> [AuditCheckpoint] {
        guard limit > 0 else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.checkpointColumns) FROM audit_checkpoints WHERE sequence > ? ORDER BY sequence LIMIT ?
                """), arguments: [afterSequence, Int64(limit)]).map(Self.checkpoint)
        }
    }

    public func lastAuditCheckpoint() async throws -> AuditCheckpoint? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(Self.checkpointColumns) FROM audit_checkpoints ORDER BY sequence DESC LIMIT 1
                """)).map(Self.checkpoint)
        }
    }

    public func insertAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws -> Bool {
        try await writer.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO audit_checkpoints (\(Self.checkpointColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (sequence) DO NOTHING
                """).execute(arguments: [
                    checkpoint.sequence, checkpoint.firstEventID, checkpoint.lastEventID, Int64(checkpoint.eventCount),
                    checkpoint.root, checkpoint.previousMAC, checkpoint.mac, checkpoint.createdAt.storedMilliseconds,
                ])
            return db.changesCount == 1
        }
    }

    static let checkpointColumns = "sequence, first_event_id, last_event_id, event_count, root, previous_mac, mac, created_at"

    static func checkpoint(_ row: Row) throws -> AuditCheckpoint {
        try decoding("audit checkpoint") {
            guard let count = Int(exactly: try row.decode(Int64.self, atIndex: 3)) else { throw StoreError.corrupt("audit checkpoint") }
            return AuditCheckpoint(
                sequence: try row.decode(Int64.self, atIndex: 0), firstEventID: try row.decode(Int64.self, atIndex: 1),
                lastEventID: try row.decode(Int64.self, atIndex: 2), eventCount: count,
                root: try row.decode(String.self, atIndex: 4), previousMAC: try row.decode(String.self, atIndex: 5),
                mac: try row.decode(String.self, atIndex: 6), createdAt: try row.date(7))
        }
    }
}
