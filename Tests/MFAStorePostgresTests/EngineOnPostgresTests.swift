import Foundation
import Testing
import MFACore
import MFACrypto
import MFAMethods
import MFATesting
@testable import MFAStorePostgres

/// The engine on PostgreSQL: the issue's concurrency checks with two engines (two pools) on one
/// database, and failing closed when the database goes away.
@Suite(.enabled(if: !PostgresTestServer.skipped, "MFA_SKIP_POSTGRES=1"))
struct EngineOnPostgresTests {
    @Test(arguments: EngineRaceChecks.checks)
    func engineRaces(_ check: EngineRaceChecks.Check) async throws {
        try await withScratchStores(2) { stores in try await check.run(stores[0], stores[1]) }
    }

    // API-08: with the database unreachable, verification is an error, never "verified".
    @Test func unreachableDatabaseFailsClosed() async throws {
        let store = try PostgresStore(url: "postgres://postgres@127.0.0.1:1/none?sslmode=disable",
                                      options: .init(maximumConnections: 1, connectTimeout: .seconds(1),
                                                     operationTimeout: .seconds(2)),
                                      logger: PostgresTestServer.logger)
        try await withRunning([store]) {
            do {
                _ = try await Engine(store: store, keyRing: KeyRing(keys: [SealingKey.generate(id: "k")]),
                                     methods: BuiltInMethods.all)
                Issue.record("an engine started without its database")
            } catch let error as MFAError {
                #expect(error.code == .unavailable)
            }
        }
    }

    // The database disappearing between enrollment and verification: an error, and the code was
    // not consumed (it still verifies when the database is back).
    @Test func databaseFailingMidVerificationLeavesNoHalfState() async throws {
        try await withScratchStores(1) { stores in
            let store = stores[0]
            let h = try await EngineHarness.make(store: store)
            let (method, totp) = try await h.enrollTOTP(user: "alice")
            h.clock.advance(by: 30)
            let code = try h.code(totp)
            // Block the methods table so the verification's statements fail (lock timeout).
            try await store.execute(unsafeSQL: "ALTER TABLE methods RENAME TO methods_away")
            do {
                let result = try await h.engine.verify(tenant: h.tenant, user: "alice", code: code, methodID: method)
                Issue.record("verified (\(result)) without the methods table")
            } catch let error as MFAError {
                #expect(error.code == .unavailable)
            }
            try await store.execute(unsafeSQL: "ALTER TABLE methods_away RENAME TO methods")
            let row = try #require(try await store.method(tenant: h.tenant, id: method))
            #expect(row.failures == 0)
            #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: code, methodID: method).verified)
        }
    }
}
