import Foundation
import MFACore
import PostgresNIO

/// Builds one SQL statement with bound parameters: `bind` appends a value and returns its
/// placeholder (`$n`), which may then appear several times in the text. Values never enter the SQL text.
struct PostgresStatement {
    private(set) var sql = ""
    private(set) var binds = PostgresBindings()

    init(_ sql: String = "") { self.sql = sql }

    mutating func append(_ text: String) { sql += text }

    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        if let value { binds.append(value) } else { binds.appendNull() }
        return "$\(binds.count)"
    }

    mutating func bind(bytes: [UInt8]) -> String { bind(ByteBuffer(bytes: bytes)) }

    /// Times are stored as BIGINT milliseconds since 1970.
    mutating func bind(time date: Date) -> String { bind(Self.milliseconds(date)) }

    mutating func bind(time date: Date?) -> String { bind(date.map(Self.milliseconds)) }

    /// Rounded to the nearest millisecond: `Date(millisecondsSince1970: n)` can land a hair below
    /// `n` ms, and truncating would then store `n - 1`.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }

    /// An `INSERT INTO audit_events` for `events`, in order (see `PostgresAuditRows`), written only
    /// when `condition` (an SQL boolean, e.g. `EXISTS (SELECT 1 FROM upd)`) holds. Empty for no events.
    mutating func auditInsert(_ events: [AuditEvent], when condition: String? = nil) throws -> String {
        guard !events.isEmpty else { return "" }
        let first = binds.count + 1
        try PostgresAuditRows(events).append(to: &binds)
        return PostgresAuditRows.insertSQL(firstParameter: first, when: condition)
    }
}
