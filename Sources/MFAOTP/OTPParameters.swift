public import MFACrypto

/// The hash function of an OTP credential (same type as MFACrypto's `HMACAlgorithm`).
public typealias OTPAlgorithm = HMACAlgorithm

/// Limits shared by HOTP and TOTP.
public enum OTPParameters {
    /// Allowed code lengths (RFC 4226 §5.3, TH-05).
    public static let validDigits = 6...8
    /// Allowed TOTP periods in seconds (TH-06).
    public static let validPeriods = 1...120
    public static let defaultDigits = 6
    public static let defaultPeriod = 30
    public static let defaultAlgorithm = HMACAlgorithm.sha1
    /// Largest TOTP window in steps each side (TH-09).
    public static let maximumWindow = 2
    /// Largest HOTP look-ahead (TH-18).
    public static let maximumLookAhead = 100

    static let powersOfTen: [UInt32] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]
}
