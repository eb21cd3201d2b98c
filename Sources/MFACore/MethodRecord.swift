import Foundation

/// Where a method is in its life: pending (an enrollment waiting for its first proof), active, disabled.
public enum MethodStatus: String, Sendable, Codable {
    case pending, active, disabled
}

/// One stored method row. This is the store's view and holds the sealed payload: never return it
/// to a client; `MethodSummary` is the public view.
///
/// `lastCounter` is the replay state, advanced only by compare-and-set: for TOTP the last accepted
/// time step, for HOTP the last accepted counter (nil: nothing accepted yet).
public struct MethodRecord: Sendable, Equatable {
    public let id: MethodID
    public let tenantID: TenantID
    public let userID: UserID
    public let type: MethodType
    public var name: String
    public var status: MethodStatus
    /// Non-secret parameters shown to the user and used to check input shape before any crypto
    /// (e.g. `digits`, `algorithm`, `period`).
    public var info: [String: String]
    /// The method's secret payload, sealed with the record id as associated data.
    public var sealedPayload: [UInt8]
    /// The id of the key that sealed `sealedPayload` (for rotation).
    public var keyID: String
    public var lastCounter: Int64?
    /// Learned clock drift in steps (TOTP, TH-10).
    public var drift: Int
    /// Consecutive failures (pre-counted: an attempt counts when it starts, a success clears it).
    public var failures: Int
    public var lockedUntil: Date?
    public let createdAt: Date
    public var confirmedAt: Date?
    public var lastUsedAt: Date?
    /// For pending methods: when the enrollment expires.
    public var expiresAt: Date?

    public init(id: MethodID, tenantID: TenantID, userID: UserID, type: MethodType, name: String, status: MethodStatus,
                info: [String: String] = [:], sealedPayload: [UInt8], keyID: String, lastCounter: Int64? = nil,
                drift: Int = 0, failures: Int = 0, lockedUntil: Date? = nil, createdAt: Date, confirmedAt: Date? = nil,
                lastUsedAt: Date? = nil, expiresAt: Date? = nil) {
        self.id = id
        self.tenantID = tenantID
        self.userID = userID
        self.type = type
        self.name = name
        self.status = status
        self.info = info
        self.sealedPayload = sealedPayload
        self.keyID = keyID
        self.lastCounter = lastCounter
        self.drift = drift
        self.failures = failures
        self.lockedUntil = lockedUntil
        self.createdAt = createdAt
        self.confirmedAt = confirmedAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
    }
}

/// A method as a user or login server sees it: no secret, no counters.
public struct MethodSummary: Sendable, Codable, Equatable {
    public let id: MethodID
    public let type: MethodType
    public let name: String
    public let status: MethodStatus
    public let isDefault: Bool
    public let info: [String: String]
    public let createdAt: Date
    public let confirmedAt: Date?
    public let lastUsedAt: Date?
    /// For recovery codes: how many are left.
    public let remainingCodes: Int?
    /// Seconds until a throttled method may be tried again.
    public let lockedFor: Int?

    enum CodingKeys: String, CodingKey {
        case id, type, name, status, isDefault = "is_default", info, createdAt = "created_at"
        case confirmedAt = "confirmed_at", lastUsedAt = "last_used_at", remainingCodes = "remaining_codes"
        case lockedFor = "locked_for"
    }

    public init(_ record: MethodRecord, isDefault: Bool, remainingCodes: Int?, now: Date) {
        id = record.id
        type = record.type
        name = record.name
        status = record.status
        self.isDefault = isDefault
        info = record.info
        createdAt = record.createdAt
        confirmedAt = record.confirmedAt
        lastUsedAt = record.lastUsedAt
        self.remainingCodes = remainingCodes
        lockedFor = record.lockedUntil.flatMap { $0 > now ? Int($0.timeIntervalSince(now).rounded(.up)) : nil }
    }
}

/// The per-user row: the default method.
public struct UserRecord: Sendable, Equatable {
    public let tenantID: TenantID
    public let userID: UserID
    public var defaultMethodID: MethodID?
    public let createdAt: Date

    public init(tenantID: TenantID, userID: UserID, defaultMethodID: MethodID?, createdAt: Date) {
        self.tenantID = tenantID
        self.userID = userID
        self.defaultMethodID = defaultMethodID
        self.createdAt = createdAt
    }
}
