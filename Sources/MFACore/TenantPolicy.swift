import MFAOTP

/// A tenant's rules: which methods users may register, TOTP/HOTP parameters, lockout and
/// enrollment time-out. Stored as JSON with the tenant; unknown keys get defaults, so fields can be added.
public struct TenantPolicy: Sendable, Codable, Equatable {
    public var allowedMethods: Set<MethodType>
    public var totp: TOTPPolicy
    public var hotp: HOTPPolicy
    public var lockout: LockoutPolicy
    public var recoveryCodes: RecoveryCodePolicy
    /// Seconds a pending enrollment stays valid (TH-15; default 10 minutes).
    public var enrollmentTimeout: Int

    public init(allowedMethods: Set<MethodType> = [.totp, .hotp, .recoveryCodes], totp: TOTPPolicy = .init(),
                hotp: HOTPPolicy = .init(), lockout: LockoutPolicy = .init(), recoveryCodes: RecoveryCodePolicy = .init(),
                enrollmentTimeout: Int = 600) {
        self.allowedMethods = allowedMethods
        self.totp = totp
        self.hotp = hotp
        self.lockout = lockout
        self.recoveryCodes = recoveryCodes
        self.enrollmentTimeout = enrollmentTimeout
    }

    public static let `default` = TenantPolicy()

    /// Checks every field; the engine refuses to store an invalid policy.
    public func validate() throws {
        try totp.validate()
        try hotp.validate()
        try lockout.validate()
        try recoveryCodes.validate()
        guard (60...86_400).contains(enrollmentTimeout) else {
            throw MFAError.invalidInput("enrollment_timeout must be 60 to 86400 seconds", field: "enrollment_timeout")
        }
    }

    enum CodingKeys: String, CodingKey {
        case allowedMethods = "allowed_methods", totp, hotp, lockout, recoveryCodes = "recovery_codes"
        case enrollmentTimeout = "enrollment_timeout"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TenantPolicy()
        allowedMethods = try c.decodeIfPresent(Set<MethodType>.self, forKey: .allowedMethods) ?? d.allowedMethods
        totp = try c.decodeIfPresent(TOTPPolicy.self, forKey: .totp) ?? d.totp
        hotp = try c.decodeIfPresent(HOTPPolicy.self, forKey: .hotp) ?? d.hotp
        lockout = try c.decodeIfPresent(LockoutPolicy.self, forKey: .lockout) ?? d.lockout
        recoveryCodes = try c.decodeIfPresent(RecoveryCodePolicy.self, forKey: .recoveryCodes) ?? d.recoveryCodes
        enrollmentTimeout = try c.decodeIfPresent(Int.self, forKey: .enrollmentTimeout) ?? d.enrollmentTimeout
    }
}

/// TOTP defaults for new enrollments and the verification window (TH-09, TH-10).
public struct TOTPPolicy: Sendable, Codable, Equatable {
    public var algorithm: OTPAlgorithm = .sha1
    public var digits: Int = 6
    public var period: Int = 30
    /// Steps accepted each side of now, 0...2 (default 1).
    public var window: Int = 1
    /// Learn each device's clock drift after a success, bounded by ±2 steps in total (TH-10).
    public var driftLearning: Bool = false
    /// Let enrollments choose their own algorithm/digits/period (otherwise the policy's are used).
    public var allowCustomParameters: Bool = true

    public init() {}

    public func validate() throws {
        guard OTPParameters.validDigits.contains(digits) else { throw MFAError.invalidInput("totp.digits must be 6 to 8", field: "digits") }
        guard OTPParameters.validPeriods.contains(period) else { throw MFAError.invalidInput("totp.period must be 1 to 120", field: "period") }
        guard (0...OTPParameters.maximumWindow).contains(window) else {
            throw MFAError.invalidInput("totp.window must be 0 to 2", field: "window")
        }
    }

