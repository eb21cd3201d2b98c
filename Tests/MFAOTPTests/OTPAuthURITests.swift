import Testing
@testable import MFAOTP

@Suite struct OTPAuthURITests {
    let secret: OTPSecret

    init() throws { secret = try OTPSecret(base32: "JBSWY3DPEHPK3PXP") }

    // URI-04, URI-05: issuer in the label and as a parameter, %20 for space, & encoded.
    @Test func awkwardIssuerIsPercentEncodedInBothPlaces() throws {
        let uri = try OTPAuthURI(totp: TOTP(secret: secret), issuer: "ACME Co & Sons", account: "john@example.com")
        #expect(uri.string == "otpauth://totp/ACME%20Co%20%26%20Sons:john%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co%20%26%20Sons")
        #expect(!uri.string.contains("+"))
    }

    @Test(arguments: [
        ("ACME Co & Sons", "john.doe@email.com"),
        ("Zürich Bank", "jürgen@bank.ch"),
        ("東京", "ユーザー"),
        ("a/b?c#d", "x/y@z"),
        ("100% Sure", "plus+tag@example.com"),
        ("Tilde~ok", "name with  two spaces"),
    ])
    func roundTrips(issuer: String, account: String) throws {
        for (algorithm, digits, period) in [(OTPAlgorithm.sha1, 6, 30), (.sha256, 8, 60), (.sha512, 7, 15)] {
            let totp = try TOTP(secret: secret, algorithm: algorithm, digits: digits, period: period)
            let uri = try OTPAuthURI(totp: totp, issuer: issuer, account: account)
            let parsed = try OTPAuthURI(parsing: uri.string)
            #expect(parsed == uri)
            #expect(parsed.issuer == issuer)
            #expect(parsed.account == account)
            #expect(parsed.string == uri.string)
        }
    }

    @Test func defaultsAreOmittedAndOthersWritten() throws {
        let plain = try OTPAuthURI(totp: TOTP(secret: secret), issuer: "I", account: "a")
        #expect(!plain.string.contains("algorithm") && !plain.string.contains("digits") && !plain.string.contains("period"))
        let custom = try OTPAuthURI(totp: TOTP(secret: secret, algorithm: .sha256, digits: 8, period: 60), issuer: "I", account: "a")
        #expect(custom.string.hasSuffix("&algorithm=SHA256&digits=8&period=60"))
    }

    // URI-01: hotp requires a counter.
    @Test func hotpCarriesItsCounter() throws {
        let uri = try OTPAuthURI(hotp: HOTP(secret: secret), counter: 42, issuer: "I", account: "a")
        #expect(uri.string == "otpauth://hotp/I:a?secret=JBSWY3DPEHPK3PXP&issuer=I&counter=42")
        #expect(try OTPAuthURI(parsing: uri.string).counter == 42)
        #expect(throws: OTPError.self) { try OTPAuthURI(parsing: "otpauth://hotp/I:a?secret=JBSWY3DPEHPK3PXP&issuer=I") }
    }

    // URI-07: the wiki's examples parse and re-serialise equivalently.
    @Test func wikiExamples() throws {
        let examples = try OTPVectors.load().key_uri_examples.uris
        let first = try OTPAuthURI(parsing: examples[0])
        #expect(first.issuer == "Example" && first.account == "alice@google.com")
        #expect(try OTPAuthURI(parsing: first.string) == first)
        let acme = try OTPAuthURI(parsing: examples[1])
        #expect(acme.issuer == "ACME Co" && acme.account == "john.doe@email.com")
        #expect(acme.algorithm == .sha1 && acme.digits == 6 && acme.period == 30)
        #expect(acme.string == "otpauth://totp/ACME%20Co:john.doe%40email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co")
    }

    // URI-03: the label separator may be ':' or '%3A' followed by %20s.
    @Test func labelForms() throws {
        let encoded = try OTPAuthURI(parsing: "otpauth://totp/Big%20Corporation%3A%20alice%40bigco.com?secret=JBSWY3DPEHPK3PXP")
        #expect(encoded.issuer == "Big Corporation" && encoded.account == "alice@bigco.com")
        let bare = try OTPAuthURI(parsing: "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&issuer=Ex")
        #expect(bare.issuer == "Ex" && bare.account == "alice")
        let noIssuer = try OTPAuthURI(parsing: "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP")
        #expect(noIssuer.issuer == nil)
        #expect(try OTPAuthURI(parsing: "otpauth://totp/I:a?secret=JBSWY3DPEHPK3PXP&image=https%3A%2F%2Fx").account == "a")
    }

    // URI-03, bad input: ':' in issuer or account, empty account.
    @Test func badLabelsAreRefused() throws {
        let totp = try TOTP(secret: secret)
        #expect(throws: OTPError.self) { try OTPAuthURI(totp: totp, issuer: "A:B", account: "a") }
        #expect(throws: OTPError.self) { try OTPAuthURI(totp: totp, issuer: "A", account: "a:b") }
        #expect(throws: OTPError.self) { try OTPAuthURI(totp: totp, issuer: "A", account: "") }
        #expect(throws: OTPError.self) { try OTPAuthURI(totp: totp, issuer: "", account: "a") }
        #expect(throws: OTPError.self) { try OTPAuthURI(totp: totp, issuer: String(repeating: "x", count: 101), account: "a") }
    }

    @Test func badURIsAreRefused() {
        for bad in [
            "https://totp/I:a?secret=JBSWY3DPEHPK3PXP",
            "otpauth://motp/I:a?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/I:a?issuer=I",
            "otpauth://totp/I:a?secret=JBSWY3DP1HPK3PXP",
            "otpauth://totp/I:a?secret=JBSWY3DPEHPK3PXP&issuer=Other",
            "otpauth://totp/I:a?secret=JBSWY3DPEHPK3PXP&digits=9",
            "otpauth://totp/I:a?secret=JBSWY3DPEHPK3PXP&period=121",
            "otpauth://totp/I:a?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
            "otpauth://totp/I:a?secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/I:%ZZ?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/I:%FF?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/I:?secret=JBSWY3DPEHPK3PXP",
        ] {
            #expect(throws: OTPError.self, "\(bad)") { try OTPAuthURI(parsing: bad) }
        }
    }
}
