import ArgumentParser
import Foundation
import Logging
import MFACore
import MFACrypto
import MFAMethods
import MFAStorePostgres
import MFAStoreSQLite

/// Where the engine's state lives; shared by every operator command and `mfa serve`.
///
/// Each value comes from, in order: the command line, an `MFA_*` environment variable, the JSON
/// configuration file (`--config FILE` or `MFA_CONFIG`), the default (see `ServerConfiguration.swift`).
/// `data_dir` (default `./data`) holds the SQLite file `mfa.sqlite` and the key file `master.key`;
/// `database_url` (`postgres://...`) selects PostgreSQL instead. The key ring comes from `--key-file`,
/// else `MFA_MASTER_KEY` (the key file's text), else `key_file` (default `<data_dir>/master.key`).
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "A JSON configuration file (or MFA_CONFIG); command-line options and MFA_* variables override it.",
        valueName: "file"))
    var configFile: String?

    @Option(help: "Directory for the SQLite database and the key file (default ./data, or MFA_DATA_DIR).")
    var dataDir: String?

    @Option(help: "postgres://USER@HOST:PORT/DB to use PostgreSQL instead of SQLite (or MFA_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "The key file (default <data-dir>/master.key, or MFA_KEY_FILE; MFA_MASTER_KEY may hold its text instead).")
    var keyFile: String?

    @Flag(help: "Log more (to standard error).")
    var verbose = false

    var environment: [String: String] { ProcessInfo.processInfo.environment }
}

/// `StoreOptions` resolved against the environment and the configuration file (`StoreOptions.resolve()`).
struct StoreSettings: Sendable {
    var dataDir: String
    /// Nil selects SQLite in `dataDir`.
    var databaseURL: String?
    var keyFile: String
    /// The key ring's text from `MFA_MASTER_KEY`, used unless `--key-file` is given.
    var masterKeyText: String?
    /// PostgreSQL pool size per process.
    var databaseMaxConnections: Int
    var verbose: Bool

    var sqlitePath: String { (dataDir as NSString).appendingPathComponent("mfa.sqlite") }
    /// "PostgreSQL" or "SQLite in <dir>", for messages.
    var storeDescription: String { databaseURL == nil ? "SQLite in \(dataDir)" : "PostgreSQL" }
}

/// The one composition root: the only place that builds concrete stores and lists the methods.
enum Bootstrap {
    static func logger(verbose: Bool) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .warning
            return handler
        }
        return Logger(label: "mfa")
    }

    /// The server's logging on standard error: swift-log's text lines or JSON lines (`JSONLogHandler`).
    static func logger(format: LogFormat, level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                return JSONLogHandler(label: label, level: level)
            }
        }
        return Logger(label: "mfa")
    }

    /// The configured store; PostgreSQL needs its client running (see `withStore`).
    static func makeStore(_ settings: StoreSettings, logger: Logger) throws -> any MFAStore {
        if let url = settings.databaseURL {
            do {
                return try PostgresStore(url: url, options: PostgresStore.Options(maximumConnections: settings.databaseMaxConnections),
                                         logger: logger)
            } catch {
                throw CLIFailure(code: "configuration", message: "bad database URL: \(error)", status: .unavailable)
            }
        }
        let path = settings.sqlitePath
        do {
            return try SQLiteStore(path: path)
        } catch {
            throw CLIFailure(code: "unavailable", message: "cannot open the database at \(path): \(error)", status: .unavailable)
        }
    }

    /// Runs `body` with a migrated store (and the PostgreSQL client running around it).
    static func withStore<T: Sendable>(_ options: StoreOptions, migrate: Bool = true,
                                       _ body: @escaping @Sendable (any MFAStore, Logger) async throws -> T) async throws -> T {
        try await withStore(try await options.resolve(), migrate: migrate, body)
    }

    /// Runs `body` with a migrated store (and the PostgreSQL client running around it).
    static func withStore<T: Sendable>(_ settings: StoreSettings, migrate: Bool = true,
                                       _ body: @escaping @Sendable (any MFAStore, Logger) async throws -> T) async throws -> T {
        let logger = logger(verbose: settings.verbose)
        let store = try makeStore(settings, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            if let postgres = store as? PostgresStore {
                group.addTask {
                    await postgres.run()
                    return nil
                }
            }
            group.addTask {
                do {
                    if migrate { try await store.migrate() }
                } catch {
                    throw CLIFailure(code: "unavailable", message: "the database is not reachable: \(error)", status: .unavailable)
                }
                return try await body(store, logger)
            }
            while let next = try await group.next() {
                if let result = next {
                    group.cancelAll()
                    return result
                }
            }
            throw CLIFailure(code: "internal", message: "the store stopped", status: .internalError)
        }
    }

    /// Runs `body` with an engine on the configured store and key ring.
    static func withEngine<T: Sendable>(_ options: StoreOptions, createKeyIfMissing: Bool = false,
                                        _ body: @escaping @Sendable (Engine) async throws -> T) async throws -> T {
        let settings = try await options.resolve()
        let keyRing = try loadKeyRing(settings, createIfMissing: createKeyIfMissing)
        return try await withStore(settings) { store, logger in
            let engine = try await Engine(store: store, keyRing: keyRing, methods: BuiltInMethods.all, logger: logger)
            return try await body(engine)
        }
    }

    // MARK: Keys

    /// - Parameter logger: where the warning about a new key goes (standard error without one).
    static func loadKeyRing(_ settings: StoreSettings, createIfMissing: Bool, logger: Logger? = nil) throws -> KeyRing {
        if let text = settings.masterKeyText {
            do {
                return try KeyRing.parse(text)
            } catch let error as CryptoError {
                throw CLIFailure(code: "configuration", message: "MFA_MASTER_KEY: \(error.message)", status: .unavailable)
            }
        }
        let path = settings.keyFile
        guard FileManager.default.fileExists(atPath: path) else {
            guard createIfMissing else {
                throw CLIFailure(code: "configuration", message: "no key file at \(path) (set --key-file or MFA_MASTER_KEY)",
                                 status: .unavailable)
            }
            let ring = try KeyRing(keys: [SealingKey.generate(id: newKeyID())])
            try writeKeyRing(ring, to: path)
            let warning = "created a new master key at \(path); back it up: without it the secrets cannot be read"
            if let logger {
                logger.warning("\(warning)")
            } else {
                Console.error("warning: " + warning)
            }
            return ring
        }
        try checkKeyFileMode(path)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CLIFailure.unreadable(path, what: "key")
        }
        do {
            return try KeyRing.parse(text)
        } catch let error as CryptoError {
            throw CLIFailure(code: "configuration", message: "\(path): \(error.message)", status: .unavailable)
        }
    }

    static func checkKeyFileMode(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CLIFailure.unreadable(path, what: "key") }
        if info.st_mode & 0o077 != 0 {
            throw CLIFailure(code: "configuration",
                             message: "the key file \(path) is readable by others; run: chmod 600 \(path)", status: .unavailable)
        }
    }

    /// Writes the key file atomically with mode 0600 (a temporary file, fsync, rename).
    static func writeKeyRing(_ ring: KeyRing, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        let temporary = path + ".tmp-\(getpid())"
        try Files.writePrivate(Array(ring.serialized().utf8), to: temporary, sync: true)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CLIFailure.unwritable(path)
        }
    }

    static func newKeyID(now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "key-" + formatter.string(from: now)
    }
}