    enum CodingKeys: String, CodingKey {
        case algorithm, digits, period, window, driftLearning = "drift_learning", allowCustomParameters = "allow_custom_parameters"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        algorithm = try c.decodeIfPresent(OTPAlgorithm.self, forKey: .algorithm) ?? .sha1
        digits = try c.decodeIfPresent(Int.self, forKey: .digits) ?? 6
        period = try c.decodeIfPresent(Int.self, forKey: .period) ?? 30
        window = try c.decodeIfPresent(Int.self, forKey: .window) ?? 1
        driftLearning = try c.decodeIfPresent(Bool.self, forKey: .driftLearning) ?? false
        allowCustomParameters = try c.decodeIfPresent(Bool.self, forKey: .allowCustomParameters) ?? true
    }
}

/// HOTP look-ahead (TH-18).
public struct HOTPPolicy: Sendable, Codable, Equatable {
    /// Counters accepted ahead of the expected one (default 10).
    public var lookAhead: Int = 10
    /// How far resynchronisation with two consecutive codes searches.
    public var resyncWindow: Int = 100

    public init() {}

    public func validate() throws {
        guard (0...OTPParameters.maximumLookAhead).contains(lookAhead) else {
            throw MFAError.invalidInput("hotp.look_ahead must be 0 to 100", field: "look_ahead")
        }
        guard (1...1000).contains(resyncWindow) else {
            throw MFAError.invalidInput("hotp.resync_window must be 1 to 1000", field: "resync_window")
        }
    }

    enum CodingKeys: String, CodingKey { case lookAhead = "look_ahead", resyncWindow = "resync_window" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lookAhead = try c.decodeIfPresent(Int.self, forKey: .lookAhead) ?? 10
        resyncWindow = try c.decodeIfPresent(Int.self, forKey: .resyncWindow) ?? 100
    }
}

/// Consecutive-failure throttling (RL-01/02): after `threshold` failures each further failure
/// locks the method for `baseDelay` doubling up to `maximumDelay` seconds; at `disableAfter`
/// consecutive failures the method is disabled. A success clears the count.
public struct LockoutPolicy: Sendable, Codable, Equatable {
    public var threshold: Int = 5
    public var baseDelay: Int = 1
    public var maximumDelay: Int = 3600
    public var disableAfter: Int = 100

    public init(threshold: Int = 5, baseDelay: Int = 1, maximumDelay: Int = 3600, disableAfter: Int = 100) {
        self.threshold = threshold
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.disableAfter = disableAfter
    }

    public func validate() throws {
        guard threshold >= 1, baseDelay >= 1, maximumDelay >= baseDelay, disableAfter >= threshold,
              disableAfter <= 100_000, maximumDelay <= 86_400 * 7 else {
            throw MFAError.invalidInput("lockout needs 1 <= threshold <= disable_after and 1 <= base_delay <= maximum_delay",
                                        field: "lockout")
        }
    }

    /// The lock, in seconds, after the `failures`-th consecutive failure (0 below the threshold).
    public func delay(afterFailures failures: Int) -> Int {
        guard failures >= threshold else { return 0 }
        let doublings = min(failures - threshold, 30)
        return min(maximumDelay, baseDelay << doublings)
    }

    enum CodingKeys: String, CodingKey {
        case threshold, baseDelay = "base_delay", maximumDelay = "maximum_delay", disableAfter = "disable_after"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = LockoutPolicy()
        threshold = try c.decodeIfPresent(Int.self, forKey: .threshold) ?? d.threshold
        baseDelay = try c.decodeIfPresent(Int.self, forKey: .baseDelay) ?? d.baseDelay
        maximumDelay = try c.decodeIfPresent(Int.self, forKey: .maximumDelay) ?? d.maximumDelay
        disableAfter = try c.decodeIfPresent(Int.self, forKey: .disableAfter) ?? d.disableAfter
    }
}

/// Recovery codes: how many in a set.
public struct RecoveryCodePolicy: Sendable, Codable, Equatable {
    public var count: Int = 10

    public init() {}

    public func validate() throws {
        guard (5...20).contains(count) else { throw MFAError.invalidInput("recovery_codes.count must be 5 to 20", field: "count") }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decodeIfPresent(Int.self, forKey: .count) ?? 10
    }
}
