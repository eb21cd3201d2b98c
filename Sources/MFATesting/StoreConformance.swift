import Foundation
import MFACore

/// A store check that did not hold: what was expected and what came back.
public struct ConformanceFailure: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The conformance suite every `MFAStore` implementation must pass (the requirements documented in
/// `MFAStore.swift`). Run each `Check` against a fresh, migrated store and each `RaceCheck` against
/// two independent store instances (separate connections or pools) on one database:
///
/// ```swift
/// @Test(arguments: StoreConformance.checks)
/// func conformance(_ check: StoreConformance.Check) async throws { try await check.run(makeStore()) }
/// ```
///
/// Checks use their own random tenant ids, engine-secret names and checkpoint sequences wherever the
/// API allows, so they also pass on a database other checks (or earlier runs) have written to.
public enum StoreConformance {
    public struct Check: Sendable, CustomStringConvertible {
        public let name: String
        public let run: @Sendable (any MFAStore) async throws -> Void
        public init(_ name: String, _ run: @escaping @Sendable (any MFAStore) async throws -> Void) {
            self.name = name
            self.run = run
        }
        public var description: String { name }
    }

    public struct RaceCheck: Sendable, CustomStringConvertible {
        public let name: String
        public let run: @Sendable (any MFAStore, any MFAStore) async throws -> Void
        public init(_ name: String, _ run: @escaping @Sendable (any MFAStore, any MFAStore) async throws -> Void) {
            self.name = name
            self.run = run
        }
        public var description: String { name }
    }

    /// Checks that each take a fresh, migrated, empty store.
    public static let checks: [Check] = apiKeyChecks + [
        Check("migrate: idempotent and keeps data") { try await migrateIsIdempotent($0) },
        Check("tenant: create, get, update, list") { try await tenantLifecycle($0) },
        Check("tenant: duplicate id throws StoreError.duplicate") { try await tenantDuplicate($0) },
        Check("method: insert and get round-trip every field") { try await methodRoundTrip($0) },
        Check("method: list is per user, any status, oldest first") { try await methodListOrder($0) },
        Check("method: duplicate id throws StoreError.duplicate and writes nothing") { try await methodDuplicate($0) },
        Check("method: insert creates the user row once") { try await methodCreatesUserRow($0) },
        Check("tenant scoping: another tenant cannot see or change methods, users, recovery codes") {
            try await tenantScoping($0)
        },
        Check("setDefaultMethod: sets, changes, clears; false without a user row") { try await setDefault($0) },
        Check("deleteMethod: clears the user's default") { try await deleteClearsDefault($0) },
        Check("activateMethod: only pending and before expiresAt, only once") { try await activateOnlyOnce($0) },
        Check("activateMethod: sets confirmedAt, lastUsedAt, lastCounter, drift; clears expiresAt, failures, lock") {
            try await activateSetsFields($0)
        },
        Check("reserveAttempt: counts below the threshold without a lock") { try await reserveBelowThreshold($0) },
        Check("reserveAttempt: locks exactly now + delay at the threshold, growing after, capped") {
            try await reserveLocks($0)
        },
        Check("reserveAttempt: while locked returns .locked(until:) and counts nothing") {
            try await reserveWhileLocked($0)
        },
        Check("reserveAttempt: disables the method at disableAfter") { try await reserveDisables($0) },
        Check("reserveAttempt: unavailable unless the method has the required status") { try await reserveUnavailable($0) },
        Check("reserveAttempt(status: .pending): counts, locks and disables a pending enrollment") {
            try await reservePending($0)
        },
        Check("recordSuccess: compare-and-set on lastCounter; a replay writes nothing and no audit") {
            try await recordSuccessCAS($0)
        },
        Check("recordSuccess: clears failures and lock, sets lastUsedAt and drift") {
            try await recordSuccessClears($0)
        },
        Check("recordSuccess: false for pending, disabled, missing") { try await recordSuccessInactive($0) },
        Check("resetFailures: clears failures and lockedUntil") { try await resetFailures($0) },
        Check("updateMethod: rename, disable, enable (enabling clears failures and lock)") {
            try await updateMethod($0)
        },
        Check("updateMethod: false for pending or missing; refuses status pending") {
            try await updateMethodRefuses($0)
        },
        Check("deleteMethod: removes the row and its recovery codes; false when missing") {
            try await deleteMethod($0)
        },
        Check("deleteExpiredEnrollments: only expired pending rows, scoped, one audit event each") {
            try await deleteExpiredEnrollments($0)
        },
        Check("methodsSealed(notWith:), countMethodsSealed(notWith:) and replaceSealedPayload compare-and-set") {
            try await resealing($0)
        },
        Check("replaceRecoveryCodes: voids the previous set and counts the new one") {
            try await replaceRecoveryCodes($0)
        },
        Check("consumeRecoveryCode: once only, exact hash, audit only on success") {
            try await consumeRecoveryCodeOnce($0)
        },
        Check("consumeRecoveryCode: sets lastUsedAt, clears failures and lock") {
            try await consumeRecoveryCodeClears($0)
        },
        Check("audit: ids increase; auditEvents(afterID:limit:) ascending and limited") {
            try await auditAppendOrder($0)
        },
        Check("audit: user events newest first, beforeID, limit, scoped by tenant and userRef") {
            try await auditUserEvents($0)
        },
        Check("audit: every field round-trips, including nil tenant and user") { try await auditRoundTrip($0) },
        Check("audit checkpoints: insert, duplicate sequence false, last, list in order") {
            try await checkpoints($0)
        },
        Check("engine secrets: insert if absent, compare-and-set replace") { try await engineSecrets($0) },
        Check("eraseUser: removes methods, codes, user row; keeps audit events without userID; appends audit") {
            try await eraseUser($0)
        },
        Check("time: dates round-trip with millisecond precision") { try await millisecondTimes($0) },
        Check("method: info and sealedPayload round-trip exactly") { try await payloadRoundTrip($0) },
        Check("method: unicode and odd user ids round-trip byte for byte") { try await oddUserIDs($0) },
    ]

    /// Checks that take two independent store instances (separate connections/pools) on the SAME database.
    public static let raceChecks: [RaceCheck] = [
        RaceCheck("migrate: concurrent from two stores") { try await raceMigrate($0, $1) },
        RaceCheck("recordSuccess: 50 concurrent with one counter, exactly one wins") {
            try await raceRecordSuccess($0, $1)
        },
        RaceCheck("consumeRecoveryCode: 50 concurrent of one code, exactly one wins") {
            try await raceConsumeRecoveryCode($0, $1)
        },
        RaceCheck("reserveAttempt: 100 concurrent below the threshold count 1...100") {
            try await raceReserveCounts($0, $1)
        },
        RaceCheck("reserveAttempt: 100 concurrent with the default policy, 5 reserved, 95 locked") {
            try await raceReserveLocks($0, $1)
        },
        RaceCheck("activateMethod: 20 concurrent, exactly one wins") { try await raceActivate($0, $1) },
        RaceCheck("insertAuditCheckpoint: 20 concurrent with one sequence, exactly one wins") {
            try await raceCheckpoint($0, $1)
        },
        RaceCheck("insertEngineSecret: 20 concurrent, exactly one wins") { try await raceEngineSecret($0, $1) },
        RaceCheck("replaceSealedPayload: 20 concurrent from one old payload, exactly one wins") {
            try await raceReplaceSealedPayload($0, $1)
        },
        RaceCheck("insertMethod: 10 concurrent with one id, one succeeds, the rest throw duplicate") {
            try await raceInsertMethod($0, $1)
        },
        RaceCheck("appendAudit: 50 concurrent appends get distinct ids") { try await raceAppendAudit($0, $1) },
    ]
}

// MARK: - Assertions

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    guard condition else { throw ConformanceFailure(message()) }
}

func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: @autoclosure () -> String) throws {
    guard actual == expected else { throw ConformanceFailure("\(what()): expected \(expected), got \(actual)") }
}

/// Exact equality of stored dates (they were built on millisecond boundaries).
func expectSameTime(_ actual: Date?, _ expected: Date?, _ what: @autoclosure () -> String) throws {
    guard actual == expected else { throw ConformanceFailure("\(what()): expected \(show(expected)), got \(show(actual))") }
}

/// Equality to the millisecond, for times the store computes (`now + delay`).
func expectSameMillisecond(_ actual: Date?, _ expected: Date, _ what: @autoclosure () -> String) throws {
    guard let actual, abs(actual.timeIntervalSince1970 - expected.timeIntervalSince1970) < 0.0005 else {
        throw ConformanceFailure("\(what()): expected \(show(expected)), got \(show(actual))")
    }
}

func expectSameRecord(_ actual: MethodRecord?, _ expected: MethodRecord, _ what: @autoclosure () -> String) throws {
    guard let actual else { throw ConformanceFailure("\(what()): expected method \(expected.id), got nil") }
    let diff = differences(actual, expected)
    guard diff.isEmpty else { throw ConformanceFailure("\(what()): method \(expected.id) differs: \(diff.joined(separator: "; "))") }
}

func expectSameEvent(_ actual: AuditEvent?, _ expected: AuditEvent, _ what: @autoclosure () -> String) throws {
    guard let actual else { throw ConformanceFailure("\(what()): expected audit event \(expected.kind), got nil") }
    let diff = differences(actual, expected)
    guard diff.isEmpty else { throw ConformanceFailure("\(what()): audit event differs: \(diff.joined(separator: "; "))") }
}

/// `body` must throw `StoreError` of kind `.duplicate`.
func expectDuplicate(_ what: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as StoreError where error.kind == .duplicate {
        return
    } catch {
        throw ConformanceFailure("\(what): expected StoreError.duplicate, got \(type(of: error)): \(error)")
    }
    throw ConformanceFailure("\(what): expected StoreError.duplicate, but it succeeded")
}

func show(_ date: Date?) -> String {
    guard let date else { return "nil" }
    return String(format: "%.6f", date.timeIntervalSince1970) + " (\(date.millisecondsSince1970) ms)"
}

func show(_ bytes: [UInt8]) -> String {
    let prefix = bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: " ")
    return "\(bytes.count) bytes [\(prefix)\(bytes.count > 8 ? " ..." : "")]"
}

func show(_ reservation: AttemptReservation) -> String {
    switch reservation {
    case .reserved(let r):
        return ".reserved(failures: \(r.failures), lockedUntil: \(show(r.lockedUntil)), status: \(r.status))"
    case .locked(let until): return ".locked(until: \(show(until)))"
    case .unavailable: return ".unavailable"
    }
}

func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

func differences(_ a: MethodRecord, _ e: MethodRecord) -> [String] {
    var out: [String] = []
    func field<T: Equatable>(_ name: String, _ x: T, _ y: T, _ describe: (T) -> String) {
        if x != y { out.append("\(name) expected \(describe(y)), got \(describe(x))") }
    }
    func text<T: Equatable>(_ v: T) -> String { "\(v)" }
    field("id", a.id, e.id, text)
    field("tenantID", a.tenantID, e.tenantID, text)
    field("userID bytes", utf8(a.userID.rawValue), utf8(e.userID.rawValue)) { "\(String(decoding: $0, as: UTF8.self).debugDescription)" }
    field("type", a.type, e.type, text)
    field("name bytes", utf8(a.name), utf8(e.name)) { "\(String(decoding: $0, as: UTF8.self).debugDescription)" }
    field("status", a.status, e.status, text)
    field("info", a.info, e.info, text)
    field("sealedPayload", a.sealedPayload, e.sealedPayload, show)
    field("keyID", a.keyID, e.keyID, text)
    field("lastCounter", a.lastCounter, e.lastCounter, text)
    field("drift", a.drift, e.drift, text)
    field("failures", a.failures, e.failures, text)
    field("lockedUntil", a.lockedUntil, e.lockedUntil, show)
    field("createdAt", a.createdAt, e.createdAt, show)
    field("confirmedAt", a.confirmedAt, e.confirmedAt, show)
    field("lastUsedAt", a.lastUsedAt, e.lastUsedAt, show)
    field("expiresAt", a.expiresAt, e.expiresAt, show)
    return out
}

