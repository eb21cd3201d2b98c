import Foundation
import GRDB
import MFACore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded default `MFAStore`: one SQLite file in WAL mode, opened with a GRDB `DatabasePool`
/// (one writer connection, several readers).
///
/// - The file, its `-wal` and `-shm` are created mode 0600 and a missing parent directory 0700,
///   whatever the umask (ST-11).
/// - Several processes may open the same file: writers wait up to `Options.busyTimeout` for the
///   write lock instead of failing, and `migrate()` is safe to run from all of them at once.
/// - Every race-prone operation is one statement, or one write transaction, whose row count is checked.
/// - Concurrent writes of one store share a transaction (group commit, `SQLiteWriteBatcher`): each
///   is still atomic and answered only after its transaction has committed.
public final class SQLiteStore: MFAStore, Sendable {
    /// How the database is opened.
    public struct Options: Sendable {
        /// How long a writer waits for another connection (or process) to release the write lock.
        public var busyTimeout: TimeInterval
        /// Reader connections in the pool.
        public var maximumReaderCount: Int

        public init(busyTimeout: TimeInterval = 5, maximumReaderCount: Int = 4) {
            self.busyTimeout = busyTimeout
            self.maximumReaderCount = maximumReaderCount
        }
    }

    /// The database file.
    public let path: String
    let pool: DatabasePool
    /// Every write but migrations and the expiry sweep goes through here (group commit).
    let writer: SQLiteWriteBatcher

    /// Opens (creating if needed) the database at `path`. Call `migrate()` before use.
    /// - Throws: when the directory or file cannot be created, the file is not a database, or
    ///   permissions cannot be set.
    public init(path: String, configuration options: Options = .init()) throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else {
            throw StoreError(.unavailable, "SQLite store needs a file path")
        }
        self.path = path
        try Self.prepareFile(at: path)

        var config = GRDB.Configuration()
        config.label = "MFAStoreSQLite"
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(max(0, options.busyTimeout))
        config.maximumReaderCount = max(1, options.maximumReaderCount)
        // The write batcher opens and ends its own transactions. Should a ROLLBACK ever fail, GRDB
        // would trap on the open transaction; with this it does not, and the next batch rolls it back.
        config.allowsUnsafeTransactions = true
        config.prepareDatabase { db in
            // GRDB sets NORMAL on the writer when it enables WAL; set it on every connection anyway.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        pool = try DatabasePool(path: path, configuration: config)
        writer = SQLiteWriteBatcher(pool: pool)
        try Self.restrictPermissions(path + "-wal", mustExist: false)
        try Self.restrictPermissions(path + "-shm", mustExist: false)
    }

    // MARK: Files

    /// Creates the parent directory (0700) when missing and the file (0600), before SQLite sees it.
    private static func prepareFile(at path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            guard chmod(directory, 0o700) == 0 else { throw posixError("chmod", directory) }
        } else if !isDirectory.boolValue {
            throw StoreError(.unavailable, "\(directory) is not a directory")
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else { throw posixError("open", path) }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw posixError("chmod", path) }
    }

    /// Sets mode 0600 on a file SQLite created next to the database.
    private static func restrictPermissions(_ path: String, mustExist: Bool) throws {
        guard chmod(path, 0o600) == 0 else {
            if errno == ENOENT && !mustExist { return }
            throw posixError("chmod", path)
        }
    }

    private static func posixError(_ call: String, _ path: String) -> StoreError {
        StoreError(.unavailable, "\(call) \(path): \(String(cString: strerror(errno)))")
    }

    // MARK: MFAStore

    public func migrate() async throws {
        let now = Date().storedMilliseconds
        try await pool.writeWithoutTransaction { db in
            _ = try SQLiteMigrations.run(db, now: now)
        }
        try Self.restrictPermissions(path + "-wal", mustExist: false)
        try Self.restrictPermissions(path + "-shm", mustExist: false)
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func eraseUser(tenant: TenantID, user: UserID, userRef: String, audit: AuditEvent) async throws {
        let event = try AuditRow(audit)
        try await writer.write { db in
            let key: StatementArguments = [tenant.rawValue, user.rawValue]
            try db.cachedStatement(sql: """
                DELETE FROM recovery_codes WHERE tenant_id = ?1
                AND method_id IN (SELECT id FROM methods WHERE tenant_id = ?1 AND user_id = ?2)
                """).execute(arguments: key)
            try db.cachedStatement(sql: "DELETE FROM methods WHERE tenant_id = ? AND user_id = ?").execute(arguments: key)
            try db.cachedStatement(sql: "DELETE FROM users WHERE tenant_id = ? AND user_id = ?").execute(arguments: key)
            try db.cachedStatement(sql: "UPDATE audit_events SET user_id = NULL WHERE tenant_id = ? AND user_ref = ?")
                .execute(arguments: [tenant.rawValue, userRef])
            try event.insert(db)
        }
    }
}
