import Foundation
import Logging
import MFACore
@testable import MFAStorePostgres

/// The PostgreSQL server the tests use: `MFA_TEST_POSTGRES_URL` (`make test` starts a throwaway cluster
/// with `scripts/pg-test.sh` and sets it). Without it the tests fail, so CI can never skip them by
/// accident; `MFA_SKIP_POSTGRES=1` skips them on purpose.
enum PostgresTestServer {
    static let environment = ProcessInfo.processInfo.environment
    static let skipped = environment["MFA_SKIP_POSTGRES"] == "1"

    static func adminURL() throws -> PostgresURL {
        guard let text = environment["MFA_TEST_POSTGRES_URL"], !text.isEmpty else {
            throw SetupError("""
                MFA_TEST_POSTGRES_URL is not set, so the PostgreSQL tests cannot run. Use `make test`, or \
                `scripts/pg-test.sh start && MFA_TEST_POSTGRES_URL=$(scripts/pg-test.sh url) swift test`; \
                set MFA_SKIP_POSTGRES=1 to skip them on purpose
                """)
        }
        return try PostgresURL(text)
    }

    static let logger = Logger(label: "mfa.tests.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Small pools: many tests run at once against one server.
    static let options = PostgresStore.Options(maximumConnections: 6, connectTimeout: .seconds(5), operationTimeout: .seconds(60))

    /// At most this many tests hold a scratch database at once (keeps connections under max_connections).
    static let gate = AsyncGate(permits: 4)

    struct SetupError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// Runs `body` with a fresh, empty database `mfa_t_<random>` on the test server (dropped afterwards,
/// best effort) and `count` independent, running stores on it (separate pools), migrated when `migrate`.
func withScratchStores<T: Sendable>(_ count: Int = 1, migrate: Bool = true,
                                    _ body: @Sendable ([PostgresStore]) async throws -> T) async throws -> T {
    let admin = try PostgresTestServer.adminURL()
    try await PostgresTestServer.gate.acquire()
    let result: Result<T, any Error>
    do {
        result = .success(try await withScratchDatabase(admin) { url in
            let stores = try (0..<count).map { _ in
                try PostgresStore(url: url, options: PostgresTestServer.options, logger: PostgresTestServer.logger)
            }
            return try await withRunning(stores) {
                if migrate { try await stores[0].migrate() }
                return try await body(stores)
            }
        })
    } catch {
        result = .failure(error)
    }
    await PostgresTestServer.gate.release()
    return try result.get()
}

/// Creates `mfa_t_<random>`, runs `body` with its URL, then drops it (best effort).
func withScratchDatabase<T: Sendable>(_ admin: PostgresURL, _ body: (PostgresURL) async throws -> T) async throws -> T {
    let name = "mfa_t_" + (0..<12).map { _ in String("0123456789abcdef".randomElement() ?? "0") }.joined()
    try await adminExecute(admin, "CREATE DATABASE \(name)")
    let result: Result<T, any Error>
    do {
        result = .success(try await body(admin.with(database: name)))
    } catch {
        result = .failure(error)
    }
    try? await adminExecute(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    return try result.get()
}

/// Runs the stores' pools around `body` and closes them afterwards.
func withRunning<T: Sendable>(_ stores: [PostgresStore], _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for store in stores { group.addTask { await store.run() } }
        defer { group.cancelAll() }
        return try await body()
    }
}

/// One statement on the server's admin database (CREATE/DROP DATABASE).
func adminExecute(_ admin: PostgresURL, _ sql: String) async throws {
    let store = try PostgresStore(url: admin, options: .init(maximumConnections: 1, operationTimeout: .seconds(30)),
                                  logger: PostgresTestServer.logger)
    try await withRunning([store]) { try await store.execute(unsafeSQL: sql) }
}

/// A counting semaphore for async code.
actor AsyncGate {
    private var permits: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) { self.permits = permits }

    func acquire() async throws {
        if permits > 0 {
            permits -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            permits += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
