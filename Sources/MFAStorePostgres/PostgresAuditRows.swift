import Foundation
import MFACore
import PostgresNIO

/// Audit events bound as twelve column arrays, so one SQL text inserts any number of events (and
/// can be a prepared statement): `INSERT ... SELECT ... FROM unnest($n::bigint[], $n+1::text[], ...)
/// WITH ORDINALITY ... ORDER BY ord`. Ids come from the sequence in array order.
struct PostgresAuditRows {
    static let columns = """
        at, tenant_id, user_id, user_ref, method_id, method_type, kind, source_ip, source_user_agent, \
        source_actor, details_json, hash
        """
    static let parameterCount = 12
    /// The parameter types, in `columns` order.
    static let dataTypes: [PostgresDataType] = [.int8Array] + Array(repeating: .textArray, count: 11)

    private var at: [Int64] = []
    private var text: [[String?]] = Array(repeating: [], count: 11)

    init(_ events: [AuditEvent]) throws {
        at.reserveCapacity(events.count)
        for event in events {
            at.append(PostgresStatement.milliseconds(event.at))
            let values: [String?] = [
                event.tenantID?.rawValue, event.userID?.rawValue, event.userRef, event.methodID?.rawValue,
                event.methodType?.rawValue, event.kind.rawValue, event.source.ip, event.source.userAgent,
                event.source.actor, try PostgresJSON.encode(event.details), event.hash,
            ]
            for (index, value) in values.enumerated() { text[index].append(value) }
        }
    }

    /// Appends the twelve arrays to `bindings`.
    func append(to bindings: inout PostgresBindings) {
        bindings.append(at)
        for column in text { bindings.append(PostgresTextArray(column)) }
    }

    /// The INSERT for parameters `$first ... $(first + 11)`, writing only when `condition` holds.
    static func insertSQL(firstParameter first: Int, when condition: String? = nil) -> String {
        let arrays = (0..<parameterCount).map { i in "$\(first + i)::" + (i == 0 ? "bigint[]" : "text[]") }
        return """
            INSERT INTO audit_events (\(columns))
            SELECT \(columns) FROM unnest(\(arrays.joined(separator: ", "))) WITH ORDINALITY AS v(\(columns), ord)
            \(condition.map { "WHERE \($0)" } ?? "")
            ORDER BY ord
            """
    }
}

/// A one-dimensional `text[]` whose elements may be NULL (postgres-nio's `[String]` cannot hold NULLs).
struct PostgresTextArray: PostgresDynamicTypeEncodable {
    let values: [String?]

    init(_ values: [String?]) { self.values = values }

    var psqlType: PostgresDataType { .textArray }
    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        // Binary array format: dimensions, has-nulls flag, element type, then per dimension its
        // length and lower bound, then each element as a length (-1 for NULL) and its bytes.
        buffer.writeInteger(values.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(values.contains(where: { $0 == nil }) ? 1 : 0, as: Int32.self)
        buffer.writeInteger(PostgresDataType.text.rawValue)
        guard !values.isEmpty else { return }
        buffer.writeInteger(Int32(values.count))
        buffer.writeInteger(1, as: Int32.self)
        for value in values {
            if let value {
                buffer.writeInteger(Int32(value.utf8.count))
                buffer.writeString(value)
            } else {
                buffer.writeInteger(-1, as: Int32.self)
            }
        }
    }
}
