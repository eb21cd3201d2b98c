import Testing
@testable import MFAOTP

@Suite struct Base32Tests {
    // RFC 4648 §10 test vectors (encoded without padding).
    @Test func rfc4648Vectors() throws {
        let cases = [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"),
                     ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")]
        for (plain, encoded) in cases {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            if !encoded.isEmpty { #expect(try Base32.decode(encoded) == Array(plain.utf8)) }
        }
    }

    // URI-07: the Key URI wiki's example key.
    @Test func keyURIExampleKey() throws {
        let example = try OTPVectors.load().key_uri_examples.base32_key
        #expect(try Base32.decode(example.base32) == bytes(hex: example.bytes_hex))
        #expect(Base32.encode(bytes(hex: example.bytes_hex)) == example.base32)
    }

    @Test func decodingIsForgivingWherePeopleAre() throws {
        let expected = Array("foobar".utf8)
        #expect(try Base32.decode("mzxw6ytboi") == expected)
        #expect(try Base32.decode("MZXW 6YTB OI") == expected)
        #expect(try Base32.decode("MZXW6YTBOI======") == expected)
        #expect(try Base32.decode("MZXW6YQ=") == Array("foob".utf8))
    }

    @Test func malformedInputIsAClearError() {
        for bad in ["MZXW1", "MZ=XW", "MZXW6YTBOI=", "M", "MZX", "MZXW6Y", "", "   ", "MZXW6YTBOI!", "МZXW"] {
            #expect(throws: OTPError.self, "\(bad)") { try Base32.decode(bad) }
        }
        #expect((try? Base32.decode("MZXW1")) == nil)
        do {
            _ = try Base32.decode("MZXW1")
        } catch let error as OTPError {
            #expect(error.code == "invalid_base32")
            #expect(error.message.contains("character 5"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func roundTripsEveryLength() throws {
        for n in 0..<70 {
            let data = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 5) }
            let encoded = Base32.encode(data)
            #expect(!encoded.contains("="))
            if n > 0 { #expect(try Base32.decode(encoded) == data) }
        }
    }
}
