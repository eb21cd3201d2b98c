public import MFACrypto

/// An HOTP credential (RFC 4226): a secret, a hash function and a code length.
public struct HOTP: Sendable {
    public let secret: OTPSecret
    public let algorithm: HMACAlgorithm
    public let digits: Int

    /// - Throws: `OTPError.invalidDigits` unless digits is 6, 7 or 8.
    public init(secret: OTPSecret, algorithm: HMACAlgorithm = .sha1, digits: Int = OTPParameters.defaultDigits) throws {
        guard OTPParameters.validDigits.contains(digits) else { throw OTPError.invalidDigits(digits) }
        self.secret = secret
        self.algorithm = algorithm
        self.digits = digits
    }

    /// A reusable generator for many codes of this credential.
    public func makeGenerator() throws -> OTPGenerator {
        try OTPGenerator(secret: secret, algorithm: algorithm, digits: digits)
    }

    /// The code for `counter`, e.g. "755224".
    public func code(counter: UInt64) throws -> String {
        try makeGenerator().code(counter: counter)
    }

    /// Checks `code` against counters `counter ... counter + lookAhead` and returns the matched
    /// counter; the caller must then store matched + 1, atomically (TH-18).
    /// - Throws: `OTPError` for a malformed code or a look-ahead above 100.
    public func verify(_ code: String, counter: UInt64, lookAhead: Int = 10, using generator: OTPGenerator? = nil) throws -> UInt64? {
        let parsed = try OTPCode(code, digits: digits)
        guard (0...OTPParameters.maximumLookAhead).contains(lookAhead) else {
            throw OTPError.invalidWindow("the look-ahead must be 0 to \(OTPParameters.maximumLookAhead)")
        }
        let (last, overflow) = counter.addingReportingOverflow(UInt64(lookAhead))
        let generator = try generator ?? makeGenerator()
        return try generator.match(parsed, in: counter...(overflow ? UInt64.max : last))
    }
}
