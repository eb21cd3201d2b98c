import Foundation
import Testing
import MFACore
import MFACrypto
import MFAMethods
import MFAOTP
import MFATesting

@Suite struct EngineTOTPTests {
    func harness(policy: TenantPolicy = .default) async throws -> EngineHarness {
        try await EngineHarness.make(store: InMemoryStore(), policy: policy)
    }

    @Test func enrollmentBeginsPendingWithAFreshSecretAndTheTenantIssuer() async throws {
        let h = try await harness()
        let a = try await h.engine.beginTOTPEnrollment(tenant: h.tenant, user: "alice", account: "alice@example.com")
        let b = try await h.engine.beginTOTPEnrollment(tenant: h.tenant, user: "alice")
        #expect(a.secret.bytes.count == 20)  // TH-07
        #expect(a.secret != b.secret)       // TH-08: re-enrollment makes a new secret
        #expect(a.uri.issuer == "ACME Co" && a.uri.account == "alice@example.com")
        #expect(a.expiresAt == h.clock.now().addingTimeInterval(600))
        let listed = try await h.engine.methods(tenant: h.tenant, user: "alice")
        #expect(listed.map(\.status) == [.pending, .pending])
        // TH-15: a pending secret cannot sign in.
        let code = try a.uri.totp().code(at: h.clock.now().unixSeconds)
        await #expect(throws: MFAError.self) { try await h.engine.verify(tenant: h.tenant, user: "alice", code: code) }
    }

