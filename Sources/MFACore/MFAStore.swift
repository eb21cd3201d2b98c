import Foundation

/// The engine's storage: one protocol family, one conformance suite (`StoreConformance` in
/// MFATesting), run against `InMemoryStore`, SQLite and PostgreSQL.
///
/// Requirements for every implementation:
/// - Every row is scoped by tenant: a lookup with the wrong tenant finds nothing.
/// - Anything two requests or two nodes can race on is ONE atomic statement (or one transaction)
///   whose affected-row count is checked: `activateMethod`, `reserveAttempt`, `recordSuccess`,
///   `consumeRecoveryCode`, `replaceSealedPayload`, `insertCheckpoint`, `insertEngineSecret`.
/// - A failure of the database surfaces as a thrown error, never as `nil`/`false`, so the engine
///   fails closed. Throw `StoreError` (or anything); the engine wraps it in `MFAError.unavailable`.
/// - Methods whose docs say "with `audit`" write those events in the same transaction as the change.
/// - Times are stored with millisecond precision.
public protocol MFAStore: TenantStore, MethodStore, RecoveryCodeStore, AuditStore, EngineSecretStore, APIKeyStore {
    /// Creates or upgrades the schema: numbered, forward-only migrations, each in one transaction.
    /// Safe to call on every start and from several processes at once.
    func migrate() async throws
    /// True when the database answers (for readiness checks).
    func ping() async throws
    /// Removes a user completely: methods, recovery codes and the user row; audit events of the user
    /// keep only their pseudonym (`userID` set to nil). Writes `audit` in the same transaction.
    func eraseUser(tenant: TenantID, user: UserID, userRef: String, audit: AuditEvent) async throws
}

public protocol TenantStore: Sendable {
    /// - Throws: `StoreError.duplicate` if the id is taken.
    func createTenant(_ tenant: Tenant) async throws
    func tenant(_ id: TenantID) async throws -> Tenant?
    /// Replaces issuer and policy. Returns false if the tenant does not exist.
    func updateTenant(_ tenant: Tenant) async throws -> Bool
    func tenants() async throws -> [Tenant]
}

/// The outcome of `reserveAttempt`.
public enum AttemptReservation: Sendable, Equatable {
    /// The attempt is counted; `record` is the row *after* the increment (its `failures` includes
    /// this attempt; `lockedUntil`/`status` show a lock or disablement this attempt caused).
    case reserved(MethodRecord)
    /// The method is throttled until this time; nothing was counted.
    case locked(until: Date)
    /// No method with this id and the required status in this tenant.
    case unavailable
}

public protocol MethodStore: Sendable {
    /// Inserts a new method row (and the user row if missing). With `audit`.
    /// - Throws: `StoreError.duplicate` if the id exists.
    func insertMethod(_ record: MethodRecord, audit: [AuditEvent]) async throws
    func method(tenant: TenantID, id: MethodID) async throws -> MethodRecord?
    /// All of a user's methods, any status, oldest first.
    func methods(tenant: TenantID, user: UserID) async throws -> [MethodRecord]
    func user(tenant: TenantID, id: UserID) async throws -> UserRecord?
    /// Sets (or clears) the default method. Returns false if the user row does not exist. With `audit`.
    func setDefaultMethod(tenant: TenantID, user: UserID, method: MethodID?, audit: [AuditEvent]) async throws -> Bool

    /// Pending -> active, atomically: only if the row is `pending` and `expiresAt > now`. Sets
    /// `confirmedAt = now`, `lastUsedAt = now`, `expiresAt = nil`, `failures = 0`, `lockedUntil = nil`
    /// and `lastCounter` (the confirming code's step is consumed: TH-14). Returns false if not pending or expired. With `audit`.
    func activateMethod(tenant: TenantID, id: MethodID, lastCounter: Int64?, drift: Int, now: Date,
                        audit: [AuditEvent]) async throws -> Bool

    /// Counts an attempt before it is checked, atomically (RL-01/02). In one statement: if the
    /// method's status is `status` (`active` to sign in, `pending` to confirm an enrollment) and it
    /// is not locked at `now` (`lockedUntil` nil or <= now), increment `failures` to n; if
    /// n >= `policy.threshold` set `lockedUntil = now + policy.delay(afterFailures: n)`; if
    /// n >= `policy.disableAfter` set `status = disabled`. Returns the updated row.
    /// Otherwise returns `.locked(until:)` (right status but locked) or `.unavailable`.
    func reserveAttempt(tenant: TenantID, id: MethodID, status: MethodStatus, now: Date,
                        policy: LockoutPolicy) async throws -> AttemptReservation

