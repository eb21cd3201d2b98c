/// An error from the cryptographic layer.
///
/// `code` is stable and safe to show; `message` never contains key material or plaintext.
/// Higher layers convert it to `MFAError` at their edge.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: String, Sendable {
        case randomFailed = "crypto_random_failed"
        case macFailed = "crypto_mac_failed"
        case invalidKey = "crypto_invalid_key"
        case unknownKey = "crypto_unknown_key"
        case sealFailed = "crypto_seal_failed"
        case openFailed = "crypto_open_failed"
        case malformedSealedValue = "crypto_malformed_sealed_value"
        case invalidKeyRing = "crypto_invalid_key_ring"
        case hashFailed = "crypto_hash_failed"
        case malformedHash = "crypto_malformed_hash"
        case inputTooLong = "crypto_input_too_long"
    }

    private let kind: Kind
    /// A client-safe description; never contains secrets.
    public let message: String

    private init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The stable machine-readable code, e.g. `crypto_open_failed`.
    public var code: String { kind.rawValue }
    public var description: String { "\(code): \(message)" }

    public static func randomFailed() -> CryptoError {
        CryptoError(.randomFailed, "the system random number generator failed")
    }
    public static func macFailed() -> CryptoError {
        CryptoError(.macFailed, "computing an HMAC failed")
    }
    public static func invalidKey(_ message: String) -> CryptoError { CryptoError(.invalidKey, message) }
    public static func unknownKey(_ keyID: String) -> CryptoError {
        CryptoError(.unknownKey, "no key with id '\(keyID)' is in the key ring")
    }
    public static func sealFailed() -> CryptoError { CryptoError(.sealFailed, "sealing a value failed") }
    public static func openFailed() -> CryptoError {
        CryptoError(.openFailed, "a sealed value failed authentication (wrong key, record or tampered data)")
    }
    public static func malformedSealedValue() -> CryptoError {
        CryptoError(.malformedSealedValue, "a sealed value is malformed")
    }
    public static func invalidKeyRing(_ message: String) -> CryptoError { CryptoError(.invalidKeyRing, message) }
    public static func hashFailed(_ message: String) -> CryptoError { CryptoError(.hashFailed, message) }
    public static func malformedHash() -> CryptoError {
        CryptoError(.malformedHash, "a stored hash is not a valid PHC string for this hasher")
    }
    public static func inputTooLong(limit: Int) -> CryptoError {
        CryptoError(.inputTooLong, "the input is longer than \(limit) bytes")
    }
}
