internal import COpenSSL

nonisolated(unsafe) private let aes256GCM: OpaquePointer? = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil)

/// AES-256-GCM sealing. A sealed value is self-describing:
///
///     0x01 | id length (1 byte) | key id (UTF-8) | nonce (12) | ciphertext | tag (16)
///
/// The nonce is random per value; `associatedData` (for example the record id) is authenticated
/// but not stored, so a value moved to another record fails to open (ST-01).
extension KeyRing {
    static let sealedVersion: UInt8 = 1
    static let nonceLength = 12
    static let tagLength = 16

    /// Seals `plaintext` under the primary key.
    public func seal(_ plaintext: UnsafeRawBufferPointer, associatedData: some Collection<UInt8>,
                     random: any RandomSource = SystemRandomSource()) throws -> [UInt8] {
        let key = primary
        let keyID = Array(key.id.utf8)
        var nonce = [UInt8](repeating: 0, count: Self.nonceLength)
        try nonce.withUnsafeMutableBytes { try random.fill($0) }
        let aad = Array(associatedData)

        var sealed = [UInt8]()
        sealed.reserveCapacity(2 + keyID.count + Self.nonceLength + plaintext.count + Self.tagLength)
        sealed.append(Self.sealedVersion)
        sealed.append(UInt8(keyID.count))
        sealed.append(contentsOf: keyID)
        sealed.append(contentsOf: nonce)
        let headerLength = sealed.count
        sealed.append(contentsOf: repeatElement(0, count: plaintext.count + Self.tagLength))

        guard let cipher = aes256GCM, let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError.sealFailed() }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let ok = key.material.withUnsafeBytes { keyBytes in
            nonce.withUnsafeBufferPointer { iv in
                sealed.withUnsafeMutableBufferPointer { out -> Bool in
                    guard let outBase = out.baseAddress,
                          EVP_EncryptInit_ex2(ctx, cipher, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                              iv.baseAddress, nil) == 1 else { return false }
                    var written: Int32 = 0
                    if !aad.isEmpty {
                        guard EVP_EncryptUpdate(ctx, nil, &written, aad, Int32(aad.count)) == 1 else { return false }
                    }
                    let body = outBase + headerLength
                    var total: Int32 = 0
                    if let p = plaintext.baseAddress, plaintext.count > 0 {
                        guard EVP_EncryptUpdate(ctx, body, &written, p.assumingMemoryBound(to: UInt8.self),
                                                Int32(plaintext.count)) == 1 else { return false }
                        total = written
                    }
                    guard EVP_EncryptFinal_ex(ctx, body + Int(total), &written) == 1 else { return false }
                    total += written
                    guard Int(total) == plaintext.count else { return false }
                    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagLength),
                                               body + plaintext.count) == 1
                }
            }
        }
        guard ok else { throw CryptoError.sealFailed() }
        return sealed
    }

    /// Seals secret bytes.
    public func seal(_ plaintext: SecureBytes, associatedData: some Collection<UInt8>,
                     random: any RandomSource = SystemRandomSource()) throws -> [UInt8] {
        try plaintext.withUnsafeBytes { try seal($0, associatedData: associatedData, random: random) }
    }

    /// The id of the key that sealed `sealed`, without opening it (for rotation progress).
    public static func keyID(ofSealed sealed: some Collection<UInt8>) throws -> String {
        let bytes = Array(sealed.prefix(66))
        guard bytes.count >= 2, bytes[0] == sealedVersion else { throw CryptoError.malformedSealedValue() }
        let idLength = Int(bytes[1])
        guard idLength > 0, bytes.count >= 2 + idLength else { throw CryptoError.malformedSealedValue() }
        return String(decoding: bytes[2..<(2 + idLength)], as: UTF8.self)
    }

    /// Opens a sealed value with whichever key of the ring sealed it.
    /// - Throws: `CryptoError.unknownKey` if its key is not in the ring, `.openFailed` if it does not
    ///   authenticate (tampered, wrong associated data), `.malformedSealedValue` if it is not a sealed value.
    public func open(_ sealed: some Collection<UInt8>, associatedData: some Collection<UInt8>) throws -> SecureBytes {
        let box = Array(sealed)
        let keyID = try Self.keyID(ofSealed: box)
        let headerLength = 2 + keyID.utf8.count
        guard box.count >= headerLength + Self.nonceLength + Self.tagLength else { throw CryptoError.malformedSealedValue() }
        guard let key = key(id: keyID) else { throw CryptoError.unknownKey(keyID) }
        let aad = Array(associatedData)
        let bodyStart = headerLength + Self.nonceLength
        let bodyLength = box.count - bodyStart - Self.tagLength
        guard let cipher = aes256GCM, let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError.openFailed() }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var success = false
        let plaintext = SecureBytes(count: bodyLength) { out in
            success = key.material.withUnsafeBytes { keyBytes in
                box.withUnsafeBufferPointer { input -> Bool in
                    guard let base = input.baseAddress,
                          EVP_DecryptInit_ex2(ctx, cipher, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                              base + headerLength, nil) == 1 else { return false }
                    var written: Int32 = 0
                    if !aad.isEmpty {
                        guard EVP_DecryptUpdate(ctx, nil, &written, aad, Int32(aad.count)) == 1 else { return false }
                    }
                    var total: Int32 = 0
                    let outBase = out.baseAddress?.assumingMemoryBound(to: UInt8.self)
                    if bodyLength > 0, let outBase {
                        guard EVP_DecryptUpdate(ctx, outBase, &written, base + bodyStart, Int32(bodyLength)) == 1 else {
                            return false
                        }
                        total = written
                    }
                    let tag = UnsafeMutableRawPointer(mutating: base + bodyStart + bodyLength)
                    guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagLength), tag) == 1 else {
                        return false
                    }
                    var scratch = [UInt8](repeating: 0, count: 16)
                    let finalOK = scratch.withUnsafeMutableBufferPointer { s in
                        EVP_DecryptFinal_ex(ctx, (outBase.map { $0 + Int(total) }) ?? s.baseAddress, &written) > 0
                    }
                    return finalOK
                }
            }
        }
        guard success else { throw CryptoError.openFailed() }
        return plaintext
    }
}
