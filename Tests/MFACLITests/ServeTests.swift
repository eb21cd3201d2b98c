import Foundation
import Testing
import MFAOTP

/// `mfa serve` as a real process over real TCP, `mfa apikey`, `--config` and the development mode.
@Suite struct ServeTests {
    let dir: URL
    var common: [String] { ["--data-dir", dir.path] }

    init() throws { dir = try CLI.temporaryDirectory() }

    /// Makes tenant `acme` and an API key through the CLI; returns the key.
    func tenantAndKey(_ store: [String]? = nil, scopes: String = "enroll,verify,manage",
                      environment: [String: String] = [:]) throws -> String {
        let store = store ?? common
        let tenant = try CLI.run(["tenant", "create", "acme", "--issuer", "ACME Co"] + store, environment: environment)
        #expect(tenant.status == 0, "\(tenant.stderr)")
        let create = try CLI.run(["apikey", "create", "--tenant", "acme", "--name", "login", "--scopes", scopes] + store,
                                 environment: environment)
        #expect(create.status == 0, "\(create.stderr)")
        return create.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func unixNow() -> Int64 { Int64(Date().timeIntervalSince1970) }

    // MARK: (a) the live server

    @Test func liveServerEnrollsConfirmsVerifiesRefusesReplayAndStopsCleanly() async throws {
        let key = try tenantAndKey()
        let server = try await ServerProcess.start(["serve", "--port", "0"] + common)
        try await server.waitUntilHealthy()

        let enroll = try await server.request("POST", "/v1/users/alice/methods/totp", key: key, json: ["name": "Pixel 8"])
        #expect(enroll.status == 201, "\(enroll.text)")
        #expect(enroll.header("Cache-Control") == "no-store")
        let enrollmentID = try #require(enroll.object["enrollment_id"] as? String)
        let totp = try TOTP(secret: OTPSecret(base32: try #require(enroll.object["secret"] as? String)))

        // Confirm with the current step and sign in with the next one: both are in the window
        // {T-1, T, T+1} even if the server's clock crosses a step boundary in between.
        let step = UInt64(Self.unixNow()) / 30
        let confirm = try await server.request("POST", "/v1/enrollments/\(enrollmentID)/confirm", key: key,
                                               json: ["code": try totp.code(step: step)])
        #expect(confirm.status == 200, "\(confirm.text)")
        let code = try totp.code(step: step + 1)
        let verify = try await server.request("POST", "/v1/users/alice/verify", key: key, json: ["code": code])
        #expect(verify.status == 200, "\(verify.text)")
        #expect(verify.object["verified"] as? Bool == true)
        let replay = try await server.request("POST", "/v1/users/alice/verify", key: key, json: ["code": code])
        #expect(replay.status == 200, "\(replay.text)")
        #expect(replay.object["verified"] as? Bool == false)
        #expect((try await server.request("POST", "/v1/users/alice/verify", json: ["code": code])).status == 401)

        let status = await server.stop(signal: SIGTERM)
        #expect(status == 0, "\(server.stderr)")
        #expect(server.stdout.hasPrefix("listening on http://127.0.0.1:"))
        #expect(server.stderr.contains("stopped"))
    }

    @Test func sigintStopsCleanlyToo() async throws {
        let server = try await ServerProcess.start(["serve", "--port", "0"] + common)
        try await server.waitUntilHealthy()
        #expect(await server.stop(signal: SIGINT) == 0, "\(server.stderr)")
    }

    @Test func serveMakesTheKeyFileAndDatabaseOnFirstStart() async throws {
        let server = try await ServerProcess.start(["serve", "--port", "0"] + common)
        #expect(server.stderr.contains("created a new master key"))
        #expect(await server.stop() == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("master.key").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("mfa.sqlite").path))
    }

    @Test func serveReportsABusyPortAsUnavailable() async throws {
        let first = try await ServerProcess.start(["serve", "--port", "0"] + common)
        let port = try #require(try first.url.port)
        let second = try CLI.run(["serve", "--port", "\(port)"] + common, environment: [:])
        #expect(second.status == 5, "\(second.stderr)")
        #expect(second.stderr.contains("error: unavailable: cannot serve on 127.0.0.1:\(port): "), "\(second.stderr)")
        #expect(await first.stop() == 0)
    }

    // MARK: (b) two processes on one PostgreSQL database

    @Test func twoServersOnOnePostgreSQLDatabaseAcceptEachCodeOnce() async throws {
        guard let database = try PostgresScratchDatabase.create() else { return }  // MFA_SKIP_POSTGRES=1
        defer { database.drop() }
        let store = ["--database-url", database.url] + common
        let environment = ["MFA_DATABASE_MAX_CONNECTIONS": "4"]
        let migrate = try CLI.run(["migrate"] + store, environment: environment)
        #expect(migrate.status == 0 && migrate.stdout.contains("PostgreSQL"), "\(migrate.stderr)")
        let key = try tenantAndKey(store, environment: environment)
        // Each race's losers count as failed attempts; raise the lockout so that rounds do not lock the method.
        let policy = try CLI.run(["tenant", "policy", "acme", "--lockout-threshold", "1000", "--lockout-disable-after", "1000"] + store,
                                 environment: environment)
        #expect(policy.status == 0, "\(policy.stderr)")

        let a = try await ServerProcess.start(["serve", "--port", "0"] + store, environment: environment)
        let b = try await ServerProcess.start(["serve", "--port", "0"] + store, environment: environment)
        try await a.waitUntilHealthy()
        try await b.waitUntilHealthy()
        #expect((try await a.request("GET", "/readyz")).status == 200)

        // TOTP: enrolled on A, confirmed on B, one code sent to both at once.
        let enroll = try await a.request("POST", "/v1/users/alice/methods/totp", key: key, json: [:])
        #expect(enroll.status == 201, "\(enroll.text)")
        let enrollmentID = try #require(enroll.object["enrollment_id"] as? String)
        let totp = try TOTP(secret: OTPSecret(base32: try #require(enroll.object["secret"] as? String)))
        let step = UInt64(Self.unixNow()) / 30
        let confirm = try await b.request("POST", "/v1/enrollments/\(enrollmentID)/confirm", key: key,
                                          json: ["code": try totp.code(step: step)])
        #expect(confirm.status == 200, "\(confirm.text)")
        let totpWinners = try await race(code: try totp.code(step: step + 1), user: "alice", key: key, servers: [a, b])
        #expect(totpWinners == 1)

        // HOTP: the same secret imported once, then each counter's code raced on both servers.
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        let hotp = try HOTP(secret: OTPSecret(base32: secret))
        let imported = try await b.request("POST", "/v1/users/bob/methods/hotp", key: key, json: ["secret": secret])
        #expect(imported.status == 201, "\(imported.text)")
        for counter in UInt64(0)..<8 {
            let winners = try await race(code: try hotp.code(counter: counter), user: "bob", key: key, servers: [a, b, a, b])
            #expect(winners == 1, "counter \(counter)")
        }

        #expect(await a.stop() == 0, "\(a.stderr)")
        #expect(await b.stop() == 0, "\(b.stderr)")
    }

    /// Sends one code to every server at once; returns how many answered 200 with verified=true.
    func race(code: String, user: String, key: String, servers: [ServerProcess]) async throws -> Int {
        try await withThrowingTaskGroup(of: HTTPResult.self) { group in
            for server in servers {
                group.addTask { try await server.request("POST", "/v1/users/\(user)/verify", key: key, json: ["code": code]) }
            }
            var winners = 0
            for try await result in group {
                #expect(result.status == 200, "\(result.text)")
                if result.status == 200, result.object["verified"] as? Bool == true { winners += 1 }
            }
            return winners
        }
    }

    // MARK: (c) no secret in any log line

    @Test func logsNeverContainSecretsURIsCodesOrKeys() async throws {
        let key = try tenantAndKey(scopes: "admin")
        let server = try await ServerProcess.start(["serve", "--port", "0", "--log-format", "json", "--verbose"] + common)
        try await server.waitUntilHealthy()
        var secrets: [String] = [key, String(key.split(separator: "_").last ?? "")]
        var codes: [String] = []

        let enroll = try await server.request("POST", "/v1/users/carol@example.com/methods/totp", key: key, json: ["name": "Phone"])
        #expect(enroll.status == 201, "\(enroll.text)")
        let secret = try #require(enroll.object["secret"] as? String)
        let uri = try #require(enroll.object["otpauth_uri"] as? String)
        secrets += [secret, secret.lowercased(), uri]
        let enrollmentID = try #require(enroll.object["enrollment_id"] as? String)
        #expect((try await server.request("GET", "/v1/enrollments/\(enrollmentID)/qr.png", key: key)).status == 200)
        #expect((try await server.request("GET", "/v1/enrollments/\(enrollmentID)/qr.svg", key: key)).status == 200)
        let totp = try TOTP(secret: OTPSecret(base32: secret))
        let step = UInt64(Self.unixNow()) / 30
        let wrongConfirm = try totp.code(step: step + 7)
        codes.append(wrongConfirm)
        #expect((try await server.request("POST", "/v1/enrollments/\(enrollmentID)/confirm", key: key,
                                          json: ["code": wrongConfirm])).status == 422)
        let confirmCode = try totp.code(step: step)
        codes.append(confirmCode)
        #expect((try await server.request("POST", "/v1/enrollments/\(enrollmentID)/confirm", key: key,
                                          json: ["code": confirmCode])).status == 200)
        for offset in [UInt64(1), 9] {  // a valid code, then a wrong one
            let code = try totp.code(step: step + offset)
            codes.append(code)
            _ = try await server.request("POST", "/v1/users/carol@example.com/verify", key: key, json: ["code": code])
        }

