import Foundation
import Testing
import MFACore
import MFAOTP
import MFATesting

@Suite struct EngineHOTPTests {
    let secret: OTPSecret
    let hotp: HOTP

    init() throws {
        secret = try OTPSecret(bytes: Array("12345678901234567890".utf8))
        hotp = try HOTP(secret: secret)
    }

    // TH-18: look-ahead 10; the counter moves forward only, to matched + 1.
    @Test func lookAheadAndForwardOnly() async throws {
        let h = try await EngineHarness.make(store: InMemoryStore())
        let token = try await h.engine.importHOTPToken(tenant: h.tenant, user: "alice", secret: secret, counter: 0)
        #expect(token.status == .active)
        let c3 = try hotp.code(counter: 3)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: c3).verified)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try hotp.code(counter: 4 + 11)).outcome == .rejected)
        for old in 1...3 {
            #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try hotp.code(counter: UInt64(old))).outcome != .verified)
        }
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try hotp.code(counter: 4 + 10)).verified)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: c3).outcome != .verified)
        #expect(try await h.engine.store.method(tenant: h.tenant, id: token.id)?.lastCounter == 14)
    }

    @Test func importWithAStartingCounter() async throws {
        let h = try await EngineHarness.make(store: InMemoryStore())
        _ = try await h.engine.importHOTPToken(tenant: h.tenant, user: "alice", secret: secret, counter: 100)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try hotp.code(counter: 99)).outcome == .rejected)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try hotp.code(counter: 100)).verified)
    }

    @Test func resynchronisationWithTwoConsecutiveCodes() async throws {
        let h = try await EngineHarness.make(store: InMemoryStore())
        let token = try await h.engine.importHOTPToken(tenant: h.tenant, user: "alice", secret: secret)
        let far1 = try hotp.code(counter: 50), far2 = try hotp.code(counter: 51)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: far1).outcome == .rejected)
        #expect(try await !h.engine.resynchronizeHOTP(tenant: h.tenant, user: "alice", method: token.id, firstCode: far1,
                                                       secondCode: try hotp.code(counter: 53)))
        #expect(try await h.engine.resynchronizeHOTP(tenant: h.tenant, user: "alice", method: token.id, firstCode: far1,
                                                      secondCode: far2))
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try hotp.code(counter: 52)).verified)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: far2).outcome != .verified)
    }
}
