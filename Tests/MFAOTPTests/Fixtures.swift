import Foundation

/// The RFC vectors in the top-level `fixtures/otp-vectors.json`.
struct OTPVectors: Decodable {
    struct HOTPSet: Decodable {
        let secret_hex: String
        let vectors: [HOTPVector]
    }
    struct HOTPVector: Decodable {
        let counter: UInt64
        let hmac_sha1_hex: String
        let truncated_decimal: UInt32
        let hotp_6: String
        let derived_hotp_7: String
        let derived_hotp_8: String
    }
    struct TOTPSet: Decodable {
        let seeds: [String: Seed]
        let vectors: [TOTPVector]
    }
    struct Seed: Decodable {
        let hex: String
        let derived_base32_nopad: String
    }
    struct TOTPVector: Decodable {
        let unix_time: Int64
        let t_hex: String
        let mode: String
        let totp_8: String
        let derived_totp_6: String
    }
    struct Truncation: Decodable {
        let hmac_sha1_bytes_hex: String
        let offset: Int
        let hotp_6: String
    }
    struct TimeStep: Decodable {
        let unix_time: Int64
        let t: UInt64
    }
    struct KeyURIExamples: Decodable {
        struct Key: Decodable { let base32: String; let bytes_hex: String }
        let base32_key: Key
        let uris: [String]
    }

    let hotp_rfc4226: HOTPSet
    let hotp_rfc4226_sec5_4_truncation_example: Truncation
    let totp_rfc6238: TOTPSet
    let totp_rfc6238_sec4_2_time_steps: [TimeStep]
    let key_uri_examples: KeyURIExamples

    static func load() throws -> OTPVectors {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("fixtures/otp-vectors.json"))
        return try JSONDecoder().decode(OTPVectors.self, from: data)
    }
}

func bytes(hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
        index = next
    }
    return out
}