func differences(_ a: AuditEvent, _ e: AuditEvent) -> [String] {
    var out: [String] = []
    func field<T: Equatable>(_ name: String, _ x: T, _ y: T, _ describe: (T) -> String) {
        if x != y { out.append("\(name) expected \(describe(y)), got \(describe(x))") }
    }
    func text<T: Equatable>(_ v: T) -> String { "\(v)" }
    field("id", a.id, e.id, text)
    field("at", a.at, e.at, show)
    field("tenantID", a.tenantID, e.tenantID, text)
    field("userID bytes", a.userID.map { utf8($0.rawValue) }, e.userID.map { utf8($0.rawValue) }) {
        $0.map { String(decoding: $0, as: UTF8.self).debugDescription } ?? "nil"
    }
    field("userRef", a.userRef, e.userRef, text)
    field("methodID", a.methodID, e.methodID, text)
    field("methodType", a.methodType, e.methodType, text)
    field("kind", a.kind, e.kind, text)
    field("source", a.source, e.source, text)
    field("details", a.details, e.details, text)
    field("hash", a.hash, e.hash, text)
    field("canonicalBytes", a.canonicalBytes, e.canonicalBytes, show)
    return out
}

// MARK: - Shared set-up

extension StoreConformance {
    /// A time `ms` milliseconds after `StoreFixtures.now`, built on a millisecond boundary.
    static func at(_ ms: Int64) -> Date { Date(millisecondsSince1970: StoreFixtures.now.millisecondsSince1970 + ms) }

    static let t0 = StoreFixtures.now

    /// Creates `count` tenants with fresh ids.
    static func makeTenants(_ store: any MFAStore, _ count: Int = 2) async throws -> [TenantID] {
        var ids: [TenantID] = []
        for i in 0..<count {
            let id = StoreFixtures.uniqueTenantID(String(UnicodeScalar(UInt8(ascii: "a") + UInt8(i % 26))))
            try await store.createTenant(StoreFixtures.tenant(id))
            ids.append(id)
        }
        return ids
    }

    /// Inserts a method built by `StoreFixtures.method` and returns it.
    static func insert(_ store: any MFAStore, tenant: TenantID, user: UserID, type: MethodType = .totp,
                       status: MethodStatus = .active, now: Date = t0, expiresAt: Date? = nil,
                       lastCounter: Int64? = nil, audit: [AuditEvent] = []) async throws -> MethodRecord {
        let record = try StoreFixtures.method(tenant: tenant, user: user, type: type, status: status, now: now,
                                              expiresAt: expiresAt, lastCounter: lastCounter)
        try await store.insertMethod(record, audit: audit)
        return record
    }

    /// Inserts a recovery-code method with `count` random code hashes.
    static func insertRecoveryCodes(_ store: any MFAStore, tenant: TenantID, user: UserID, count: Int = 10,
                                    now: Date = t0, audit: [AuditEvent] = []) async throws -> (MethodRecord, [[UInt8]]) {
        let record = try StoreFixtures.method(tenant: tenant, user: user, type: .recoveryCodes, now: now, info: [:])
        let hashes = try (0..<count).map { _ in try StoreFixtures.bytes(32) }
        try await store.replaceRecoveryCodes(method: record, hashes: hashes, audit: audit)
        return (record, hashes)
    }

    static func fetch(_ store: any MFAStore, _ tenant: TenantID, _ id: MethodID,
                      _ what: @autoclosure () -> String) async throws -> MethodRecord {
        guard let record = try await store.method(tenant: tenant, id: id) else {
            throw ConformanceFailure("\(what()): method \(id) in tenant \(tenant) is missing")
        }
        return record
    }

    /// Every audit event of `tenant`, ascending.
    static func auditOf(_ store: any MFAStore, _ tenant: TenantID) async throws -> [AuditEvent] {
        try await store.auditEvents(afterID: 0, limit: 1_000_000).filter { $0.tenantID == tenant }
    }

    static func reserve(_ store: any MFAStore, _ tenant: TenantID, _ id: MethodID, at now: Date,
                        _ policy: LockoutPolicy = LockoutPolicy(),
                        status: MethodStatus = .active) async throws -> AttemptReservation {
        try await store.reserveAttempt(tenant: tenant, id: id, status: status, now: now, policy: policy)
    }

    /// Reserves and expects `.reserved` with `failures`; returns the record.
    @discardableResult
    static func reserveExpecting(_ store: any MFAStore, _ tenant: TenantID, _ id: MethodID, at now: Date,
                                 failures: Int, _ policy: LockoutPolicy = LockoutPolicy(),
                                 status: MethodStatus = .active) async throws -> MethodRecord {
        let result = try await reserve(store, tenant, id, at: now, policy, status: status)
        guard case .reserved(let record) = result, record.failures == failures else {
            throw ConformanceFailure("reserveAttempt(status: .\(status)) at \(show(now)): expected .reserved with failures \(failures), got \(show(result))")
        }
        return record
    }
}

// MARK: - Checks: migrate and tenants

extension StoreConformance {
    static func migrateIsIdempotent(_ store: any MFAStore) async throws {
        try await store.ping()
        let tenant = try await makeTenants(store, 1)[0]
        let method = try await insert(store, tenant: tenant, user: "alice")
        try await store.migrate()
        try await store.migrate()
        try await store.ping()
        try expect(try await store.tenant(tenant) != nil, "tenant \(tenant) created before migrate() is gone after it")
        try expectSameRecord(try await store.method(tenant: tenant, id: method.id), method, "method after migrate() twice")
    }

    static func tenantLifecycle(_ store: any MFAStore) async throws {
        let a = StoreFixtures.uniqueTenantID("a"), b = StoreFixtures.uniqueTenantID("b")
        try expect(try await store.tenant(a) == nil, "tenant(\(a)) before creation: expected nil")

        var custom = TenantPolicy(allowedMethods: [.totp], enrollmentTimeout: 120)
        custom.lockout = LockoutPolicy(threshold: 3, baseDelay: 2, maximumDelay: 60, disableAfter: 10)
        custom.totp.digits = 8
        custom.totp.window = 2
        custom.hotp.lookAhead = 20
        let ta = StoreFixtures.tenant(a, issuer: "Acme Ünïcode ✓ \"quoted\"", createdAt: at(0))
        let tb = StoreFixtures.tenant(b, issuer: "Beta", policy: custom, createdAt: at(1))
        try await store.createTenant(ta)
        try await store.createTenant(tb)
        try expectEqual(try await store.tenant(a), ta, "tenant(\(a)) after createTenant")
        try expectEqual(try await store.tenant(b), tb, "tenant(\(b)) after createTenant (custom policy)")

        let updated = Tenant(id: a, issuer: "Acme 2", policy: custom, createdAt: at(99_000))
        try expect(try await store.updateTenant(updated), "updateTenant(\(a)) of an existing tenant returned false")
        let expected = Tenant(id: a, issuer: "Acme 2", policy: custom, createdAt: ta.createdAt)
        try expectEqual(try await store.tenant(a), expected,
                        "tenant(\(a)) after updateTenant (issuer and policy replaced, createdAt kept)")

        let missing = StoreFixtures.uniqueTenantID("missing")
        try expect(!(try await store.updateTenant(StoreFixtures.tenant(missing))),
                   "updateTenant of a tenant that does not exist returned true")
        try expect(try await store.tenant(missing) == nil, "updateTenant of a missing tenant created it")

        let listed = try await store.tenants().filter { $0.id == a || $0.id == b }
        try expectEqual(listed.count, 2, "tenants(): entries for the two created tenants")
        try expectEqual(listed.first { $0.id == a }, expected, "tenants(): entry for \(a)")
        try expectEqual(listed.first { $0.id == b }, tb, "tenants(): entry for \(b)")
    }

    static func tenantDuplicate(_ store: any MFAStore) async throws {
        let a = StoreFixtures.uniqueTenantID("a")
        let original = StoreFixtures.tenant(a, issuer: "First")
        try await store.createTenant(original)
        try await expectDuplicate("createTenant with an existing id") {
            try await store.createTenant(StoreFixtures.tenant(a, issuer: "Second"))
        }
        try expectEqual(try await store.tenant(a), original, "tenant after a refused duplicate createTenant")
    }
}

// MARK: - Checks: methods and users

extension StoreConformance {
    static func methodRoundTrip(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let payload = (0...255).map { UInt8($0) } + (try StoreFixtures.bytes(300))
        let record = MethodRecord(
            id: try StoreFixtures.methodID(), tenantID: a, userID: "alice@example.com", type: .hotp,
            name: "Zoë’s YubiKey 🔑", status: .active,
            info: ["digits": "8", "algorithm": "SHA256", "label": "naïve “quotes” 'single' \\ back", "empty": "", "emoji": "📱"],
            sealedPayload: payload, keyID: "k1", lastCounter: (1 << 40) + 7, drift: -2, failures: 3,
            lockedUntil: at(90_500), createdAt: at(0), confirmedAt: at(1_001), lastUsedAt: at(2_002), expiresAt: nil)
        let event = StoreFixtures.event(tenant: a, user: record.userID, kind: .methodImported, methodID: record.id)
        try await store.insertMethod(record, audit: [event])
        try expectSameRecord(try await store.method(tenant: a, id: record.id), record, "method(tenant:id:) after insertMethod")
        let listed = try await store.methods(tenant: a, user: record.userID)
        try expectEqual(listed.map(\.id), [record.id], "methods(tenant:user:) after one insert")
        try expectSameRecord(listed.first, record, "methods(tenant:user:) entry")
        let events = try await auditOf(store, a)
        try expectEqual(events.map(\.kind), [.methodImported], "audit events written by insertMethod")
        try expectEqual(events.first?.methodID, record.id, "methodID of the insertMethod audit event")

        let pending = try StoreFixtures.method(tenant: a, user: "alice@example.com", status: .pending, now: at(5),
                                               expiresAt: at(600_005))
        try await store.insertMethod(pending, audit: [])
        try expectSameRecord(try await store.method(tenant: a, id: pending.id), pending, "pending method after insertMethod")
        try expect(try await store.method(tenant: a, id: try StoreFixtures.methodID()) == nil,
                   "method(tenant:id:) of an unknown id: expected nil")
    }

    static func methodListOrder(_ store: any MFAStore) async throws {
        let ts = try await makeTenants(store, 2)
        let (a, b) = (ts[0], ts[1])
        let m1 = try await insert(store, tenant: a, user: "u", now: at(0))
        let other = try await insert(store, tenant: a, user: "v", now: at(1))
        let m2 = try await insert(store, tenant: a, user: "u", type: .hotp, status: .pending, now: at(2))
        let m3 = try await insert(store, tenant: a, user: "u", type: .sms, status: .disabled, now: at(3))
        _ = try await insert(store, tenant: b, user: "u", now: at(4))
        let listed = try await store.methods(tenant: a, user: "u")
        try expectEqual(listed.map(\.id), [m1.id, m2.id, m3.id], "methods(tenant:user:) ids, oldest first, any status")
        try expectSameRecord(listed.count == 3 ? listed[1] : nil, m2, "methods(tenant:user:) pending entry")
        try expectEqual(try await store.methods(tenant: a, user: "v").map(\.id), [other.id], "methods of user v")
        try expectEqual(try await store.methods(tenant: a, user: "nobody").count, 0, "methods of an unknown user")
    }

    static func methodDuplicate(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let first = try await insert(store, tenant: a, user: "u",
                                     audit: [StoreFixtures.event(tenant: a, user: "u", kind: .enrollmentBegun)])
        var again = first
        again.name = "second"
        try await expectDuplicate("insertMethod with an existing id") {
            try await store.insertMethod(again, audit: [StoreFixtures.event(tenant: a, user: "u", kind: .methodImported)])
        }
        try expectSameRecord(try await store.method(tenant: a, id: first.id), first, "method after a refused duplicate insert")
        try expectEqual(try await auditOf(store, a).map(\.kind), [.enrollmentBegun],
                        "audit events (the refused insert's event must not be written)")
        try expectEqual(try await store.methods(tenant: a, user: "u").count, 1, "methods(tenant:user:) count after duplicate")
    }

