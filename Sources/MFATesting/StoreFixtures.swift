import Foundation
import MFACore
import MFACrypto

/// Small builders for store tests: tenants, method rows with fake sealed payloads, audit events and
/// checkpoints. Every date defaults to `StoreFixtures.now`, which has milliseconds, as stores keep them.
public enum StoreFixtures {
    /// 2023-11-14T22:13:20.123Z: a time with a millisecond part that every store must keep exactly.
    public static let now = Date(millisecondsSince1970: 1_700_000_000_123)

    /// A tenant id nobody else uses (`prefix-` and 16 hex digits), so checks can share a database.
    public static func uniqueTenantID(_ prefix: String = "t") -> TenantID {
        TenantID(stringLiteral: "\(prefix)-\(hex(UInt64.random(in: 0...UInt64.max)))")
    }

    /// A unique name for engine secrets and key ids (`prefix-` and 16 hex digits).
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(hex(UInt64.random(in: 0...UInt64.max)))"
    }

    public static func tenant(_ id: TenantID, issuer: String = "Example Corp", policy: TenantPolicy = .default,
                              createdAt: Date = now) -> Tenant {
        Tenant(id: id, issuer: issuer, policy: policy, createdAt: createdAt)
    }

    /// `count` random bytes from the system CSPRNG.
    public static func bytes(_ count: Int) throws -> [UInt8] {
        try SystemRandomSource().bytes(count: count)
    }

    /// A new random method id.
    public static func methodID() throws -> MethodID {
        try MethodID.generate(random: SystemRandomSource())
    }

    /// A method row with a fake sealed payload (48 random bytes) and key id `k1`.
    /// A pending method without `expiresAt` expires 600 seconds after `now`.
    public static func method(tenant: TenantID, user: UserID, type: MethodType = .totp, status: MethodStatus = .active,
                              now: Date = now, expiresAt: Date? = nil, name: String? = nil,
                              info: [String: String] = ["digits": "6", "algorithm": "SHA1", "period": "30"],
                              keyID: String = "k1", lastCounter: Int64? = nil) throws -> MethodRecord {
        MethodRecord(id: try methodID(), tenantID: tenant, userID: user, type: type, name: name ?? type.rawValue,
                     status: status, info: info, sealedPayload: try bytes(48), keyID: keyID, lastCounter: lastCounter,
                     createdAt: now,
                     expiresAt: expiresAt ?? (status == .pending ? now.addingTimeInterval(600) : nil))
    }

    /// A stand-in for the engine's keyed pseudonym of a user id: 64 hex digits, deterministic.
    public static func userRef(_ user: UserID) -> String {
        let bytes = Array(user.rawValue.utf8)
        return (0..<4).map { round -> String in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325 &+ UInt64(round) &* 0x9e37_79b9_7f4a_7c15
            for b in bytes {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01b3
            }
            return hex(h)
        }.joined()
    }

    /// An audit event; `userRef` defaults to `userRef(user)`, `hash` to 64 random-looking hex digits
    /// (stores do not check it).
    public static func event(tenant: TenantID?, user: UserID?, kind: AuditEventKind = .verificationSucceeded,
                             at: Date = now, methodID: MethodID? = nil, methodType: MethodType? = nil,
                             userRef: String? = nil, details: [String: String] = [:],
                             source: AuditSource = AuditSource(ip: "192.0.2.1", userAgent: "store-tests", actor: "tests"),
                             hash: String? = nil) -> AuditEvent {
        AuditEvent(at: at, tenantID: tenant, userID: user, userRef: userRef ?? user.map(Self.userRef), methodID: methodID,
                   methodType: methodType, kind: kind, source: source, details: details,
                   hash: hash ?? (0..<4).map { _ in Self.hex(UInt64.random(in: 0...UInt64.max)) }.joined())
    }

    /// A checkpoint with fake root and macs.
    public static func checkpoint(sequence: Int64, firstEventID: Int64 = 1, lastEventID: Int64 = 10,
                                  mac: String? = nil, createdAt: Date = now) -> AuditCheckpoint {
        AuditCheckpoint(sequence: sequence, firstEventID: firstEventID, lastEventID: lastEventID,
                        eventCount: Int(lastEventID - firstEventID + 1), root: String(repeating: "ab", count: 32),
                        previousMAC: String(repeating: "cd", count: 32),
                        mac: mac ?? (0..<4).map { _ in Self.hex(UInt64.random(in: 0...UInt64.max)) }.joined(),
                        createdAt: createdAt)
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
