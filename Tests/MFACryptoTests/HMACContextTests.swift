import Testing
@testable import MFACrypto

@Suite struct HMACContextTests {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    // RFC 2202 test case 2 and RFC 4231 test case 2 ("Jefe").
    @Test func knownAnswers() throws {
        let key = Array("Jefe".utf8), message = Array("what do ya want for nothing?".utf8)
        #expect(hex(try HMAC.mac(algorithm: .sha1, key: key, message: message)) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(hex(try HMAC.mac(algorithm: .sha256, key: key, message: message))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(hex(try HMAC.mac(algorithm: .sha512, key: key, message: message)) == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
    }

    @Test func reusedContextGivesTheSameMACEveryTime() throws {
        let context = try HMACContext(algorithm: .sha1, key: SecureBytes(Array("12345678901234567890".utf8)))
        let first = try context.mac(of: [0, 0, 0, 0, 0, 0, 0, 0])
        let other = try context.mac(of: [0, 0, 0, 0, 0, 0, 0, 1])
        let again = try context.mac(of: [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(hex(first) == "cc93cf18508d94934c64b65d8ba7667fb7cde4b0")  // RFC 4226 App. D, counter 0
        #expect(first == again)
        #expect(first != other)
    }

    @Test func outputLengthsMatchTheAlgorithm() throws {
        for algorithm in HMACAlgorithm.allCases {
            #expect(try HMAC.mac(algorithm: algorithm, key: [1, 2, 3], message: []).count == algorithm.outputLength)
        }
    }

    @Test func algorithmNamesParseCaseInsensitively() {
        #expect(HMACAlgorithm(name: "sha1") == .sha1)
        #expect(HMACAlgorithm(name: "SHA-256") == .sha256)
        #expect(HMACAlgorithm(name: "Sha512") == .sha512)
        #expect(HMACAlgorithm(name: "md5") == nil)
    }
}