    static func methodCreatesUserRow(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        try expect(try await store.user(tenant: a, id: "u") == nil, "user(tenant:id:) before any method: expected nil")
        let m1 = try await insert(store, tenant: a, user: "u")
        guard let user = try await store.user(tenant: a, id: "u") else {
            throw ConformanceFailure("insertMethod did not create the user row: user(tenant:id:) is nil")
        }
        try expectEqual(user.tenantID, a, "user row tenantID")
        try expectEqual(user.userID, "u", "user row userID")
        try expectEqual(user.defaultMethodID, nil, "user row defaultMethodID after the first insert")
        try expect(try await store.setDefaultMethod(tenant: a, user: "u", method: m1.id, audit: []),
                   "setDefaultMethod after insertMethod returned false")
        _ = try await insert(store, tenant: a, user: "u", type: .hotp)
        try expectEqual(try await store.user(tenant: a, id: "u")?.defaultMethodID, m1.id,
                        "default after a second insert for the same user (the user row must not be replaced)")
    }

    static func tenantScoping(_ store: any MFAStore) async throws {
        let ts = try await makeTenants(store, 2)
        let (a, b) = (ts[0], ts[1])
        let policy = LockoutPolicy()
        let m = try await insert(store, tenant: a, user: "u")
        let p = try await insert(store, tenant: a, user: "u", type: .hotp, status: .pending, expiresAt: at(1_000))
        let (rc, hashes) = try await insertRecoveryCodes(store, tenant: a, user: "u", count: 5)
        let eventB = StoreFixtures.event(tenant: b, user: "u", kind: .methodRemoved)

        try expect(try await store.method(tenant: b, id: m.id) == nil, "method(tenant: B, id: A's method) is visible")
        try expect(try await store.methods(tenant: b, user: "u").isEmpty, "methods(tenant: B, user:) lists A's methods")
        try expect(try await store.user(tenant: b, id: "u") == nil, "user(tenant: B, id:) finds A's user row")
        try expect(!(try await store.setDefaultMethod(tenant: b, user: "u", method: m.id, audit: [eventB])),
                   "setDefaultMethod via tenant B returned true for A's user")
        try expect(!(try await store.activateMethod(tenant: b, id: p.id, lastCounter: 1, drift: 0, now: at(1), audit: [eventB])),
                   "activateMethod via tenant B returned true for A's pending method")
        try expectEqual(try await fetch(store, a, p.id, "A's pending method").status, .pending,
                        "status of A's pending method after activateMethod via B")
        let viaB = try await store.reserveAttempt(tenant: b, id: m.id, status: .active, now: t0, policy: policy)
        try expect(viaB == .unavailable, "reserveAttempt via tenant B on A's method: expected .unavailable, got \(show(viaB))")
        try expectEqual(try await fetch(store, a, m.id, "A's method").failures, 0, "failures after reserveAttempt via B")
        try expect(!(try await store.recordSuccess(tenant: b, id: m.id, counter: 5, drift: 0, now: t0, audit: [eventB])),
                   "recordSuccess via tenant B returned true for A's method")
        try await reserveExpecting(store, a, m.id, at: t0, failures: 1)
        try await store.resetFailures(tenant: b, id: m.id)
        try expectEqual(try await fetch(store, a, m.id, "A's method").failures, 1, "failures after resetFailures via B")
        try expect(!(try await store.updateMethod(tenant: b, id: m.id, name: "hijacked", status: .disabled, audit: [eventB])),
                   "updateMethod via tenant B returned true for A's method")
        let afterUpdate = try await fetch(store, a, m.id, "A's method")
        try expect(afterUpdate.name == m.name && afterUpdate.status == .active, "updateMethod via B changed A's method")
        try expect(!(try await store.replaceSealedPayload(tenant: b, id: m.id, old: m.sealedPayload, new: [1, 2, 3], keyID: "k9")),
                   "replaceSealedPayload via tenant B returned true for A's method")
        try expectEqual(try await fetch(store, a, m.id, "A's method").sealedPayload, m.sealedPayload,
                        "sealedPayload after replaceSealedPayload via B")
        try expect(!(try await store.deleteMethod(tenant: b, id: m.id, audit: [eventB])),
                   "deleteMethod via tenant B returned true for A's method")
        try expect(try await store.method(tenant: a, id: m.id) != nil, "deleteMethod via B deleted A's method")
        try expect(!(try await store.consumeRecoveryCode(tenant: b, method: rc.id, hash: hashes[0], now: t0, audit: [eventB])),
                   "consumeRecoveryCode via tenant B returned true for A's code")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: b, method: rc.id), 0,
                        "remainingRecoveryCodes via tenant B for A's method")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: rc.id), 5,
                        "remainingRecoveryCodes via A after attempts via B")
        let expiredViaB = try await store.deleteExpiredEnrollments(tenant: b, user: nil, now: at(5_000)) { record in
            StoreFixtures.event(tenant: record.tenantID, user: record.userID, kind: .enrollmentExpired)
        }
        try expect(expiredViaB.isEmpty, "deleteExpiredEnrollments(tenant: B) returned A's rows: \(expiredViaB.map(\.id))")
        try expect(try await store.method(tenant: a, id: p.id) != nil, "deleteExpiredEnrollments(tenant: B) deleted A's row")

        // The same user id in B is a different user with its own rows.
        let mb = try await insert(store, tenant: b, user: "u")
        try expectEqual(try await store.methods(tenant: b, user: "u").map(\.id), [mb.id], "methods of u in B")
        try expectEqual(Set(try await store.methods(tenant: a, user: "u").map(\.id)), [m.id, p.id, rc.id], "methods of u in A")
        try expect(try await auditOf(store, b).isEmpty, "audit events for B were written by operations that returned false")
    }

    static func setDefault(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let m1 = try await insert(store, tenant: a, user: "u")
        let m2 = try await insert(store, tenant: a, user: "u", type: .hotp)
        let event = { StoreFixtures.event(tenant: a, user: "u", kind: .defaultMethodChanged) }
        try expect(try await store.setDefaultMethod(tenant: a, user: "u", method: m1.id, audit: [event()]),
                   "setDefaultMethod(m1) returned false")
        try expectEqual(try await store.user(tenant: a, id: "u")?.defaultMethodID, m1.id, "default after set m1")
        try expect(try await store.setDefaultMethod(tenant: a, user: "u", method: m2.id, audit: [event()]),
                   "setDefaultMethod(m2) returned false")
        try expectEqual(try await store.user(tenant: a, id: "u")?.defaultMethodID, m2.id, "default after set m2")
        try expect(try await store.setDefaultMethod(tenant: a, user: "u", method: nil, audit: [event()]),
                   "setDefaultMethod(nil) returned false")
        try expectEqual(try await store.user(tenant: a, id: "u")?.defaultMethodID, nil, "default after clearing")
        try expect(!(try await store.setDefaultMethod(tenant: a, user: "nobody", method: m1.id, audit: [event()])),
                   "setDefaultMethod for a user without a row returned true")
        try expect(try await store.user(tenant: a, id: "nobody") == nil, "setDefaultMethod created a user row")
        try expectEqual(try await auditOf(store, a).count, 3, "audit events: one per successful setDefaultMethod, none for false")
    }

    static func deleteClearsDefault(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let m1 = try await insert(store, tenant: a, user: "u")
        let m2 = try await insert(store, tenant: a, user: "u", type: .hotp)
        _ = try await store.setDefaultMethod(tenant: a, user: "u", method: m2.id, audit: [])
        try expect(try await store.deleteMethod(tenant: a, id: m1.id, audit: []), "deleteMethod(m1) returned false")
        try expectEqual(try await store.user(tenant: a, id: "u")?.defaultMethodID, m2.id,
                        "default after deleting a method that is not the default")
        try expect(try await store.deleteMethod(tenant: a, id: m2.id, audit: []), "deleteMethod(m2) returned false")
        guard let user = try await store.user(tenant: a, id: "u") else { return }  // dropping the empty user row is allowed
        try expectEqual(user.defaultMethodID, nil, "default after deleting the default method")
    }
}

// MARK: - Checks: activation

extension StoreConformance {
    static func activateOnlyOnce(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let event = { StoreFixtures.event(tenant: a, user: "u", kind: .enrollmentConfirmed) }
        let p1 = try await insert(store, tenant: a, user: "u", status: .pending, expiresAt: at(600_000))
        try expect(!(try await store.activateMethod(tenant: a, id: p1.id, lastCounter: 1, drift: 0, now: at(600_000), audit: [event()])),
                   "activateMethod at exactly expiresAt returned true (expiresAt > now is required)")
        try expect(!(try await store.activateMethod(tenant: a, id: p1.id, lastCounter: 1, drift: 0, now: at(600_001), audit: [event()])),
                   "activateMethod after expiresAt returned true")
        try expectSameRecord(try await store.method(tenant: a, id: p1.id), p1, "expired pending method after refused activations")

        let p2 = try await insert(store, tenant: a, user: "u", status: .pending, expiresAt: at(600_000))
        try expect(try await store.activateMethod(tenant: a, id: p2.id, lastCounter: 7, drift: 0, now: at(599_999), audit: [event()]),
                   "activateMethod 1 ms before expiresAt returned false")
        try expect(!(try await store.activateMethod(tenant: a, id: p2.id, lastCounter: 8, drift: 0, now: at(599_999), audit: [event()])),
                   "activateMethod of an already active method returned true")
        try expectEqual(try await fetch(store, a, p2.id, "activated method").lastCounter, 7,
                        "lastCounter after a refused second activation")

        let disabled = try await insert(store, tenant: a, user: "u", status: .disabled, expiresAt: at(600_000))
        try expect(!(try await store.activateMethod(tenant: a, id: disabled.id, lastCounter: 1, drift: 0, now: at(1), audit: [event()])),
                   "activateMethod of a disabled method returned true")
        try expect(!(try await store.activateMethod(tenant: a, id: try StoreFixtures.methodID(), lastCounter: 1, drift: 0,
                                                    now: at(1), audit: [event()])),
                   "activateMethod of a missing method returned true")
        try expectEqual(try await auditOf(store, a).count, 1, "audit events: one for the one successful activation")
    }

    static func activateSetsFields(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let p = try await insert(store, tenant: a, user: "u", status: .pending, now: at(0), expiresAt: at(600_000))
        // Two wrong confirmation codes first: the second locks the enrollment until at(1_000).
        let confirmation = LockoutPolicy(threshold: 2, baseDelay: 1, maximumDelay: 60, disableAfter: 5)
        try await reserveExpecting(store, a, p.id, at: at(0), failures: 1, confirmation, status: .pending)
        let locked = try await reserveExpecting(store, a, p.id, at: at(0), failures: 2, confirmation, status: .pending)
        try expectSameMillisecond(locked.lockedUntil, at(1_000), "lockedUntil of the pending method after 2 wrong codes")
        let when = at(12_345)
        let event = StoreFixtures.event(tenant: a, user: "u", kind: .enrollmentConfirmed, at: when, methodID: p.id)
        try expect(try await store.activateMethod(tenant: a, id: p.id, lastCounter: 56_666_666, drift: 1, now: when, audit: [event]),
                   "activateMethod of a pending method before expiry returned false")
        var expected = p
        expected.status = .active
        expected.confirmedAt = when
        expected.lastUsedAt = when
        expected.expiresAt = nil
        expected.lastCounter = 56_666_666
        expected.drift = 1
        expected.failures = 0
        expected.lockedUntil = nil
        try expectSameRecord(try await store.method(tenant: a, id: p.id), expected, "method after activateMethod")
        let events = try await auditOf(store, a)
        try expectEqual(events.count, 1, "audit events after activateMethod")
        try expectEqual(events.first?.methodID, p.id, "methodID of the activation audit event")

        let q = try await insert(store, tenant: a, user: "u", type: .sms, status: .pending, expiresAt: at(600_000))
        try expect(try await store.activateMethod(tenant: a, id: q.id, lastCounter: nil, drift: 0, now: when, audit: []),
                   "activateMethod with lastCounter nil returned false")
        try expectEqual(try await fetch(store, a, q.id, "activated method").lastCounter, nil, "lastCounter after activating with nil")
    }
}

