import Foundation
import GRDB
import MFACore
@testable import MFAStoreSQLite
import MFATesting
import Testing

/// The file on disk: permissions, migrations, several pools on one file, failures to open.
@Suite struct SQLiteStoreFileTests {
    @Test func createsDirectory0700AndFiles0600() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try await db.openMigrated()
        try await store.createTenant(StoreFixtures.tenant(StoreFixtures.uniqueTenantID()))
        _ = try await store.tenants()

        #expect(permissions(db.directory + "/db") == 0o700)
        #expect(permissions(db.path) == 0o600)
        #expect(permissions(db.path + "-wal") == 0o600)
        #expect(permissions(db.path + "-shm") == 0o600)
    }

    @Test func tightensAnExistingFile() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        try FileManager.default.createDirectory(atPath: db.directory + "/db", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: db.path, contents: nil, attributes: [.posixPermissions: 0o644]))
        let store = try await db.openMigrated()
        try await store.ping()
        #expect(permissions(db.path) == 0o600)
        #expect(permissions(db.path + "-wal") == 0o600)
    }

    @Test func migratingTwiceIsANoOp() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try await db.openMigrated()
        let tenant = StoreFixtures.uniqueTenantID()
        try await store.createTenant(StoreFixtures.tenant(tenant))
        try await store.migrate()
        try await db.open().migrate()

        #expect(try await store.tenant(tenant) != nil)
        let versions = try await store.pool.read { db in try Int64.fetchAll(db, sql: "SELECT version FROM schema_migrations") }
        #expect(versions == SQLiteMigrations.all.map(\.version))
    }

    @Test func severalPoolsOpenAndMigrateAFreshFileAtOnce() async throws {
        for _ in 0..<5 {
            let db = TemporaryDatabase()
            defer { db.remove() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let store = try db.open()
                        try await store.migrate()
                        try await store.ping()
                    }
                }
                try await group.waitForAll()
            }
            let store = try db.open()
            let versions = try await store.pool.read { db in try Int64.fetchAll(db, sql: "SELECT version FROM schema_migrations") }
            #expect(versions == SQLiteMigrations.all.map(\.version))
        }
    }

    @Test(arguments: ["/proc/mfa-no-such-dir/mfa.sqlite", "/dev/null/mfa.sqlite", "", ":memory:"])
    func unusablePathsThrow(_ path: String) async throws {
        #expect(throws: (any Error).self) {
            _ = try SQLiteStore(path: path)
        }
    }

    @Test func aDirectoryIsNotADatabase() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        try FileManager.default.createDirectory(atPath: db.path, withIntermediateDirectories: true)
        #expect(throws: (any Error).self) {
            _ = try SQLiteStore(path: db.path)
        }
    }

    @Test func aFileThatIsNotADatabaseThrows() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        try FileManager.default.createDirectory(atPath: db.directory + "/db", withIntermediateDirectories: true)
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: db.path))
        await #expect(throws: (any Error).self) {
            let store = try SQLiteStore(path: db.path)
            try await store.migrate()
        }
    }

    @Test func aDeletedFileKeepsThrowingOrWorkingButNeverCrashes() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try await db.openMigrated()
        let tenant = StoreFixtures.uniqueTenantID()
        try await store.createTenant(StoreFixtures.tenant(tenant))
        try FileManager.default.removeItem(atPath: db.directory)
        // SQLite keeps the unlinked inode open: operations either still work or throw.
        _ = try? await store.tenant(tenant)
        _ = try? await store.createTenant(StoreFixtures.tenant(StoreFixtures.uniqueTenantID()))
        // A new store on the same path starts from an empty file.
        let fresh = try await db.openMigrated()
        #expect(try await fresh.tenant(tenant) == nil)
    }

    @Test func aRowThatDoesNotDecodeThrowsCorrupt() async throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try await db.openMigrated()
        let tenant = StoreFixtures.uniqueTenantID()
        let record = try StoreFixtures.method(tenant: tenant, user: "alice")
        try await store.insertMethod(record, audit: [])
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE methods SET status = 'exploded' WHERE id = ?", arguments: [record.id.rawValue])
        }
        await #expect { try await store.method(tenant: tenant, id: record.id) } throws: { error in
            (error as? StoreError)?.kind == .corrupt
        }

        try await store.createTenant(StoreFixtures.tenant(tenant))
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE tenants SET policy_json = 'not json' WHERE id = ?", arguments: [tenant.rawValue])
        }
        await #expect { try await store.tenant(tenant) } throws: { error in
            (error as? StoreError)?.kind == .corrupt
        }
    }
}
