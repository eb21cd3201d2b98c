import Foundation
import MFACore
import MFACrypto
import MFAOTP

/// Recovery codes: a set of single-use codes of 80 bits (16 Base32 characters, shown as
/// `ABCD-EFGH-JKLM-NPQR`), stored only as salted hashes, each consumed atomically.
public struct RecoveryCodesMethod: VerifiableMethod {
    public init() {}
    public var type: MethodType { .recoveryCodes }

    /// Characters in a code (80 bits of Base32).
    public static let length = 16

    struct Payload: Codable {
        /// Per-set salt: the same code in two sets hashes differently.
        var salt: Data
    }

    /// Upper-cases and removes spaces and dashes; nil unless 16 Base32 characters remain.
    public static func normalize(_ code: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(length)
        for c in code.utf8 {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "-") { continue }
            let upper = (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) ? c - 32 : c
            guard (upper >= UInt8(ascii: "A") && upper <= UInt8(ascii: "Z")) || (upper >= UInt8(ascii: "2") && upper <= UInt8(ascii: "7")),
                  out.count < length else { return nil }
            out.append(upper)
        }
        return out.count == length ? String(decoding: out, as: UTF8.self) : nil
    }

    /// `ABCDEFGHJKLMNPQR` -> `ABCD-EFGH-JKLM-NPQR`.
    public static func format(_ normalized: String) -> String {
        var groups: [Substring] = []
        var rest = Substring(normalized)
        while !rest.isEmpty {
            groups.append(rest.prefix(4))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: "-")
    }

    static func hash(_ normalized: String, salt: Data) throws -> [UInt8] {
        try HMAC.mac(algorithm: .sha256, key: Array(salt), message: Array(normalized.utf8))
    }

    public func validateShape(code: String, info: [String: String]) throws {
        guard Self.normalize(code) != nil else {
            throw MFAError.invalidCode("a recovery code is 16 letters and digits (dashes and spaces are ignored)")
        }
    }

    public func verify(code: String, context: VerificationContext) async throws -> MethodVerdict {
        guard let normalized = Self.normalize(code) else { return .rejected }
        let payload = try context.payload(as: Payload.self)
        let digest: [UInt8]
        do {
            digest = try Self.hash(normalized, salt: payload.salt)
        } catch {
            throw MFAError.internal(SendableErrorBox(error))
        }
        var events = try context.successEvents()
        events.append(try context.engine.auditEvent(.recoveryCodeUsed, tenant: context.record.tenantID,
                                                    user: context.record.userID, method: context.record,
                                                    source: context.source, at: context.now))
        let consumed = try await context.engine.guarded("consumeRecoveryCode") {
            try await context.store.consumeRecoveryCode(tenant: context.record.tenantID, method: context.record.id,
                                                        hash: digest, now: context.now, audit: events)
        }
        return consumed ? .verified : .rejected
    }
}

/// A new set of recovery codes, shown once.
public struct RecoveryCodeSet: Sendable {
    public let methodID: MethodID
    /// Formatted `XXXX-XXXX-XXXX-XXXX`. Never log them.
    public let codes: [String]
}

extension Engine {
    /// Generates a new set of recovery codes (the tenant's count, default 10) and voids any old
    /// set, in one transaction. The codes are returned once and stored only as salted hashes.
    public func generateRecoveryCodes(tenant tenantID: TenantID, user: UserID,
                                      source: AuditSource = .unknown) async throws -> RecoveryCodeSet {
        let tenant = try await self.tenant(tenantID)
        guard UserID.isValid(user.rawValue) else { throw MFAError.invalidInput("bad user id", field: "user_id") }
        guard tenant.policy.allowedMethods.contains(.recoveryCodes) else {
            throw MFAError.methodNotAllowed("this organization does not allow recovery codes", field: "type")
        }
        let salt = Data(try random.bytes(count: 16))
        var normalized = Set<String>()
        while normalized.count < tenant.policy.recoveryCodes.count {
            normalized.insert(Base32.encode(try random.bytes(count: 10)))  // 80 bits -> 16 characters
        }
        let codes = Array(normalized)
        let hashes = try codes.map { try RecoveryCodesMethod.hash($0, salt: salt) }
        let now = time.now()
        let id = try MethodID.generate(random: random)
        let sealed = try sealPayload(RecoveryCodesMethod.Payload(salt: salt), tenant: tenantID, method: id)
        let record = MethodRecord(id: id, tenantID: tenantID, userID: user, type: .recoveryCodes, name: "Recovery codes",
                                  status: .active, info: ["count": "\(codes.count)"], sealedPayload: sealed.sealed,
                                  keyID: sealed.keyID, createdAt: now, confirmedAt: now)
        let event = try auditEvent(.recoveryCodesGenerated, tenant: tenantID, user: user, method: record, source: source,
                                   details: ["count": "\(codes.count)"], at: now)
        try await guarded("replaceRecoveryCodes") { try await store.replaceRecoveryCodes(method: record, hashes: hashes, audit: [event]) }
        return RecoveryCodeSet(methodID: id, codes: codes.map(RecoveryCodesMethod.format))
    }
}