// MARK: - Checks: throttling

extension StoreConformance {
    static func reserveBelowThreshold(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let m = try await insert(store, tenant: a, user: "u")
        for n in 1...4 {
            let record = try await reserveExpecting(store, a, m.id, at: t0, failures: n)
            try expectEqual(record.lockedUntil, nil, "lockedUntil after failure \(n) of threshold 5")
            try expectEqual(record.status, .active, "status after failure \(n)")
            try expectSameRecord(try await store.method(tenant: a, id: m.id), record,
                                 "stored row after reserveAttempt \(n) (the returned record must be the updated row)")
        }
    }

    static func reserveLocks(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let m = try await insert(store, tenant: a, user: "u")
        for n in 1...4 { try await reserveExpecting(store, a, m.id, at: t0, failures: n) }
        let fifth = try await reserveExpecting(store, a, m.id, at: t0, failures: 5)
        try expectSameMillisecond(fifth.lockedUntil, at(1_000), "lockedUntil after failure 5 (threshold 5: now + 1 s)")
        try expectSameRecord(try await store.method(tenant: a, id: m.id), fifth, "stored row after the locking attempt")
        // Not locked at exactly lockedUntil.
        let sixth = try await reserveExpecting(store, a, m.id, at: at(1_000), failures: 6)
        try expectSameMillisecond(sixth.lockedUntil, at(3_000), "lockedUntil after failure 6 (now + 2 s)")
        let seventh = try await reserveExpecting(store, a, m.id, at: at(3_000), failures: 7)
        try expectSameMillisecond(seventh.lockedUntil, at(7_000), "lockedUntil after failure 7 (now + 4 s)")

        // The policy passed in is the one applied: threshold 3, base 5 s, capped at 12 s.
        let policy = LockoutPolicy(threshold: 3, baseDelay: 5, maximumDelay: 12, disableAfter: 50)
        let c = try await insert(store, tenant: a, user: "u", type: .hotp)
        try await reserveExpecting(store, a, c.id, at: t0, failures: 1, policy)
        try await reserveExpecting(store, a, c.id, at: t0, failures: 2, policy)
        var now = t0
        for (n, delay) in [(3, 5), (4, 10), (5, 12), (6, 12)] {
            let record = try await reserveExpecting(store, a, c.id, at: now, failures: n, policy)
            let expected = Date(millisecondsSince1970: now.millisecondsSince1970 + Int64(delay) * 1000)
            try expectSameMillisecond(record.lockedUntil, expected, "lockedUntil after failure \(n) with \(policy)")
            now = expected
        }
    }

    static func reserveWhileLocked(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let m = try await insert(store, tenant: a, user: "u")
        for n in 1...5 { try await reserveExpecting(store, a, m.id, at: t0, failures: n) }
        let locked = try await fetch(store, a, m.id, "locked method")
        guard let until = locked.lockedUntil else { throw ConformanceFailure("lockedUntil is nil after 5 failures") }
        for now in [t0, at(500), at(999)] {
            let result = try await reserve(store, a, m.id, at: now)
            try expect(result == .locked(until: until),
                       "reserveAttempt at \(show(now)) while locked: expected .locked(until: \(show(until))), got \(show(result))")
        }
        try expectSameRecord(try await store.method(tenant: a, id: m.id), locked,
                             "row after reserveAttempt while locked (nothing may be counted)")
    }

    static func reserveDisables(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let policy = LockoutPolicy(threshold: 2, baseDelay: 1, maximumDelay: 1, disableAfter: 3)
        let m = try await insert(store, tenant: a, user: "u")
        let first = try await reserveExpecting(store, a, m.id, at: t0, failures: 1, policy)
        try expectEqual(first.status, .active, "status after failure 1 of disableAfter 3")
        try await reserveExpecting(store, a, m.id, at: t0, failures: 2, policy)
        let third = try await reserveExpecting(store, a, m.id, at: at(1_000), failures: 3, policy)
        try expectEqual(third.status, .disabled, "status in the record returned by the attempt reaching disableAfter")
        try expectSameRecord(try await store.method(tenant: a, id: m.id), third, "stored row after the disabling attempt")
        let after = try await reserve(store, a, m.id, at: at(100_000), policy)
        try expect(after == .unavailable, "reserveAttempt on the disabled method: expected .unavailable, got \(show(after))")
    }

    static func reserveUnavailable(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let active = try await insert(store, tenant: a, user: "u", type: .sms)
        let pending = try await insert(store, tenant: a, user: "u", status: .pending)
        let disabled = try await insert(store, tenant: a, user: "u", type: .hotp, status: .disabled)
        let missing = try StoreFixtures.methodID()
        for (required, label, id) in [(MethodStatus.active, "pending", pending.id), (.active, "disabled", disabled.id),
                                      (.active, "missing", missing), (.pending, "active", active.id),
                                      (.pending, "disabled", disabled.id), (.pending, "missing", missing)] {
            let result = try await reserve(store, a, id, at: t0, status: required)
            try expect(result == .unavailable,
                       "reserveAttempt(status: .\(required)) on a \(label) method: expected .unavailable, got \(show(result))")
        }
        for record in [active, pending, disabled] {
            try expectSameRecord(try await store.method(tenant: a, id: record.id), record,
                                 "\(record.status) row after reserveAttempt with another status (nothing may be counted)")
        }
    }

    static func reservePending(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let policy = LockoutPolicy(threshold: 2, baseDelay: 1, maximumDelay: 60, disableAfter: 3)
        let p = try await insert(store, tenant: a, user: "u", status: .pending, expiresAt: at(600_000))
        let first = try await reserveExpecting(store, a, p.id, at: t0, failures: 1, policy, status: .pending)
        try expectEqual(first.status, .pending, "status after one wrong confirmation code")
        try expectSameRecord(try await store.method(tenant: a, id: p.id), first, "stored pending row after reserveAttempt")
        let second = try await reserveExpecting(store, a, p.id, at: t0, failures: 2, policy, status: .pending)
        try expectSameMillisecond(second.lockedUntil, at(1_000), "lockedUntil of the pending method at the threshold")
        let locked = try await reserve(store, a, p.id, at: at(500), policy, status: .pending)
        try expect(locked == .locked(until: second.lockedUntil ?? t0),
                   "reserveAttempt(status: .pending) while locked: expected .locked(until: \(show(second.lockedUntil))), got \(show(locked))")
        let third = try await reserveExpecting(store, a, p.id, at: at(1_000), failures: 3, policy, status: .pending)
        try expectEqual(third.status, .disabled, "status of the pending method reaching disableAfter")
        try expect(!(try await store.activateMethod(tenant: a, id: p.id, lastCounter: 1, drift: 0, now: at(2_000), audit: [])),
                   "activateMethod of an enrollment disabled by reserveAttempt returned true")
        let after = try await reserve(store, a, p.id, at: at(100_000), policy, status: .pending)
        try expect(after == .unavailable, "reserveAttempt(status: .pending) on the disabled enrollment: expected .unavailable, got \(show(after))")
    }

    static func recordSuccessCAS(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let event = { StoreFixtures.event(tenant: a, user: "u", kind: .verificationSucceeded) }
        let m = try await insert(store, tenant: a, user: "u")
        try expect(try await store.recordSuccess(tenant: a, id: m.id, counter: 0, drift: 0, now: at(1), audit: [event()]),
                   "recordSuccess(counter: 0) with lastCounter nil returned false")
        try expect(try await store.recordSuccess(tenant: a, id: m.id, counter: 10, drift: 1, now: at(2), audit: [event()]),
                   "recordSuccess(counter: 10) after 0 returned false")
        let accepted = try await fetch(store, a, m.id, "method")
        try expectEqual(accepted.lastCounter, 10, "lastCounter after recordSuccess(10)")
        try expectEqual(accepted.drift, 1, "drift after recordSuccess(drift: 1)")
        for counter: Int64 in [10, 9, 0] {
            try expect(!(try await store.recordSuccess(tenant: a, id: m.id, counter: counter, drift: -1, now: at(3), audit: [event()])),
                       "recordSuccess(counter: \(counter)) after lastCounter 10 returned true: a replay was accepted")
        }
        try expectSameRecord(try await store.method(tenant: a, id: m.id), accepted,
                             "row after refused replays (nothing may be written)")
        try expectEqual(try await auditOf(store, a).count, 2, "audit events: only the two accepted codes")

        let imported = try await insert(store, tenant: a, user: "u", type: .hotp, lastCounter: 100)
        try expect(!(try await store.recordSuccess(tenant: a, id: imported.id, counter: 100, drift: 0, now: at(4), audit: [])),
                   "recordSuccess(counter: 100) with stored lastCounter 100 returned true")
        try expect(try await store.recordSuccess(tenant: a, id: imported.id, counter: 101, drift: 0, now: at(4), audit: []),
                   "recordSuccess(counter: 101) with stored lastCounter 100 returned false")
    }

    static func recordSuccessClears(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let m = try await insert(store, tenant: a, user: "u", lastCounter: 5)
        for n in 1...5 { try await reserveExpecting(store, a, m.id, at: t0, failures: n) }
        let when = at(500)
        try expect(try await store.recordSuccess(tenant: a, id: m.id, counter: 6, drift: -1, now: when, audit: []),
                   "recordSuccess on an active method with a new counter returned false")
        var expected = m
        expected.lastCounter = 6
        expected.drift = -1
        expected.failures = 0
        expected.lockedUntil = nil
        expected.lastUsedAt = when
        try expectSameRecord(try await store.method(tenant: a, id: m.id), expected, "row after recordSuccess")
    }

    static func recordSuccessInactive(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let pending = try await insert(store, tenant: a, user: "u", status: .pending)
        let disabled = try await insert(store, tenant: a, user: "u", type: .hotp, status: .disabled)
        let event = StoreFixtures.event(tenant: a, user: "u", kind: .verificationSucceeded)
        for (label, id) in [("pending", pending.id), ("disabled", disabled.id), ("missing", try StoreFixtures.methodID())] {
            try expect(!(try await store.recordSuccess(tenant: a, id: id, counter: 1, drift: 0, now: t0, audit: [event])),
                       "recordSuccess on a \(label) method returned true")
        }
        try expectSameRecord(try await store.method(tenant: a, id: pending.id), pending, "pending row after recordSuccess")
        try expectSameRecord(try await store.method(tenant: a, id: disabled.id), disabled, "disabled row after recordSuccess")
        try expect(try await auditOf(store, a).isEmpty, "audit written by a recordSuccess that returned false")
    }

    static func resetFailures(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let m = try await insert(store, tenant: a, user: "u")
        for n in 1...5 { try await reserveExpecting(store, a, m.id, at: t0, failures: n) }
        try await store.resetFailures(tenant: a, id: m.id)
        let reset = try await fetch(store, a, m.id, "method")
        try expectEqual(reset.failures, 0, "failures after resetFailures")
        try expectSameTime(reset.lockedUntil, nil, "lockedUntil after resetFailures")
        try expectEqual(reset.status, .active, "status after resetFailures")
        try await reserveExpecting(store, a, m.id, at: t0, failures: 1)
        try await store.resetFailures(tenant: a, id: try StoreFixtures.methodID())  // a missing id is not an error
    }

