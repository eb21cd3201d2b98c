import ArgumentParser
import Configuration
import Foundation
import Hummingbird
import Logging
import MFAAPI
import MFACore
import MFACrypto
import MFAMethods
import MFAStorePostgres
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API for login servers.",
        discussion: """
            Settings come from the command line, then MFA_* environment variables, then the JSON file given \
            with --config (or MFA_CONFIG), then the defaults: SQLite in ./data/mfa.sqlite, the key file \
            ./data/master.key (made, mode 0600, on first start), 127.0.0.1:8080. Migrations run at start. \
            Prints `listening on http://HOST:PORT` on standard output once the port is open; logs go to \
            standard error. SIGTERM or SIGINT stops it after the requests in flight are answered.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Address to listen on (default 127.0.0.1, or MFA_HOST).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (default 8080, or MFA_PORT).")
    var port: Int?

    @Option(help: "Log format: text or json (default text, or MFA_LOG_FORMAT).")
    var logFormat: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default info, or MFA_LOG_LEVEL).")
    var logLevel: String?

    @Flag(help: "Development mode: make a tenant 'demo' and an API key with every scope (kept in <data-dir>/dev-api-key) and print a curl walk-through.")
    var dev = false

    func run() async throws {
        var commandLine: [String: ConfigValue] = [:]
        if let host { commandLine["host"] = ConfigValue(.string(host), isSecret: false) }
        if let port { commandLine["port"] = ConfigValue(.int(port), isSecret: false) }
        if let logFormat { commandLine["log_format"] = ConfigValue(.string(logFormat), isSecret: false) }
        if let logLevel { commandLine["log_level"] = ConfigValue(.string(logLevel), isSecret: false) }
        let configuration = try await ServerConfiguration.load(store, commandLine: commandLine)
        try await MFAServer(configuration: configuration, dev: dev).run()
    }
}

/// `mfa serve`: the store, the engine and the HTTP application in one ServiceGroup.
struct MFAServer: Sendable {
    let configuration: ServerConfiguration
    let dev: Bool

    func run() async throws {
        let logger = Bootstrap.logger(format: configuration.logFormat, level: configuration.logLevel)
        logger.info("starting", metadata: [
            "version": "\(MFAVersion.string)",
            "store": "\(describeStore())",
            "config_file": "\(configuration.file ?? "none")",
        ])
        let keyRing = try Bootstrap.loadKeyRing(configuration.store, createIfMissing: true, logger: logger)
        let store = try Bootstrap.makeStore(configuration.store, logger: logger)
        if dev { logger.warning("development mode: do not use --dev in production") }

        var services: [any Service] = []
        if let postgres = store as? PostgresStore { services.append(PostgresService(store: postgres)) }
        services.append(APIService(configuration: configuration, dev: dev, store: store, keyRing: keyRing, logger: logger))
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .milliseconds(Int(configuration.shutdownTimeout * 1000))
        do {
            try await ServiceGroup(configuration: group).run()
        } catch {
            logger.error("stopped on an error", metadata: ["error": "\(error)"])
            if CLIFailure(error) != nil { throw error }
            let address = "\(configuration.host):\(configuration.port)"
            throw CLIFailure(code: "unavailable", message: "cannot serve on \(address): \(error)", status: .unavailable)
        }
        logger.info("stopped")
    }

    private func describeStore() -> String {
        guard let url = configuration.store.databaseURL else { return "sqlite \(configuration.store.sqlitePath)" }
        return (try? PostgresURL(url).description) ?? "postgres"
    }
}

/// Runs the PostgreSQL pool until the services after it have shut down.
struct PostgresService: Service {
    let store: PostgresStore

    func run() async throws {
        await cancelWhenGracefulShutdown { await store.run() }
    }
}

/// Migrates, builds the engine and serves HTTP until a graceful shutdown (which Hummingbird turns
/// into: stop accepting, answer the requests in flight, close).
struct APIService: Service {
    let configuration: ServerConfiguration
    let dev: Bool
    let store: any MFAStore
    let keyRing: KeyRing
    let logger: Logger

    func run() async throws {
        do {
            try await store.migrate()
        } catch {
            throw CLIFailure(code: "unavailable", message: "the database is not reachable: \(error)", status: .unavailable)
        }
        let engine = try await Engine(store: store, keyRing: keyRing, methods: BuiltInMethods.all, logger: logger)
        let devCredentials = dev ? try await DevelopmentSetup.prepare(engine: engine, dataDir: configuration.store.dataDir) : nil

        var options = APIServerOptions()
        options.maximumBodyBytes = configuration.maximumBodyBytes
        options.trustForwardedFor = configuration.trustForwardedFor
        let router = try APIServer.buildRouter(engine: engine, metrics: APIMetrics(), options: options, logger: logger)
        let host = configuration.host
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port)),
            services: [AuditSealerService(engine: engine, interval: configuration.auditSealInterval, logger: logger)],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let base = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                var text = "listening on \(base)\n"
                if let devCredentials { text += DevelopmentSetup.walkthrough(baseURL: base, credentials: devCredentials) }
                Console.output(text)
                logger.info("listening", metadata: ["address": "\(base)"])
            },
            logger: logger
        )
        try await app.run()
    }
}

/// Seals the audit log every `interval` seconds (errors are logged; the next run retries).
struct AuditSealerService: Service {
    let engine: Engine
    let interval: Double
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while true {
                do {
                    try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                } catch {
                    return  // cancelled: shutting down
                }
                await sealOnce()
            }
        }
    }

    func sealOnce() async {
        do {
            var total = 0
            while true {
                let sealed = try await engine.sealAuditLog()
                total += sealed
                if sealed < 10_000 || Task.isCancelled { break }
            }
            if total > 0 { logger.debug("sealed audit events", metadata: ["count": "\(total)"]) }
        } catch {
            logger.error("audit sealing failed", metadata: ["error": "\(error)"])
        }
    }
}

/// `mfa serve --dev`: a tenant and an API key to try the API with at once.
enum DevelopmentSetup {
    static let tenant: TenantID = "demo"

    struct Credentials: Sendable {
        let tenant: TenantID
        let key: String
        let keyFile: String
    }

    /// Makes the tenant `demo` and an all-scopes API key unless they exist; the key is kept in
    /// `<data-dir>/dev-api-key` (0600) and reused while it still works, so restarts keep it.
    static func prepare(engine: Engine, dataDir: String) async throws -> Credentials {
        do {
            _ = try await engine.tenant(tenant)
        } catch let error as MFAError where error.code == .notFound {
            do {
                try await engine.createTenant(tenant, issuer: "MFA Demo")
            } catch let error as MFAError where error.code == .conflict {
                // Another process made it first.
            }
        }
        let keyFile = (dataDir as NSString).appendingPathComponent("dev-api-key")
        if let data = FileManager.default.contents(atPath: keyFile) {
            let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if let principal = try await engine.authenticateAPIKey(key), principal.tenantID == tenant,
               Set(APIScope.all).isSubset(of: principal.scopes) {
                return Credentials(tenant: tenant, key: key, keyFile: keyFile)
            }
        }
        let (_, key) = try await engine.createAPIKey(tenant: tenant, name: "dev", scopes: Set(APIScope.all),
                                                     source: AuditSource(actor: "mfa serve --dev"))
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try Files.writePrivate(Array((key + "\n").utf8), to: keyFile)
        return Credentials(tenant: tenant, key: key, keyFile: keyFile)
    }

    /// The `mfa` binary as a path that works from any directory.
    static var mfaPath: String {
        let arg0 = CommandLine.arguments.first ?? "mfa"
        guard arg0.contains("/") else { return arg0 }
        return URL(fileURLWithPath: arg0).standardizedFileURL.path
    }

    /// A walk-through to paste into a bash shell: enroll TOTP, scan, confirm, verify, replay.
    static func walkthrough(baseURL: String, credentials: Credentials) -> String {
        let mfa = mfaPath
        let auth = "-H \"Authorization: Bearer $KEY\""
        let json = "-H 'Content-Type: application/json'"
        return """

            Development mode: tenant "\(credentials.tenant)", an API key with every scope (also in \(credentials.keyFile)).
            Paste these lines into another terminal (bash) to enroll an authenticator app and sign in with it:

            MFA=\(baseURL) KEY=\(credentials.key)
            # 1. Enroll an authenticator app for user alice (the response shows the secret, once)
            ENROLL=$(curl -s -X POST "$MFA/v1/users/alice/methods/totp" \(auth) \(json) -d '{"name": "Phone"}'); echo "$ENROLL"
            ENROLLMENT=$(printf '%s' "$ENROLL" | sed -nE 's/.*"enrollment_id" *: *"([^"]+)".*/\\1/p')
            SECRET=$(printf '%s' "$ENROLL" | sed -nE 's/.*"secret" *: *"([^"]+)".*/\\1/p')
            # 2. Scan the QR code with the app (here in the terminal; qr.png is the same as a PNG)
            curl -s "$MFA/v1/enrollments/$ENROLLMENT/qr.png" \(auth) -o qr.png && echo "wrote qr.png"
            printf '%s' "$ENROLL" | sed -nE 's/.*"otpauth_uri" *: *"([^"]+)".*/\\1/p' | sed 's#\\\\/#/#g' | \(mfa) qr
            # 3. Confirm with the app's code (computed here from the secret)
            CODE=$(echo "$SECRET" | \(mfa) totp code); echo "code $CODE"
            curl -s -X POST "$MFA/v1/enrollments/$ENROLLMENT/confirm" \(auth) \(json) -d "{\\"code\\": \\"$CODE\\"}"; echo
            # 4. Sign in: a code works once, so wait for the next one (at most 30 s)
            sleep $((30 - $(date +%s) % 30)); CODE=$(echo "$SECRET" | \(mfa) totp code); echo "code $CODE"
            curl -s -X POST "$MFA/v1/users/alice/verify" \(auth) \(json) -d "{\\"code\\": \\"$CODE\\"}"; echo
            # 5. The same code again is refused
            curl -s -X POST "$MFA/v1/users/alice/verify" \(auth) \(json) -d "{\\"code\\": \\"$CODE\\"}"; echo
            rm -f qr.png; unset SECRET ENROLL

            """
    }
}

extension Console {
    /// Writes to standard output at once (stdout is block-buffered when it is a pipe).
    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
