import Foundation
import GRDB
import Testing
import MFACore
import MFACrypto
import MFAMethods
import MFAOTP
import MFAStoreSQLite
import MFATesting

/// The engine on the embedded default store: secrets at rest, audit tampering, key rotation and
/// races between two pools on one file.
@Suite struct EngineOnSQLiteTests {
    let directory: URL
    var path: String { directory.appendingPathComponent("mfa.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mfa-engine-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func bytesOnDisk() throws -> [UInt8] {
        var all: [UInt8] = []
        for suffix in ["", "-wal", "-shm", "-journal"] {
            if let data = FileManager.default.contents(atPath: path + suffix) { all += Array(data) }
        }
        return all
    }

    func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first, Array(haystack[i..<(i + needle.count)]) == needle { return true }
            i += 1
        }
        return false
    }

    // ST-01, ST-04, item 6 of the issue: a dump of the database holds no secret, no recovery code,
    // no otpauth URI.
    @Test func theDatabaseFileHoldsNoSecrets() async throws {
        let store = try SQLiteStore(path: path)
        let h = try await EngineHarness.make(store: store)
        let enrollment = try await h.engine.beginTOTPEnrollment(tenant: h.tenant, user: "alice@example.com")
        _ = try await h.engine.confirmEnrollment(tenant: h.tenant, enrollment: enrollment.enrollmentID,
                                                 code: try h.code(try enrollment.uri.totp()))
        let pending = try await h.engine.beginTOTPEnrollment(tenant: h.tenant, user: "alice@example.com")
        let hotpSecret = try OTPSecret.generate(for: .sha1)
        _ = try await h.engine.importHOTPToken(tenant: h.tenant, user: "alice@example.com", secret: hotpSecret)
        let codes = try await h.engine.generateRecoveryCodes(tenant: h.tenant, user: "alice@example.com")
        let disk = try bytesOnDisk()
        #expect(disk.count > 10_000)
        #expect(contains(disk, Array("alice@example.com".utf8)))  // the scan itself works
        for secret in [enrollment.secret, pending.secret, hotpSecret] {
            #expect(!contains(disk, Array(secret.base32.utf8)))
            #expect(!contains(disk, secret.bytes.bytes))
            #expect(!contains(disk, Array(Base64.encode(secret.bytes.bytes).utf8)))
        }
        #expect(!contains(disk, Array("otpauth".utf8)))
        for code in codes.codes {
            #expect(!contains(disk, Array(code.utf8)))
            #expect(!contains(disk, Array(code.replacingOccurrences(of: "-", with: "").utf8)))
        }
        // ST-11: the database and its WAL are private to the owner.
        for suffix in ["", "-wal"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path + suffix)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(suffix)")
        }
    }

    // ST-01: swapping two rows' sealed secrets makes both fail (the record id is associated data).
    @Test func swappedCiphertextsFailClosed() async throws {
        let store = try SQLiteStore(path: path)
        let h = try await EngineHarness.make(store: store)
        let (a, totpA) = try await h.enrollTOTP(user: "alice")
        let (b, _) = try await h.enrollTOTP(user: "bob")
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, sealed_payload FROM methods ORDER BY id")
            let first: Data = rows[0]["sealed_payload"], second: Data = rows[1]["sealed_payload"]
            try db.execute(sql: "UPDATE methods SET sealed_payload = ? WHERE id = ?", arguments: [second, rows[0]["id"] as String])
            try db.execute(sql: "UPDATE methods SET sealed_payload = ? WHERE id = ?", arguments: [first, rows[1]["id"] as String])
        }
        try queue.close()
        h.clock.advance(by: 30)
        for (method, user) in [(a, UserID("alice")), (b, UserID("bob"))] {
            do {
                let result = try await h.engine.verify(tenant: h.tenant, user: user, code: try h.code(totpA), methodID: method)
                Issue.record("verified with a swapped secret: \(result)")
            } catch let error as MFAError {
                #expect(error.code == .integrity)
            }
        }
    }

    // Item 7: editing or deleting an event, or a checkpoint, is detected and the first broken link named.
    @Test(arguments: ["edit-details", "edit-user", "delete-event", "delete-checkpoint", "edit-unsealed"])
    func auditTamperingIsDetected(_ tampering: String) async throws {
        let store = try SQLiteStore(path: path)
        let h = try await EngineHarness.make(store: store)
        _ = try await h.enrollTOTP(user: "alice")
        _ = try await h.enrollTOTP(user: "bob")
        h.clock.advance(by: 10)
        #expect(try await h.engine.sealAuditLog(maximumEvents: 3) == 3)
        #expect(try await h.engine.sealAuditLog() == 3)
        _ = try await h.enrollTOTP(user: "carol")
        #expect(try await h.engine.verifyAuditLog().isIntact)

        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            switch tampering {
            case "edit-details": try db.execute(sql: "UPDATE audit_events SET details_json = '{\"name\":\"evil\"}' WHERE id = 5")
            case "edit-user": try db.execute(sql: "UPDATE audit_events SET user_id = 'mallory' WHERE id = 2")
            case "delete-event": try db.execute(sql: "DELETE FROM audit_events WHERE id = 4")
            case "delete-checkpoint": try db.execute(sql: "DELETE FROM audit_checkpoints WHERE sequence = 1")
            default: try db.execute(sql: "UPDATE audit_events SET kind = 'verification_ok' WHERE id = 8")
            }
        }
        try queue.close()
        let report = try await h.engine.verifyAuditLog()
        let broken = try #require(report.firstBroken)
        switch tampering {
        case "edit-details": #expect(broken.eventID == 5 && broken.checkpoint == 2)
        case "edit-user": #expect(broken.eventID == 2 && broken.checkpoint == 1)
        case "delete-event": #expect(broken.checkpoint == 2)
        case "delete-checkpoint": #expect(broken.checkpoint == 1)
        default: #expect(broken.eventID == 8 && broken.checkpoint == nil)
        }
    }

    // Item 6: rotation re-encrypts every secret under the new key; codes keep working; a ring
    // without the old key can then serve everything.
    @Test func keyRotationReencryptsEverything() async throws {
        let store = try SQLiteStore(path: path)
        let h = try await EngineHarness.make(store: store)
        var credentials: [(UserID, MethodID, TOTP)] = []
        for i in 0..<7 {
            let user = try UserID("user-\(i)")
            let (method, totp) = try await h.enrollTOTP(user: user)
            credentials.append((user, method, totp))
        }
        _ = try await h.engine.generateRecoveryCodes(tenant: h.tenant, user: "user-0")
        let newKey = try SealingKey.generate(id: "test-2")
        let rotated = try h.keyRing.adding(newKey)
        let engine2 = try await Engine(store: store, keyRing: rotated, methods: BuiltInMethods.all, time: h.clock, tenantCacheSeconds: 0)
        let progress = ProgressLog()
        let report = try await engine2.rotateKeys(batchSize: 3) { done, total in progress.add(done, total) }
        #expect(report.resealedMethods == 8 && report.resealedEngineKeys == 2)
        #expect(progress.values.last?.0 == 8 && progress.values.allSatisfy { $0.1 == 8 })
        #expect(try await store.countMethodsSealed(notWith: "test-2") == 0)
        // Only the new key is needed now.
        let onlyNew = try await Engine(store: store, keyRing: KeyRing(keys: [newKey]), methods: BuiltInMethods.all,
                                       time: h.clock, tenantCacheSeconds: 0)
        h.clock.advance(by: 30)
        for (user, method, totp) in credentials {
            #expect(try await onlyNew.verify(tenant: h.tenant, user: user, code: try h.code(totp), methodID: method).verified)
        }
        // Running it again finds nothing left to do (resumable).
        #expect(try await engine2.rotateKeys().resealedMethods == 0)
    }

    // The concurrency checks of the issue, on two pools (two connections) to one SQLite file.
    @Test(arguments: EngineRaceChecks.checks)
    func engineRaces(_ check: EngineRaceChecks.Check) async throws {
        let one = try SQLiteStore(path: path), two = try SQLiteStore(path: path)
        try await one.migrate()
        try await two.migrate()
        try await check.run(one, two)
    }
}

final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(Int, Int)] = []
    func add(_ done: Int, _ total: Int) { lock.withLock { entries.append((done, total)) } }
    var values: [(Int, Int)] { lock.withLock { entries } }
}