        let hotpSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        secrets.append(hotpSecret)
        #expect((try await server.request("POST", "/v1/users/carol@example.com/methods/hotp", key: key,
                                          json: ["secret": hotpSecret, "name": "Token"])).status == 201)
        let hotpCode = try HOTP(secret: OTPSecret(base32: hotpSecret)).code(counter: 0)
        codes.append(hotpCode)
        let hotpVerify = try await server.request("POST", "/v1/users/carol@example.com/verify", key: key, json: ["code": hotpCode])
        #expect(hotpVerify.object["verified"] as? Bool == true, "\(hotpVerify.text)")

        let recovery = try await server.request("POST", "/v1/users/carol@example.com/methods/recovery-codes", key: key)
        #expect(recovery.status == 201, "\(recovery.text)")
        let recoveryCodes = try #require(recovery.object["codes"] as? [String])
        secrets += recoveryCodes
        let used = try await server.request("POST", "/v1/users/carol@example.com/verify", key: key,
                                            json: ["code": try #require(recoveryCodes.first)])
        #expect(used.object["verified"] as? Bool == true, "\(used.text)")
        _ = try await server.request("GET", "/v1/users/carol@example.com/activity", key: key)
        _ = try await server.request("GET", "/metrics")

        #expect(await server.stop() == 0)
        let logs = server.stdout + server.stderr
        #expect(server.stderr.contains("\"level\":\"debug\""), "--verbose logs at debug level")
        for secret in secrets where !secret.isEmpty {
            #expect(!logs.contains(secret), "a secret, URI, key or recovery code is in the logs")
        }
        #expect(!logs.contains("otpauth:"))
        for code in codes {
            #expect(!Self.containsCode(code, in: logs), "the code \(code) is in the logs")
        }
        // Every log line is one JSON object.
        for line in server.stderr.split(separator: "\n") {
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            #expect(object?["level"] is String && object?["message"] is String, "not a JSON log line: \(line)")
        }
    }

    /// `code` standing alone (not inside a longer run of letters and digits such as a request id).
    static func containsCode(_ code: String, in text: String) -> Bool {
        var searchStart = text.startIndex
        while let range = text.range(of: code, range: searchStart..<text.endIndex) {
            let before = range.lowerBound > text.startIndex ? text[text.index(before: range.lowerBound)] : " "
            let after = range.upperBound < text.endIndex ? text[range.upperBound] : " "
            if !before.isLetter && !before.isNumber && !after.isLetter && !after.isNumber { return true }
            searchStart = range.upperBound
        }
        return false
    }

    // MARK: (d) mfa apikey

    @Test func apiKeyCreatePrintsTheKeyAloneOrAsJSON() throws {
        #expect(try CLI.run(["tenant", "create", "acme"] + common).status == 0)
        let plain = try CLI.run(["apikey", "create", "--tenant", "acme", "--name", "login server", "--scopes", "verify"] + common)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.range(of: #"^mfa_ak_[a-z2-7]{20}_[a-z2-7]{52}\n$"#, options: .regularExpression) != nil, "\(plain.stdout)")

        let json = try CLI.run(["apikey", "create", "--tenant", "acme", "--name", "ops", "--scopes", "enroll, manage", "--json"] + common)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["key"] as? String)?.hasPrefix("mfa_ak_") == true)
        #expect(object["scopes"] as? [String] == ["enroll", "manage"])
        #expect(object["tenant_id"] as? String == "acme")

        let badScope = try CLI.run(["apikey", "create", "--tenant", "acme", "--name", "x", "--scopes", "verify,root"] + common)
        #expect(badScope.status == 2 && badScope.stderr.hasPrefix("error: invalid_input: unknown scope \"root\""))
        let noTenant = try CLI.run(["apikey", "create", "--tenant", "nope", "--name", "x", "--scopes", "verify"] + common)
        #expect(noTenant.status == 4 && noTenant.stderr.hasPrefix("error: not_found: "))
        let noScopes = try CLI.run(["apikey", "create", "--tenant", "acme", "--name", "x", "--scopes", ""] + common)
        #expect(noScopes.status == 2)
    }

    @Test func apiKeyListShowsNoSecretAndRevokeMakesItUnauthorized() async throws {
        let used = try tenantAndKey(scopes: "manage")
        let fresh = try CLI.run(["apikey", "create", "--tenant", "acme", "--name", "spare", "--scopes", "manage"] + common)
        let spare = fresh.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try await ServerProcess.start(["serve", "--port", "0"] + common)
        try await server.waitUntilHealthy()
        #expect((try await server.request("GET", "/v1/users/alice/methods", key: used)).status == 200)

        let list = try CLI.run(["apikey", "list", "--tenant", "acme"] + common)
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(lines.count == 2)
        let usedID = "ak_" + (used.split(separator: "_").dropFirst(2).first.map(String.init) ?? "")
        let spareID = "ak_" + (spare.split(separator: "_").dropFirst(2).first.map(String.init) ?? "")
        #expect(lines.first == [usedID, "login", "manage", lines.first?[3] ?? "", "-"])
        for key in [used, spare] { #expect(!list.stdout.contains(String(key.split(separator: "_").last ?? "x"))) }

        #expect(try CLI.run(["apikey", "revoke", "--tenant", "acme", spareID] + common).stdout == "revoked \(spareID)\n")
        #expect((try await server.request("GET", "/v1/users/alice/methods", key: spare)).status == 401)
        #expect(try CLI.run(["apikey", "revoke", "--tenant", "acme", usedID] + common).status == 0)
        // The server may have the used key cached for a few seconds (the engine's key cache); poll, bounded.
        var status = 0
        for attempt in 0..<100 {
            status = (try await server.request("GET", "/v1/users/alice/methods", key: used)).status
            if status == 401 { break }
            try await Task.sleep(for: .milliseconds(min(50 * (attempt + 1), 500)))
        }
        #expect(status == 401)
        let revokedList = try CLI.run(["apikey", "list", "--tenant", "acme"] + common)
        #expect(!revokedList.stdout.contains("\t-\n"))
        #expect(try CLI.run(["apikey", "revoke", "--tenant", "acme", usedID] + common).status == 4)  // already revoked
        #expect(await server.stop() == 0)
    }

    // MARK: Configuration

    @Test func configurationFileEnvironmentAndCommandLineInThatOrder() async throws {
        let fromFile = dir.appendingPathComponent("from-file").path
        let fromEnvironment = dir.appendingPathComponent("from-env").path
        let fromCommandLine = dir.appendingPathComponent("from-cli").path
        let config = dir.appendingPathComponent("mfa.json")
        try #"{"data_dir": "\#(fromFile)", "port": 0, "log_format": "json"}"#.write(to: config, atomically: true, encoding: .utf8)

        #expect(try CLI.run(["tenant", "create", "file", "--config", config.path], environment: [:]).status == 0)
        #expect(FileManager.default.fileExists(atPath: fromFile + "/master.key"))
        #expect(try CLI.run(["tenant", "create", "env", "--config", config.path], environment: ["MFA_DATA_DIR": fromEnvironment]).status == 0)
        #expect(try CLI.run(["tenant", "create", "cli", "--config", config.path, "--data-dir", fromCommandLine],
                            environment: ["MFA_DATA_DIR": fromEnvironment]).status == 0)
        #expect(try CLI.run(["tenant", "list", "--config", config.path], environment: [:]).stdout == "file\tfile\n")
        #expect(try CLI.run(["tenant", "list"], environment: ["MFA_CONFIG": config.path, "MFA_DATA_DIR": fromEnvironment]).stdout == "env\tenv\n")
        #expect(try CLI.run(["tenant", "list", "--data-dir", fromCommandLine], environment: [:]).stdout == "cli\tcli\n")

        // serve: port 0 and JSON logs from the file, the host from the environment.
        let server = try await ServerProcess.start(["serve", "--config", config.path], environment: ["MFA_HOST": "127.0.0.1"])
        #expect(try server.url.port != 8080)
        #expect(await server.stop() == 0)
        #expect(server.stderr.hasPrefix("{"))

        // Mistakes are one-line configuration errors.
        try #"{"data_dir": "x", "prot": 9}"#.write(to: config, atomically: true, encoding: .utf8)
        let unknown = try CLI.run(["tenant", "list", "--config", config.path], environment: [:])
        #expect(unknown.status == 5 && unknown.stderr.hasPrefix("error: configuration: ") && unknown.stderr.contains("\"prot\""))
        let missing = try CLI.run(["tenant", "list", "--config", dir.appendingPathComponent("nope.json").path], environment: [:])
        #expect(missing.status == 3)
        let badPort = try CLI.run(["serve", "--data-dir", fromFile], environment: ["MFA_PORT": "eighty"])
        #expect(badPort.status == 5 && badPort.stderr.contains("MFA_PORT"), "\(badPort.stderr)")
        let badFormat = try CLI.run(["serve", "--data-dir", fromFile, "--log-format", "xml"], environment: [:])
        #expect(badFormat.status == 5 && badFormat.stderr.split(separator: "\n").count == 1)
    }

    @Test func tenantPolicyShowsAndChangesTheLockout() throws {
        #expect(try CLI.run(["tenant", "create", "acme"] + common).status == 0)
        let show = try CLI.run(["tenant", "policy", "acme"] + common)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("\"threshold\" : 5"))
        let change = try CLI.run(["tenant", "policy", "acme", "--lockout-threshold", "1000", "--lockout-disable-after", "2000"] + common)
        #expect(change.status == 0, "\(change.stderr)")
        #expect(change.stdout.contains("\"threshold\" : 1000") && change.stdout.contains("\"disable_after\" : 2000"))
        let invalid = try CLI.run(["tenant", "policy", "acme", "--lockout-threshold", "5000"] + common)  // above disable_after
        #expect(invalid.status == 2)
        let file = dir.appendingPathComponent("policy.json")
        try #"{"lockout": {"threshold": 7}, "enrollment_timeout": 300}"#.write(to: file, atomically: true, encoding: .utf8)
        let patched = try CLI.run(["tenant", "policy", "acme", "--policy-file", file.path] + common)
        #expect(patched.status == 0, "\(patched.stderr)")
        #expect(patched.stdout.contains("\"threshold\" : 7") && patched.stdout.contains("\"disable_after\" : 2000"))
        #expect(patched.stdout.contains("\"enrollment_timeout\" : 300"))
        try #"{"lockout": 3}"#.write(to: file, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["tenant", "policy", "acme", "--policy-file", file.path] + common).status == 2)
    }

    // MARK: Development mode (make run)

    @Test func devModeMakesTenantAndKeyOnceAndTheWalkthroughWorks() async throws {
        let first = try await ServerProcess.start(["serve", "--dev", "--port", "0"] + common)
        try await first.waitUntilHealthy()
        let keyFile = dir.appendingPathComponent("dev-api-key").path
        let key = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(first.stdout.contains("KEY=\(key)"))
        #expect((try await first.request("GET", "/v1/users/alice/methods", key: key)).status == 200)

        // Paste the walk-through into bash, as a user would.
        let walkthrough = try #require(first.stdout.components(separatedBy: "into another terminal (bash) to enroll an authenticator app and sign in with it:\n").last)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = ["-c", walkthrough]
        shell.currentDirectoryURL = dir
        let output = Pipe()
        shell.standardOutput = output
        shell.standardError = output
        try shell.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        let responses = Self.jsonObjects(in: printed)
        #expect(responses.count == 4, "\(printed)")
        #expect(responses.first?["enrollment_id"] is String, "\(printed)")
        #expect(responses.dropFirst().first?["method_id"] is String, "\(printed)")
        #expect(responses.dropFirst(2).first?["verified"] as? Bool == true, "\(printed)")
        #expect(responses.dropFirst(3).first?["verified"] as? Bool == false, "\(printed)")
        #expect(printed.contains("wrote qr.png") && printed.contains("█"), "\(printed)")
        #expect(await first.stop() == 0)

        // A restart keeps the tenant and the key.
        let second = try await ServerProcess.start(["serve", "--dev", "--port", "0"] + common)
        #expect(second.stdout.contains("KEY=\(key)"))
        #expect(await second.stop() == 0)
        #expect(try CLI.run(["tenant", "list"] + common).stdout == "demo\tMFA Demo\n")
        #expect(try CLI.run(["apikey", "list", "--tenant", "demo"] + common).stdout.split(separator: "\n").count == 1)
    }
}

