public import MFACrypto

/// The shared secret of an OTP credential, held as wiped-on-release bytes.
///
/// Existing secrets of 80 bits or more (Google-style 16-character Base32 keys) are accepted;
/// `generate(for:)` makes new ones as long as the HMAC output (TH-07). `description` is redacted;
/// `base32` reveals the secret and is meant only for the enrollment response and the QR code.
public struct OTPSecret: Sendable, Equatable, CustomStringConvertible {
    /// Shortest accepted secret in bytes (80 bits).
    public static let minimumLength = 10
    /// Longest accepted secret in bytes.
    public static let maximumLength = 256

    public let bytes: SecureBytes

    /// - Throws: `OTPError` when the secret is shorter than 80 bits or longer than 256 bytes.
    public init(bytes: SecureBytes) throws {
        guard bytes.count >= Self.minimumLength else {
            throw OTPError.secretTooShort(bytes: bytes.count, minimum: Self.minimumLength)
        }
        guard bytes.count <= Self.maximumLength else { throw OTPError.secretTooLong(maximum: Self.maximumLength) }
        self.bytes = bytes
    }

    /// Copies raw bytes.
    public init(bytes: some Collection<UInt8>) throws {
        try self.init(bytes: SecureBytes(bytes))
    }

    /// Decodes a Base32 secret (case-insensitive, spaces and padding ignored).
    public init(base32: String) throws {
        guard base32.utf8.count <= Self.maximumLength * 2 else { throw OTPError.secretTooLong(maximum: Self.maximumLength) }
        var length = 0
        let decoded = try SecureBytes(count: base32.utf8.count * 5 / 8 + 1) { buffer in
            length = try Base32.decode(base32, into: buffer)
        }
        try self.init(bytes: SecureBytes(count: length) { out in
            decoded.withUnsafeBytes { src in out.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[0..<length])) }
        })
    }

    /// A new random secret of the HMAC output length for `algorithm` (20, 32 or 64 bytes).
    public static func generate(for algorithm: HMACAlgorithm, random: any RandomSource = SystemRandomSource()) throws -> OTPSecret {
        try OTPSecret(bytes: random.secureBytes(count: algorithm.outputLength))
    }

    /// The secret in upper-case unpadded Base32. This reveals the secret.
    public var base32: String { bytes.withUnsafeBytes { Base32.encode($0) } }

    public var description: String { "OTPSecret(\(bytes.count * 8) bits, redacted)" }
}
