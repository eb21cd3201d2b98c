import Foundation
import Testing
import MFACore
import MFACrypto
import MFAOTP
import MFATesting

@Suite struct EngineSecurityInfoTests {
    @Test func listRenameDefaultDisableDelete() async throws {
        let h = try await EngineHarness.make(store: InMemoryStore())
        let (first, totp1) = try await h.enrollTOTP(user: "alice", name: "Pixel 8")
        let (second, _) = try await h.enrollTOTP(user: "alice", name: "iPad")
        var listed = try await h.engine.methods(tenant: h.tenant, user: "alice")
        #expect(listed.map(\.name) == ["Pixel 8", "iPad"])
        #expect(listed.map(\.isDefault) == [true, false])
        #expect(listed[0].info["digits"] == "6")

        try await h.engine.renameMethod(tenant: h.tenant, user: "alice", method: second, to: "YubiKey")
        try await h.engine.setDefaultMethod(tenant: h.tenant, user: "alice", method: second)
        listed = try await h.engine.methods(tenant: h.tenant, user: "alice")
        #expect(listed.map(\.name) == ["Pixel 8", "YubiKey"])
        #expect(listed.map(\.isDefault) == [false, true])

        // A disabled method cannot sign in, at once (ST-08).
        try await h.engine.setMethodEnabled(tenant: h.tenant, user: "alice", method: first, enabled: false)
        h.clock.advance(by: 30)
        await #expect(throws: MFAError.self) {
            try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp1), methodID: first)
        }
        try await h.engine.setMethodEnabled(tenant: h.tenant, user: "alice", method: first, enabled: true)
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: try h.code(totp1), methodID: first).verified)

        try await h.engine.deleteMethod(tenant: h.tenant, user: "alice", method: second)
        listed = try await h.engine.methods(tenant: h.tenant, user: "alice")
        #expect(listed.map(\.id) == [first])
        #expect(listed[0].isDefault)  // the remaining method becomes the default
        await #expect(throws: MFAError.self) {
            try await h.engine.renameMethod(tenant: h.tenant, user: "alice", method: first, to: "")
        }
    }

    // One tenant can never see or touch another tenant's users or methods.
    @Test func tenantsAreIsolated() async throws {
        let store = InMemoryStore()
        let h = try await EngineHarness.make(store: store)
        try await h.engine.createTenant("globex", issuer: "Globex")
        let (method, totp) = try await h.enrollTOTP(user: "alice")
        h.clock.advance(by: 30)
        let code = try h.code(totp)
        for attempt in [
            { try await h.engine.verify(tenant: "globex", user: "alice", code: code, methodID: method) } as @Sendable () async throws -> VerificationResult,
            { try await h.engine.verify(tenant: "globex", user: "alice", code: code) },
            { try await h.engine.verify(tenant: h.tenant, user: "mallory", code: code, methodID: method) },
        ] {
            do {
                _ = try await attempt()
                Issue.record("crossed a tenant or user boundary")
            } catch let error as MFAError {
                #expect(error.code == .notFound)
            }
        }
        #expect(try await h.engine.methods(tenant: "globex", user: "alice").isEmpty)
        await #expect(throws: MFAError.self) { try await h.engine.deleteMethod(tenant: "globex", user: "alice", method: method) }
        await #expect(throws: MFAError.self) { try await h.engine.renameMethod(tenant: h.tenant, user: "bob", method: method, to: "x") }
        await #expect(throws: MFAError.self) { try await h.engine.methods(tenant: "nope", user: "alice") }
        #expect(try await h.engine.verify(tenant: h.tenant, user: "alice", code: code, methodID: method).verified)
    }

    @Test func exportHoldsNoSecretsAndEraseKeepsPseudonymisedEvents() async throws {
        let store = InMemoryStore()
        let h = try await EngineHarness.make(store: store)
        let enrollment = try await h.engine.beginTOTPEnrollment(tenant: h.tenant, user: "alice@example.com")
        _ = try await h.engine.confirmEnrollment(tenant: h.tenant, enrollment: enrollment.enrollmentID,
                                                 code: try h.code(try enrollment.uri.totp()))
        let codes = try await h.engine.generateRecoveryCodes(tenant: h.tenant, user: "alice@example.com")
        let export = try await h.engine.exportUser(tenant: h.tenant, user: "alice@example.com")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(export), as: UTF8.self)
        #expect(json.contains("enrollment_confirmed") && json.contains("recovery_codes"))
        #expect(!json.contains(enrollment.secret.base32))
        #expect(!json.contains("otpauth"))
        for code in codes.codes { #expect(!json.contains(code) && !json.contains(code.replacingOccurrences(of: "-", with: ""))) }

        let ref = h.engine.userRef(tenant: h.tenant, user: "alice@example.com")
        try await h.engine.eraseUser(tenant: h.tenant, user: "alice@example.com")
        #expect(try await h.engine.methods(tenant: h.tenant, user: "alice@example.com").isEmpty)
        let events = await store.allAuditEvents().filter { $0.userRef == ref }
        #expect(events.count > 3)
        #expect(events.allSatisfy { $0.userID == nil })
        #expect(events.last?.kind == .userErased)
        #expect(try await h.engine.verifyAuditLog().isIntact)
    }

    @Test func activityIsNewestFirstAndScoped() async throws {
        let h = try await EngineHarness.make(store: InMemoryStore())
        _ = try await h.enrollTOTP(user: "alice")
        _ = try await h.enrollTOTP(user: "bob")
        let activity = try await h.engine.activity(tenant: h.tenant, user: "alice")
        #expect(activity.first?.kind == .defaultMethodChanged || activity.first?.kind == .enrollmentConfirmed)
        #expect(activity.last?.kind == .enrollmentBegun)
        #expect(activity.count == 3)
    }
}

