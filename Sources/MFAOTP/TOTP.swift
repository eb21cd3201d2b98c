public import MFACrypto

/// A TOTP credential (RFC 6238): HOTP over the time step T = floor(unix time / period).
///
/// Times are Unix seconds as `Int64` and steps are `UInt64`, so codes work long past 2038.
/// Verification returns the matched step so the caller can refuse its reuse (TH-11).
public struct TOTP: Sendable {
    public let secret: OTPSecret
    public let algorithm: HMACAlgorithm
    public let digits: Int
    /// Seconds per step, 1...120.
    public let period: Int

    /// - Throws: `OTPError` for digits outside 6...8 or a period outside 1...120.
    public init(secret: OTPSecret, algorithm: HMACAlgorithm = .sha1, digits: Int = OTPParameters.defaultDigits,
                period: Int = OTPParameters.defaultPeriod) throws {
        guard OTPParameters.validDigits.contains(digits) else { throw OTPError.invalidDigits(digits) }
        guard OTPParameters.validPeriods.contains(period) else { throw OTPError.invalidPeriod(period) }
        self.secret = secret
        self.algorithm = algorithm
        self.digits = digits
        self.period = period
    }

    /// The time step containing `time` (T0 = 0).
    /// - Throws: `OTPError.invalidTime` for a time before 1970.
    public func step(at time: Int64) throws -> UInt64 {
        guard time >= 0 else { throw OTPError.invalidTime("time must not be before 1970-01-01") }
        return UInt64(time) / UInt64(period)
    }

    /// The Unix time at which `step` begins.
    public func startOfStep(_ step: UInt64) -> Int64 {
        let (start, overflow) = step.multipliedReportingOverflow(by: UInt64(period))
        return overflow || start > UInt64(Int64.max) ? Int64.max : Int64(start)
    }

    /// Seconds left in the step containing `time`.
    public func secondsRemaining(at time: Int64) -> Int {
        period - Int(max(time, 0) % Int64(period))
    }

    /// A reusable generator for many codes of this credential.
    public func makeGenerator() throws -> OTPGenerator {
        try OTPGenerator(secret: secret, algorithm: algorithm, digits: digits)
    }

    /// The code for `time`.
    public func code(at time: Int64) throws -> String {
        try makeGenerator().code(counter: step(at: time))
    }

    /// The code for an explicit step.
    public func code(step: UInt64) throws -> String {
        try makeGenerator().code(counter: step)
    }

    /// Checks `code` against the steps `T - window ... T + window` around `time` and returns the
    /// matched step, or nil. Steps that do not exist (before 0, past `UInt64.max`) are skipped.
    ///
    /// - Parameters:
    ///   - window: steps accepted each side, 0...2 (TH-09; default 1).
    ///   - drift: a learned per-credential offset in steps (TH-10), added to T before the window.
    ///   - generator: a generator of this credential to reuse (the hot path); made if nil.
    /// - Throws: `OTPError` for a malformed code, a bad window or time. Never returns a match on error.
    public func verify(_ code: String, at time: Int64, window: Int = 1, drift: Int = 0,
                       using generator: OTPGenerator? = nil) throws -> UInt64? {
        let parsed = try OTPCode(code, digits: digits)
        return try verify(parsed, at: time, window: window, drift: drift, using: generator)
    }

    /// `verify(_:at:window:drift:using:)` for an already validated code.
    public func verify(_ code: OTPCode, at time: Int64, window: Int = 1, drift: Int = 0,
                       using generator: OTPGenerator? = nil) throws -> UInt64? {
        guard (0...OTPParameters.maximumWindow).contains(window) else {
            throw OTPError.invalidWindow("the window must be 0 to \(OTPParameters.maximumWindow) steps")
        }
        guard abs(drift) <= OTPParameters.maximumWindow else {
            throw OTPError.invalidWindow("drift must be within \(OTPParameters.maximumWindow) steps")
        }
        guard let candidates = Self.candidates(around: try step(at: time), drift: drift, window: window) else {
            return nil
        }
        let generator = try generator ?? makeGenerator()
        return try generator.match(code, in: candidates)
    }

    /// The range `center + drift ± window`, clamped to existing steps; nil if it is empty.
    static func candidates(around center: UInt64, drift: Int, window: Int) -> ClosedRange<UInt64>? {
        let low = Int128(center) + Int128(drift) - Int128(window)
        let high = Int128(center) + Int128(drift) + Int128(window)
        let clampedLow = max(low, 0), clampedHigh = min(high, Int128(UInt64.max))
        guard clampedLow <= clampedHigh else { return nil }
        return UInt64(clampedLow)...UInt64(clampedHigh)
    }
}
