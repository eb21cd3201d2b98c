import Foundation

/// The set of sealing keys: one primary key seals new values; any key in the ring opens values
/// sealed under its id, so keys can rotate without a flag day.
///
/// Text form (a key file or an environment variable): one key per line, `<id> <base64 of 32 bytes>`;
/// blank lines and `#` comments are ignored; the **last** key is the primary, so rotation appends.
public struct KeyRing: Sendable, CustomStringConvertible {
    /// The key that seals new values.
    public let primary: SealingKey
    private let keys: [String: SealingKey]
    /// Key ids in file order (the primary last).
    public let keyIDs: [String]

    /// - Throws: `CryptoError.invalidKeyRing` when `keys` is empty or has a duplicate id.
    public init(keys: [SealingKey]) throws {
        guard let last = keys.last else { throw CryptoError.invalidKeyRing("a key ring needs at least one key") }
        var byID: [String: SealingKey] = [:]
        for key in keys {
            guard byID[key.id] == nil else { throw CryptoError.invalidKeyRing("duplicate key id '\(key.id)'") }
            byID[key.id] = key
        }
        self.primary = last
        self.keys = byID
        self.keyIDs = keys.map(\.id)
    }

    /// The key with this id, if the ring holds it.
    public func key(id: String) -> SealingKey? { keys[id] }

    /// The ring with `key` appended as the new primary.
    public func adding(_ key: SealingKey) throws -> KeyRing {
        try KeyRing(keys: keyIDs.compactMap { keys[$0] } + [key])
    }

    /// Parses the text form. Errors name the line but never echo key material.
    public static func parse(_ text: String) throws -> KeyRing {
        var parsed: [SealingKey] = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == ";" }).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2 else {
                throw CryptoError.invalidKeyRing("key ring line \(index + 1): expected '<id> <base64 key>'")
            }
            guard var decoded = Base64.decode(String(fields[1])), decoded.count == SealingKey.keyLength else {
                throw CryptoError.invalidKeyRing("key ring line \(index + 1): the key is not 32 bytes of base64")
            }
            defer { decoded.withUnsafeMutableBytes { wipe($0) } }
            do {
                parsed.append(try SealingKey(id: String(fields[0]), material: SecureBytes(decoded)))
            } catch let error as CryptoError {
                throw CryptoError.invalidKeyRing("key ring line \(index + 1): \(error.message)")
            }
        }
        return try KeyRing(keys: parsed)
    }

    /// The text form, for writing a key file (mode 0600). Contains key material.
    public func serialized() -> String {
        keyIDs.compactMap { keys[$0] }.map { key in
            "\(key.id) \(key.material.withUnsafeBytes { Base64.encode($0) })\n"
        }.joined()
    }

    public var description: String { "KeyRing(keys: \(keyIDs), primary: \(primary.id))" }
}