    static func updateMethod(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let event = { StoreFixtures.event(tenant: a, user: "u", kind: .methodRenamed) }
        let m = try await insert(store, tenant: a, user: "u")
        try expect(try await store.updateMethod(tenant: a, id: m.id, name: "Work phone ☎︎", status: nil, audit: [event()]),
                   "updateMethod rename returned false")
        var expected = m
        expected.name = "Work phone ☎︎"
        try expectSameRecord(try await store.method(tenant: a, id: m.id), expected, "row after rename")

        for n in 1...5 { try await reserveExpecting(store, a, m.id, at: t0, failures: n) }
        try expect(try await store.updateMethod(tenant: a, id: m.id, name: nil, status: .disabled, audit: [event()]),
                   "updateMethod disable returned false")
        let disabled = try await fetch(store, a, m.id, "method")
        try expectEqual(disabled.status, .disabled, "status after disabling")
        try expectEqual(disabled.name, "Work phone ☎︎", "name after disabling with name nil")
        let result = try await reserve(store, a, m.id, at: at(10_000))
        try expect(result == .unavailable, "reserveAttempt on a disabled method: expected .unavailable, got \(show(result))")

        try expect(try await store.updateMethod(tenant: a, id: m.id, name: nil, status: .active, audit: [event()]),
                   "updateMethod enable returned false")
        let enabled = try await fetch(store, a, m.id, "method")
        try expectEqual(enabled.status, .active, "status after enabling")
        try expectEqual(enabled.failures, 0, "failures after enabling (enabling clears failures)")
        try expectSameTime(enabled.lockedUntil, nil, "lockedUntil after enabling (a re-enabled method must be usable now)")
        try await reserveExpecting(store, a, m.id, at: t0, failures: 1)

        try expect(try await store.updateMethod(tenant: a, id: m.id, name: "Both", status: .disabled, audit: [event()]),
                   "updateMethod with name and status returned false")
        let both = try await fetch(store, a, m.id, "method")
        try expect(both.name == "Both" && both.status == .disabled,
                   "updateMethod with name and status: expected name Both, disabled; got \(both.name), \(both.status)")
        try expectEqual(try await auditOf(store, a).count, 4, "audit events: one per successful updateMethod")
    }

    static func updateMethodRefuses(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let event = StoreFixtures.event(tenant: a, user: "u", kind: .methodRenamed)
        let pending = try await insert(store, tenant: a, user: "u", status: .pending)
        try expect(!(try await store.updateMethod(tenant: a, id: pending.id, name: "x", status: nil, audit: [event])),
                   "updateMethod rename of a pending method returned true")
        try expect(!(try await store.updateMethod(tenant: a, id: pending.id, name: nil, status: .active, audit: [event])),
                   "updateMethod(status: .active) of a pending method returned true (activation without proof)")
        try expectSameRecord(try await store.method(tenant: a, id: pending.id), pending, "pending row after refused updates")
        try expect(!(try await store.updateMethod(tenant: a, id: try StoreFixtures.methodID(), name: "x", status: nil, audit: [event])),
                   "updateMethod of a missing method returned true")

        let m = try await insert(store, tenant: a, user: "u", type: .hotp)
        do {
            let accepted = try await store.updateMethod(tenant: a, id: m.id, name: nil, status: .pending, audit: [event])
            try expect(!accepted, "updateMethod(status: .pending) returned true; only active or disabled may be set")
        } catch let failure as ConformanceFailure {
            throw failure
        } catch {
            // Refusing by throwing is fine too.
        }
        try expectSameRecord(try await store.method(tenant: a, id: m.id), m, "active row after updateMethod(status: .pending)")
        try expect(try await auditOf(store, a).isEmpty, "audit written by an updateMethod that returned false")
    }

    static func deleteMethod(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let m = try await insert(store, tenant: a, user: "u")
        let (rc, hashes) = try await insertRecoveryCodes(store, tenant: a, user: "u", count: 5)
        let (otherRC, otherHashes) = try await insertRecoveryCodes(store, tenant: a, user: "v", count: 5)
        let event = { StoreFixtures.event(tenant: a, user: "u", kind: .methodRemoved) }
        try expect(try await store.deleteMethod(tenant: a, id: rc.id, audit: [event()]), "deleteMethod of recovery codes returned false")
        try expect(try await store.method(tenant: a, id: rc.id) == nil, "method(tenant:id:) after deleteMethod: expected nil")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: rc.id), 0, "remaining codes of a deleted method")
        try expect(!(try await store.consumeRecoveryCode(tenant: a, method: rc.id, hash: hashes[0], now: t0, audit: [])),
                   "consumeRecoveryCode of a deleted method's code returned true")
        try expect(!(try await store.deleteMethod(tenant: a, id: rc.id, audit: [event()])), "second deleteMethod returned true")
        try expect(!(try await store.deleteMethod(tenant: a, id: try StoreFixtures.methodID(), audit: [event()])),
                   "deleteMethod of a missing id returned true")
        try expectEqual(try await store.methods(tenant: a, user: "u").map(\.id), [m.id], "methods of u after deleteMethod")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: otherRC.id), 5,
                        "another user's remaining codes after deleteMethod")
        try expect(try await store.consumeRecoveryCode(tenant: a, method: otherRC.id, hash: otherHashes[0], now: t0, audit: []),
                   "another user's code is unusable after deleteMethod")
        try expectEqual(try await auditOf(store, a).count, 1, "audit events: one for the one successful deleteMethod")
    }

    static func deleteExpiredEnrollments(_ store: any MFAStore) async throws {
        let ts = try await makeTenants(store, 2)
        let (a, b) = (ts[0], ts[1])
        let now = at(100_000)
        let expired = try await insert(store, tenant: a, user: "u", status: .pending, expiresAt: at(10_000))
        let exactlyNow = try await insert(store, tenant: a, user: "u", type: .hotp, status: .pending, expiresAt: now)
        let fresh = try await insert(store, tenant: a, user: "u", type: .sms, status: .pending, expiresAt: at(100_001))
        let active = try await insert(store, tenant: a, user: "u", type: .email, status: .active, expiresAt: at(10_000))
        let otherUser = try await insert(store, tenant: a, user: "v", status: .pending, expiresAt: at(10_000))
        let otherTenant = try await insert(store, tenant: b, user: "u", status: .pending, expiresAt: at(10_000))
        let makeEvent: @Sendable (MethodRecord) -> AuditEvent = { record in
            StoreFixtures.event(tenant: record.tenantID, user: record.userID, kind: .enrollmentExpired, at: now,
                                methodID: record.id, methodType: record.type)
        }

        let first = try await store.deleteExpiredEnrollments(tenant: a, user: "u", now: now, audit: makeEvent)
        try expectEqual(Set(first.map(\.id)), [expired.id, exactlyNow.id],
                        "deleteExpiredEnrollments(tenant: A, user: u) returned ids (pending with expiresAt <= now)")
        try expectSameRecord(first.first { $0.id == expired.id }, expired, "returned expired row")
        for gone in [expired, exactlyNow] {
            try expect(try await store.method(tenant: a, id: gone.id) == nil, "expired enrollment \(gone.id) is still stored")
        }
        for kept in [fresh, active, otherUser] {
            try expectSameRecord(try await store.method(tenant: a, id: kept.id), kept, "row that must survive the user-scoped sweep")
        }
        let events = try await auditOf(store, a)
        try expectEqual(Set(events.map { $0.methodID }), [expired.id, exactlyNow.id], "methodIDs of the sweep's audit events")
        try expectEqual(events.count, 2, "audit events: one per deleted row")

        let second = try await store.deleteExpiredEnrollments(tenant: a, user: nil, now: now, audit: makeEvent)
        try expectEqual(second.map(\.id), [otherUser.id], "deleteExpiredEnrollments(tenant: A, user: nil) returned ids")
        try expect(try await store.method(tenant: b, id: otherTenant.id) != nil, "the tenant-A sweep deleted a row of tenant B")

        let all = try await store.deleteExpiredEnrollments(tenant: nil, user: nil, now: now, audit: makeEvent)
        try expect(all.contains { $0.id == otherTenant.id }, "deleteExpiredEnrollments(tenant: nil) did not return B's expired row")
        try expect(!all.contains { $0.tenantID == a }, "deleteExpiredEnrollments(tenant: nil) returned an A row twice")
        try expect(try await store.method(tenant: b, id: otherTenant.id) == nil, "the all-tenant sweep kept B's expired row")
        try expectEqual(try await auditOf(store, b).count, 1, "audit events of B after the all-tenant sweep")
        try expectEqual(try await auditOf(store, a).count, 3, "audit events of A after both A sweeps")
        try expect(try await store.deleteExpiredEnrollments(tenant: a, user: nil, now: now, audit: makeEvent).isEmpty,
                   "a second sweep returned rows")
    }

    static func resealing(_ store: any MFAStore) async throws {
        let ts = try await makeTenants(store, 2)
        let (a, b) = (ts[0], ts[1])
        let oldKey = StoreFixtures.uniqueName("old"), newKey = StoreFixtures.uniqueName("new")
        let mine = { (tenant: TenantID, user: UserID, key: String) -> MethodRecord in
            try StoreFixtures.method(tenant: tenant, user: user, keyID: key)
        }
        let m1 = try mine(a, "u", oldKey), m2 = try mine(a, "u", newKey), m3 = try mine(b, "u", oldKey)
        for m in [m1, m2, m3] { try await store.insertMethod(m, audit: []) }

        let stale = try await store.methodsSealed(notWith: newKey, limit: 100_000).filter { $0.tenantID == a || $0.tenantID == b }
        try expectEqual(Set(stale.map(\.id)), [m1.id, m3.id], "methodsSealed(notWith: new) ids across tenants")
        try expectSameRecord(stale.first { $0.id == m1.id }, m1, "methodsSealed entry")
        try expectEqual(try await store.methodsSealed(notWith: newKey, limit: 1).count, 1, "methodsSealed(limit: 1) count")
        let countBefore = try await store.countMethodsSealed(notWith: newKey)
        try expectEqual(countBefore, try await store.methodsSealed(notWith: newKey, limit: 1_000_000).count,
                        "countMethodsSealed(notWith: new) against methodsSealed(notWith: new).count")
        try expect(countBefore >= 2, "countMethodsSealed(notWith: new): expected at least the 2 inserted, got \(countBefore)")

        let resealed = try StoreFixtures.bytes(64)
        try expect(!(try await store.replaceSealedPayload(tenant: a, id: m1.id, old: try StoreFixtures.bytes(48), new: resealed,
                                                          keyID: newKey)),
                   "replaceSealedPayload with a wrong old payload returned true")
        try expectSameRecord(try await store.method(tenant: a, id: m1.id), m1, "row after a refused replaceSealedPayload")
        try expect(!(try await store.replaceSealedPayload(tenant: a, id: m1.id, old: Array(m1.sealedPayload.prefix(47)),
                                                          new: resealed, keyID: newKey)),
                   "replaceSealedPayload with a prefix of the old payload returned true")
        try expect(try await store.replaceSealedPayload(tenant: a, id: m1.id, old: m1.sealedPayload, new: resealed, keyID: newKey),
                   "replaceSealedPayload with the current payload returned false")
        var expected = m1
        expected.sealedPayload = resealed
        expected.keyID = newKey
        try expectSameRecord(try await store.method(tenant: a, id: m1.id), expected, "row after replaceSealedPayload")
        try expect(!(try await store.replaceSealedPayload(tenant: a, id: m1.id, old: m1.sealedPayload, new: [9], keyID: oldKey)),
                   "a second replaceSealedPayload from the same old payload returned true")
        try expect(!(try await store.replaceSealedPayload(tenant: a, id: try StoreFixtures.methodID(), old: m1.sealedPayload,
                                                          new: [9], keyID: oldKey)),
                   "replaceSealedPayload of a missing method returned true")
        let left = try await store.methodsSealed(notWith: newKey, limit: 100_000).filter { $0.tenantID == a || $0.tenantID == b }
        try expectEqual(left.map(\.id), [m3.id], "methodsSealed(notWith: new) after resealing m1")
        try expectEqual(try await store.countMethodsSealed(notWith: newKey), countBefore - 1,
                        "countMethodsSealed(notWith: new) after resealing m1")
        try expectEqual(try await store.countMethodsSealed(notWith: StoreFixtures.uniqueName("unused")),
                        try await store.methodsSealed(notWith: StoreFixtures.uniqueName("unused"), limit: 1_000_000).count,
                        "countMethodsSealed(notWith: an unused key id) against methodsSealed")
    }
}

