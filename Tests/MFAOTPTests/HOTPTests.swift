import Testing
import MFACrypto
@testable import MFAOTP

@Suite struct HOTPTests {
    let vectors: OTPVectors
    let hotp: HOTP

    init() throws {
        vectors = try OTPVectors.load()
        hotp = try HOTP(secret: OTPSecret(bytes: bytes(hex: vectors.hotp_rfc4226.secret_hex)))
    }

    // TH-01: RFC 4226 Appendix D, 6, 7 and 8 digits.
    @Test func rfc4226Vectors() throws {
        #expect(vectors.hotp_rfc4226.vectors.count == 10)
        let generator = try hotp.makeGenerator()
        for v in vectors.hotp_rfc4226.vectors {
            #expect(try generator.truncatedValue(counter: v.counter) == v.truncated_decimal)
            #expect(try hotp.code(counter: v.counter) == v.hotp_6)
            #expect(try HOTP(secret: hotp.secret, digits: 7).code(counter: v.counter) == v.derived_hotp_7)
            #expect(try HOTP(secret: hotp.secret, digits: 8).code(counter: v.counter) == v.derived_hotp_8)
            #expect(try HMAC.mac(algorithm: .sha1, key: bytes(hex: vectors.hotp_rfc4226.secret_hex),
                                 message: withUnsafeBytes(of: v.counter.bigEndian) { Array($0) })
                    == bytes(hex: v.hmac_sha1_hex))
        }
    }

    // TH-01: the §5.4 worked example of dynamic truncation.
    @Test func section5_4TruncationExample() {
        let example = vectors.hotp_rfc4226_sec5_4_truncation_example
        let mac = bytes(hex: example.hmac_sha1_bytes_hex)
        let offset = Int(mac[19] & 0x0f)
        #expect(offset == example.offset)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        #expect(OTPCode(value: binary % 1_000_000, digits: 6).string == example.hotp_6)
    }

    // TH-18: look-ahead finds the matched counter; beyond it nothing matches.
    @Test func lookAheadWindow() throws {
        let code5 = vectors.hotp_rfc4226.vectors[5].hotp_6
        #expect(try hotp.verify(code5, counter: 0, lookAhead: 10) == 5)
        #expect(try hotp.verify(code5, counter: 0, lookAhead: 4) == nil)
        #expect(try hotp.verify(code5, counter: 6, lookAhead: 3) == nil)  // the counter only moves forward
        #expect(try hotp.verify(code5, counter: 5, lookAhead: 0) == 5)
        #expect(throws: OTPError.self) { try hotp.verify(code5, counter: 0, lookAhead: 101) }
    }

    @Test func counterAtTheTopDoesNotOverflow() throws {
        let top = try hotp.code(counter: UInt64.max)
        #expect(try hotp.verify(top, counter: UInt64.max - 1, lookAhead: 10) == UInt64.max)
    }

    // TH-05: only 6, 7 or 8 digits.
    @Test func digitsOutsideSixToEightAreRefused() throws {
        #expect(throws: OTPError.invalidDigits(5)) { try HOTP(secret: hotp.secret, digits: 5) }
        #expect(throws: OTPError.invalidDigits(9)) { try HOTP(secret: hotp.secret, digits: 9) }
    }
}
