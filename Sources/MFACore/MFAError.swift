/// The one public error type of the engine.
///
/// `code` is stable (a struct over a private enum, so cases can be added); `message` is safe to
/// send to a client; `underlying` is for logs only and is never sent. The HTTP layer maps codes to
/// statuses, the CLI to exit statuses.
public struct MFAError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Kind: String, Sendable {
            case invalidInput = "invalid_input"
            case invalidCode = "invalid_code"
            case notFound = "not_found"
            case conflict = "conflict"
            case locked = "locked"
            case methodNotAllowed = "method_not_allowed"
            case enrollmentExpired = "enrollment_expired"
            case unavailable = "unavailable"
            case configuration = "configuration"
            case integrity = "integrity"
            case `internal` = "internal"
        }
        fileprivate let kind: Kind
        public var rawValue: String { kind.rawValue }
        public var description: String { rawValue }

        /// Malformed or out-of-range input (bad ids, parameters, names).
        public static let invalidInput = Code(kind: .invalidInput)
        /// A code with the wrong shape (non-ASCII digits, wrong length), refused before any crypto.
        public static let invalidCode = Code(kind: .invalidCode)
        /// No such tenant, user, method or enrollment in this tenant.
        public static let notFound = Code(kind: .notFound)
        /// The thing already exists or changed underneath (e.g. a tenant id taken).
        public static let conflict = Code(kind: .conflict)
        /// Too many failures: wait `retryAfter` seconds (RL-01/02).
        public static let locked = Code(kind: .locked)
        /// The tenant's policy does not allow this method or parameter.
        public static let methodNotAllowed = Code(kind: .methodNotAllowed)
        /// The pending enrollment has expired or was already confirmed.
        public static let enrollmentExpired = Code(kind: .enrollmentExpired)
        /// A dependency (database) failed; the operation did not happen. Fail closed (API-08).
        public static let unavailable = Code(kind: .unavailable)
        /// The engine is misconfigured (keys, store).
        public static let configuration = Code(kind: .configuration)
        /// Stored data failed an integrity check (sealed value, audit chain).
        public static let integrity = Code(kind: .integrity)
        public static let `internal` = Code(kind: .internal)
    }

    public let code: Code
    /// Safe to show to a client; never contains a secret, a code or an answer.
    public let message: String
    /// The offending input field, when there is one (`code`, `digits`, `method_id`, ...).
    public let field: String?
    /// For `locked`: seconds to wait.
    public let retryAfter: Int?
    /// The cause, for logs only.
    public let underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, field: String? = nil, retryAfter: Int? = nil,
                underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.retryAfter = retryAfter
        self.underlying = underlying
    }

    public var description: String { "\(code): \(message)" }

    public static func invalidInput(_ message: String, field: String? = nil) -> MFAError {
        MFAError(.invalidInput, message, field: field)
    }
    public static func invalidCode(_ message: String) -> MFAError { MFAError(.invalidCode, message, field: "code") }
    public static func notFound(_ what: String) -> MFAError { MFAError(.notFound, "\(what) not found") }
    public static func conflict(_ message: String) -> MFAError { MFAError(.conflict, message) }
    public static func locked(retryAfter: Int) -> MFAError {
        MFAError(.locked, "too many failed attempts; try again in \(retryAfter) s", retryAfter: max(1, retryAfter))
    }
    public static func methodNotAllowed(_ message: String, field: String? = nil) -> MFAError {
        MFAError(.methodNotAllowed, message, field: field)
    }
    public static func enrollmentExpired() -> MFAError {
        MFAError(.enrollmentExpired, "the enrollment has expired or was already completed; start again")
    }
    public static func unavailable(_ underlying: any Error & Sendable) -> MFAError {
        MFAError(.unavailable, "the service is temporarily unavailable", underlying: underlying)
    }
    public static func configuration(_ message: String, underlying: (any Error & Sendable)? = nil) -> MFAError {
        MFAError(.configuration, message, underlying: underlying)
    }
    public static func integrity(_ message: String, underlying: (any Error & Sendable)? = nil) -> MFAError {
        MFAError(.integrity, message, underlying: underlying)
    }
    public static func `internal`(_ underlying: any Error & Sendable) -> MFAError {
        MFAError(.internal, "internal error", underlying: underlying)
    }
}