// MARK: - Checks: recovery codes

extension StoreConformance {
    static func replaceRecoveryCodes(_ store: any MFAStore) async throws {
        let ts = try await makeTenants(store, 2)
        let (a, b) = (ts[0], ts[1])
        let totp = try await insert(store, tenant: a, user: "u")
        let (rc1, h1) = try await insertRecoveryCodes(store, tenant: a, user: "u", count: 10, now: at(1))
        let (rcV, hV) = try await insertRecoveryCodes(store, tenant: a, user: "v", count: 5)
        let (rcB, _) = try await insertRecoveryCodes(store, tenant: b, user: "u", count: 6)
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: rc1.id), 10, "remaining codes of a new set")
        try expectSameRecord(try await store.method(tenant: a, id: rc1.id), rc1, "recovery-code method after replaceRecoveryCodes")
        try expectEqual(try await store.methods(tenant: a, user: "u").map(\.id), [totp.id, rc1.id], "methods of u with one set")
        try expect(try await store.consumeRecoveryCode(tenant: a, method: rc1.id, hash: h1[0], now: at(2), audit: []),
                   "consumeRecoveryCode of a fresh code returned false")

        let rc2 = try StoreFixtures.method(tenant: a, user: "u", type: .recoveryCodes, now: at(3), info: [:])
        let h2 = try (0..<8).map { _ in try StoreFixtures.bytes(32) }
        let event = StoreFixtures.event(tenant: a, user: "u", kind: .recoveryCodesGenerated, methodID: rc2.id)
        try await store.replaceRecoveryCodes(method: rc2, hashes: h2, audit: [event])
        try expect(try await store.method(tenant: a, id: rc1.id) == nil, "the previous recovery-code method still exists")
        try expectEqual(try await store.methods(tenant: a, user: "u").map(\.id), [totp.id, rc2.id],
                        "methods of u after replaceRecoveryCodes (old set gone, other methods kept)")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: rc1.id), 0, "remaining codes of the voided set")
        try expect(!(try await store.consumeRecoveryCode(tenant: a, method: rc1.id, hash: h1[1], now: at(4), audit: [])),
                   "an old code is usable through the voided method")
        try expect(!(try await store.consumeRecoveryCode(tenant: a, method: rc2.id, hash: h1[1], now: at(4), audit: [])),
                   "an old code is usable through the new method")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: rc2.id), 8, "remaining codes of the new set")
        try expect(try await store.consumeRecoveryCode(tenant: a, method: rc2.id, hash: h2[7], now: at(4), audit: []),
                   "a new code is unusable")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: rc2.id), 7, "remaining codes after one use")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: rcV.id), 5, "another user's set was touched")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: b, method: rcB.id), 6, "another tenant's set was touched")
        try expect(try await store.method(tenant: a, id: rcV.id) != nil, "another user's recovery-code method was deleted")
        try expect(!(try await store.consumeRecoveryCode(tenant: a, method: rc2.id, hash: hV[0], now: at(4), audit: [])),
                   "another user's code is usable through this user's method")
        try expectEqual(try await auditOf(store, a).filter { $0.kind == .recoveryCodesGenerated }.map(\.methodID), [rc2.id],
                        "audit events written by replaceRecoveryCodes")
    }

    static func consumeRecoveryCodeOnce(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let rc = try StoreFixtures.method(tenant: a, user: "u", type: .recoveryCodes, info: [:])
        let zeros = [UInt8](repeating: 0, count: 32)
        let hashes = [zeros, try StoreFixtures.bytes(32), try StoreFixtures.bytes(32), try StoreFixtures.bytes(32)]
        try await store.replaceRecoveryCodes(method: rc, hashes: hashes, audit: [])
        let (other, otherHashes) = try await insertRecoveryCodes(store, tenant: a, user: "v", count: 5)
        let event = { StoreFixtures.event(tenant: a, user: "u", kind: .recoveryCodeUsed, methodID: rc.id) }
        let used = { try await auditOf(store, a).filter { $0.kind == .recoveryCodeUsed }.count }

        try expect(try await store.consumeRecoveryCode(tenant: a, method: rc.id, hash: hashes[2], now: at(1), audit: [event()]),
                   "consumeRecoveryCode of an unused code returned false")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: rc.id), 3, "remaining after one use")
        try expectEqual(try await used(), 1, "audit events after one use")
        try expect(!(try await store.consumeRecoveryCode(tenant: a, method: rc.id, hash: hashes[2], now: at(2), audit: [event()])),
                   "consumeRecoveryCode of a used code returned true")
        for (label, hash) in [("a random hash", try StoreFixtures.bytes(32)), ("a prefix of a code's hash", Array(hashes[1].prefix(16))),
                              ("a code's hash with a byte appended", hashes[1] + [0]), ("another user's code", otherHashes[0]),
                              ("an empty hash", [])] {
            try expect(!(try await store.consumeRecoveryCode(tenant: a, method: rc.id, hash: hash, now: at(2), audit: [event()])),
                       "consumeRecoveryCode with \(label) returned true")
        }
        try expect(!(try await store.consumeRecoveryCode(tenant: a, method: try StoreFixtures.methodID(), hash: hashes[1],
                                                         now: at(2), audit: [event()])),
                   "consumeRecoveryCode for a missing method returned true")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: rc.id), 3, "remaining after refused uses")
        try expectEqual(try await used(), 1, "audit events after refused uses (written only on success)")
        for hash in [hashes[0], hashes[1], hashes[3]] {
            try expect(try await store.consumeRecoveryCode(tenant: a, method: rc.id, hash: hash, now: at(3), audit: [event()]),
                       "consumeRecoveryCode of an unused code \(show(hash)) returned false")
        }
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: rc.id), 0, "remaining after using every code")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: other.id), 5, "another user's remaining codes")
        try expectEqual(try await used(), 4, "audit events after four uses")
    }

    static func consumeRecoveryCodeClears(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let (rc, hashes) = try await insertRecoveryCodes(store, tenant: a, user: "u", count: 5)
        for n in 1...5 { try await reserveExpecting(store, a, rc.id, at: t0, failures: n) }
        let when = at(700)
        try expect(try await store.consumeRecoveryCode(tenant: a, method: rc.id, hash: hashes[0], now: when, audit: []),
                   "consumeRecoveryCode returned false")
        var expected = rc
        expected.lastUsedAt = when
        expected.failures = 0
        expected.lockedUntil = nil
        try expectSameRecord(try await store.method(tenant: a, id: rc.id), expected, "row after consumeRecoveryCode")
    }
}

// MARK: - Checks: audit

extension StoreConformance {
    static func auditAppendOrder(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        try await store.appendAudit([])
        let e1 = StoreFixtures.event(tenant: a, user: "u", kind: .enrollmentBegun, at: at(1))
        let e2 = StoreFixtures.event(tenant: a, user: "u", kind: .enrollmentConfirmed, at: at(2))
        let e3 = StoreFixtures.event(tenant: a, user: "v", kind: .lockout, at: at(3))
        try await store.appendAudit([e1, e2])
        try await store.appendAudit([e3])
        let events = try await auditOf(store, a)
        try expectEqual(events.map(\.hash), [e1.hash, e2.hash, e3.hash], "hashes of appended events, in insertion order")
        let ids = events.map(\.id)
        try expect(ids.count == 3 && ids[0] > 0 && ids[0] < ids[1] && ids[1] < ids[2],
                   "audit ids must be positive and increase in insertion order, got \(ids)")
        let all = try await store.auditEvents(afterID: 0, limit: 1_000_000)
        try expect(zip(all, all.dropFirst()).allSatisfy { $0.id < $1.id }, "auditEvents(afterID:limit:) is not ascending by id")

        let after = try await store.auditEvents(afterID: ids[0], limit: 100).filter { $0.tenantID == a }
        try expectEqual(after.map(\.id), [ids[1], ids[2]], "auditEvents(afterID: id1) ids")
        let one = try await store.auditEvents(afterID: ids[0], limit: 1)
        try expect(one.count == 1 && one[0].id > ids[0] && one[0].id <= ids[1],
                   "auditEvents(afterID: \(ids[0]), limit: 1): expected one event with id in \(ids[0] + 1)...\(ids[1]), got \(one.map(\.id))")
        try expectEqual(try await store.auditEvents(afterID: ids[2], limit: 100).filter { $0.tenantID == a }.count, 0,
                        "auditEvents(afterID: last id) of this tenant")
    }

    static func auditUserEvents(_ store: any MFAStore) async throws {
        let ts = try await makeTenants(store, 2)
        let (a, b) = (ts[0], ts[1])
        var mine: [AuditEvent] = []
        for i in 0..<5 {
            try await store.appendAudit([StoreFixtures.event(tenant: a, user: "u", kind: .verificationFailed, at: at(Int64(i)))])
            try await store.appendAudit([StoreFixtures.event(tenant: a, user: "v", at: at(Int64(i)))])
            try await store.appendAudit([StoreFixtures.event(tenant: b, user: "u", at: at(Int64(i)))])
        }
        mine = try await auditOf(store, a).filter { $0.userRef == StoreFixtures.userRef("u") }
        try expectEqual(mine.count, 5, "events of u in A")
        let ids = mine.map(\.id)
        let ref = StoreFixtures.userRef("u")
        let newest = try await store.auditEvents(tenant: a, userRef: ref, beforeID: nil, limit: 100)
        try expectEqual(newest.map(\.id), ids.reversed(), "auditEvents(tenant:userRef:) ids, newest first, only this tenant and user")
        try expectSameEvent(newest.first, mine[4], "newest event of u")
        try expectEqual(try await store.auditEvents(tenant: a, userRef: ref, beforeID: nil, limit: 2).map(\.id),
                        [ids[4], ids[3]], "auditEvents(tenant:userRef:limit: 2) ids")
        try expectEqual(try await store.auditEvents(tenant: a, userRef: ref, beforeID: ids[3], limit: 100).map(\.id),
                        [ids[2], ids[1], ids[0]], "auditEvents(tenant:userRef:beforeID: id4) ids")
        try expectEqual(try await store.auditEvents(tenant: a, userRef: ref, beforeID: ids[3], limit: 1).map(\.id),
                        [ids[2]], "auditEvents(tenant:userRef:beforeID: id4, limit: 1) ids")
        try expectEqual(try await store.auditEvents(tenant: a, userRef: ref, beforeID: ids[0], limit: 100).count, 0,
                        "auditEvents before the first event")
        try expectEqual(try await store.auditEvents(tenant: a, userRef: "no-such-ref", beforeID: nil, limit: 100).count, 0,
                        "auditEvents of an unknown userRef")
    }

    static func auditRoundTrip(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let full = StoreFixtures.event(
            tenant: a, user: "Zoë 👩‍💻", kind: AuditEventKind("some_future_kind"), at: at(42), methodID: try StoreFixtures.methodID(),
            methodType: .securityQuestions,
            details: ["reason": "wrong code ✗", "empty": "", "quote": "it's \"fine\"", "multi\nline": "a\tb"],
            source: AuditSource(ip: "2001:db8::1", userAgent: "Mozilla/5.0 (Ünïcode; „test“)", actor: "api-key: ops"))
        let bare = AuditEvent(at: at(43), tenantID: nil, userID: nil, userRef: nil, methodID: nil, methodType: nil,
                              kind: .keysRotated, source: .unknown, details: [:],
                              hash: StoreFixtures.event(tenant: nil, user: nil).hash)
        try await store.appendAudit([full, bare])
        let all = try await store.auditEvents(afterID: 0, limit: 1_000_000)
        for original in [full, bare] {
            guard let stored = all.first(where: { $0.hash == original.hash }) else {
                throw ConformanceFailure("appended audit event \(original.kind) (hash \(original.hash)) not returned by auditEvents(afterID:)")
            }
            var expected = original
            expected.id = stored.id
            try expectSameEvent(stored, expected, "audit event \(original.kind) after appendAudit")
        }
    }

