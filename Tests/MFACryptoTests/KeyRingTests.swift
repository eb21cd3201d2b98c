import Testing
@testable import MFACrypto

@Suite struct KeyRingTests {
    private func ring(_ ids: String...) throws -> KeyRing {
        try KeyRing(keys: ids.map { try SealingKey.generate(id: $0) })
    }

    @Test func sealAndOpenRoundTrip() throws {
        let keys = try ring("k1")
        let secret = SecureBytes(Array("top secret seed".utf8))
        let sealed = try keys.seal(secret, associatedData: Array("method-1".utf8))
        #expect(try KeyRing.keyID(ofSealed: sealed) == "k1")
        #expect(try keys.open(sealed, associatedData: Array("method-1".utf8)) == secret)
    }

    // ST-01: the plaintext is not in the sealed value, and each seal uses a fresh nonce.
    @Test func sealedValueHidesThePlaintextAndIsRandomised() throws {
        let keys = try ring("k1")
        let plaintext = Array("JBSWY3DPEHPK3PXP".utf8)
        let a = try plaintext.withUnsafeBytes { try keys.seal($0, associatedData: [1]) }
        let b = try plaintext.withUnsafeBytes { try keys.seal($0, associatedData: [1]) }
        #expect(a != b)
        #expect(!a.indices.contains { i in a[i...].starts(with: plaintext) })
    }

    // ST-01: a value moved to another record (other associated data) does not open.
    @Test func wrongAssociatedDataFails() throws {
        let keys = try ring("k1")
        let sealed = try keys.seal(SecureBytes([1, 2, 3]), associatedData: Array("row-1".utf8))
        #expect(throws: CryptoError.openFailed()) { try keys.open(sealed, associatedData: Array("row-2".utf8)) }
    }

    @Test func tamperingIsDetected() throws {
        let keys = try ring("k1")
        var sealed = try keys.seal(SecureBytes([1, 2, 3, 4]), associatedData: [9])
        sealed[sealed.count - 20] ^= 0x01
        #expect(throws: CryptoError.openFailed()) { try keys.open(sealed, associatedData: [9]) }
        #expect(throws: CryptoError.malformedSealedValue()) { try keys.open([2, 1, 65], associatedData: [9]) }
        #expect(throws: CryptoError.malformedSealedValue()) { try keys.open(sealed.prefix(20), associatedData: [9]) }
    }

    @Test func rotationKeepsOldKeysReadable() throws {
        let old = try ring("2026-01")
        let sealed = try old.seal(SecureBytes([7, 7, 7]), associatedData: [])
        let rotated = try old.adding(SealingKey.generate(id: "2026-02"))
        #expect(rotated.primary.id == "2026-02")
        #expect(try rotated.open(sealed, associatedData: []).bytes == [7, 7, 7])
        let resealed = try rotated.seal(SecureBytes([7, 7, 7]), associatedData: [])
        #expect(try KeyRing.keyID(ofSealed: resealed) == "2026-02")
        #expect(throws: CryptoError.unknownKey("2026-02")) { try old.open(resealed, associatedData: []) }
    }

    @Test func textFormRoundTripsAndRejectsBadLines() throws {
        let keys = try ring("a", "b")
        let parsed = try KeyRing.parse("# keys\n\n" + keys.serialized())
        #expect(parsed.keyIDs == ["a", "b"])
        #expect(parsed.primary.id == "b")
        #expect(parsed.key(id: "a")?.material == keys.key(id: "a")?.material)
        #expect(throws: CryptoError.self) { try KeyRing.parse("") }
        #expect(throws: CryptoError.self) { try KeyRing.parse("a c2hvcnQ=") }
        #expect(throws: CryptoError.self) { try KeyRing.parse("bad:id " + String(repeating: "A", count: 44)) }
        #expect(throws: CryptoError.self) { try KeyRing.parse(keys.serialized() + keys.serialized()) }
        #expect(!String(describing: keys).contains(keys.serialized().split(separator: " ")[1]))
    }
}
