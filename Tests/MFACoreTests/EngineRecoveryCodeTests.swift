import Foundation
import Testing
import MFACore
import MFAMethods
import MFATesting

@Suite struct EngineRecoveryCodeTests {
    @Test func tenSingleUseCodesOfEightyBits() async throws {
        let h = try await EngineHarness.make(store: InMemoryStore())
        let set = try await h.engine.generateRecoveryCodes(tenant: h.tenant, user: "alice")
        #expect(set.codes.count == 10 && Set(set.codes).count == 10)
        for code in set.codes {
            #expect(code.wholeMatch(of: /[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}/) != nil)
        }
        // Input is normalised: case, spaces, dashes.
        let typed = set.codes[0].lowercased().replacingOccurrences(of: "-", with: " ")
        let first = try await h.engine.verify(tenant: h.tenant, user: "alice", code: typed)
        #expect(first.verified && first.methodType == .recoveryCodes && first.remainingRecoveryCodes == 9)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: set.codes[0]).outcome == .rejected)
        let summary = try await h.engine.methods(tenant: h.tenant, user: "alice").first
        #expect(summary?.remainingCodes == 9)
        let kinds = await (h.engine.store as! InMemoryStore).allAuditEvents().map(\.kind)
        #expect(kinds.contains(.recoveryCodeUsed))
    }

    @Test func aNewSetVoidsTheOld() async throws {
        let h = try await EngineHarness.make(store: InMemoryStore())
        let old = try await h.engine.generateRecoveryCodes(tenant: h.tenant, user: "alice")
        let new = try await h.engine.generateRecoveryCodes(tenant: h.tenant, user: "alice")
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: old.codes[1]).outcome == .rejected)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: new.codes[1]).verified)
        #expect(try await h.engine.methods(tenant: h.tenant, user: "alice").count == 1)
    }

    @Test func malformedRecoveryCodesAreInputErrors() async throws {
        let h = try await EngineHarness.make(store: InMemoryStore())
        let set = try await h.engine.generateRecoveryCodes(tenant: h.tenant, user: "alice")
        for bad in ["ABCD-EFGH-IJKL", "ABCD-EFGH-IJKL-MNO1", "ÄBCD-EFGH-IJKL-MNOP"] {
            await #expect(throws: MFAError.self) {
                try await h.engine.verify(tenant: h.tenant, user: "alice", code: bad, methodID: set.methodID)
            }
        }
        #expect(RecoveryCodesMethod.normalize(" abcd efgh-ijkl-mnop ") == "ABCDEFGHIJKLMNOP")
    }
}
