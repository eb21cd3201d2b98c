import Foundation
import MFACore
import MFACrypto
import MFAOTP

/// Authenticator apps (TOTP, RFC 6238): several per user, confirmed with a first code, verified
/// within the tenant's window with optional bounded drift learning (TH-09, TH-10).
public struct TOTPMethod: ConfirmableMethod {
    public init() {}
    public var type: MethodType { .totp }

    /// The sealed per-method data.
    struct Payload: Codable {
        var secret: Data
        var algorithm: OTPAlgorithm
        var digits: Int
        var period: Int
    }

    public func validateShape(code: String, info: [String: String]) throws {
        try OTPCode.validateShape(code, info: info)
    }

    public func verify(code: String, context: VerificationContext) async throws -> MethodVerdict {
        guard let match = try match(code: code, context: context, learnDrift: context.policy.totp.driftLearning) else {
            return .rejected
        }
        let consumed = try await context.engine.guarded("recordSuccess") {
            try await context.store.recordSuccess(tenant: context.record.tenantID, id: context.record.id, counter: match.counter,
                                                  drift: match.drift, now: context.now, audit: try context.successEvents())
        }
        return consumed ? .verified : .replayed
    }

    public func matchConfirmation(code: String, context: VerificationContext) throws -> CodeMatch? {
        try match(code: code, context: context, learnDrift: false)
    }

    /// The matched step within `T + drift ± window`, never more than 2 steps from T in total.
    func match(code: String, context: VerificationContext, learnDrift: Bool) throws -> CodeMatch? {
        let payload = try context.payload(as: Payload.self)
        do {
            let secret = try OTPSecret(bytes: payload.secret)
            let totp = try TOTP(secret: secret, algorithm: payload.algorithm, digits: payload.digits, period: payload.period)
            let parsed = try OTPCode(code, digits: payload.digits)
            let now = try totp.step(at: context.now.unixSeconds)
            let window = context.policy.totp.window
            let drift = learnDrift ? context.record.drift : 0
            let limit = Int64(OTPParameters.maximumWindow)
            let center = Int64(now)
            let low = max(center + Int64(drift) - Int64(window), center - limit, 0)
            let high = min(center + Int64(drift) + Int64(window), center + limit)
            guard low <= high else { return nil }
            let generator = try totp.makeGenerator()
            guard let step = try generator.match(parsed, in: UInt64(low)...UInt64(high)) else { return nil }
            let matched = Int64(step)
            return CodeMatch(counter: matched, drift: learnDrift ? Int(matched - center) : 0)
        } catch {
            throw MFAError.from(error)
        }
    }
}
