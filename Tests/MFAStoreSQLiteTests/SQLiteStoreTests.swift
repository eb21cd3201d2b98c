import Foundation
import MFACore
import MFAStoreSQLite
import MFATesting
import Testing

/// `StoreConformance` against SQLite: each check on a fresh file, each race check on two pools
/// (as two processes would have) opened on one file.
@Suite struct SQLiteStoreTests {
    @Test(arguments: StoreConformance.checks)
    func conformance(_ check: StoreConformance.Check) async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        try await store.migrate()
        try await check.run(store)
    }

    @Test(arguments: StoreConformance.raceChecks)
    func race(_ check: StoreConformance.RaceCheck) async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let first = try db.open()
        let second = try db.open()
        try await first.migrate()
        try await second.migrate()
        try await check.run(first, second)
    }
}
