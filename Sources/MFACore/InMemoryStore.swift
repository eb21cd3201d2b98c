import Foundation

/// The reference `MFAStore`: everything in memory, every operation atomic because the actor
/// runs one at a time. For tests, tools and Swift login servers that embed the engine without a
/// database (nothing survives a restart). `failNextOperations` injects database failures.
public actor InMemoryStore: MFAStore {
    private var tenantsByID: [TenantID: Tenant] = [:]
    private var methodsByKey: [String: MethodRecord] = [:]
    private var methodOrder: [String] = []
    private var users: [String: UserRecord] = [:]
    private var recoveryCodes: [String: [(hash: [UInt8], usedAt: Date?)]] = [:]
    private var audit: [AuditEvent] = []
    private var checkpoints: [AuditCheckpoint] = []
    private var secrets: [String: (sealed: [UInt8], keyID: String)] = [:]
    private var apiKeysByID: [String: APIKeyRecord] = [:]
    private var apiKeyOrder: [String] = []
    private var failuresToInject = 0

    public init() {}

    /// Makes the next `count` operations throw `StoreError.unavailable` (fault injection).
    public func failNextOperations(_ count: Int) { failuresToInject = count }

    private func check() throws {
        if failuresToInject > 0 {
            failuresToInject -= 1
            throw StoreError(.unavailable, "injected failure")
        }
    }

    private func key(_ tenant: TenantID, _ id: MethodID) -> String { tenant.rawValue + "\u{0}" + id.rawValue }
    private func userKey(_ tenant: TenantID, _ user: UserID) -> String { tenant.rawValue + "\u{0}" + user.rawValue }

    private func appendLocked(_ events: [AuditEvent]) {
        for var event in events {
            event.id = Int64(audit.count + 1)
            audit.append(event)
        }
    }

    // MARK: MFAStore

    public func migrate() async throws { try check() }
    public func ping() async throws { try check() }

    public func eraseUser(tenant: TenantID, user: UserID, userRef: String, audit events: AuditEvent) async throws {
        try check()
        for k in methodOrder where methodsByKey[k]?.tenantID == tenant && methodsByKey[k]?.userID == user {
            methodsByKey[k] = nil
            recoveryCodes[k] = nil
        }
        methodOrder.removeAll { methodsByKey[$0] == nil }
        users[userKey(tenant, user)] = nil
        for i in audit.indices where audit[i].tenantID == tenant && audit[i].userRef == userRef {
            audit[i].userID = nil
        }
        appendLocked([events])
    }

    // MARK: TenantStore

    public func createTenant(_ tenant: Tenant) async throws {
        try check()
        guard tenantsByID[tenant.id] == nil else { throw StoreError.duplicate("tenant") }
        tenantsByID[tenant.id] = tenant
    }

    public func tenant(_ id: TenantID) async throws -> Tenant? {
        try check()
        return tenantsByID[id]
    }

    public func updateTenant(_ tenant: Tenant) async throws -> Bool {
        try check()
        guard let existing = tenantsByID[tenant.id] else { return false }
        tenantsByID[tenant.id] = Tenant(id: tenant.id, issuer: tenant.issuer, policy: tenant.policy, createdAt: existing.createdAt)
        return true
    }

    public func tenants() async throws -> [Tenant] {
        try check()
        return tenantsByID.values.sorted { $0.id.rawValue < $1.id.rawValue }
    }

    // MARK: MethodStore

    public func insertMethod(_ record: MethodRecord, audit events: [AuditEvent]) async throws {
        try check()
        let k = key(record.tenantID, record.id)
        guard methodsByKey[k] == nil else { throw StoreError.duplicate("method") }
        methodsByKey[k] = record
        methodOrder.append(k)
        let uk = userKey(record.tenantID, record.userID)
        if users[uk] == nil {
            users[uk] = UserRecord(tenantID: record.tenantID, userID: record.userID, defaultMethodID: nil, createdAt: record.createdAt)
        }
        appendLocked(events)
    }

    public func method(tenant: TenantID, id: MethodID) async throws -> MethodRecord? {
        try check()
        return methodsByKey[key(tenant, id)]
    }

    public func methods(tenant: TenantID, user: UserID) async throws -> [MethodRecord] {
        try check()
        return methodOrder.compactMap { methodsByKey[$0] }.filter { $0.tenantID == tenant && $0.userID == user }
    }

    public func user(tenant: TenantID, id: UserID) async throws -> UserRecord? {
        try check()
        return users[userKey(tenant, id)]
    }

    public func setDefaultMethod(tenant: TenantID, user: UserID, method: MethodID?, audit events: [AuditEvent]) async throws -> Bool {
        try check()
        let uk = userKey(tenant, user)
        guard users[uk] != nil else { return false }
        users[uk]?.defaultMethodID = method
        appendLocked(events)
        return true
    }

    public func activateMethod(tenant: TenantID, id: MethodID, lastCounter: Int64?, drift: Int, now: Date,
                               audit events: [AuditEvent]) async throws -> Bool {
        try check()
        let k = key(tenant, id)
        guard var record = methodsByKey[k], record.status == .pending, let expires = record.expiresAt, expires > now else {
            return false
        }
        record.status = .active
        record.confirmedAt = now
        record.lastUsedAt = now
        record.expiresAt = nil
        record.lastCounter = lastCounter
        record.drift = drift
        record.failures = 0
        record.lockedUntil = nil
        methodsByKey[k] = record
        appendLocked(events)
        return true
    }

    public func reserveAttempt(tenant: TenantID, id: MethodID, status: MethodStatus, now: Date,
                               policy: LockoutPolicy) async throws -> AttemptReservation {
        try check()
        let k = key(tenant, id)
        guard var record = methodsByKey[k], record.status == status else { return .unavailable }
        if let until = record.lockedUntil, until > now { return .locked(until: until) }
        record.failures += 1
        let delay = policy.delay(afterFailures: record.failures)
        if delay > 0 { record.lockedUntil = now.addingTimeInterval(TimeInterval(delay)) }
        if record.failures >= policy.disableAfter { record.status = .disabled }
        methodsByKey[k] = record
        return .reserved(record)
    }

    public func recordSuccess(tenant: TenantID, id: MethodID, counter: Int64, drift: Int, now: Date,
                              audit events: [AuditEvent]) async throws -> Bool {
        try check()
        let k = key(tenant, id)
        guard var record = methodsByKey[k], record.status == .active else { return false }
        if let last = record.lastCounter, last >= counter { return false }
        record.lastCounter = counter
        record.drift = drift
        record.failures = 0
        record.lockedUntil = nil
        record.lastUsedAt = now
        methodsByKey[k] = record
        appendLocked(events)
        return true
    }

    public func resetFailures(tenant: TenantID, id: MethodID) async throws {
        try check()
        let k = key(tenant, id)
        methodsByKey[k]?.failures = 0
        methodsByKey[k]?.lockedUntil = nil
    }

    public func updateMethod(tenant: TenantID, id: MethodID, name: String?, status: MethodStatus?,
                             audit events: [AuditEvent]) async throws -> Bool {
        try check()
        let k = key(tenant, id)
        guard var record = methodsByKey[k], record.status != .pending, status != .pending else { return false }
        if let name { record.name = name }
        if let status {
            if status == .active && record.status != .active {
                record.failures = 0
                record.lockedUntil = nil
            }
            record.status = status
        }
        methodsByKey[k] = record
        appendLocked(events)
        return true
    }

    public func deleteMethod(tenant: TenantID, id: MethodID, audit events: [AuditEvent]) async throws -> Bool {
        try check()
        let k = key(tenant, id)
        guard let record = methodsByKey[k] else { return false }
        methodsByKey[k] = nil
        recoveryCodes[k] = nil
        methodOrder.removeAll { $0 == k }
        let uk = userKey(tenant, record.userID)
        if users[uk]?.defaultMethodID == id { users[uk]?.defaultMethodID = nil }
        appendLocked(events)
        return true
    }

    public func deleteExpiredEnrollments(tenant: TenantID?, user: UserID?, now: Date,
                                         audit makeEvent: @Sendable (MethodRecord) -> AuditEvent) async throws -> [MethodRecord] {
        try check()
        var expired: [MethodRecord] = []
        for k in methodOrder {
            guard let record = methodsByKey[k], record.status == .pending, let expires = record.expiresAt, expires <= now else { continue }
            if let tenant, record.tenantID != tenant { continue }
            if let user, record.userID != user { continue }
            expired.append(record)
            methodsByKey[k] = nil
        }
        methodOrder.removeAll { methodsByKey[$0] == nil }
        appendLocked(expired.map(makeEvent))
        return expired
    }

    public func methodsSealed(notWith keyID: String, limit: Int) async throws -> [MethodRecord] {
        try check()
        return Array(methodOrder.compactMap { methodsByKey[$0] }.filter { $0.keyID != keyID }.prefix(limit))
    }

    public func countMethodsSealed(notWith keyID: String) async throws -> Int {
        try check()
        return methodsByKey.values.filter { $0.keyID != keyID }.count
    }

    public func replaceSealedPayload(tenant: TenantID, id: MethodID, old: [UInt8], new: [UInt8], keyID: String) async throws -> Bool {
        try check()
        let k = key(tenant, id)
        guard var record = methodsByKey[k], record.sealedPayload == old else { return false }
        record.sealedPayload = new
        record.keyID = keyID
        methodsByKey[k] = record
        return true
    }

    // MARK: RecoveryCodeStore

    public func replaceRecoveryCodes(method: MethodRecord, hashes: [[UInt8]], audit events: [AuditEvent]) async throws {
        try check()
        for k in methodOrder {
            guard let r = methodsByKey[k], r.tenantID == method.tenantID, r.userID == method.userID, r.type == .recoveryCodes
            else { continue }
            methodsByKey[k] = nil
            recoveryCodes[k] = nil
        }
        methodOrder.removeAll { methodsByKey[$0] == nil }
        let k = key(method.tenantID, method.id)
        methodsByKey[k] = method
        methodOrder.append(k)
        recoveryCodes[k] = hashes.map { ($0, nil) }
        let uk = userKey(method.tenantID, method.userID)
        if users[uk] == nil {
            users[uk] = UserRecord(tenantID: method.tenantID, userID: method.userID, defaultMethodID: nil, createdAt: method.createdAt)
        }
        appendLocked(events)
    }

    public func consumeRecoveryCode(tenant: TenantID, method: MethodID, hash: [UInt8], now: Date,
                                    audit events: [AuditEvent]) async throws -> Bool {
        try check()
        let k = key(tenant, method)
        guard var codes = recoveryCodes[k], let index = codes.firstIndex(where: { $0.hash == hash && $0.usedAt == nil }) else {
            return false
        }
        codes[index].usedAt = now
        recoveryCodes[k] = codes
        methodsByKey[k]?.lastUsedAt = now
        methodsByKey[k]?.failures = 0
        methodsByKey[k]?.lockedUntil = nil
        appendLocked(events)
        return true
    }

    public func remainingRecoveryCodes(tenant: TenantID, method: MethodID) async throws -> Int {
        try check()
        return recoveryCodes[key(tenant, method)]?.filter { $0.usedAt == nil }.count ?? 0
    }

    // MARK: AuditStore

    public func appendAudit(_ events: [AuditEvent]) async throws {
        try check()
        appendLocked(events)
    }

    public func auditEvents(afterID: Int64, limit: Int) async throws -> [AuditEvent] {
        try check()
        return Array(audit.filter { $0.id > afterID }.prefix(limit))
    }

    public func auditEvents(tenant: TenantID, userRef: String, beforeID: Int64?, limit: Int) async throws -> [AuditEvent] {
        try check()
        return Array(audit.reversed().filter { event in
            event.tenantID == tenant && event.userRef == userRef && (beforeID.map { event.id < $0 } ?? true)
        }.prefix(limit))
    }

    public func auditCheckpoints(afterSequence: Int64, limit: Int) async throws -> [AuditCheckpoint] {
        try check()
        return Array(checkpoints.filter { $0.sequence > afterSequence }.prefix(limit))
    }

    public func lastAuditCheckpoint() async throws -> AuditCheckpoint? {
        try check()
        return checkpoints.last
    }

    public func insertAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws -> Bool {
        try check()
        guard !checkpoints.contains(where: { $0.sequence == checkpoint.sequence }) else { return false }
        checkpoints.append(checkpoint)
        checkpoints.sort { $0.sequence < $1.sequence }
        return true
    }

    // MARK: EngineSecretStore

    public func engineSecret(named name: String) async throws -> (sealed: [UInt8], keyID: String)? {
        try check()
        return secrets[name]
    }

    public func insertEngineSecret(named name: String, sealed: [UInt8], keyID: String) async throws -> Bool {
        try check()
        guard secrets[name] == nil else { return false }
        secrets[name] = (sealed, keyID)
        return true
    }

    public func replaceEngineSecret(named name: String, old: [UInt8], new: [UInt8], keyID: String) async throws -> Bool {
        try check()
        guard let existing = secrets[name], existing.sealed == old else { return false }
        secrets[name] = (new, keyID)
        return true
    }

    // MARK: APIKeyStore

    public func insertAPIKey(_ record: APIKeyRecord, audit events: [AuditEvent]) async throws {
        try check()
        guard apiKeysByID[record.id] == nil else { throw StoreError.duplicate("api key") }
        apiKeysByID[record.id] = record
        apiKeyOrder.append(record.id)
        appendLocked(events)
    }

    public func apiKey(id: String) async throws -> APIKeyRecord? {
        try check()
        return apiKeysByID[id]
    }

    public func apiKeys(tenant: TenantID) async throws -> [APIKeyRecord] {
        try check()
        return apiKeyOrder.compactMap { apiKeysByID[$0] }.filter { $0.tenantID == tenant }
    }

    public func revokeAPIKey(tenant: TenantID, id: String, now: Date, audit events: [AuditEvent]) async throws -> Bool {
        try check()
        guard var record = apiKeysByID[id], record.tenantID == tenant, record.revokedAt == nil else { return false }
        record.revokedAt = now
        apiKeysByID[id] = record
        appendLocked(events)
        return true
    }

    // MARK: Test inspection

    /// Every audit event, for tests (tampering is done through the real stores).
    public func allAuditEvents() -> [AuditEvent] { audit }
}