    static func checkpoints(_ store: any MFAStore) async throws {
        let base = try await store.lastAuditCheckpoint()?.sequence ?? 0
        let c1 = StoreFixtures.checkpoint(sequence: base + 1, firstEventID: 1, lastEventID: 10, createdAt: at(1))
        let c2 = StoreFixtures.checkpoint(sequence: base + 2, firstEventID: 11, lastEventID: 15, createdAt: at(2))
        let c3 = StoreFixtures.checkpoint(sequence: base + 3, firstEventID: 16, lastEventID: 40, createdAt: at(3))
        try expect(try await store.insertAuditCheckpoint(c1), "insertAuditCheckpoint of a new sequence returned false")
        let rival = StoreFixtures.checkpoint(sequence: base + 1, firstEventID: 1, lastEventID: 12, createdAt: at(5))
        try expect(!(try await store.insertAuditCheckpoint(rival)), "insertAuditCheckpoint of an existing sequence returned true")
        try expectEqual(try await store.auditCheckpoints(afterSequence: base, limit: 10), [c1],
                        "auditCheckpoints after a refused duplicate (the first checkpoint must be kept)")
        try expect(try await store.insertAuditCheckpoint(c3), "insertAuditCheckpoint(\(c3.sequence)) returned false")
        try expect(try await store.insertAuditCheckpoint(c2), "insertAuditCheckpoint(\(c2.sequence)) returned false")
        try expectEqual(try await store.auditCheckpoints(afterSequence: base, limit: 10), [c1, c2, c3],
                        "auditCheckpoints(afterSequence:) in sequence order")
        try expectEqual(try await store.auditCheckpoints(afterSequence: base + 1, limit: 1), [c2],
                        "auditCheckpoints(afterSequence: +1, limit: 1)")
        try expectEqual(try await store.auditCheckpoints(afterSequence: base + 3, limit: 10), [],
                        "auditCheckpoints after the last")
        try expectEqual(try await store.lastAuditCheckpoint(), c3, "lastAuditCheckpoint")
    }

    static func engineSecrets(_ store: any MFAStore) async throws {
        let name = StoreFixtures.uniqueName("audit-key")
        try expect(try await store.engineSecret(named: name) == nil, "engineSecret of an unknown name: expected nil")
        let v1: [UInt8] = [0, 255, 0] + (try StoreFixtures.bytes(61))
        try expect(try await store.insertEngineSecret(named: name, sealed: v1, keyID: "k1"), "insertEngineSecret of a new name returned false")
        try expect(!(try await store.insertEngineSecret(named: name, sealed: [1, 2, 3], keyID: "k2")),
                   "insertEngineSecret of an existing name returned true")
        var stored = try await store.engineSecret(named: name)
        try expect(stored?.sealed == v1 && stored?.keyID == "k1",
                   "engineSecret after a refused second insert: expected \(show(v1)) k1, got \(stored.map { "\(show($0.sealed)) \($0.keyID)" } ?? "nil")")
        let v2 = try StoreFixtures.bytes(64)
        try expect(!(try await store.replaceEngineSecret(named: name, old: v2, new: [7], keyID: "k3")),
                   "replaceEngineSecret with a wrong old value returned true")
        try expect(try await store.replaceEngineSecret(named: name, old: v1, new: v2, keyID: "k2"),
                   "replaceEngineSecret with the current value returned false")
        stored = try await store.engineSecret(named: name)
        try expect(stored?.sealed == v2 && stored?.keyID == "k2",
                   "engineSecret after replace: expected \(show(v2)) k2, got \(stored.map { "\(show($0.sealed)) \($0.keyID)" } ?? "nil")")
        try expect(!(try await store.replaceEngineSecret(named: name, old: v1, new: [7], keyID: "k3")),
                   "a second replaceEngineSecret from the same old value returned true")
        try expect(!(try await store.replaceEngineSecret(named: StoreFixtures.uniqueName("none"), old: v1, new: [7], keyID: "k3")),
                   "replaceEngineSecret of an unknown name returned true")
        try expect(try await store.engineSecret(named: StoreFixtures.uniqueName("none")) == nil, "an unknown name has a secret")
    }

    static func eraseUser(_ store: any MFAStore) async throws {
        let ts = try await makeTenants(store, 2)
        let (a, b) = (ts[0], ts[1])
        let user: UserID = "erase-me", keep: UserID = "keep-me"
        let ref = StoreFixtures.userRef(user)
        let m = try await insert(store, tenant: a, user: user, audit: [StoreFixtures.event(tenant: a, user: user, kind: .enrollmentBegun)])
        let p = try await insert(store, tenant: a, user: user, type: .hotp, status: .pending)
        let (rc, hashes) = try await insertRecoveryCodes(store, tenant: a, user: user, count: 5,
                                                         audit: [StoreFixtures.event(tenant: a, user: user, kind: .recoveryCodesGenerated)])
        _ = try await store.setDefaultMethod(tenant: a, user: user, method: m.id, audit: [])
        try await store.appendAudit([StoreFixtures.event(tenant: a, user: user, kind: .verificationSucceeded)])
        let kept = try await insert(store, tenant: a, user: keep, audit: [StoreFixtures.event(tenant: a, user: keep)])
        let inB = try await insert(store, tenant: b, user: user, audit: [StoreFixtures.event(tenant: b, user: user)])
        let before = try await auditOf(store, a)

        let erased = StoreFixtures.event(tenant: a, user: nil, kind: .userErased, at: at(9_000), userRef: ref)
        try await store.eraseUser(tenant: a, user: user, userRef: ref, audit: erased)

        try expect(try await store.methods(tenant: a, user: user).isEmpty, "methods of the erased user remain")
        for id in [m.id, p.id, rc.id] {
            try expect(try await store.method(tenant: a, id: id) == nil, "method \(id) of the erased user remains")
        }
        try expect(try await store.user(tenant: a, id: user) == nil, "the erased user's row remains")
        try expectEqual(try await store.remainingRecoveryCodes(tenant: a, method: rc.id), 0, "remaining codes of the erased user")
        try expect(!(try await store.consumeRecoveryCode(tenant: a, method: rc.id, hash: hashes[0], now: at(9_001), audit: [])),
                   "a recovery code of the erased user is still usable")
        try expect(!(try await store.setDefaultMethod(tenant: a, user: user, method: nil, audit: [])),
                   "setDefaultMethod for the erased user returned true (its user row remains)")
        try expectSameRecord(try await store.method(tenant: a, id: kept.id), kept, "another user's method after eraseUser")
        try expect(try await store.user(tenant: a, id: keep) != nil, "another user's row was erased")
        try expectSameRecord(try await store.method(tenant: b, id: inB.id), inB, "the same user id's method in tenant B")

        let after = try await auditOf(store, a)
        try expectEqual(after.count, before.count + 1, "audit events of A after eraseUser (all kept, plus the erase event)")
        for old in before {
            guard let now = after.first(where: { $0.id == old.id }) else {
                throw ConformanceFailure("audit event \(old.id) (\(old.kind)) was deleted by eraseUser")
            }
            var expected = old
            if old.userRef == ref { expected.userID = nil }
            try expectSameEvent(now, expected, "audit event \(old.id) after eraseUser (userID cleared only for the erased user)")
        }
        guard let last = after.last else { throw ConformanceFailure("no audit events after eraseUser") }
        var expectedErase = erased
        expectedErase.id = last.id
        try expectSameEvent(last, expectedErase, "the erase audit event (appended last)")
        try expect(try await auditOf(store, b).allSatisfy { $0.userID == user }, "eraseUser in A cleared userID on B's events")
    }

    static func millisecondTimes(_ store: any MFAStore) async throws {
        // Now, and two runs of times (2004, 2039) where `Date(millisecondsSince1970:)` lands a hair below the
        // millisecond: a store that truncates `timeIntervalSince1970 * 1000` (as `millisecondsSince1970`
        // does) reads back the millisecond before. Round to the nearest millisecond instead.
        let runs: [(Int64, [Int64])] = [
            (1_700_000_000_123, Array(0...9)),
            (1_083_587_725_034, [0, 7, 10, 13, 20, 23, 30, 33, 36, 40]),
            (2_184_645_438_082, [0, 6, 12, 13, 19, 25, 26, 32, 33, 39]),
        ]
        for (base, offsets) in runs {
            let t = { (i: Int) in Date(millisecondsSince1970: base + offsets[i]) }
            let id = StoreFixtures.uniqueTenantID("ms")
            let tenant = StoreFixtures.tenant(id, createdAt: t(0))
            try await store.createTenant(tenant)
            try expectSameTime(try await store.tenant(id)?.createdAt, t(0), "tenant createdAt")

            let record = MethodRecord(id: try StoreFixtures.methodID(), tenantID: id, userID: "u", type: .totp, name: "t",
                                      status: .active, sealedPayload: [1], keyID: "k1", lockedUntil: t(1), createdAt: t(2),
                                      confirmedAt: t(3), lastUsedAt: t(4), expiresAt: t(5))
            try await store.insertMethod(record, audit: [])
            try expectSameRecord(try await store.method(tenant: id, id: record.id), record, "method with times near \(base) ms")

            let p = try await insert(store, tenant: id, user: "u", status: .pending, now: t(6),
                                     expiresAt: Date(millisecondsSince1970: base + 600_000))
            try expect(try await store.activateMethod(tenant: id, id: p.id, lastCounter: 1, drift: 0, now: t(7), audit: []),
                       "activateMethod near \(base) ms returned false")
            let activated = try await fetch(store, id, p.id, "activated method")
            try expectSameTime(activated.confirmedAt, t(7), "confirmedAt set by activateMethod")
            try expectSameTime(activated.lastUsedAt, t(7), "lastUsedAt set by activateMethod")
            try expect(try await store.recordSuccess(tenant: id, id: p.id, counter: 2, drift: 0, now: t(8), audit: []),
                       "recordSuccess near \(base) ms returned false")
            try expectSameTime(try await fetch(store, id, p.id, "method").lastUsedAt, t(8), "lastUsedAt set by recordSuccess")

            let event = StoreFixtures.event(tenant: id, user: "u", at: t(9))
            try await store.appendAudit([event])
            try expectSameTime(try await auditOf(store, id).first?.at, t(9), "audit event at")
            try expectEqual(try await auditOf(store, id).first?.canonicalBytes, event.canonicalBytes,
                            "audit canonicalBytes after the time round trip (the hash covers the millisecond)")
        }
        let base = try await store.lastAuditCheckpoint()?.sequence ?? 0
        let checkpoint = StoreFixtures.checkpoint(sequence: base + 1, createdAt: Date(millisecondsSince1970: 1_083_587_725_034))
        _ = try await store.insertAuditCheckpoint(checkpoint)
        try expectSameTime(try await store.auditCheckpoints(afterSequence: base, limit: 1).first?.createdAt, checkpoint.createdAt,
                           "checkpoint createdAt")
    }

    static func payloadRoundTrip(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        var manyKeys: [String: String] = [:]
        for i in 0..<50 { manyKeys["key.\(i)"] = "value \(i) ✓" }
        manyKeys["ключ"] = "значение"
        manyKeys["with space"] = " padded "
        let cases: [(String, [String: String], [UInt8])] = [
            ("empty info, one zero byte", [:], [0]),
            ("many info keys, 64 KiB payload", manyKeys, try StoreFixtures.bytes(65_536)),
            ("JSON-looking values, trailing zero bytes", ["json": "{\"a\":[1,2]}", "null": "null"], [1, 2, 0, 0, 0]),
        ]
        for (label, info, payload) in cases {
            let record = MethodRecord(id: try StoreFixtures.methodID(), tenantID: a, userID: "u", type: .sms, name: label,
                                      status: .active, info: info, sealedPayload: payload, keyID: "k1", createdAt: t0)
            try await store.insertMethod(record, audit: [])
            try expectSameRecord(try await store.method(tenant: a, id: record.id), record, "method with \(label)")
        }
    }

