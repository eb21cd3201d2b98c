import Foundation
import MFACrypto
import MFAOTP
import MFAQRCode

@main
struct Bench {
    static func main() async throws {
        var harness = Harness()
        let arguments = CommandLine.arguments.dropFirst()
        if let i = arguments.firstIndex(of: "--rounds"), let n = Int(arguments[arguments.index(after: i)]) {
            harness.rounds = max(3, n)
        }
        #if DEBUG
        print("warning: this is a debug build; run `swift run -c release mfa-bench` for real figures\n")
        #endif
        print("mfa-bench: one thread, median of \(harness.rounds) rounds of \(harness.roundSeconds) s\n")
        let only = arguments.firstIndex(of: "--only").map { arguments[arguments.index(after: $0)] }
        if only == nil || only == "core" { try core(harness) }
        if only == nil || only == "engine" { try await EngineBench.main(rounds: max(3, harness.rounds / 2)) }
    }

    /// Issue 2 figures: the OTP core and QR codes.
    static func core(_ harness: Harness) throws {
        print("OTP core")
        let key = try SystemRandomSource().bytes(count: 20)
        let hmac = try key.withUnsafeBytes { try HMACContext(algorithm: .sha1, key: $0) }
        var counter: UInt64 = 1
        let rawHMAC = try harness.measure("HMAC-SHA1, 20-byte key, 8-byte counter (raw)", unit: "MAC") { n in
            var acc: UInt8 = 0
            for _ in 0..<n {
                counter &+= 1
                var message = counter.bigEndian
                acc ^= try withUnsafeBytes(of: &message) { try hmac.withMAC(of: $0) { $0[0] } }
            }
            blackHole(acc)
        }

        let totp = try TOTP(secret: OTPSecret(bytes: key))
        let generator = try totp.makeGenerator()
        var time: Int64 = 1_700_000_000
        // A code that matches none of the three steps at any time used here: the worst case.
        let wrong = try OTPCode(nonMatchingCode(totp), digits: 6)
        let verify = try harness.measure("TOTP verify, window ±1, no match (3 HMACs)", unit: "verify") { n in
            var matches = 0
            for _ in 0..<n {
                time &+= 1
                if try totp.verify(wrong, at: time % 4096 + 1_700_000_000, window: 1, using: generator) != nil {
                    matches += 1
                }
            }
            blackHole(matches)
        }

        let secretText = Base32.encode(key)
        var scratch = [UInt8](repeating: 0, count: 64)
        _ = try harness.measure("Base32 decode, 32 characters", unit: "decode") { n in
            var total = 0
            try scratch.withUnsafeMutableBytes { out in
                for _ in 0..<n { total &+= try Base32.decode(secretText, into: out) }
            }
            blackHole(total)
        }

        let uri = "otpauth://totp/ACME%20Co:alice%40example.com?secret=\(Base32.encode(key))&issuer=ACME%20Co&period=30"
        let padded = String((uri + String(repeating: "x", count: 100)).prefix(100))
        _ = try harness.measure("QR matrix only, 100-character otpauth URI", unit: "QR") { n in
            for _ in 0..<n { blackHole(try QRCode(text: padded)) }
        }
        let qrPNG = try harness.measure("QR + 1-bit PNG (scale 4), 100-character otpauth URI", unit: "PNG") { n in
            for _ in 0..<n { blackHole(try QRCode(text: padded).png()) }
        }

        let limit = rawHMAC / 3
        print("")
        print(String(format: "  TOTP verification / raw limit (HMAC-SHA1 / 3): %.0f%%   (goal >= 60%%)", verify / limit * 100))
        print(String(format: "  QR + PNG encodes per second: %@   (goal >= 3.0 k)", Harness.format(qrPNG) as NSString))
    }

    /// A 6-digit code different from the codes of every step the benchmark touches.
    static func nonMatchingCode(_ totp: TOTP) throws -> String {
        var used = Set<String>()
        for step in try totp.step(at: 1_700_000_000 - 60)...(try totp.step(at: 1_700_000_000 + 4096 + 60)) {
            used.insert(try totp.code(step: step))
        }
        var candidate = 0
        while used.contains(String(format: "%06d", candidate)) { candidate += 1 }
        return String(format: "%06d", candidate)
    }
}
