import Foundation
import MFACore
import MFACrypto
import MFAMethods
import MFAOTP

/// Builds engines for tests: a manual clock, a fresh key ring, the built-in methods, a tenant.
public struct EngineHarness: Sendable {
    public let engine: Engine
    public let clock: ManualTimeSource
    public let keyRing: KeyRing
    public let tenant: TenantID

    /// An engine on `store` (migrated first) with tenant `tenant` created (unless it exists).
    public static func make(store: any MFAStore, keyRing: KeyRing? = nil, clock: ManualTimeSource = ManualTimeSource(),
                            tenant: TenantID = "acme", policy: TenantPolicy = .default,
                            createTenant: Bool = true) async throws -> EngineHarness {
        try await store.migrate()
        let ring = try keyRing ?? KeyRing(keys: [SealingKey.generate(id: "test-1")])
        let engine = try await Engine(store: store, keyRing: ring, methods: BuiltInMethods.all, time: clock,
                                      tenantCacheSeconds: 0)
        if createTenant { try await engine.createTenant(tenant, issuer: "ACME Co", policy: policy) }
        return EngineHarness(engine: engine, clock: clock, keyRing: ring, tenant: tenant)
    }

    /// Enrolls and confirms an authenticator app; returns the method id and its credential.
    public func enrollTOTP(user: UserID, name: String = "Pixel 8") async throws -> (MethodID, TOTP) {
        let enrollment = try await engine.beginTOTPEnrollment(tenant: tenant, user: user, name: name)
        let totp = try enrollment.uri.totp()
        let code = try totp.code(at: clock.now().unixSeconds)
        let confirmation = try await engine.confirmEnrollment(tenant: tenant, enrollment: enrollment.enrollmentID, code: code)
        guard confirmation.confirmed else { throw ConformanceFailure("enrollment did not confirm") }
        return (enrollment.enrollmentID, totp)
    }

    /// The TOTP code for the current time plus `steps` steps.
    public func code(_ totp: TOTP, steps: Int = 0) throws -> String {
        try totp.code(at: clock.now().unixSeconds + Int64(steps * totp.period))
    }
}

/// Concurrency checks at the engine level, for every store (two engines on one database).
public enum EngineRaceChecks {
    public struct Check: Sendable, CustomStringConvertible {
        public let name: String
        public let run: @Sendable (any MFAStore, any MFAStore) async throws -> Void
        public var description: String { name }
    }

    public static let checks: [Check] = [
        Check(name: "one valid TOTP code, 50 concurrent verifications on two engines: exactly one succeeds") { a, b in
            let ring = try KeyRing(keys: [SealingKey.generate(id: "race")])
            let clock = ManualTimeSource()
            let one = try await EngineHarness.make(store: a, keyRing: ring, clock: clock)
            let two = try await EngineHarness.make(store: b, keyRing: ring, clock: clock, createTenant: false)
            let (method, totp) = try await one.enrollTOTP(user: "alice")
            clock.advance(by: 30)
            let code = try one.code(totp)
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<50 {
                    let engine = i % 2 == 0 ? one.engine : two.engine
                    group.addTask {
                        do {
                            return try await engine.verify(tenant: "acme", user: "alice", code: code, methodID: method).verified
                        } catch let error as MFAError where error.code == .locked {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            try expect(results.filter { $0 }.count == 1, "expected exactly 1 success, got \(results.filter { $0 }.count)")
        },
        Check(name: "one recovery code, 50 concurrent verifications on two engines: exactly one succeeds") { a, b in
            let ring = try KeyRing(keys: [SealingKey.generate(id: "race")])
            let clock = ManualTimeSource()
            let one = try await EngineHarness.make(store: a, keyRing: ring, clock: clock)
            let two = try await EngineHarness.make(store: b, keyRing: ring, clock: clock, createTenant: false)
            let set = try await one.engine.generateRecoveryCodes(tenant: "acme", user: "bob")
            let code = set.codes[3]
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<50 {
                    let engine = i % 2 == 0 ? one.engine : two.engine
                    group.addTask {
                        do {
                            return try await engine.verify(tenant: "acme", user: "bob", code: code).verified
                        } catch let error as MFAError where error.code == .locked {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            try expect(results.filter { $0 }.count == 1, "expected exactly 1 success, got \(results.filter { $0 }.count)")
            let remaining = try await a.remainingRecoveryCodes(tenant: "acme", method: set.methodID)
            try expect(remaining == set.codes.count - 1, "expected \(set.codes.count - 1) codes left, got \(remaining)")
        },
        Check(name: "100 concurrent wrong codes on two engines count exactly 100 failures") { a, b in
            let ring = try KeyRing(keys: [SealingKey.generate(id: "race")])
            let clock = ManualTimeSource()
            var policy = TenantPolicy.default
            policy.lockout = LockoutPolicy(threshold: 1000, baseDelay: 1, maximumDelay: 3600, disableAfter: 100_000)
            let one = try await EngineHarness.make(store: a, keyRing: ring, clock: clock, policy: policy)
            let two = try await EngineHarness.make(store: b, keyRing: ring, clock: clock, createTenant: false)
            let (method, totp) = try await one.enrollTOTP(user: "carol")
            let wrong = try wrongCode(totp, clock: clock)
            let rejected = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<100 {
                    let engine = i % 2 == 0 ? one.engine : two.engine
                    group.addTask {
                        try await engine.verify(tenant: "acme", user: "carol", code: wrong, methodID: method).outcome == .rejected
                    }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            try expect(rejected == 100, "expected 100 rejections, got \(rejected)")
            let failures = try await a.method(tenant: "acme", id: method)?.failures
            try expect(failures == 100, "expected the failure count at exactly 100, got \(String(describing: failures))")
        },
        Check(name: "100 concurrent wrong codes with the default policy: the lock engages at exactly 5 failures") { a, b in
            let ring = try KeyRing(keys: [SealingKey.generate(id: "race")])
            let clock = ManualTimeSource()
            let one = try await EngineHarness.make(store: a, keyRing: ring, clock: clock)
            let two = try await EngineHarness.make(store: b, keyRing: ring, clock: clock, createTenant: false)
            let (method, totp) = try await one.enrollTOTP(user: "dave")
            let wrong = try wrongCode(totp, clock: clock)
            let locked = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<100 {
                    let engine = i % 2 == 0 ? one.engine : two.engine
                    group.addTask {
                        do {
                            _ = try await engine.verify(tenant: "acme", user: "dave", code: wrong, methodID: method)
                            return false
                        } catch let error as MFAError where error.code == .locked {
                            return true
                        }
                    }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            let failures = try await a.method(tenant: "acme", id: method)?.failures
            try expect(failures == 5, "expected 5 counted failures, got \(String(describing: failures))")
            try expect(locked == 95, "expected 95 locked answers, got \(locked)")
        },
    ]

    /// A code that matches none of the steps around now.
    public static func wrongCode(_ totp: TOTP, clock: ManualTimeSource) throws -> String {
        let now = clock.now().unixSeconds
        let near = try Set((-3...3).map { try totp.code(at: now + Int64($0 * totp.period)) })
        var candidate = 0
        while near.contains(String(format: "%06d", candidate)) { candidate += 1 }
        return String(format: "%06d", candidate)
    }

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ConformanceFailure(message()) }
    }
}