extension ServeTests {
    /// The JSON objects in `text`, each starting on a line of its own (compact or pretty-printed).
    static func jsonObjects(in text: String) -> [[String: Any]] {
        var objects: [[String: Any]] = []
        var pending: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if pending == nil, line.hasPrefix("{") { pending = "" }
            guard var current = pending else { continue }
            current += line + "\n"
            if let object = (try? JSONSerialization.jsonObject(with: Data(current.utf8))) as? [String: Any] {
                objects.append(object)
                pending = nil
            } else {
                pending = current
            }
        }
        return objects
    }
}

/// A fresh database on the PostgreSQL server in `MFA_TEST_POSTGRES_URL` (created and dropped with psql).
/// Without that variable the test fails, unless `MFA_SKIP_POSTGRES=1` says to skip it on purpose.
struct PostgresScratchDatabase {
    let admin: String
    let name: String
    let url: String

    static func create() throws -> PostgresScratchDatabase? {
        let environment = ProcessInfo.processInfo.environment
        guard let admin = environment["MFA_TEST_POSTGRES_URL"], !admin.isEmpty else {
            if environment["MFA_SKIP_POSTGRES"] == "1" { return nil }
            throw SetupError(description: """
                MFA_TEST_POSTGRES_URL is not set, so the two-process PostgreSQL test cannot run. Use `make test`, or \
                `scripts/pg-test.sh start && MFA_TEST_POSTGRES_URL=$(scripts/pg-test.sh url) swift test`; set \
                MFA_SKIP_POSTGRES=1 to skip it on purpose
                """)
        }
        let name = "mfa_serve_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try psql(admin, "CREATE DATABASE \(name)")
        guard var components = URLComponents(string: admin) else { throw SetupError(description: "bad MFA_TEST_POSTGRES_URL") }
        components.path = "/" + name
        guard let url = components.string else { throw SetupError(description: "bad MFA_TEST_POSTGRES_URL") }
        return PostgresScratchDatabase(admin: admin, name: name, url: url)
    }

    func drop() {
        try? Self.psql(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    static func psql(_ url: String, _ sql: String) throws {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["PG_BIN"].map { $0 + "/psql" }, "/usr/lib/postgresql/15/bin/psql", "/usr/bin/psql"]
        guard let psql = candidates.compactMap({ $0 }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw SetupError(description: "psql not found (apt-get install postgresql-client)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: psql)
        process.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]
        let error = Pipe()
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SetupError(description: "psql \(sql): \(message)") }
    }

    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }
}
