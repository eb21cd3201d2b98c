import Foundation
import Logging
import MFACore
import PostgresNIO

/// The PostgreSQL `MFAStore` (postgres-nio), for several engine nodes sharing one database.
///
/// The store wraps a pooled `PostgresClient`, which does nothing until `run()` is awaited: run it in
/// a task group (or a ServiceGroup task) for as long as the store is used, and cancel that task to
/// close the pool.
///
/// ```swift
/// let store = try PostgresStore(url: "postgres://mfa@db.internal:5432/mfa", logger: logger)
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { await store.run() }
///     try await store.migrate()
///     // ... serve ...
///     group.cancelAll()
/// }
/// ```
///
/// Every race-prone operation is one statement (a data-modifying CTE when it writes audit events
/// too), so two nodes can never both accept one code, and `reserveAttempt` returns the whole
/// updated row in the same round trip. The sign-in path (`method`, `methods`, `reserveAttempt`,
/// `recordSuccess`, `consumeRecoveryCode`, `appendAudit`, ...) uses prepared statements (see
/// `Prepared`); everything else sends its SQL each time. Unique violations become
/// `StoreError.duplicate`, undecodable rows `StoreError.corrupt`, and an operation that gets no
/// connection within `Options.operationTimeout` throws `StoreError.unavailable`; database errors
/// are rethrown as they are (`PSQLError`, whose description hides the SQL and values).
///
/// The schema (`PostgresMigrations`) must not change under running stores in ways that change a
/// prepared statement's result columns; migrations add, they do not reshape.
public final class PostgresStore: MFAStore {
    /// Pool and time-out settings.
    public struct Options: Sendable {
        /// The most connections the pool opens (default 20).
        public var maximumConnections: Int = 20
        /// Time-out for opening one TCP connection (default 10 s).
        public var connectTimeout: Duration = .seconds(10)
        /// How long an operation may wait for a connection while the database is not answering
        /// (default 30 s), after which it throws `StoreError.unavailable`; and the server's
        /// `statement_timeout` for every statement (a statement in flight cannot be cancelled from
        /// the client). `nil`: no bound (postgres-nio's pool then fails requests only after 60 s
        /// of failed connection attempts).
        public var operationTimeout: Duration? = .seconds(30)

        public init(maximumConnections: Int = 20, connectTimeout: Duration = .seconds(10),
                    operationTimeout: Duration? = .seconds(30)) {
            self.maximumConnections = maximumConnections
            self.connectTimeout = connectTimeout
            self.operationTimeout = operationTimeout
        }
    }

    let client: PostgresClient
    let logger: Logger
    let options: Options
    /// The parsed URL, for logs (its description hides the password).
    public let url: PostgresURL
    private let runState = Flag()
    /// Set once `migrate()` succeeded: only then are statements prepared on the server. A statement
    /// whose preparation failed (say, before its table existed) stays failed on that connection for
    /// as long as the connection lives, so the store never prepares against an unknown schema.
    private let schemaReady = Flag()
    private let health = Health()

    /// - Parameters:
    ///   - url: `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|require|verify-full]` (see `PostgresURL`).
    ///   - options: pool size and time-outs.
    ///   - logger: for connection events. Trace-level driver logging, which would include row
    ///     contents, is never passed on.
    /// - Throws: `PostgresURLError` for a malformed URL or options.
    public convenience init(url: String, options: Options = Options(), logger: Logger) throws {
        try self.init(url: PostgresURL(url), options: options, logger: logger)
    }

    /// - Throws: `PostgresURLError` for invalid options.
    public init(url parsed: PostgresURL, options: Options = Options(), logger: Logger) throws {
        guard options.maximumConnections >= 1 else { throw PostgresURLError("maximumConnections must be at least 1") }
        var configuration = PostgresClient.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password,
            database: parsed.database,
            tls: parsed.usesTLS ? .require(TLSConfiguration.makeClientConfiguration()) : .disable)
        configuration.options.maximumConnections = options.maximumConnections
        configuration.options.connectTimeout = options.connectTimeout
        var startup = [("application_name", "mfa")]
        if let timeout = options.operationTimeout {
            startup.append(("statement_timeout", "\(max(1, Self.milliseconds(timeout)))"))
        }
        configuration.options.additionalStartupParameters = startup

