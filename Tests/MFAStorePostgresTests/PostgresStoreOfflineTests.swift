import Foundation
import MFACore
import MFATesting
import Testing
@testable import MFAStorePostgres

/// Store behaviour that needs no server (they run even with MFA_SKIP_POSTGRES=1).
struct PostgresStoreOfflineTests {
    @Test func operationsOnAClosedPortThrowInsteadOfHanging() async throws {
        // Port 1 on loopback: nothing listens, so every connection attempt is refused.
        let store = try PostgresStore(url: "postgres://postgres@127.0.0.1:1/postgres",
                                      options: .init(maximumConnections: 2, connectTimeout: .milliseconds(500),
                                                     operationTimeout: .seconds(2)),
                                      logger: PostgresTestServer.logger)
        try await withRunning([store]) {
            await #expect(throws: (any Error).self) { try await store.ping() }
            do {
                _ = try await store.method(tenant: "t", id: try StoreFixtures.methodID())
                Issue.record("method(tenant:id:) against a closed port returned instead of throwing")
            } catch let error as StoreError {
                #expect(error.kind == .unavailable)
            }
        }
    }

    @Test func runTwiceDoesNotCrash() async throws {
        let store = try PostgresStore(url: "postgres://postgres@127.0.0.1:1/postgres", logger: PostgresTestServer.logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            group.addTask { await store.run() }
            await group.next()  // the second call returns at once: the pool is already running
            group.cancelAll()
        }
    }
}
