import Foundation
import MFACore
@testable import MFAStoreSQLite
import MFATesting
import Testing

/// Compare-and-set and throttling on the SQLite store, within one pool and across two pools.
@Suite struct SQLiteStoreAtomicityTests {
    let now = StoreFixtures.now

    @Test func reserveAttemptCountsLocksAndDisables() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try await db.openMigrated()
        let tenant = StoreFixtures.uniqueTenantID()
        let record = try StoreFixtures.method(tenant: tenant, user: "alice")
        try await store.insertMethod(record, audit: [])
        let policy = LockoutPolicy(threshold: 3, baseDelay: 2, maximumDelay: 5, disableAfter: 6)

        for n in 1...2 {
            guard case .reserved(let row) = try await store.reserveAttempt(tenant: tenant, id: record.id, status: .active,
                                                                           now: now, policy: policy) else {
                Issue.record("attempt \(n) not reserved"); return
            }
            #expect(row.failures == n)
            #expect(row.lockedUntil == nil)
        }
        guard case .reserved(let third) = try await store.reserveAttempt(tenant: tenant, id: record.id, status: .active,
                                                                         now: now, policy: policy) else {
            Issue.record("third attempt not reserved"); return
        }
        #expect(third.failures == 3)
        #expect(third.lockedUntil == Date(millisecondsSince1970: now.millisecondsSince1970 + 2000))
        #expect(third.status == .active)

