import Foundation
import Logging
import MFACore
import MFACrypto
import MFAMethods
import MFAOTP
import MFAStorePostgres
import MFAStoreSQLite

/// Issue 3 figures: full engine verifications (reserve + HMAC + replay write + audit event).
enum EngineBench {
    /// Runs `tasks` concurrent loops for `seconds`, `rounds` times; prints and returns the median rate.
    static func measureConcurrent(_ name: String, tasks: Int, rounds: Int, seconds: Double,
                                  makeWorker: @escaping @Sendable (Int) async throws -> (@Sendable () async throws -> Void)) async throws -> Double {
        var workers: [@Sendable () async throws -> Void] = []
        for i in 0..<tasks { workers.append(try await makeWorker(i)) }
        // Warm up.
        for worker in workers { try await worker() }
        var rates: [Double] = []
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            let deadline = start + UInt64(seconds * 1e9)
            let count = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in workers {
                    group.addTask {
                        var n = 0
                        while DispatchTime.now().uptimeNanoseconds < deadline {
                            try await worker()
                            n += 1
                        }
                        return n
                    }
                }
                return try await group.reduce(0, +)
            }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            rates.append(Double(count) / elapsed)
        }
        rates.sort()
        let median = rates[rates.count / 2]
        let label = name.padding(toLength: 56, withPad: " ", startingAt: 0)
        let rate = Harness.format(median)
        print("  \(label)\(String(repeating: " ", count: max(0, 9 - rate.count)))\(rate) verify/s   (min \(Harness.format(rates.first ?? 0)), max \(Harness.format(rates.last ?? 0)))")
        return median
    }

    static let benchPolicy: TenantPolicy = {
        var policy = TenantPolicy.default
        // Wrong codes must stay full verifications for the whole run, not lock-outs.
        policy.lockout = LockoutPolicy(threshold: 100_000, baseDelay: 1, maximumDelay: 1, disableAfter: 100_000)
        return policy
    }()

    /// One store: valid and wrong codes with `taskCounts` concurrent tasks.
    static func run(storeName: String, makeStore: @escaping @Sendable () throws -> any MFAStore,
                    taskCounts: [Int], rounds: Int, seconds: Double) async throws -> [String: Double] {
        let store = try makeStore()
        try await store.migrate()
        let ring = try KeyRing(keys: [SealingKey.generate(id: "bench")])
        var quiet = Logger(label: "bench")
        quiet.logLevel = .critical
        let logger = quiet
        let setupClock = ManualTimeSource(Date())
        let admin = try await Engine(store: store, keyRing: ring, methods: BuiltInMethods.all, time: setupClock, logger: logger)
        let tenant = try TenantID("bench-\(UInt32.random(in: 0...UInt32.max))")
        try await admin.createTenant(tenant, issuer: "Bench", policy: benchPolicy)
        var results: [String: Double] = [:]

        for tasks in taskCounts {
            // Valid codes: each task has its own user, authenticator and clock, moved one step per
            // verification, so every code is fresh and the replay compare-and-set succeeds.
            let valid = try await measureConcurrent("\(storeName), valid code, \(tasks) task\(tasks == 1 ? "" : "s")",
                                                    tasks: tasks, rounds: rounds, seconds: seconds) { i in
                let clock = ManualTimeSource(Date())
                let engine = try await Engine(store: store, keyRing: ring, methods: BuiltInMethods.all, time: clock, logger: logger)
                let user = try UserID("valid-\(tasks)-\(i)")
                let enrollment = try await engine.beginTOTPEnrollment(tenant: tenant, user: user)
                let totp = try enrollment.uri.totp()
                _ = try await engine.confirmEnrollment(tenant: tenant, enrollment: enrollment.enrollmentID,
                                                       code: try totp.code(at: clock.now().unixSeconds))
                let method = enrollment.enrollmentID
                return {
                    clock.advance(by: 30)
                    let code = try totp.code(at: clock.now().unixSeconds)
                    let result = try await engine.verify(tenant: tenant, user: user, code: code, methodID: method)
                    guard result.verified else { throw BenchFailure("a valid code failed") }
                }
            }
            // Wrong codes: spread over 64 users per task, each a full verification (3 HMACs, a counted
            // failure and an audit event).
            let wrong = try await measureConcurrent("\(storeName), wrong code, \(tasks) task\(tasks == 1 ? "" : "s")",
                                                    tasks: tasks, rounds: rounds, seconds: seconds) { i in
                let clock = ManualTimeSource(Date())
                let engine = try await Engine(store: store, keyRing: ring, methods: BuiltInMethods.all, time: clock, logger: logger)
                var targets: [(UserID, MethodID, String)] = []
                for u in 0..<16 {
                    let user = try UserID("wrong-\(tasks)-\(i)-\(u)")
                    let enrollment = try await engine.beginTOTPEnrollment(tenant: tenant, user: user)
                    let totp = try enrollment.uri.totp()
                    _ = try await engine.confirmEnrollment(tenant: tenant, enrollment: enrollment.enrollmentID,
                                                           code: try totp.code(at: clock.now().unixSeconds))
                    let near = try Set((-2...2).map { try totp.code(at: clock.now().unixSeconds + Int64($0 * 30)) })
                    var candidate = 0
                    while near.contains(String(format: "%06d", candidate)) { candidate += 1 }
                    targets.append((user, enrollment.enrollmentID, String(format: "%06d", candidate)))
                }
                let box = Counter()
                let fixed = targets
                return {
                    let (user, method, code) = fixed[box.next() % fixed.count]
                    let result = try await engine.verify(tenant: tenant, user: user, code: code, methodID: method)
                    guard result.outcome == .rejected else { throw BenchFailure("a wrong code was not rejected") }
                }
            }
            results["\(tasks)-valid"] = valid
            results["\(tasks)-wrong"] = wrong
        }
        return results
    }

    static func main(rounds: Int) async throws {
        let seconds = 1.0
        print("\nEngine verifications (each: attempt count, HMACs, replay compare-and-set or failure, audit event)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mfa-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bench.sqlite").path
        let sqlite = try await run(storeName: "SQLite", makeStore: { try SQLiteStore(path: path) },
                                   taskCounts: [1, 8], rounds: rounds, seconds: seconds)
        print(String(format: "  SQLite, 8 tasks, valid: %@ /s   (goal >= 10.0 k)", Harness.format(sqlite["8-valid"] ?? 0) as NSString))

        guard let url = ProcessInfo.processInfo.environment["MFA_BENCH_POSTGRES_URL"] else {
            print("  PostgreSQL: skipped (set MFA_BENCH_POSTGRES_URL, or run scripts/bench-engine.sh, which starts a cluster)")
            return
        }
        var logger = Logger(label: "bench.postgres")
        logger.logLevel = .critical
        let postgres = try PostgresStore(url: url, options: .init(maximumConnections: 16), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            let results = try await run(storeName: "PostgreSQL", makeStore: { postgres }, taskCounts: [1, 16],
                                        rounds: rounds, seconds: seconds)
            print(String(format: "  PostgreSQL, 16 tasks, valid: %@ /s   (goal >= 3.0 k)", Harness.format(results["16-valid"] ?? 0) as NSString))
            group.cancelAll()
        }
    }
}

/// A per-worker counter (each worker runs on one task at a time).
final class Counter: @unchecked Sendable {
    private var value = 0
    func next() -> Int {
        value &+= 1
        return value
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