        var background = logger
        if background.logLevel < .debug { background.logLevel = .debug }
        self.client = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.logger = logger
        self.options = options
        self.url = parsed
    }

    /// Runs the connection pool until the calling task is cancelled. Must be running (in a task
    /// group or a ServiceGroup task) while the store is used; operations wait for it otherwise.
    /// Call it once: a second call logs an error and returns at once.
    public func run() async {
        guard runState.set() else {
            logger.error("PostgresStore.run() called twice; the pool is already running")
            return
        }
        logger.debug("postgres store running", metadata: ["url": "\(url)"])
        await client.run()
    }

    // MARK: MFAStore

    /// Applies the migrations (see `PostgresMigrations`). An unreachable server fails within
    /// `operationTimeout` (a `ping` first); the migrations themselves have no time limit.
    public func migrate() async throws {
        try await ping()
        try await PostgresMigrations.run(on: client, logger: logger)
        _ = schemaReady.set()
    }

    public func ping() async throws {
        try await perform { client in
            _ = try await client.query("SELECT 1").collect()
        }
    }

    // MARK: Helpers

    /// Runs one statement without parameters, for administration and tests (`CREATE DATABASE`).
    func execute(unsafeSQL sql: String) async throws {
        let query = PostgresQuery(unsafeSQL: sql)
        try await perform { client in _ = try await client.query(query).collect() }
    }

    /// Runs `body` with the pool, mapping unique violations to `StoreError.duplicate(duplicate)`.
    ///
    /// The wait is bounded by `operationTimeout` unless the database answered within the last
    /// second without a connection failure since: then a connection is at hand or about to be, and
    /// the bound (two extra tasks and a timer per operation, a sixth of a cheap query's cost) is
    /// skipped. A statement in flight cannot be abandoned either way (postgres-nio cannot cancel
    /// it); the server's `statement_timeout` bounds those.
    func perform<T: Sendable>(duplicate: String? = nil,
                              _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = self.client
        do {
            let value: T
            if let timeout = options.operationTimeout, !health.answeredRecently(at: .now) {
                value = try await Self.withTimeout(timeout) { try await body(client) }
            } else {
                value = try await body(client)
            }
            health.answered(at: .now)
            return value
        } catch let error as StoreError {
            if error.kind == .unavailable { health.failed() }
            throw error
        } catch {
            if !Self.isServerError(error) { health.failed() }
            if let duplicate, Self.isUniqueViolation(error) { throw StoreError.duplicate(duplicate) }
            throw error
        }
    }

    /// `body`'s result, or `StoreError.unavailable` once `timeout` has passed (`body` is cancelled;
    /// this returns when it has ended).
    static func withTimeout<T: Sendable>(_ timeout: Duration,
                                         _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let value = next { return value }
                throw StoreError(.unavailable, "the database did not answer within \(milliseconds(timeout)) ms")
            }
            throw CancellationError()
        }
    }

    /// Runs one statement and returns its rows.
    func rows(_ statement: PostgresStatement, duplicate: String? = nil) async throws -> [PostgresRow] {
        let query = statement.query
        return try await perform(duplicate: duplicate) { client in
            try await client.query(query).collect()
        }
    }

    /// Runs one hot-path statement (see `Prepared`) and returns its rows: prepared once `migrate()`
    /// has succeeded, sent as text with the same parameters before.
    func rows<Statement: StorePreparedStatement>(_ statement: Statement, duplicate: String? = nil) async throws -> [PostgresRow] {
        let prepare = schemaReady.isSet
        return try await perform(duplicate: duplicate) { client in
            guard prepare else {
                return try await client.query(PostgresQuery(unsafeSQL: Statement.sql, binds: statement.bindings)).collect()
            }
            var rows: [PostgresRow] = []
            for try await row in try await client.execute(statement) { rows.append(row) }
            return rows
        }
    }

    /// Runs `body` in one transaction (BEGIN ... COMMIT, ROLLBACK on error).
    func transaction<T: Sendable>(duplicate: String? = nil,
                                  _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await perform(duplicate: duplicate) { client in
            do {
                return try await client.withTransaction(logger: Self.quietLogger) { connection in
                    try await body(connection)
                }
            } catch let error as PostgresTransactionError {
                if let inner = error.closureError ?? error.commitError ?? error.beginError {
                    if error.rollbackError != nil { logger.warning("postgres rollback failed after an error") }
                    throw inner
                }
                throw error
            }
        }
    }

    /// Like `transaction`, but in the calling task (so `body` need not escape) and without `operationTimeout`.
    func transactionInPlace<T: Sendable>(duplicate: String? = nil,
                                         _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: Self.quietLogger) { connection in
                try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            let inner = error.closureError ?? error.commitError ?? error.beginError ?? error
            if let duplicate, Self.isUniqueViolation(inner) { throw StoreError.duplicate(duplicate) }
            throw inner
        } catch {
            if let duplicate, Self.isUniqueViolation(error) { throw StoreError.duplicate(duplicate) }
            throw error
        }
    }

    /// An error the server reported (it answered), as opposed to a connection or pool failure.
    static func isServerError(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.code == .server }
        if let error = error as? PostgresTransactionError {
            return [error.closureError, error.commitError, error.beginError].contains { $0.map(isServerError) ?? false }
        }
        return false
    }

    /// SQLSTATE 23505, also when wrapped by a transaction.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] == "23505" }
        if let error = error as? PostgresTransactionError {
            return [error.closureError, error.commitError].contains { $0.map(isUniqueViolation) ?? false }
        }
        return false
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Queries are not logged (their values include hashes and sealed payloads).
    static let quietLogger = Logger(label: "mfa.postgres.quiet", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// Whether the database answered recently with no connection failure since (see `perform`).
private final class Health: @unchecked Sendable {
    private let lock = NSLock()
    private var lastAnswer: ContinuousClock.Instant?

    func answeredRecently(at now: ContinuousClock.Instant) -> Bool {
        lock.withLock { lastAnswer.map { now - $0 < .seconds(1) } ?? false }
    }

    func answered(at now: ContinuousClock.Instant) { lock.withLock { lastAnswer = now } }

    func failed() { lock.withLock { lastAnswer = nil } }
}

/// A thread-safe flag that is set once.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    /// Sets the flag; false if it was set already.
    func set() -> Bool {
        lock.withLock {
            if value { return false }
            value = true
            return true
        }
    }
}