        // Locked: nothing counted, the lock is reported (a millisecond before it ends, too).
        let locked = Date(millisecondsSince1970: now.millisecondsSince1970 + 1999)
        #expect(try await store.reserveAttempt(tenant: tenant, id: record.id, status: .active, now: locked, policy: policy)
                == .locked(until: Date(millisecondsSince1970: now.millisecondsSince1970 + 2000)))
        #expect(try await store.method(tenant: tenant, id: record.id)?.failures == 3)

        // Wrong status or tenant: unavailable.
        #expect(try await store.reserveAttempt(tenant: tenant, id: record.id, status: .pending, now: now, policy: policy)
                == .unavailable)
        #expect(try await store.reserveAttempt(tenant: StoreFixtures.uniqueTenantID(), id: record.id, status: .active,
                                               now: now, policy: policy) == .unavailable)

        // Doubling, capped at maximumDelay; disabled at disableAfter.
        var at = Date(millisecondsSince1970: now.millisecondsSince1970 + 2000)
        for (n, delay) in [(4, 4), (5, 5)] {
            guard case .reserved(let row) = try await store.reserveAttempt(tenant: tenant, id: record.id, status: .active,
                                                                           now: at, policy: policy) else {
                Issue.record("attempt \(n) not reserved"); return
            }
            #expect(row.failures == n)
            #expect(row.lockedUntil == Date(millisecondsSince1970: at.millisecondsSince1970 + Int64(delay) * 1000))
            at = row.lockedUntil ?? at
        }
        guard case .reserved(let sixth) = try await store.reserveAttempt(tenant: tenant, id: record.id, status: .active,
                                                                         now: at, policy: policy) else {
            Issue.record("sixth attempt not reserved"); return
        }
        #expect(sixth.status == .disabled)
        #expect(try await store.reserveAttempt(tenant: tenant, id: record.id, status: .active, now: at + 3600, policy: policy)
                == .unavailable)
    }

    @Test func recordSuccessIsACompareAndSet() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try await db.openMigrated()
        let tenant = StoreFixtures.uniqueTenantID()
        let record = try StoreFixtures.method(tenant: tenant, user: "alice")
        try await store.insertMethod(record, audit: [])
        let event = StoreFixtures.event(tenant: tenant, user: "alice", methodID: record.id)

        #expect(try await store.recordSuccess(tenant: tenant, id: record.id, counter: 10, drift: 1, now: now, audit: [event]))
        #expect(try await !store.recordSuccess(tenant: tenant, id: record.id, counter: 10, drift: 0, now: now, audit: [event]))
        #expect(try await !store.recordSuccess(tenant: tenant, id: record.id, counter: 9, drift: 0, now: now, audit: [event]))
        #expect(try await store.recordSuccess(tenant: tenant, id: record.id, counter: 11, drift: 0, now: now, audit: [event]))
        #expect(try await store.auditEvents(afterID: 0, limit: 10).count == 2)
        let row = try #require(try await store.method(tenant: tenant, id: record.id))
        #expect(row.lastCounter == 11)
        #expect(row.lastUsedAt == now)
    }

    @Test func emptyBlobsRoundTripAndCompare() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try await db.openMigrated()
        let tenant = StoreFixtures.uniqueTenantID()
        var record = try StoreFixtures.method(tenant: tenant, user: "alice")
        record.sealedPayload = []
        try await store.insertMethod(record, audit: [])
        #expect(try await store.method(tenant: tenant, id: record.id) == record)
        #expect(try await store.replaceSealedPayload(tenant: tenant, id: record.id, old: [], new: [1, 2], keyID: "k2"))
        #expect(try await !store.replaceSealedPayload(tenant: tenant, id: record.id, old: [], new: [3], keyID: "k3"))
        #expect(try await store.replaceSealedPayload(tenant: tenant, id: record.id, old: [1, 2], new: [], keyID: "k4"))
        #expect(try await store.method(tenant: tenant, id: record.id)?.sealedPayload == [])

        #expect(try await store.insertEngineSecret(named: "empty", sealed: [], keyID: "k1"))
        #expect(try await store.engineSecret(named: "empty")?.sealed == [])
        #expect(try await store.replaceEngineSecret(named: "empty", old: [], new: [9], keyID: "k2"))
    }

    @Test func aDuplicateRollsBackItsAudit() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try await db.openMigrated()
        let tenant = StoreFixtures.uniqueTenantID()
        let record = try StoreFixtures.method(tenant: tenant, user: "alice")
        try await store.insertMethod(record, audit: [StoreFixtures.event(tenant: tenant, user: "alice")])
        await #expect { try await store.insertMethod(record, audit: [StoreFixtures.event(tenant: tenant, user: "alice")]) }
            throws: { ($0 as? StoreError)?.kind == .duplicate }
        #expect(try await store.auditEvents(afterID: 0, limit: 10).count == 1)

        try await store.createTenant(StoreFixtures.tenant(tenant))
        await #expect { try await store.createTenant(StoreFixtures.tenant(tenant)) }
            throws: { ($0 as? StoreError)?.kind == .duplicate }
    }

    @Test func twoPoolsShareOneLockoutCounter() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let a = try await db.openMigrated()
        let b = try await db.openMigrated()
        let tenant = StoreFixtures.uniqueTenantID()
        let record = try StoreFixtures.method(tenant: tenant, user: "alice")
        try await a.insertMethod(record, audit: [])
        let policy = LockoutPolicy(threshold: 1_000, baseDelay: 1, maximumDelay: 1, disableAfter: 100_000)
        let now = self.now

        let reserved = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<8 {
                let store = i.isMultiple(of: 2) ? a : b
                group.addTask {
                    var count = 0
                    for _ in 0..<50 {
                        if case .reserved = try await store.reserveAttempt(tenant: tenant, id: record.id, status: .active,
                                                                           now: now, policy: policy) { count += 1 }
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(reserved == 400)
        #expect(try await b.method(tenant: tenant, id: record.id)?.failures == 400)
    }

    @Test func twoPoolsAcceptACodeOnce() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let a = try await db.openMigrated()
        let b = try await db.openMigrated()
        let tenant = StoreFixtures.uniqueTenantID()
        let record = try StoreFixtures.method(tenant: tenant, user: "alice")
        try await a.insertMethod(record, audit: [])
        let hashes = try (0..<5).map { _ in try StoreFixtures.bytes(32) }
        let codes = try StoreFixtures.method(tenant: tenant, user: "alice", type: .recoveryCodes)
        try await b.replaceRecoveryCodes(method: codes, hashes: hashes, audit: [])
        let event = StoreFixtures.event(tenant: tenant, user: "alice")
        let now = self.now

        for counter in Int64(1)...20 {
            let wins = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<4 {
                    let store = i.isMultiple(of: 2) ? a : b
                    group.addTask {
                        var won = 0
                        if try await store.recordSuccess(tenant: tenant, id: record.id, counter: counter, drift: 0, now: now,
                                                         audit: [event]) { won += 1 }
                        if try await store.consumeRecoveryCode(tenant: tenant, method: codes.id, hash: hashes[Int(counter) % 5],
                                                               now: now, audit: [event]) { won += 100 }
                        return won
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(wins % 100 == 1, "counter \(counter): \(wins % 100) acceptances")
            #expect(wins / 100 == (counter <= 5 ? 1 : 0), "recovery code \(counter): \(wins / 100) uses")
        }
        #expect(try await a.auditEvents(afterID: 0, limit: 100).count == 25)
        #expect(try await a.remainingRecoveryCodes(tenant: tenant, method: codes.id) == 0)
    }

    /// Concurrent writes share transactions (group commit): a write that throws must fail alone,
    /// leaving no trace, while the writes batched with it succeed.
    @Test func aFailingWriteInABatchFailsAlone() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try await db.openMigrated()
        let tenant = StoreFixtures.uniqueTenantID()
        let taken = try StoreFixtures.method(tenant: tenant, user: "alice")
        try await store.insertMethod(taken, audit: [])
        let now = self.now

        for _ in 0..<5 {
            let outcomes = try await withThrowingTaskGroup(of: (Bool, Bool).self) { group in
                for i in 0..<32 {
                    group.addTask {
                        let duplicate = i.isMultiple(of: 4)
                        let record = duplicate ? taken : try StoreFixtures.method(tenant: tenant, user: "bob")
                        do {
                            try await store.insertMethod(record, audit: [StoreFixtures.event(tenant: tenant, user: "bob", at: now)])
                            return (duplicate, true)
                        } catch let error as StoreError where error.kind == .duplicate {
                            return (duplicate, false)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.allSatisfy { duplicate, inserted in duplicate != inserted })
        }
        #expect(try await store.methods(tenant: tenant, user: "bob").count == 5 * 24)
        #expect(try await store.auditEvents(afterID: 0, limit: 1_000).count == 5 * 24)
        #expect(try await store.method(tenant: tenant, id: taken.id) == taken)
    }
}
