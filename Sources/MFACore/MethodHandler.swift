import Foundation

/// What a method type does in the verification flow. Implementations live in MFAMethods (TOTP,
/// HOTP, recovery codes; later SMS, voice, email) and are handed to the `Engine` by the
/// composition root; the engine knows nothing method-specific.
///
/// Implementation requirements:
/// - `validateShape` is cheap and runs before any database access or crypto (IV-07).
/// - `verify` must consume the proof atomically through the store (`recordSuccess` with a counter,
///   or `consumeRecoveryCode`), passing `context.successEvents()` as the audit events, and must
///   never log the code or the payload.
/// - Errors from the store must propagate (the engine fails closed).
public protocol VerifiableMethod: Sendable {
    var type: MethodType { get }

    /// Throws `MFAError.invalidCode` unless `code` has the shape this method's codes have, given
    /// the method's non-secret `info` (e.g. exactly `digits` ASCII digits).
    func validateShape(code: String, info: [String: String]) throws

    /// Checks `code` for an active method and consumes it atomically.
    func verify(code: String, context: VerificationContext) async throws -> MethodVerdict
}

/// A method whose enrollment is confirmed with a first code (TOTP).
public protocol ConfirmableMethod: VerifiableMethod {
    /// The counter/step matched by the confirming `code`, which becomes the method's `lastCounter`
    /// (so the same code cannot sign in afterwards: TH-14), and the drift to store; nil if wrong.
    func matchConfirmation(code: String, context: VerificationContext) throws -> CodeMatch?
}

/// A matched counter (TOTP step or HOTP counter) and the drift to remember.
public struct CodeMatch: Sendable, Equatable {
    public let counter: Int64
    public let drift: Int
    public init(counter: Int64, drift: Int) {
        self.counter = counter
        self.drift = drift
    }
}

/// A method's answer to a code.
public enum MethodVerdict: Sendable, Equatable {
    /// Correct and consumed.
    case verified
    /// Wrong.
    case rejected
    /// Correct but already used (TH-11, TH-19).
    case replayed
}

/// Everything a method needs to check one code: the row (after the attempt was counted), the
/// tenant's policy, the time, the store and the opened secret.
public struct VerificationContext: Sendable {
    public let engine: Engine
    public let tenant: Tenant
    public let record: MethodRecord
    public let now: Date
    public let source: AuditSource

    public var store: any MFAStore { engine.store }
    public var policy: TenantPolicy { tenant.policy }

    /// Opens and decodes the method's sealed payload.
    public func payload<P: Decodable>(as type: P.Type) throws -> P {
        try engine.openPayload(type, record: record)
    }

    /// The audit events to write together with a successful consume.
    public func successEvents(details: [String: String] = [:]) throws -> [AuditEvent] {
        [try engine.auditEvent(.verificationSucceeded, tenant: tenant.id, user: record.userID, method: record,
                               source: source, details: details, at: now)]
    }
}