    /// Accepts a code, atomically (TH-11/12, TH-18): only if the method is `active` and
    /// `lastCounter` is nil or < `counter`, set `lastCounter = counter`, `drift`, `failures = 0`,
    /// `lockedUntil = nil`, `lastUsedAt = now`. Returns false (nothing written, no audit) when the
    /// compare fails: a replay. With `audit`, written only when it returns true.
    func recordSuccess(tenant: TenantID, id: MethodID, counter: Int64, drift: Int, now: Date,
                       audit: [AuditEvent]) async throws -> Bool

    /// Clears `failures` and `lockedUntil` (the user proved possession with another method).
    func resetFailures(tenant: TenantID, id: MethodID) async throws

    /// Renames, disables or re-enables. `status` may only be `active` or `disabled`; enabling also
    /// clears failures. Returns false if the method does not exist or is pending. With `audit`.
    func updateMethod(tenant: TenantID, id: MethodID, name: String?, status: MethodStatus?,
                      audit: [AuditEvent]) async throws -> Bool

    /// Deletes the method, its recovery codes, and clears it as the user's default. Returns false if
    /// it did not exist. With `audit`.
    func deleteMethod(tenant: TenantID, id: MethodID, audit: [AuditEvent]) async throws -> Bool

    /// Deletes pending methods whose `expiresAt <= now` (for one user, or all when `user` is nil) and
    /// returns them, writing one `audit` event per deleted row built by `audit`.
    func deleteExpiredEnrollments(tenant: TenantID?, user: UserID?, now: Date,
                                  audit: @Sendable (MethodRecord) -> AuditEvent) async throws -> [MethodRecord]

    /// Up to `limit` methods (any tenant) whose `keyID` differs from `keyID`, for key rotation.
    func methodsSealed(notWith keyID: String, limit: Int) async throws -> [MethodRecord]
    /// How many methods (any tenant) have a `keyID` other than `keyID` (rotation progress).
    func countMethodsSealed(notWith keyID: String) async throws -> Int

    /// Replaces a sealed payload only if it is still `old` (compare-and-set). Returns false otherwise.
    func replaceSealedPayload(tenant: TenantID, id: MethodID, old: [UInt8], new: [UInt8], keyID: String) async throws -> Bool
}

public protocol RecoveryCodeStore: Sendable {
    /// Voids every recovery-code method of the user (rows and codes deleted) and inserts `method`
    /// with `hashes` (each unused), in one transaction. With `audit`.
    func replaceRecoveryCodes(method: MethodRecord, hashes: [[UInt8]], audit: [AuditEvent]) async throws

    /// Marks the unused code with this hash as used, atomically (`... AND used_at IS NULL`), and
    /// updates the method's `lastUsedAt`, `failures = 0`, `lockedUntil = nil`. Returns false if no
    /// unused code has this hash. With `audit`, written only when it returns true.
    func consumeRecoveryCode(tenant: TenantID, method: MethodID, hash: [UInt8], now: Date,
                             audit: [AuditEvent]) async throws -> Bool

    /// Unused codes left.
    func remainingRecoveryCodes(tenant: TenantID, method: MethodID) async throws -> Int
}

public protocol AuditStore: Sendable {
    /// Appends events (ids assigned by the store, increasing).
    func appendAudit(_ events: [AuditEvent]) async throws
    /// Events with `id > afterID`, ascending, at most `limit` (all tenants).
    func auditEvents(afterID: Int64, limit: Int) async throws -> [AuditEvent]
    /// A user's events by pseudonym, newest first, at most `limit`, with `id < beforeID` when given.
    func auditEvents(tenant: TenantID, userRef: String, beforeID: Int64?, limit: Int) async throws -> [AuditEvent]
    /// Checkpoints in sequence order, starting after `afterSequence`.
    func auditCheckpoints(afterSequence: Int64, limit: Int) async throws -> [AuditCheckpoint]
    func lastAuditCheckpoint() async throws -> AuditCheckpoint?
    /// Inserts a checkpoint; returns false if its sequence exists already (another sealer won).
    func insertAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws -> Bool
}

/// Engine-wide secrets (the audit key, the pseudonym key), stored sealed by the key ring.
public protocol EngineSecretStore: Sendable {
    /// The sealed value and its key id.
    func engineSecret(named name: String) async throws -> (sealed: [UInt8], keyID: String)?
    /// Inserts if absent; returns false when one exists already (another node won the race).
    func insertEngineSecret(named name: String, sealed: [UInt8], keyID: String) async throws -> Bool
    /// Compare-and-set on the sealed value (key rotation).
    func replaceEngineSecret(named name: String, old: [UInt8], new: [UInt8], keyID: String) async throws -> Bool
}

/// Errors a store may throw besides driver errors.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case duplicate, corrupt, unavailable }
    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func duplicate(_ what: String) -> StoreError { StoreError(.duplicate, "\(what) exists already") }
    public static func corrupt(_ what: String) -> StoreError { StoreError(.corrupt, "stored \(what) is unreadable") }
    public var description: String { "\(kind.rawValue): \(message)" }
}