    static func oddUserIDs(_ store: any MFAStore) async throws {
        let a = try await makeTenants(store, 1)[0]
        let ids: [String] = [
            "ユーザー@例え.jp", "👩‍💻 dev", "e\u{301}lodie", "o'brien\"; DROP TABLE methods; --", "100%_match\\",
            "100ab_match\\", " leading and trailing ", String(repeating: "ä", count: 127) + "a",
        ]
        for raw in ids {
            let user = try UserID(raw)
            let record = try await insert(store, tenant: a, user: user)
            let listed = try await store.methods(tenant: a, user: user)
            try expectEqual(listed.map(\.id), [record.id], "methods(tenant:user: \(raw.debugDescription))")
            try expectSameRecord(listed.first, record, "method of user \(raw.debugDescription)")
            guard let row = try await store.user(tenant: a, id: user) else {
                throw ConformanceFailure("user(tenant:id: \(raw.debugDescription)) is nil after insertMethod")
            }
            try expectEqual(utf8(row.userID.rawValue), utf8(raw), "user row userID bytes for \(raw.debugDescription)")
        }
    }
}

// MARK: - Race checks

extension StoreConformance {
    /// Runs `count` tasks at once, alternating between the two stores, and collects their results.
    static func concurrently<T: Sendable>(_ count: Int, _ s1: any MFAStore, _ s2: any MFAStore,
                                          _ body: @escaping @Sendable (Int, any MFAStore) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: T.self) { group in
            for i in 0..<count {
                let store = i.isMultiple(of: 2) ? s1 : s2
                group.addTask { try await body(i, store) }
            }
            var results: [T] = []
            for try await result in group { results.append(result) }
            return results
        }
    }

    /// Creates a tenant through `s1` and checks that `s2` sees it (both stores are on one database).
    static func raceTenant(_ s1: any MFAStore, _ s2: any MFAStore) async throws -> TenantID {
        let id = try await makeTenants(s1, 1)[0]
        try expect(try await s2.tenant(id) != nil,
                   "a tenant created through the first store is not visible through the second: the race check needs two stores on ONE database")
        return id
    }

    static func raceMigrate(_ s1: any MFAStore, _ s2: any MFAStore) async throws {
        _ = try await concurrently(8, s1, s2) { _, store in try await store.migrate() }
        try await s1.ping()
        try await s2.ping()
        _ = try await raceTenant(s1, s2)
    }

    static func raceRecordSuccess(_ s1: any MFAStore, _ s2: any MFAStore) async throws {
        let a = try await raceTenant(s1, s2)
        let m = try await insert(s1, tenant: a, user: "u", lastCounter: 10)
        let results = try await concurrently(50, s1, s2) { i, store in
            try await store.recordSuccess(tenant: a, id: m.id, counter: 11, drift: 0, now: at(Int64(i)),
                                          audit: [StoreFixtures.event(tenant: a, user: "u", kind: .verificationSucceeded)])
        }
        try expectEqual(results.filter { $0 }.count, 1, "recordSuccess calls that returned true out of 50 with one counter")
        try expectEqual(try await fetch(s1, a, m.id, "method").lastCounter, 11, "lastCounter after the race")
        try expectEqual(try await auditOf(s1, a).count, 1, "audit events after the race (only the winner's)")
    }

    static func raceConsumeRecoveryCode(_ s1: any MFAStore, _ s2: any MFAStore) async throws {
        let a = try await raceTenant(s1, s2)
        let (rc, hashes) = try await insertRecoveryCodes(s1, tenant: a, user: "u", count: 10)
        let results = try await concurrently(50, s1, s2) { i, store in
            try await store.consumeRecoveryCode(tenant: a, method: rc.id, hash: hashes[3], now: at(Int64(i)),
                                                audit: [StoreFixtures.event(tenant: a, user: "u", kind: .recoveryCodeUsed)])
        }
        try expectEqual(results.filter { $0 }.count, 1, "consumeRecoveryCode calls that returned true out of 50 for one code")
        try expectEqual(try await s2.remainingRecoveryCodes(tenant: a, method: rc.id), 9, "remaining codes after the race")
        try expectEqual(try await auditOf(s1, a).filter { $0.kind == .recoveryCodeUsed }.count, 1, "audit events after the race")
    }

    static func raceReserveCounts(_ s1: any MFAStore, _ s2: any MFAStore) async throws {
        let a = try await raceTenant(s1, s2)
        let m = try await insert(s1, tenant: a, user: "u")
        let policy = LockoutPolicy(threshold: 1000, baseDelay: 1, maximumDelay: 3600, disableAfter: 100_000)
        let results = try await concurrently(100, s1, s2) { _, store in
            try await store.reserveAttempt(tenant: a, id: m.id, status: .active, now: t0, policy: policy)
        }
        let counts = results.compactMap { result -> Int? in
            if case .reserved(let record) = result { return record.failures }
            return nil
        }
        let refused = results.filter { result in
            if case .reserved = result { return false }
            return true
        }
        try expect(refused.isEmpty,
                   "every one of 100 concurrent reserveAttempt below the threshold must be .reserved; \(refused.count) were not, e.g. \(refused.prefix(3).map(show))")
        try expectEqual(counts.sorted(), Array(1...100), "failure counts returned by 100 concurrent reserveAttempt (each distinct)")
        let row = try await fetch(s2, a, m.id, "method")
        try expectEqual(row.failures, 100, "failures after 100 concurrent reserveAttempt")
        try expectEqual(row.status, .active, "status after 100 concurrent reserveAttempt")
        try expectSameTime(row.lockedUntil, nil, "lockedUntil after 100 attempts below the threshold")
    }

    static func raceReserveLocks(_ s1: any MFAStore, _ s2: any MFAStore) async throws {
        let a = try await raceTenant(s1, s2)
        let m = try await insert(s1, tenant: a, user: "u")
        let results = try await concurrently(100, s1, s2) { _, store in
            try await store.reserveAttempt(tenant: a, id: m.id, status: .active, now: t0, policy: LockoutPolicy())
        }
        var reserved: [Int] = [], locked: [Date] = [], other: [String] = []
        for result in results {
            switch result {
            case .reserved(let record): reserved.append(record.failures)
            case .locked(let until): locked.append(until)
            case .unavailable: other.append(show(result))
            }
        }
        try expect(reserved.sorted() == [1, 2, 3, 4, 5] && locked.count == 95,
                   "100 concurrent reserveAttempt with threshold 5: expected failures 1...5 reserved and 95 locked; got reserved \(reserved.sorted()), \(locked.count) locked, \(other.count) other")
        for until in Set(locked) { try expectSameMillisecond(until, at(1_000), "until of a .locked result") }
        let row = try await fetch(s2, a, m.id, "method")
        try expectEqual(row.failures, 5, "failures after the race")
        try expectSameMillisecond(row.lockedUntil, at(1_000), "lockedUntil after the race")
    }

    static func raceActivate(_ s1: any MFAStore, _ s2: any MFAStore) async throws {
        let a = try await raceTenant(s1, s2)
        let p = try await insert(s1, tenant: a, user: "u", status: .pending, expiresAt: at(600_000))
        let results = try await concurrently(20, s1, s2) { i, store in
            try await store.activateMethod(tenant: a, id: p.id, lastCounter: Int64(i), drift: 0, now: at(Int64(i)),
                                           audit: [StoreFixtures.event(tenant: a, user: "u", kind: .enrollmentConfirmed)])
        }
        try expectEqual(results.filter { $0 }.count, 1, "activateMethod calls that returned true out of 20")
        let row = try await fetch(s2, a, p.id, "method")
        try expectEqual(row.status, .active, "status after the race")
        guard let winner = row.lastCounter else { throw ConformanceFailure("lastCounter is nil after the activation race") }
        try expectSameTime(row.confirmedAt, at(winner), "confirmedAt of the winner (lastCounter and confirmedAt from one call)")
        try expectEqual(try await auditOf(s1, a).count, 1, "audit events after the race")
    }

    static func raceCheckpoint(_ s1: any MFAStore, _ s2: any MFAStore) async throws {
        _ = try await raceTenant(s1, s2)
        let sequence = Int64.random(in: 1_000_000_000...(1 << 52))
        let candidates = (0..<20).map { _ in StoreFixtures.checkpoint(sequence: sequence) }
        let results = try await concurrently(20, s1, s2) { i, store in try await store.insertAuditCheckpoint(candidates[i]) }
        try expectEqual(results.filter { $0 }.count, 1, "insertAuditCheckpoint calls that returned true out of 20 for one sequence")
        let stored = try await s2.auditCheckpoints(afterSequence: sequence - 1, limit: 1)
        try expect(stored.count == 1 && candidates.contains(stored[0]),
                   "the stored checkpoint \(sequence) is not exactly one of the candidates: \(stored)")
    }

    static func raceEngineSecret(_ s1: any MFAStore, _ s2: any MFAStore) async throws {
        _ = try await raceTenant(s1, s2)
        let name = StoreFixtures.uniqueName("race-secret")
        let values = try (0..<20).map { _ in try StoreFixtures.bytes(32) }
        let results = try await concurrently(20, s1, s2) { i, store in
            try await store.insertEngineSecret(named: name, sealed: values[i], keyID: "k\(i)")
        }
        try expectEqual(results.filter { $0 }.count, 1, "insertEngineSecret calls that returned true out of 20")
        guard let stored = try await s2.engineSecret(named: name), let i = values.firstIndex(of: stored.sealed) else {
            throw ConformanceFailure("the stored engine secret is not one of the inserted values")
        }
        try expectEqual(stored.keyID, "k\(i)", "keyID stored with the winning value")
    }

    static func raceReplaceSealedPayload(_ s1: any MFAStore, _ s2: any MFAStore) async throws {
        let a = try await raceTenant(s1, s2)
        let m = try await insert(s1, tenant: a, user: "u")
        let values = try (0..<20).map { _ in try StoreFixtures.bytes(48) }
        let results = try await concurrently(20, s1, s2) { i, store in
            try await store.replaceSealedPayload(tenant: a, id: m.id, old: m.sealedPayload, new: values[i], keyID: "k\(i)")
        }
        try expectEqual(results.filter { $0 }.count, 1, "replaceSealedPayload calls that returned true out of 20")
        let row = try await fetch(s2, a, m.id, "method")
        guard let i = values.firstIndex(of: row.sealedPayload) else {
            throw ConformanceFailure("the stored payload is not one of the replacements: \(show(row.sealedPayload))")
        }
        try expectEqual(row.keyID, "k\(i)", "keyID stored with the winning payload")
    }

    static func raceInsertMethod(_ s1: any MFAStore, _ s2: any MFAStore) async throws {
        let a = try await raceTenant(s1, s2)
        let record = try StoreFixtures.method(tenant: a, user: "u")
        let results = try await concurrently(10, s1, s2) { _, store -> Bool in
            do {
                try await store.insertMethod(record, audit: [StoreFixtures.event(tenant: a, user: "u", kind: .enrollmentBegun)])
                return true
            } catch let error as StoreError where error.kind == .duplicate {
                return false
            } catch {
                throw ConformanceFailure("concurrent insertMethod of one id: expected success or StoreError.duplicate, got \(type(of: error)): \(error)")
            }
        }
        try expectEqual(results.filter { $0 }.count, 1, "insertMethod calls that succeeded out of 10 with one id")
        try expectEqual(try await s2.methods(tenant: a, user: "u").count, 1, "methods after the race")
        try expectEqual(try await auditOf(s1, a).count, 1, "audit events after the race (only the winner's)")
    }

    static func raceAppendAudit(_ s1: any MFAStore, _ s2: any MFAStore) async throws {
        let a = try await raceTenant(s1, s2)
        let events = (0..<50).map { i in StoreFixtures.event(tenant: a, user: "u", at: at(Int64(i))) }
        _ = try await concurrently(50, s1, s2) { i, store in try await store.appendAudit([events[i]]) }
        let stored = try await auditOf(s2, a)
        try expectEqual(stored.count, 50, "audit events after 50 concurrent appends")
        try expectEqual(Set(stored.map(\.id)).count, 50, "distinct audit ids after 50 concurrent appends")
        try expectEqual(Set(stored.map(\.hash)), Set(events.map(\.hash)), "hashes of the appended events")
    }
}
