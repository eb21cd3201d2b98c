import Foundation
@testable import MFAStoreSQLite

/// A fresh directory under the system temporary directory, removed by `remove()`; one per test.
struct TemporaryDatabase {
    let directory: String
    /// The database file inside a not-yet-created subdirectory, so opening a store creates it.
    let path: String

    init() {
        directory = FileManager.default.temporaryDirectory.path + "/mfa-sqlite-tests-" + UUID().uuidString
        path = directory + "/db/mfa.sqlite"
    }

    func open(_ options: SQLiteStore.Options = .init()) throws -> SQLiteStore {
        try SQLiteStore(path: path, configuration: options)
    }

    func openMigrated() async throws -> SQLiteStore {
        let store = try open()
        try await store.migrate()
        return store
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The permission bits of a file (`nil` if it does not exist).
func permissions(_ path: String) -> Int? {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
          let mode = attributes[.posixPermissions] as? NSNumber else { return nil }
    return mode.intValue & 0o777
}
