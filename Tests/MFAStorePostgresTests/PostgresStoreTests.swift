import Foundation
import MFACore
import MFATesting
import Testing
@testable import MFAStorePostgres

/// The store conformance suite and PostgreSQL-specific checks, each on its own scratch database.
@Suite(.enabled(if: !PostgresTestServer.skipped, "MFA_SKIP_POSTGRES=1"))
struct PostgresStoreTests {
    @Test(arguments: StoreConformance.checks)
    func conformance(_ check: StoreConformance.Check) async throws {
        try await withScratchStores(1) { stores in try await check.run(stores[0]) }
    }

    @Test(arguments: StoreConformance.raceChecks)
    func race(_ check: StoreConformance.RaceCheck) async throws {
        try await withScratchStores(2) { stores in try await check.run(stores[0], stores[1]) }
    }

    @Test func migrationsApplyOnceAndAreRecorded() async throws {
        try await withScratchStores(1, migrate: false) { stores in
            let store = stores[0]
            let first = try await PostgresMigrations.run(on: store.client, logger: PostgresTestServer.logger)
            #expect(first == PostgresMigrations.all.map(\.version))
            let second = try await PostgresMigrations.run(on: store.client, logger: PostgresTestServer.logger)
            #expect(second.isEmpty)
            let versions = try await store.client.query("SELECT version FROM schema_migrations ORDER BY version")
                .collect().map { try $0.decode(Int64.self) }
            #expect(versions == PostgresMigrations.all.map(\.version))
            let tables = try await store.client.query("""
                SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name
                """).collect().map { try $0.decode(String.self) }
            #expect(tables == ["api_keys", "audit_checkpoints", "audit_events", "engine_secrets", "methods",
                               "recovery_codes", "schema_migrations", "tenants", "users"])
        }
    }

    @Test func concurrentMigrationsFromTwoPoolsApplyEachVersionOnce() async throws {
        try await withScratchStores(2, migrate: false) { stores in
            let applied = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for i in 0..<8 {
                    let store = stores[i % 2]
                    group.addTask { try await PostgresMigrations.run(on: store.client, logger: PostgresTestServer.logger) }
                }
                var all: [Int64] = []
                for try await versions in group { all += versions }
                return all
            }
            #expect(applied.sorted() == PostgresMigrations.all.map(\.version), "each version applied by exactly one caller")
            let count = try await stores[1].client.query("SELECT count(*) FROM schema_migrations").collect().first?.decode(Int64.self)
            #expect(count == Int64(PostgresMigrations.all.count))
        }
    }

    /// A reader of `auditEvents(afterID:)` must not see id n+1 while the transaction holding id n is
    /// still open (a sealer would then skip n for ever): it waits for that transaction instead.
    @Test func auditReadWaitsForAnOpenInsertWithALowerID() async throws {
        try await withScratchStores(2) { stores in
            let (holder, other) = (stores[0], stores[1])
            let tenant = TenantID(stringLiteral: "late-commit")
            func event(_ kind: AuditEventKind) -> AuditEvent {
                StoreFixtures.event(tenant: tenant, user: "u", kind: kind)
            }
            let early = event(.verificationFailed), late = event(.verificationSucceeded)
            let reader = try await holder.transactionInPlace { connection -> Task<[AuditEvent], any Error> in
                var insert = PostgresStatement()
                insert.append(try insert.auditInsert([early]))
                try await connection.query(insert.query, logger: PostgresStore.quietLogger)
                // Another node appends and commits a later id while this transaction is open.
                try await other.appendAudit([late])
                let reader = Task { try await other.auditEvents(afterID: 0, limit: 100) }
                // Commit only once the reader waits for our lock (or has finished, which would be the bug).
                var waiting = false
                for _ in 0..<500 where !waiting {
                    try await Task.sleep(for: .milliseconds(10))
                    let rows = try await holder.client.query("""
                        SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'audit_events'::regclass
                        """).collect()
                    waiting = try rows.first?.decode(Int64.self) ?? 0 > 0
                }
                #expect(waiting, "the reader did not wait for the open insert")
                return reader
            }
            let seen = try await reader.value
            #expect(seen.map(\.hash) == [early.hash, late.hash])
        }
    }

    /// Before `migrate()` the tables may not exist: the hot path must fail then, and must not leave
    /// connections that keep failing (a failed server-side prepare sticks to its connection).
    @Test func operationsBeforeMigrateFailAndWorkAfterIt() async throws {
        try await withScratchStores(1, migrate: false) { stores in
            let store = stores[0]
            let id = try StoreFixtures.methodID()
            let early = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        do {
                            _ = try await store.method(tenant: "t", id: id)
                            return false
                        } catch {
                            return true
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(early == 12, "method(tenant:id:) before migrate() must throw (no tables yet)")
            try await store.migrate()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<24 {
                    group.addTask {
                        let found = try await store.method(tenant: "t", id: id)
                        #expect(found == nil)
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func pingAnswersAndMigrateIsRepeatable() async throws {
        try await withScratchStores(1) { stores in
            try await stores[0].ping()
            try await stores[0].migrate()
        }
    }
}
