import Foundation
import GRDB
import MFACore

// Conversions between model values and SQLite rows. Rows are decoded by column index against the
// column lists below; anything unreadable throws `StoreError.corrupt`, never traps.

/// SQLite has no empty-blob binding through GRDB (an empty `Data` may bind as NULL), so every
/// blob parameter is written `COALESCE(?, X'')` in SQL and read back with NULL meaning empty.
@inline(__always)
func blob(_ bytes: [UInt8]) -> Data { Data(bytes) }

/// Runs `body`, turning a UNIQUE or PRIMARY KEY violation into `StoreError.duplicate(what)`.
@inline(__always)
func mappingDuplicate<T>(_ what: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DatabaseError
                where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
                || error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
        throw StoreError.duplicate(what)
    }
}

/// Runs a decoding step, turning any failure into `StoreError.corrupt(what)`.
@inline(__always)
func decoding<T>(_ what: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as StoreError {
        throw error
    } catch {
        throw StoreError.corrupt(what)
    }
}

extension Date {
    /// The stored form of a date: the largest whole millisecond `m` with `Date(millisecondsSince1970: m) <= self`.
    ///
    /// A date built with `Date(millisecondsSince1970:)` reads back identical (`==`), even where its
    /// double lands a hair below the millisecond and `(timeIntervalSince1970 * 1000).rounded(.down)`
    /// would lose one; any other date is truncated to the millisecond.
    var storedMilliseconds: Int64 {
        let scaled = (timeIntervalSince1970 * 1000).rounded(.down)
        guard scaled.isFinite, abs(scaled) < 9.0e15 else { return scaled < 0 ? -9_000_000_000_000_000 : 9_000_000_000_000_000 }
        var ms = Int64(scaled)
        if Date(millisecondsSince1970: ms + 1) <= self {
            ms += 1
        } else if Date(millisecondsSince1970: ms) > self {
            ms -= 1
        }
        return ms
    }
}

extension Row {
    @inline(__always)
    func bytes(_ index: Int) throws -> [UInt8] {
        guard let data = try decode(Data?.self, atIndex: index) else { return [] }
        return [UInt8](data)
    }

    @inline(__always)
    func date(_ index: Int) throws -> Date {
        Date(millisecondsSince1970: try decode(Int64.self, atIndex: index))
    }
}

enum JSONColumn {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// `[String: String]` maps (method info, audit details): most are empty.
    static func encodeMap(_ map: [String: String]) throws -> String {
        map.isEmpty ? "{}" : try encode(map)
    }

    static func decodeMap(_ text: String) throws -> [String: String] {
        if text == "{}" { return [:] }
        if let map = plainMap(text) { return map }
        return try decode([String: String].self, text)
    }

    /// The common case without `JSONDecoder` (it dominates a verification's CPU otherwise):
    /// `{"k":"v",...}` as `JSONEncoder` writes plain text, with no escapes or whitespace.
    /// Nil for anything else, which then goes through `JSONDecoder`.
    static func plainMap(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { bytes -> [String: String]? in
            let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
            let end = bytes.count - 1
            guard end >= 1, bytes[0] == UInt8(ascii: "{"), bytes[end] == UInt8(ascii: "}") else { return nil }
            var i = 1
            func string() -> String? {
                guard i < end, bytes[i] == quote else { return nil }
                let start = i + 1
                var j = start
                while j < end, bytes[j] != quote {
                    if bytes[j] == backslash || bytes[j] < 0x20 { return nil }
                    j += 1
                }
                guard j < end else { return nil }
                i = j + 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<j]), as: UTF8.self)
            }
            var map: [String: String] = [:]
            while true {
                guard let key = string(), i < end, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                guard let value = string(), map.updateValue(value, forKey: key) == nil else { return nil }
                if i == end { return map }
                guard bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
        }
    }
}

/// A `methods` row as read, before the JSON and ids are checked (done outside the database queue).
struct MethodRow: Sendable {
    static let columns = """
        tenant_id, id, user_id, type, name, status, info_json, sealed_payload, key_id, last_counter, drift, \
        failures, locked_until, created_at, confirmed_at, last_used_at, expires_at
        """

    let tenantID: String
    let id: String
    let userID: String
    let type: String
    let name: String
    let status: String
    let infoJSON: String
    let sealedPayload: [UInt8]
    let keyID: String
    let lastCounter: Int64?
    let drift: Int64
    let failures: Int64
    let lockedUntil: Int64?
    let createdAt: Int64
    let confirmedAt: Int64?
    let lastUsedAt: Int64?
    let expiresAt: Int64?

    /// Reads a row selected with `columns` (in that order).
    init(_ row: Row) throws {
        do {
            tenantID = try row.decode(String.self, atIndex: 0)
            id = try row.decode(String.self, atIndex: 1)
            userID = try row.decode(String.self, atIndex: 2)
            type = try row.decode(String.self, atIndex: 3)
            name = try row.decode(String.self, atIndex: 4)
            status = try row.decode(String.self, atIndex: 5)
            infoJSON = try row.decode(String.self, atIndex: 6)
            sealedPayload = try row.bytes(7)
            keyID = try row.decode(String.self, atIndex: 8)
            lastCounter = try row.decode(Int64?.self, atIndex: 9)
            drift = try row.decode(Int64.self, atIndex: 10)
            failures = try row.decode(Int64.self, atIndex: 11)
            lockedUntil = try row.decode(Int64?.self, atIndex: 12)
            createdAt = try row.decode(Int64.self, atIndex: 13)
            confirmedAt = try row.decode(Int64?.self, atIndex: 14)
            lastUsedAt = try row.decode(Int64?.self, atIndex: 15)
            expiresAt = try row.decode(Int64?.self, atIndex: 16)
        } catch {
            throw StoreError.corrupt("method row")
        }
    }

