import Foundation
import Testing
import MFACore
import MFAOTP
import MFATesting

@Suite struct EngineLockoutTests {
    // RL-01: after 5 failures, delays of 1 s doubling; a locked method says how long to wait;
    // a success clears the count.
    @Test func growingDelaysAndSuccessClears() async throws {
        let h = try await EngineHarness.make(store: InMemoryStore())
        let (method, totp) = try await h.enrollTOTP(user: "alice")
        let wrong = try EngineRaceChecks.wrongCode(totp, clock: h.clock)
        for _ in 0..<5 {
            #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: wrong).outcome == .rejected)
        }
        do {
            _ = try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp, steps: 1))
            Issue.record("not locked")
        } catch let error as MFAError {
            #expect(error.code == .locked && error.retryAfter == 1)
        }
        h.clock.advance(by: 1)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: wrong).outcome == .rejected)  // 6th: 2 s
        do {
            _ = try await h.engine.verify(tenant: h.tenant, user: "alice", code: wrong)
            Issue.record("not locked")
        } catch let error as MFAError {
            #expect(error.retryAfter == 2)
        }
        h.clock.advance(by: 2)
        h.clock.advance(by: 30)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp)).verified)
        let row = try await h.engine.store.method(tenant: h.tenant, id: method)
        #expect(row?.failures == 0 && row?.lockedUntil == nil)
    }

    // RL-02: 100 consecutive failures disable the method.
    @Test func hardLimitDisablesTheMethod() async throws {
        var policy = TenantPolicy.default
        policy.lockout = LockoutPolicy(threshold: 5, baseDelay: 1, maximumDelay: 1, disableAfter: 100)
        let h = try await EngineHarness.make(store: InMemoryStore(), policy: policy)
        let (method, totp) = try await h.enrollTOTP(user: "alice")
        let wrong = try EngineRaceChecks.wrongCode(totp, clock: h.clock)
        for _ in 0..<100 {
            _ = try await h.engine.verify(tenant: h.tenant, user: "alice", code: wrong, methodID: method)
            h.clock.advance(by: 1)
        }
        let row = try await h.engine.store.method(tenant: h.tenant, id: method)
        #expect(row?.status == .disabled && row?.failures == 100)
        await #expect(throws: MFAError.self) {
            try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp), methodID: method)
        }
        let kinds = await (h.engine.store as! InMemoryStore).allAuditEvents().map(\.kind)
        #expect(kinds.contains(.methodDisabled) && kinds.contains(.lockout))
    }

    @Test func delaysAreCappedByThePolicy() {
        let policy = LockoutPolicy()
        #expect(policy.delay(afterFailures: 4) == 0)
        #expect(policy.delay(afterFailures: 5) == 1)
        #expect(policy.delay(afterFailures: 6) == 2)
        #expect(policy.delay(afterFailures: 10) == 32)
        #expect(policy.delay(afterFailures: 99) == 3600)
    }
}
