public import MFACrypto

/// Computes HOTP values (RFC 4226 §5.3) with one reused HMAC context: the hot path.
///
/// Not thread-safe; make one per task (a few microseconds) and reuse it for many codes. Computing
/// or checking a code allocates nothing.
public final class OTPGenerator {
    private let hmac: HMACContext
    public let algorithm: HMACAlgorithm
    public let digits: Int
    private let modulus: UInt32

    /// - Throws: `OTPError` for bad digits or if the crypto library fails.
    public init(secret: OTPSecret, algorithm: HMACAlgorithm, digits: Int) throws {
        guard OTPParameters.validDigits.contains(digits) else { throw OTPError.invalidDigits(digits) }
        do {
            self.hmac = try HMACContext(algorithm: algorithm, key: secret.bytes)
        } catch {
            throw OTPError.cryptoFailure()
        }
        self.algorithm = algorithm
        self.digits = digits
        self.modulus = OTPParameters.powersOfTen[digits]
    }

    /// The dynamically truncated 31-bit value for `counter` (before the modulo).
    @inline(__always)
    public func truncatedValue(counter: UInt64) throws -> UInt32 {
        var message = counter.bigEndian
        do {
            return try withUnsafeBytes(of: &message) { counterBytes in
                try hmac.withMAC(of: counterBytes) { mac in
                    // The offset comes from the low nibble of the *last* byte (TH-03).
                    let offset = Int(mac[mac.count - 1] & 0x0f)
                    return (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16)
                        | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
                }
            }
        } catch {
            throw OTPError.cryptoFailure()
        }
    }

    /// The code value for `counter` (the truncated value mod 10^digits).
    @inline(__always)
    public func value(counter: UInt64) throws -> UInt32 {
        try truncatedValue(counter: counter) % modulus
    }

    /// The fixed-width code for `counter`.
    public func code(counter: UInt64) throws -> String {
        OTPCode.format(try value(counter: counter), digits: digits)
    }

    /// The counter in `candidates` whose code equals `code`, checking every candidate with no early
    /// exit and comparing without data-dependent branches. nil when none matches.
    public func match(_ code: OTPCode, in candidates: ClosedRange<UInt64>) throws -> UInt64? {
        guard code.digits == digits else { return nil }
        var found: UInt64 = 0
        var matched: UInt32 = 0
        for counter in candidates {
            let difference = try value(counter: counter) ^ code.value
            // isZero is 1 when difference == 0, else 0, computed without a branch.
            let isZero = UInt32(truncatingIfNeeded: (UInt64(difference) &- 1) >> 63)
            let take = isZero & ~matched  // first match wins
            found |= UInt64(take) &* counter
            matched |= isZero
        }
        return matched == 1 ? found : nil
    }
}
