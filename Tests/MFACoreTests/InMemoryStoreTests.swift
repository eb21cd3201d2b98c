import Testing
import MFACore
import MFATesting

@Suite struct InMemoryStoreTests {
    @Test(arguments: StoreConformance.checks)
    func conformance(_ check: StoreConformance.Check) async throws {
        let store = InMemoryStore()
        try await store.migrate()
        try await check.run(store)
    }

    /// `InMemoryStore` is one process-wide store, so both "connections" are the same instance.
    @Test(arguments: StoreConformance.raceChecks)
    func race(_ check: StoreConformance.RaceCheck) async throws {
        let store = InMemoryStore()
        try await store.migrate()
        try await check.run(store, store)
    }

    @Test func failNextOperationsMakesOperationsThrow() async throws {
        let store = InMemoryStore()
        let tenant = StoreFixtures.tenant("acme")
        try await store.createTenant(tenant)
        await store.failNextOperations(2)
        let error = await #expect(throws: StoreError.self) { try await store.tenant("acme") }
        #expect(error?.kind == .unavailable)
        await #expect(throws: StoreError.self) { try await store.ping() }
        #expect(try await store.tenant("acme") == tenant)
    }
}
