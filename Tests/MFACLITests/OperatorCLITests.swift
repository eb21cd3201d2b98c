import Foundation
import Testing
import MFACore
import MFACrypto
import MFAMethods
import MFAOTP
import MFAStoreSQLite
import MFATesting

/// `mfa migrate`, `tenant`, `keys rotate`, `audit verify|seal`, `user show|export|erase` against a
/// real data directory, with data made through the library on the same SQLite file.
@Suite struct OperatorCLITests {
    let dir: URL
    var dataDir: String { dir.path }
    var common: [String] { ["--data-dir", dataDir] }

    init() throws { dir = try CLI.temporaryDirectory() }

    /// An engine on the data directory's database and key file.
    func engine(clock: ManualTimeSource = ManualTimeSource(Date())) async throws -> Engine {
        let ringText = try String(contentsOfFile: dir.appendingPathComponent("master.key").path, encoding: .utf8)
        let store = try SQLiteStore(path: dir.appendingPathComponent("mfa.sqlite").path)
        try await store.migrate()
        return try await Engine(store: store, keyRing: KeyRing.parse(ringText), methods: BuiltInMethods.all, time: clock,
                                tenantCacheSeconds: 0)
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func migrateTenantAndUserLifecycle() async throws {
        let migrate = try CLI.run(["migrate"] + common)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(try mode(dir.appendingPathComponent("mfa.sqlite").path) == 0o600)
        #expect(try CLI.run(["migrate"] + common).status == 0)  // idempotent

        let create = try CLI.run(["tenant", "create", "acme", "--issuer", "ACME Co"] + common)
        #expect(create.status == 0, "\(create.stderr)")
        #expect(create.stderr.contains("warning: created a new master key"))
        #expect(try mode(dir.appendingPathComponent("master.key").path) == 0o600)
        #expect(try CLI.run(["tenant", "create", "acme"] + common).status == 4)  // conflict
        #expect(try CLI.run(["tenant", "list"] + common).stdout == "acme\tACME Co\n")

        let clock = ManualTimeSource(Date())
        let engine = try await engine(clock: clock)
        let enrollment = try await engine.beginTOTPEnrollment(tenant: "acme", user: "alice@example.com", name: "Pixel 8")
        _ = try await engine.confirmEnrollment(tenant: "acme", enrollment: enrollment.enrollmentID,
                                               code: try enrollment.uri.totp().code(at: clock.now().unixSeconds))
        let codes = try await engine.generateRecoveryCodes(tenant: "acme", user: "alice@example.com")

        let show = try CLI.run(["user", "show", "--tenant", "acme", "alice@example.com"] + common)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("\"Pixel 8\"") && show.stdout.contains("default"))
        #expect(show.stdout.contains("10 codes left"))

        let export = try CLI.run(["user", "export", "--tenant", "acme", "alice@example.com"] + common)
        #expect(export.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
        #expect(json["user_id"] as? String == "alice@example.com")
        #expect((json["methods"] as? [Any])?.count == 2)
        #expect(!export.stdout.contains(enrollment.secret.base32))
        for code in codes.codes { #expect(!export.stdout.contains(code)) }

        #expect(try CLI.run(["user", "erase", "--tenant", "acme", "alice@example.com"] + common).status == 2)  // no --yes
        let erase = try CLI.run(["user", "erase", "--tenant", "acme", "alice@example.com", "--yes"] + common)
        #expect(erase.status == 0, "\(erase.stderr)")
        #expect(try CLI.run(["user", "show", "--tenant", "acme", "alice@example.com"] + common).stdout == "no methods\n")
        let unknownTenant = try CLI.run(["user", "show", "--tenant", "nope", "alice"] + common)
        #expect(unknownTenant.status == 4 && unknownTenant.stderr.hasPrefix("error: not_found: "))

        let seal = try CLI.run(["audit", "seal", "--settle", "0"] + common)
        #expect(seal.status == 0 && seal.stdout.hasPrefix("sealed "), "\(seal.stderr)")
        let verify = try CLI.run(["audit", "verify"] + common)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("audit log intact"))
    }

    @Test func keysRotateReencryptsAndKeepsCodesWorking() async throws {
        #expect(try CLI.run(["tenant", "create", "acme"] + common).status == 0)
        let clock = ManualTimeSource(Date())
        var credentials: [(MethodID, TOTP)] = []
        do {
            let engine = try await engine(clock: clock)
            for i in 0..<5 {
                let e = try await engine.beginTOTPEnrollment(tenant: "acme", user: try UserID("u\(i)"))
                let totp = try e.uri.totp()
                _ = try await engine.confirmEnrollment(tenant: "acme", enrollment: e.enrollmentID,
                                                       code: try totp.code(at: clock.now().unixSeconds))
                credentials.append((e.enrollmentID, totp))
            }
        }
        let rotate = try CLI.run(["keys", "rotate"] + common)
        #expect(rotate.status == 0, "\(rotate.stderr)")
        #expect(rotate.stdout.contains("5 method secrets and 2 engine keys re-encrypted"))
        #expect(rotate.stderr.contains("re-encrypting [") && rotate.stderr.contains("5/5"))
        let ring = try KeyRing.parse(try String(contentsOfFile: dir.appendingPathComponent("master.key").path, encoding: .utf8))
        #expect(ring.keyIDs.count == 2)
        #expect(try mode(dir.appendingPathComponent("master.key").path) == 0o600)
        let engine = try await engine(clock: clock)
        clock.advance(by: 30)
        for (i, (method, totp)) in credentials.enumerated() {
            let result = try await engine.verify(tenant: "acme", user: try UserID("u\(i)"),
                                                 code: try totp.code(at: clock.now().unixSeconds), methodID: method)
            #expect(result.verified)
        }
        let resume = try CLI.run(["keys", "rotate", "--resume"] + common)
        #expect(resume.stdout.contains("0 method secrets"))
    }

    @Test func operatorErrorsAreOneLine() throws {
        let noKey = try CLI.run(["audit", "verify"] + common)
        #expect(noKey.status == 5)
        #expect(noKey.stderr.hasPrefix("error: configuration: no key file"))
        let badTenant = try CLI.run(["tenant", "create", "bad tenant!"] + common)
        #expect(badTenant.status == 2 && badTenant.stderr.hasPrefix("error: invalid_input: "))
        let badURL = try CLI.run(["migrate", "--database-url", "mysql://x"] + common)
        #expect(badURL.status == 5 && badURL.stderr.split(separator: "\n").count == 1)
    }
}