    func record() throws -> MethodRecord {
        guard let status = MethodStatus(rawValue: status),
              let drift = Int(exactly: drift), let failures = Int(exactly: failures) else {
            throw StoreError.corrupt("method \(id)")
        }
        let methodID = try decoding("method id") { try MethodID(id) }
        let info = try decoding("method \(id) info") { try JSONColumn.decodeMap(infoJSON) }
        return MethodRecord(
            id: methodID, tenantID: TenantID(stringLiteral: tenantID), userID: UserID(stringLiteral: userID),
            type: MethodType(type), name: name, status: status, info: info, sealedPayload: sealedPayload,
            keyID: keyID, lastCounter: lastCounter, drift: drift, failures: failures,
            lockedUntil: lockedUntil.map(Date.init(millisecondsSince1970:)),
            createdAt: Date(millisecondsSince1970: createdAt),
            confirmedAt: confirmedAt.map(Date.init(millisecondsSince1970:)),
            lastUsedAt: lastUsedAt.map(Date.init(millisecondsSince1970:)),
            expiresAt: expiresAt.map(Date.init(millisecondsSince1970:)))
    }

    static func fetchAll(_ statement: Statement, arguments: StatementArguments) throws -> [MethodRow] {
        var rows: [MethodRow] = []
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try cursor.next() { rows.append(try MethodRow(row)) }
        return rows
    }

    static func fetchOne(_ statement: Statement, arguments: StatementArguments) throws -> MethodRow? {
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        guard let row = try cursor.next() else { return nil }
        let method = try MethodRow(row)
        // Step to the end, so the statement is done (not merely paused) when the cursor resets it.
        while try cursor.next() != nil {}
        return method
    }
}

extension MethodRecord {
    /// Arguments for `MethodRecord.insertSQL`.
    func insertArguments() throws -> StatementArguments {
        let info = try JSONColumn.encodeMap(info)
        let values: [(any DatabaseValueConvertible)?] = [
            tenantID.rawValue, id.rawValue, userID.rawValue, type.rawValue, name, status.rawValue, info,
            blob(sealedPayload), keyID, lastCounter, Int64(drift), Int64(failures),
            lockedUntil?.storedMilliseconds, createdAt.storedMilliseconds,
            confirmedAt?.storedMilliseconds, lastUsedAt?.storedMilliseconds, expiresAt?.storedMilliseconds,
        ]
        return StatementArguments(values)
    }

    static let insertSQL = """
        INSERT INTO methods (\(MethodRow.columns))
        VALUES (?, ?, ?, ?, ?, ?, ?, COALESCE(?, X''), ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
}

/// An audit event ready to insert: JSON encoded before the write transaction starts.
struct AuditRow: Sendable {
    static let columns = """
        id, at, tenant_id, user_id, user_ref, method_id, method_type, kind, source_ip, source_user_agent, \
        source_actor, details_json, hash
        """
    static let insertSQL = """
        INSERT INTO audit_events (at, tenant_id, user_id, user_ref, method_id, method_type, kind, source_ip, \
        source_user_agent, source_actor, details_json, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    let arguments: StatementArguments

    init(_ event: AuditEvent) throws {
        let values: [(any DatabaseValueConvertible)?] = [
            event.at.storedMilliseconds, event.tenantID?.rawValue, event.userID?.rawValue, event.userRef,
            event.methodID?.rawValue, event.methodType?.rawValue, event.kind.rawValue, event.source.ip,
            event.source.userAgent, event.source.actor, try JSONColumn.encodeMap(event.details), event.hash,
        ]
        arguments = StatementArguments(values)
    }

    static func rows(_ events: [AuditEvent]) throws -> [AuditRow] { try events.map(AuditRow.init) }

    func insert(_ db: Database) throws {
        try db.cachedStatement(sql: Self.insertSQL).execute(arguments: arguments)
    }

    /// Decodes a row selected with `columns` (in that order).
    static func event(_ row: Row) throws -> AuditEvent {
        try decoding("audit event") {
            let methodID = try row.decode(String?.self, atIndex: 5).map { try MethodID($0) }
            return AuditEvent(
                id: try row.decode(Int64.self, atIndex: 0),
                at: try row.date(1),
                tenantID: try row.decode(String?.self, atIndex: 2).map(TenantID.init(stringLiteral:)),
                userID: try row.decode(String?.self, atIndex: 3).map(UserID.init(stringLiteral:)),
                userRef: try row.decode(String?.self, atIndex: 4),
                methodID: methodID,
                methodType: try row.decode(String?.self, atIndex: 6).map(MethodType.init),
                kind: AuditEventKind(try row.decode(String.self, atIndex: 7)),
                source: AuditSource(ip: try row.decode(String?.self, atIndex: 8),
                                    userAgent: try row.decode(String?.self, atIndex: 9),
                                    actor: try row.decode(String?.self, atIndex: 10)),
                details: try JSONColumn.decodeMap(try row.decode(String.self, atIndex: 11)),
                hash: try row.decode(String.self, atIndex: 12))
        }
    }
}

extension Array where Element == AuditRow {
    func insert(_ db: Database) throws {
        guard !isEmpty else { return }
        let statement = try db.cachedStatement(sql: AuditRow.insertSQL)
        for row in self { try statement.execute(arguments: row.arguments) }
    }
}
