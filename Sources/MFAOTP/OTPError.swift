/// An error from the OTP core: bad input or parameters, always with a clear, secret-free message.
///
/// `code` is a stable snake_case string for APIs and exit statuses; new cases may be added.
public struct OTPError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: String, Sendable {
        case invalidBase32 = "invalid_base32"
        case secretTooShort = "secret_too_short"
        case secretTooLong = "secret_too_long"
        case invalidDigits = "invalid_digits"
        case invalidPeriod = "invalid_period"
        case invalidAlgorithm = "invalid_algorithm"
        case invalidTime = "invalid_time"
        case invalidCounter = "invalid_counter"
        case invalidWindow = "invalid_window"
        case malformedCode = "malformed_code"
        case invalidLabel = "invalid_label"
        case invalidURI = "invalid_uri"
        case cryptoFailure = "crypto_failure"
    }

    private let kind: Kind
    /// What went wrong, safe to show to a user; never contains a secret or a code.
    public let message: String
    /// For `invalid_uri`-style errors: the offending field or parameter, if any.
    public let field: String?

    private init(_ kind: Kind, _ message: String, field: String? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
    }

    /// The stable machine-readable code.
    public var code: String { kind.rawValue }
    public var description: String { "\(code): \(message)" }

    public static func invalidBase32(_ message: String) -> OTPError { OTPError(.invalidBase32, message, field: "secret") }
    public static func secretTooShort(bytes: Int, minimum: Int) -> OTPError {
        OTPError(.secretTooShort, "the secret has \(bytes * 8) bits; at least \(minimum * 8) are required", field: "secret")
    }
    public static func secretTooLong(maximum: Int) -> OTPError {
        OTPError(.secretTooLong, "the secret is longer than \(maximum) bytes", field: "secret")
    }
    public static func invalidDigits(_ digits: Int) -> OTPError {
        OTPError(.invalidDigits, "digits must be 6, 7 or 8 (got \(digits))", field: "digits")
    }
    public static func invalidPeriod(_ period: Int) -> OTPError {
        OTPError(.invalidPeriod, "period must be 1 to 120 seconds (got \(period))", field: "period")
    }
    public static func invalidAlgorithm(_ name: String) -> OTPError {
        let shown = name.count > 20 ? String(name.prefix(20)) + "..." : name
        return OTPError(.invalidAlgorithm, "algorithm must be SHA1, SHA256 or SHA512 (got '\(shown)')", field: "algorithm")
    }
    public static func invalidTime(_ message: String) -> OTPError { OTPError(.invalidTime, message, field: "time") }
    public static func invalidCounter(_ message: String) -> OTPError { OTPError(.invalidCounter, message, field: "counter") }
    public static func invalidWindow(_ message: String) -> OTPError { OTPError(.invalidWindow, message, field: "window") }
    public static func malformedCode(digits: Int) -> OTPError {
        OTPError(.malformedCode, "a code must be exactly \(digits) ASCII digits", field: "code")
    }
    public static func invalidLabel(_ message: String, field: String) -> OTPError { OTPError(.invalidLabel, message, field: field) }
    public static func invalidURI(_ message: String, field: String? = nil) -> OTPError { OTPError(.invalidURI, message, field: field) }
    public static func cryptoFailure() -> OTPError { OTPError(.cryptoFailure, "the cryptographic library failed") }
}
