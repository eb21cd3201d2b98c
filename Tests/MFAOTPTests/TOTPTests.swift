import Testing
import MFACrypto
@testable import MFAOTP

@Suite struct TOTPTests {
    let vectors: OTPVectors

    init() throws { vectors = try OTPVectors.load() }

    private func totp(_ mode: String, digits: Int = 8) throws -> TOTP {
        let seed = try #require(vectors.totp_rfc6238.seeds[mode])
        let algorithm = try #require(HMACAlgorithm(name: mode))
        return try TOTP(secret: OTPSecret(base32: seed.derived_base32_nopad), algorithm: algorithm, digits: digits)
    }

    // TH-02, TH-03: all 18 RFC 6238 Appendix B vectors, including t = 20000000000 (past 2038).
    @Test func rfc6238Vectors() throws {
        #expect(vectors.totp_rfc6238.vectors.count == 18)
        for v in vectors.totp_rfc6238.vectors {
            let credential = try totp(v.mode)
            #expect(try credential.step(at: v.unix_time) == UInt64(v.t_hex, radix: 16))
            #expect(try credential.code(at: v.unix_time) == v.totp_8, "\(v.mode) at \(v.unix_time)")
            #expect(try totp(v.mode, digits: 6).code(at: v.unix_time) == v.derived_totp_6)
            #expect(try credential.verify(v.totp_8, at: v.unix_time, window: 0) == UInt64(v.t_hex, radix: 16))
        }
    }

    // TH-03: the 20-byte seed with SHA256 gives a different code (the JSON's warning).
    @Test func sha256WithTheTwentyByteSeedIsNotTheRFCValue() throws {
        let seed = try #require(vectors.totp_rfc6238.seeds["SHA1"])
        let wrong = try TOTP(secret: OTPSecret(base32: seed.derived_base32_nopad), algorithm: .sha256, digits: 8)
        #expect(try wrong.code(at: 59) == "32247374")
    }

    // TH-02: the §4.2 step examples.
    @Test func timeSteps() throws {
        let credential = try totp("SHA1")
        for example in vectors.totp_rfc6238_sec4_2_time_steps {
            #expect(try credential.step(at: example.unix_time) == example.t)
        }
        #expect(throws: OTPError.self) { try credential.step(at: -1) }
    }

    // TH-04: codes are fixed-width strings; "7081804" is not "07081804".
    @Test func leadingZeroIsPartOfTheCode() throws {
        let credential = try totp("SHA1")
        #expect(try credential.code(at: 1_111_111_109) == "07081804")
        #expect(try credential.verify("07081804", at: 1_111_111_109, window: 0) != nil)
        #expect(throws: OTPError.malformedCode(digits: 8)) { try credential.verify("7081804", at: 1_111_111_109) }
    }

    // TH-09: default window accepts T-1 and T+1, not T-2; window 0 accepts only T.
    @Test func windowEdges() throws {
        let credential = try totp("SHA1", digits: 6)
        let now: Int64 = 1_700_000_000
        let t = try credential.step(at: now)
        for offset in -3...3 {
            let code = try credential.code(step: UInt64(Int64(t) + Int64(offset)))
            let matched = try credential.verify(code, at: now)
            #expect((matched != nil) == (abs(offset) <= 1), "offset \(offset)")
            if abs(offset) <= 1 { #expect(matched == UInt64(Int64(t) + Int64(offset))) }
            #expect((try credential.verify(code, at: now, window: 0) != nil) == (offset == 0))
            #expect((try credential.verify(code, at: now, window: 2) != nil) == (abs(offset) <= 2))
        }
        #expect(throws: OTPError.self) { try credential.verify("123456", at: now, window: 3) }
    }

    // TH-10: a learned drift shifts the window, bounded by the maximum window.
    @Test func driftShiftsTheWindow() throws {
        let credential = try totp("SHA1", digits: 6)
        let now: Int64 = 1_700_000_000
        let t = try credential.step(at: now)
        let twoSlow = try credential.code(step: t - 2)
        #expect(try credential.verify(twoSlow, at: now) == nil)
        #expect(try credential.verify(twoSlow, at: now, drift: -1) == t - 2)
        #expect(throws: OTPError.self) { try credential.verify(twoSlow, at: now, drift: -3) }
    }

    // Edges: time 0 (step 0 minus one does not exist) and the far future.
    @Test func edgesOfTime() throws {
        let credential = try totp("SHA1", digits: 6)
        let zero = try credential.code(step: 0)
        #expect(try credential.verify(zero, at: 0) == 0)
        #expect(try credential.verify(try credential.code(step: 1), at: 0) == 1)
        let far = Int64.max
        let last = try credential.step(at: far)
        #expect(try credential.verify(try credential.code(step: last), at: far) == last)
        #expect(try credential.verify(try credential.code(step: last - 1), at: far) == last - 1)
        #expect(TOTP.candidates(around: UInt64.max, drift: 0, window: 2) == (UInt64.max - 2)...UInt64.max)
        #expect(TOTP.candidates(around: 0, drift: -2, window: 1) == nil)
    }

    // TH-06: period 1...120 seconds.
    @Test func periodLimits() throws {
        let secret = try OTPSecret(base32: "JBSWY3DPEHPK3PXP")
        #expect(throws: OTPError.invalidPeriod(0)) { try TOTP(secret: secret, period: 0) }
        #expect(throws: OTPError.invalidPeriod(121)) { try TOTP(secret: secret, period: 121) }
        #expect(try TOTP(secret: secret, period: 120).step(at: 240) == 2)
        #expect(try TOTP(secret: secret, period: 1).step(at: 240) == 240)
        let sixty = try TOTP(secret: secret, period: 60)
        #expect(sixty.secondsRemaining(at: 90) == 30)
        #expect(sixty.startOfStep(2) == 120)
    }

    // IV-07: non-ASCII digits and wrong lengths are refused before any crypto; spaces and dashes are fine.
    @Test func codeInputValidation() throws {
        let credential = try totp("SHA1", digits: 6)
        let code = try credential.code(at: 1_700_000_000)
        let spaced = String(code.prefix(3)) + " " + String(code.suffix(3))
        #expect(try credential.verify(" \(spaced) ", at: 1_700_000_000) != nil)
        #expect(try credential.verify(String(code.prefix(3)) + "-" + String(code.suffix(3)), at: 1_700_000_000) != nil)
        for bad in ["١٢٣٤٥٦", "１２３４５６", "12345", "1234567", "+12345", "12345a", "", String(repeating: " ", count: 100)] {
            #expect(throws: OTPError.malformedCode(digits: 6), "\(bad)") { try credential.verify(bad, at: 1_700_000_000) }
        }
    }

    // TH-07, TH-08: new secrets are as long as the HMAC output and unique.
    @Test func newSecretsAreLongAndUnique() throws {
        for algorithm in HMACAlgorithm.allCases {
            #expect(try OTPSecret.generate(for: algorithm).bytes.count == algorithm.outputLength)
        }
        var seen = Set<String>()
        for _ in 0..<1000 { seen.insert(try OTPSecret.generate(for: .sha1).base32) }
        #expect(seen.count == 1000)
    }

    // Secrets from 80 bits are accepted; shorter ones are not.
    @Test func existingSecretLengths() throws {
        #expect(try OTPSecret(base32: "JBSWY3DPEHPK3PXP").bytes.count == 10)
        #expect(throws: OTPError.secretTooShort(bytes: 5, minimum: 10)) { try OTPSecret(base32: "JBSWY3DP") }
        #expect(!String(describing: try OTPSecret(base32: "JBSWY3DPEHPK3PXP")).contains("JBSW"))
    }
}
