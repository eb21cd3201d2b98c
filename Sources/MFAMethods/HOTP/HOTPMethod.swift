import Foundation
import MFACore
import MFACrypto
import MFAOTP

/// Hardware tokens (HOTP, RFC 4226): imported with their secret and counter, verified with a
/// look-ahead window; the counter only moves forward, atomically (TH-18).
public struct HOTPMethod: VerifiableMethod {
    public init() {}
    public var type: MethodType { .hotp }

    struct Payload: Codable {
        var secret: Data
        var algorithm: OTPAlgorithm
        var digits: Int
    }

    /// Largest counter accepted on import, so `counter + look-ahead` stays a signed 64-bit value.
    public static let maximumCounter: UInt64 = UInt64(Int64.max) - 10_000

    public func validateShape(code: String, info: [String: String]) throws {
        try OTPCode.validateShape(code, info: info)
    }

    public func verify(code: String, context: VerificationContext) async throws -> MethodVerdict {
        let next = UInt64((context.record.lastCounter ?? -1) + 1)
        let matched: UInt64?
        do {
            let payload = try context.payload(as: Payload.self)
            let hotp = try HOTP(secret: OTPSecret(bytes: payload.secret), algorithm: payload.algorithm, digits: payload.digits)
            matched = try hotp.verify(code, counter: next, lookAhead: context.policy.hotp.lookAhead)
        } catch {
            throw MFAError.from(error)
        }
        guard let matched else { return .rejected }
        let consumed = try await context.engine.guarded("recordSuccess") {
            try await context.store.recordSuccess(tenant: context.record.tenantID, id: context.record.id,
                                                  counter: Int64(matched), drift: 0, now: context.now,
                                                  audit: try context.successEvents(details: ["counter_skipped": "\(matched - next)"]))
        }
        return consumed ? .verified : .replayed
    }
}