    // TH-14: the confirming code cannot sign in afterwards; the next step's code can.
    @Test func confirmingCodeIsConsumed() async throws {
        let h = try await harness()
        let enrollment = try await h.engine.beginTOTPEnrollment(tenant: h.tenant, user: "alice")
        let totp = try enrollment.uri.totp()
        let code = try h.code(totp)
        let confirmation = try await h.engine.confirmEnrollment(tenant: h.tenant, enrollment: enrollment.enrollmentID, code: code)
        #expect(confirmation.confirmed)
        #expect(confirmation.method?.status == .active)
        #expect(confirmation.method?.isDefault == true)
        let replay = try await h.engine.verify(tenant: h.tenant, user: "alice", code: code)
        #expect(replay.outcome == .replayed)
        h.clock.advance(by: 30)
        let next = try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp))
        #expect(next.verified && next.methodID == enrollment.enrollmentID)
    }

    @Test func wrongConfirmationCodesEndTheEnrollmentAfterFive() async throws {
        let h = try await harness()
        let enrollment = try await h.engine.beginTOTPEnrollment(tenant: h.tenant, user: "alice")
        let wrong = try EngineRaceChecks.wrongCode(try enrollment.uri.totp(), clock: h.clock)
        for _ in 0..<4 {
            let result = try await h.engine.confirmEnrollment(tenant: h.tenant, enrollment: enrollment.enrollmentID, code: wrong)
            #expect(!result.confirmed)
            h.clock.advance(by: 60)
        }
        await #expect(throws: MFAError.self) {
            try await h.engine.confirmEnrollment(tenant: h.tenant, enrollment: enrollment.enrollmentID, code: wrong)
        }
        let right = try h.code(try enrollment.uri.totp())
        await #expect(throws: MFAError.self) {
            try await h.engine.confirmEnrollment(tenant: h.tenant, enrollment: enrollment.enrollmentID, code: right)
        }
    }

    @Test func enrollmentExpiresAfterTheTimeout() async throws {
        let h = try await harness()
        let enrollment = try await h.engine.beginTOTPEnrollment(tenant: h.tenant, user: "alice")
        h.clock.advance(by: 601)
        let code = try h.code(try enrollment.uri.totp())
        do {
            _ = try await h.engine.confirmEnrollment(tenant: h.tenant, enrollment: enrollment.enrollmentID, code: code)
            Issue.record("an expired enrollment confirmed")
        } catch let error as MFAError {
            #expect(error.code == .enrollmentExpired)
        }
        #expect(try await h.engine.expireEnrollments() == 1)
        #expect(try await h.engine.methods(tenant: h.tenant, user: "alice").isEmpty)
        let kinds = await (h.engine.store as! InMemoryStore).allAuditEvents().map(\.kind)
        #expect(kinds.contains(.enrollmentExpired))
    }

    // TH-11: a code is accepted once; a code for T after T+1 was accepted is rejected.
    @Test func replayAndForwardOnly() async throws {
        let h = try await harness()
        let (method, totp) = try await h.enrollTOTP(user: "alice")
        h.clock.advance(by: 60)
        let current = try h.code(totp), previous = try h.code(totp, steps: -1)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: current, methodID: method).verified)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: current, methodID: method).outcome == .replayed)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: previous, methodID: method).outcome == .replayed)
    }

    // TH-09: the default window accepts T-1 and T+1, not T-2.
    @Test func windowFollowsThePolicy() async throws {
        let h = try await harness()
        let (_, totp) = try await h.enrollTOTP(user: "alice")
        h.clock.advance(by: 300)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp, steps: -2)).outcome == .rejected)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp, steps: -1)).verified)
        h.clock.advance(by: 300)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp, steps: 1)).verified)
    }

    // TH-10: with drift learning a device 2 steps slow is accepted after it was seen 1 step slow;
    // 3 steps slow never is.
    @Test func boundedDriftLearning() async throws {
        var policy = TenantPolicy.default
        policy.totp.driftLearning = true
        let h = try await harness(policy: policy)
        let (method, totp) = try await h.enrollTOTP(user: "alice")
        h.clock.advance(by: 300)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp, steps: -2)).outcome == .rejected)
        h.clock.advance(by: 60)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp, steps: -1)).verified)
        h.clock.advance(by: 60)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp, steps: -2)).verified)
        #expect(try await h.engine.store.method(tenant: h.tenant, id: method)?.drift == -2)
        h.clock.advance(by: 60)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp, steps: -3)).outcome == .rejected)
    }

    @Test func severalAppsPerUserAndVerificationAgainstAll() async throws {
        let h = try await harness()
        let (first, totp1) = try await h.enrollTOTP(user: "alice", name: "Pixel 8")
        let (second, totp2) = try await h.enrollTOTP(user: "alice", name: "iPad")
        h.clock.advance(by: 30)
        let viaSecond = try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp2))
        #expect(viaSecond.verified && viaSecond.methodID == second)
        let viaFirst = try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp1))
        #expect(viaFirst.verified && viaFirst.methodID == first)
        // A code for one method does not verify against the other.
        h.clock.advance(by: 30)
        let wrongMethod = try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp1), methodID: second)
        #expect(wrongMethod.outcome == .rejected)
    }

    // TH-22: re-enrolling to replace a device invalidates the old secret once confirmed.
    @Test func replacingADeviceRemovesTheOldBinding() async throws {
        let h = try await harness()
        let (old, oldTOTP) = try await h.enrollTOTP(user: "alice")
        let enrollment = try await h.engine.beginTOTPEnrollment(tenant: h.tenant, user: "alice", replacing: old)
        h.clock.advance(by: 30)
        _ = try await h.engine.confirmEnrollment(tenant: h.tenant, enrollment: enrollment.enrollmentID,
                                                 code: try h.code(try enrollment.uri.totp()))
        h.clock.advance(by: 30)
        #expect(try await h.engine.methods(tenant: h.tenant, user: "alice").map(\.id) == [enrollment.enrollmentID])
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(oldTOTP)).outcome == .rejected)
    }

    // IV-07: malformed codes get a typed error before any crypto or counting.
    @Test func malformedCodesAreRefusedBeforeCounting() async throws {
        let h = try await harness()
        let (method, _) = try await h.enrollTOTP(user: "alice")
        for bad in ["١٢٣٤٥٦", "12345", "1234567", "abcdef", String(repeating: "1", count: 100)] {
            do {
                _ = try await h.engine.verify(tenant: h.tenant, user: "alice", code: bad, methodID: method)
                Issue.record("accepted \(bad)")
            } catch let error as MFAError {
                #expect(error.code == .invalidCode, "\(bad)")
            }
        }
        #expect(try await h.engine.store.method(tenant: h.tenant, id: method)?.failures == 0)
    }

    @Test func policyControlsParametersAndAllowedMethods() async throws {
        var policy = TenantPolicy.default
        policy.totp.allowCustomParameters = false
        policy.allowedMethods = [.totp]
        let h = try await harness(policy: policy)
        await #expect(throws: MFAError.self) {
            try await h.engine.beginTOTPEnrollment(tenant: h.tenant, user: "alice", digits: 8)
        }
        await #expect(throws: MFAError.self) { try await h.engine.generateRecoveryCodes(tenant: h.tenant, user: "alice") }
        let open = try await EngineHarness.make(store: InMemoryStore())
        let eight = try await open.engine.beginTOTPEnrollment(tenant: open.tenant, user: "alice", algorithm: .sha256, digits: 8, period: 60)
        #expect(eight.secret.bytes.count == 32)
        #expect(eight.uri.digits == 8 && eight.uri.period == 60)
        // Bad parameters are input errors.
        await #expect(throws: MFAError.self) {
            try await open.engine.beginTOTPEnrollment(tenant: open.tenant, user: "alice", digits: 9)
        }
        await #expect(throws: MFAError.self) {
            try await open.engine.beginTOTPEnrollment(tenant: open.tenant, user: "alice", account: "a:b")
        }
    }
}