@Suite struct EngineFaultTests {
    // API-08: a failing store is an error, never "verified", and leaves no half-written counter.
    @Test func storeFailureDuringVerificationFailsClosed() async throws {
        let store = InMemoryStore()
        let h = try await EngineHarness.make(store: store)
        let (method, totp) = try await h.enrollTOTP(user: "alice")
        h.clock.advance(by: 30)
        let code = try h.code(totp)
        for failAt in 1...3 {
            await store.failNextOperations(0)
            // Fail the n-th store operation of the verification (tenant is cached: 1 method, 2 reserve, 3 record).
            await store.failNextOperations(failAt)
            do {
                let result = try await h.engine.verify(tenant: h.tenant, user: "alice", code: code, methodID: method)
                Issue.record("verified (\(result)) while the store failed")
            } catch let error as MFAError {
                #expect(error.code == .unavailable || error.code == .notFound)
            }
        }
        await store.failNextOperations(0)
        let row = try #require(try await store.method(tenant: h.tenant, id: method))
        #expect(row.lastCounter != nil)
        // The code was never accepted, so it still works once the store is back.
        let result = try await h.engine.verify(tenant: h.tenant, user: "alice", code: code, methodID: method)
        #expect(result.verified)
    }

    @Test func failingStoreAtStartIsUnavailable() async throws {
        let store = InMemoryStore()
        await store.failNextOperations(1)
        do {
            _ = try await Engine(store: store, keyRing: KeyRing(keys: [SealingKey.generate(id: "k")]), methods: [])
            Issue.record("started on a failing store")
        } catch let error as MFAError {
            #expect(error.code == .unavailable)
        }
    }

    @Test func aDifferentKeyRingCannotStartOnTheSameData() async throws {
        let store = InMemoryStore()
        _ = try await EngineHarness.make(store: store)
        do {
            _ = try await Engine(store: store, keyRing: KeyRing(keys: [SealingKey.generate(id: "other")]), methods: [])
            Issue.record("started with the wrong keys")
        } catch let error as MFAError {
            #expect(error.code == .configuration)
        }
    }
}

@Suite struct EngineAuditTests {
    @Test func sealingAndVerifyingTheLog() async throws {
        let h = try await EngineHarness.make(store: InMemoryStore())
        _ = try await h.enrollTOTP(user: "alice")
        // Events younger than the settle time are not sealed yet.
        #expect(try await h.engine.sealAuditLog() == 0)
        h.clock.advance(by: 10)
        let sealed = try await h.engine.sealAuditLog()
        #expect(sealed == 3)
        _ = try await h.enrollTOTP(user: "bob")
        h.clock.advance(by: 10)
        #expect(try await h.engine.sealAuditLog(maximumEvents: 2) == 2)
        #expect(try await h.engine.sealAuditLog() == 1)
        let report = try await h.engine.verifyAuditLog()
        #expect(report.isIntact)
        #expect(report.checkpoints == 3 && report.sealedEvents == 6 && report.unsealedEvents == 0)
    }

    @Test func eventsNeverCarrySecretsOrCodes() async throws {
        let store = InMemoryStore()
        let h = try await EngineHarness.make(store: store)
        let enrollment = try await h.engine.beginTOTPEnrollment(tenant: h.tenant, user: "alice")
        let code = try h.code(try enrollment.uri.totp())
        _ = try await h.engine.confirmEnrollment(tenant: h.tenant, enrollment: enrollment.enrollmentID, code: code)
        _ = try await h.engine.verify(tenant: h.tenant, user: "alice", code: code)
        for event in await store.allAuditEvents() {
            let text = "\(event.details) \(event.source) \(event.kind)"
            #expect(!text.contains(code) && !text.contains(enrollment.secret.base32))
        }
    }
}
