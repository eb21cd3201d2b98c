/// One AES-256 key of a `KeyRing`, named by a short id that is stored in every value it seals.
public struct SealingKey: Sendable, CustomStringConvertible {
    /// 1 to 64 characters of `A-Z a-z 0-9 . _ -`.
    public let id: String
    /// The 32 key bytes.
    public let material: SecureBytes

    public static let keyLength = 32

    /// - Throws: `CryptoError.invalidKey` for a bad id or a key that is not 32 bytes.
    public init(id: String, material: SecureBytes) throws {
        guard SealingKey.isValidID(id) else {
            throw CryptoError.invalidKey("a key id must be 1 to 64 characters of A-Z a-z 0-9 . _ -")
        }
        guard material.count == SealingKey.keyLength else {
            throw CryptoError.invalidKey("a sealing key must be exactly 32 bytes")
        }
        self.id = id
        self.material = material
    }

    /// A fresh random key.
    public static func generate(id: String, random: any RandomSource = SystemRandomSource()) throws -> SealingKey {
        try SealingKey(id: id, material: random.secureBytes(count: keyLength))
    }

    static func isValidID(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard (1...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == 0x2E || c == 0x5F || c == 0x2D
        }
    }

    public var description: String { "SealingKey(\(id), redacted)" }
}
