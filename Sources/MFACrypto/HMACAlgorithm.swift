/// A hash function for HMAC, as named in otpauth URIs (`SHA1`, `SHA256`, `SHA512`).
public enum HMACAlgorithm: String, Sendable, CaseIterable, Codable {
    case sha1 = "SHA1"
    case sha256 = "SHA256"
    case sha512 = "SHA512"

    /// Length of the HMAC output in bytes (20, 32, 64); also the recommended secret length (RFC 6238 §5.1).
    public var outputLength: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }

    /// Parses `sha1`, `SHA-256`, `SHA512`, ... case-insensitively; nil when unknown.
    public init?(name: String) {
        let normalized = name.uppercased().replacingOccurrences(of: "-", with: "")
        self.init(rawValue: normalized)
    }

    /// The lower-case name used on command lines and in JSON (`sha1`).
    public var lowercaseName: String { rawValue.lowercased() }
}
