import Foundation
internal import CArgon2

/// Argon2id password hashing (for security-question answers and other low-entropy secrets) in
/// PHC string form, e.g. `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (ST-03).
///
/// The parameters travel with each hash, so they can be raised later; `needsRehash` says when a
/// stored hash was made with weaker ones. Inputs are bounded (IV-08) before any work is done.
public struct PasswordHasher: Sendable {
    /// Argon2id cost parameters.
    public struct Parameters: Sendable, Equatable {
        /// Memory in KiB (OWASP minimum 19 MiB = 19456).
        public var memoryKiB: UInt32
        public var iterations: UInt32
        public var parallelism: UInt32

        public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
        }

        /// OWASP's Argon2id recommendation: m=19 MiB, t=2, p=1.
        public static let recommended = Parameters(memoryKiB: 19456, iterations: 2, parallelism: 1)
    }

    public static let saltLength = 16
    public static let hashLength = 32
    /// Longest accepted input in bytes (long-password DoS guard).
    public static let maximumInputLength = 1024

    public let parameters: Parameters
    private let random: any RandomSource

    public init(parameters: Parameters = .recommended, random: any RandomSource = SystemRandomSource()) {
        self.parameters = parameters
        self.random = random
    }

    /// Hashes `secret` with a fresh 128-bit salt.
    public func hash(_ secret: some Collection<UInt8>) throws -> String {
        var input = Array(secret)
        defer { input.withUnsafeMutableBytes { wipe($0) } }
        guard input.count <= Self.maximumInputLength else { throw CryptoError.inputTooLong(limit: Self.maximumInputLength) }
        let salt = try random.bytes(count: Self.saltLength)
        let p = parameters
        let length = argon2_encodedlen(p.iterations, p.memoryKiB, p.parallelism, UInt32(Self.saltLength),
                                       UInt32(Self.hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length + 1)
        let status = argon2id_hash_encoded(p.iterations, p.memoryKiB, p.parallelism, input, input.count,
                                           salt, salt.count, Self.hashLength, &encoded, encoded.count)
        guard status == ARGON2_OK.rawValue else {
            throw CryptoError.hashFailed(String(cString: argon2_error_message(status)))
        }
        return String(cString: encoded)
    }

    /// Hashes a UTF-8 string.
    public func hash(_ secret: String) throws -> String { try hash(Array(secret.utf8)) }

    /// True when `secret` matches `encoded`; the comparison runs in constant time inside libargon2.
    /// - Throws: `CryptoError.malformedHash` for a stored value that is not an Argon2id PHC string.
    public func verify(_ secret: some Collection<UInt8>, against encoded: String) throws -> Bool {
        var input = Array(secret)
        defer { input.withUnsafeMutableBytes { wipe($0) } }
        guard input.count <= Self.maximumInputLength else { return false }
        guard Self.parameters(of: encoded) != nil else { throw CryptoError.malformedHash() }
        let status = argon2id_verify(encoded, input, input.count)
        if status == ARGON2_OK.rawValue { return true }
        if status == ARGON2_VERIFY_MISMATCH.rawValue { return false }
        throw CryptoError.malformedHash()
    }

    /// Verifies a UTF-8 string.
    public func verify(_ secret: String, against encoded: String) throws -> Bool {
        try verify(Array(secret.utf8), against: encoded)
    }

    /// True when `encoded` was made with parameters other than this hasher's.
    public func needsRehash(_ encoded: String) -> Bool {
        Self.parameters(of: encoded) != parameters
    }

    /// The parameters recorded in an Argon2id PHC string; nil if it is not one. Bounded so that a
    /// corrupted row cannot ask for absurd memory.
    public static func parameters(of encoded: String) -> Parameters? {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].isEmpty, parts[1] == "argon2id", parts[2] == "v=19" else { return nil }
        var m: UInt32?, t: UInt32?, p: UInt32?
        for field in parts[3].split(separator: ",") {
            let kv = field.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let value = UInt32(kv[1]) else { return nil }
            switch kv[0] {
            case "m": m = value
            case "t": t = value
            case "p": p = value
            default: return nil
            }
        }
        guard let m, let t, let p, (8...4_194_304).contains(m), (1...64).contains(t), (1...64).contains(p) else {
            return nil
        }
        return Parameters(memoryKiB: m, iterations: t, parallelism: p)
    }
}
