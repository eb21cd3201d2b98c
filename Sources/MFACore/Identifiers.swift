import MFACrypto
import MFAOTP

/// An organization. Every row is scoped by it; API keys belong to one tenant.
/// 1 to 64 characters of `a-z A-Z 0-9 . _ -`.
public struct TenantID: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    /// - Throws: `MFAError.invalidInput` for an empty, over-long or oddly spelled id.
    public init(_ rawValue: String) throws {
        guard Self.isValid(rawValue) else {
            throw MFAError.invalidInput("a tenant id is 1 to 64 characters of a-z A-Z 0-9 . _ -", field: "tenant_id")
        }
        self.rawValue = rawValue
    }

    /// For literals in code and tests; an invalid literal is a programming error caught by `isValid` checks.
    public init(stringLiteral value: String) { self.rawValue = value }

    public static func isValid(_ value: String) -> Bool {
        let utf8 = value.utf8
        return (1...64).contains(utf8.count) && utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        }
    }

    public var description: String { rawValue }
    public init(from decoder: any Decoder) throws { try self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
}

/// A user: an opaque id chosen by the login server (1 to 255 bytes of UTF-8, no control characters).
/// The engine never owns passwords.
public struct UserID: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) throws {
        guard Self.isValid(rawValue) else {
            throw MFAError.invalidInput("a user id is 1 to 255 bytes of text without control characters", field: "user_id")
        }
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) { self.rawValue = value }

    public static func isValid(_ value: String) -> Bool {
        (1...255).contains(value.utf8.count) && !value.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    public var description: String { rawValue }
    public init(from decoder: any Decoder) throws { try self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
}

/// One registered method of a user (also the id of its pending enrollment): `m_` and 26 Base32
/// characters (130 random bits), so ids cannot be guessed or enumerated.
public struct MethodID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) throws {
        guard Self.isValid(rawValue) else { throw MFAError.invalidInput("not a method id", field: "method_id") }
        self.rawValue = rawValue
    }

    init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// A new random id.
    public static func generate(random: any RandomSource) throws -> MethodID {
        MethodID(unchecked: "m_" + Base32.encode(try random.bytes(count: 16)).lowercased().prefix(26))
    }

    public static func isValid(_ value: String) -> Bool {
        let utf8 = Array(value.utf8)
        guard utf8.count == 28, utf8[0] == UInt8(ascii: "m"), utf8[1] == UInt8(ascii: "_") else { return false }
        return utf8[2...].allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x32 && $0 <= 0x37) }
    }

    public var description: String { rawValue }
    public init(from decoder: any Decoder) throws { try self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
}

/// The kind of a method: a stable snake_case string on the wire and in the database; never renamed.
/// Extensible: later issues add types with a new `static let`.
public struct MethodType: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let totp = MethodType("totp")
    public static let hotp = MethodType("hotp")
    public static let recoveryCodes = MethodType("recovery_codes")
    public static let sms = MethodType("sms")
    public static let voice = MethodType("voice")
    public static let email = MethodType("email")
    public static let securityQuestions = MethodType("security_questions")

    /// Every type the engine knows today, in a stable order.
    public static let builtIn: [MethodType] = [.totp, .hotp, .recoveryCodes, .sms, .voice, .email, .securityQuestions]

    public var description: String { rawValue }
    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
}
