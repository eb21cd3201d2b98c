import Testing
@testable import MFACrypto

@Suite struct PasswordHasherTests {
    // Small parameters keep the suite fast; the PHC string records whatever was used.
    let hasher = PasswordHasher(parameters: .init(memoryKiB: 1024, iterations: 1, parallelism: 1))

    // ST-03: salted, parameters stored, equal inputs give different hashes.
    @Test func hashesAreSaltedPHCStrings() throws {
        let a = try hasher.hash("correct horse battery staple")
        let b = try hasher.hash("correct horse battery staple")
        #expect(a != b)
        #expect(a.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$"))
        #expect(!a.contains("correct horse"))
    }

    @Test func verifyAcceptsOnlyTheRightInput() throws {
        let stored = try hasher.hash("Fluffy")
        #expect(try hasher.verify("Fluffy", against: stored))
        #expect(try !hasher.verify("fluffy", against: stored))
        #expect(try !hasher.verify("", against: stored))
    }

    @Test func recommendedParametersAreTheOWASPOnes() throws {
        let stored = try PasswordHasher().hash("x")
        #expect(stored.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(PasswordHasher().needsRehash(try hasher.hash("x")))
        #expect(!hasher.needsRehash(try hasher.hash("x")))
    }

    // IV-08: oversize input is refused before hashing.
    @Test func boundsInputAndRejectsForeignHashes() throws {
        let long = [UInt8](repeating: 65, count: PasswordHasher.maximumInputLength + 1)
        #expect(throws: CryptoError.inputTooLong(limit: PasswordHasher.maximumInputLength)) { try hasher.hash(long) }
        #expect(throws: CryptoError.malformedHash()) { try hasher.verify("x", against: "$2b$10$abcdefghijklmnopqrstuv") }
        #expect(throws: CryptoError.malformedHash()) {
            try hasher.verify("x", against: "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaA")
        }
    }
}
