import Foundation
import MFACore
import PostgresNIO

/// JSON columns are TEXT written with sorted keys, so equal values give equal text.
enum PostgresJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt(what)
        }
    }
}

/// Column lists and row decoders. Every decoder turns a malformed row into `StoreError.corrupt`.
enum PostgresRows {
    /// Method `info` JSON is the same text for many rows (TOTP parameters), and decoding it was a
    /// tenth of a sign-in's client time: decoded values are kept by their text.
    static let infoCache = DecodedCache<[String: String]>(capacity: 1024)

    static let methodColumns = """
        id, tenant_id, user_id, type, name, status, info_json, sealed_payload, key_id, last_counter, drift, \
        failures, locked_until, created_at, confirmed_at, last_used_at, expires_at
        """

    /// Decodes `methodColumns` starting at column `offset`.
    static func method(_ row: PostgresRow, offset: Int = 0) throws -> MethodRecord {
        let r = row.makeRandomAccess()
        guard r.count >= offset + 17 else { throw StoreError.corrupt("method row") }
        do {
            guard let status = MethodStatus(rawValue: try r[offset + 5].decode(String.self)) else {
                throw StoreError.corrupt("method status")
            }
            let info = try infoCache.value(for: try r[offset + 6].decode(String.self)) {
                try PostgresJSON.decode([String: String].self, from: $0, what: "method info")
            }
            let payload = try r[offset + 7].decode(ByteBuffer.self)
            return MethodRecord(
                id: try MethodID(try r[offset].decode(String.self)),
                tenantID: try TenantID(try r[offset + 1].decode(String.self)),
                userID: try UserID(try r[offset + 2].decode(String.self)),
                type: MethodType(try r[offset + 3].decode(String.self)),
                name: try r[offset + 4].decode(String.self),
                status: status,
                info: info,
                sealedPayload: Array(payload.readableBytesView),
                keyID: try r[offset + 8].decode(String.self),
                lastCounter: try r[offset + 9].decode(Int64?.self),
                drift: try r[offset + 10].decode(Int.self),
                failures: try r[offset + 11].decode(Int.self),
                lockedUntil: try time(r[offset + 12]),
                createdAt: Date(millisecondsSince1970: try r[offset + 13].decode(Int64.self)),
                confirmedAt: try time(r[offset + 14]),
                lastUsedAt: try time(r[offset + 15]),
                expiresAt: try time(r[offset + 16]))
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corrupt("method row")
        }
    }

    static let tenantColumns = "id, issuer, policy_json, created_at"

    static func tenant(_ row: PostgresRow) throws -> Tenant {
        do {
            let (id, issuer, policyJSON, createdAt) = try row.decode((String, String, String, Int64).self)
            let policy = try PostgresJSON.decode(TenantPolicy.self, from: policyJSON, what: "tenant policy")
            return Tenant(id: try TenantID(id), issuer: issuer, policy: policy, createdAt: Date(millisecondsSince1970: createdAt))
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corrupt("tenant row")
        }
    }

    static let userColumns = "tenant_id, user_id, default_method_id, created_at"

    static func user(_ row: PostgresRow) throws -> UserRecord {
        do {
            let (tenant, user, defaultMethod, createdAt) = try row.decode((String, String, String?, Int64).self)
            return UserRecord(tenantID: try TenantID(tenant), userID: try UserID(user),
                              defaultMethodID: try defaultMethod.map { try MethodID($0) },
                              createdAt: Date(millisecondsSince1970: createdAt))
        } catch {
            throw StoreError.corrupt("user row")
        }
    }

    static let auditColumns = """
        id, at, tenant_id, user_id, user_ref, method_id, method_type, kind, source_ip, source_user_agent, \
        source_actor, details_json, hash
        """

    static func audit(_ row: PostgresRow) throws -> AuditEvent {
        let r = row.makeRandomAccess()
        guard r.count == 13 else { throw StoreError.corrupt("audit event") }
        do {
            let details = try PostgresJSON.decode([String: String].self, from: try r[11].decode(String.self), what: "audit details")
            return AuditEvent(
                id: try r[0].decode(Int64.self),
                at: Date(millisecondsSince1970: try r[1].decode(Int64.self)),
                tenantID: try r[2].decode(String?.self).map { try TenantID($0) },
                userID: try r[3].decode(String?.self).map { try UserID($0) },
                userRef: try r[4].decode(String?.self),
                methodID: try r[5].decode(String?.self).map { try MethodID($0) },
                methodType: try r[6].decode(String?.self).map { MethodType($0) },
                kind: AuditEventKind(try r[7].decode(String.self)),
                source: AuditSource(ip: try r[8].decode(String?.self), userAgent: try r[9].decode(String?.self),
                                    actor: try r[10].decode(String?.self)),
                details: details,
                hash: try r[12].decode(String.self))
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corrupt("audit event")
        }
    }

    static let checkpointColumns = "sequence, first_event_id, last_event_id, event_count, root, previous_mac, mac, created_at"

    static func checkpoint(_ row: PostgresRow) throws -> AuditCheckpoint {
        do {
            let (sequence, first, last, count, root, previousMAC, mac, createdAt) =
                try row.decode((Int64, Int64, Int64, Int64, String, String, String, Int64).self)
            guard let eventCount = Int(exactly: count) else { throw StoreError.corrupt("audit checkpoint") }
            return AuditCheckpoint(sequence: sequence, firstEventID: first, lastEventID: last, eventCount: eventCount,
                                   root: root, previousMAC: previousMAC, mac: mac,
                                   createdAt: Date(millisecondsSince1970: createdAt))
        } catch {
            throw StoreError.corrupt("audit checkpoint")
        }
    }

    static let apiKeyColumns = "id, tenant_id, name, scopes, secret_hash, created_at, revoked_at"

    static func apiKey(_ row: PostgresRow) throws -> APIKeyRecord {
        do {
            let (id, tenant, name, scopes, hash, createdAt, revokedAt) =
                try row.decode((String, String, String, String, ByteBuffer, Int64, Int64?).self)
            return APIKeyRecord(id: id, tenantID: try TenantID(tenant), name: name,
                                scopes: Set(scopes.split(separator: ",").map { APIScope(String($0)) }),
                                secretHash: Array(hash.readableBytesView), createdAt: Date(millisecondsSince1970: createdAt),
                                revokedAt: revokedAt.map { Date(millisecondsSince1970: $0) })
        } catch {
            throw StoreError.corrupt("api key")
        }
    }

    private static func time(_ cell: PostgresCell) throws -> Date? {
        try cell.decode(Int64?.self).map { Date(millisecondsSince1970: $0) }
    }
}

/// A small thread-safe map from text to its decoded value; emptied when full.
final class DecodedCache<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Value] = [:]
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func value(for text: String, decode: (String) throws -> Value) throws -> Value {
        if let hit = lock.withLock({ values[text] }) { return hit }
        let value = try decode(text)
        lock.withLock {
            if values.count >= capacity { values.removeAll(keepingCapacity: true) }
            values[text] = value
        }
        return value
    }
}
