import ArgumentParser
import Foundation
import MFACore
import MFACrypto

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the database schema (numbered, forward-only migrations)."
    )

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let settings = try await store.resolve()
        try await Bootstrap.withStore(settings) { _, _ in () }
        print("migrated (\(settings.storeDescription))")
    }
}

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Manage tenants (organizations).",
        subcommands: [Create.self, List.self, Policy.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.")

        @Argument(help: "The tenant id: 1 to 64 characters of a-z A-Z 0-9 . _ -")
        var id: String

        @Option(help: "The name authenticator apps show (default: the tenant id).")
        var issuer: String?

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let tenantID = try TenantID(id)
            let issuer = self.issuer ?? id
            let tenant = try await Bootstrap.withEngine(store, createKeyIfMissing: true) { engine in
                try await engine.createTenant(tenantID, issuer: issuer)
            }
            print("created tenant \(tenant.id) (issuer \"\(tenant.issuer)\")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let tenants = try await Bootstrap.withStore(store) { store, _ in try await store.tenants() }
            for tenant in tenants { print("\(tenant.id)\t\(tenant.issuer)") }
        }
    }
}

extension TenantCommand {
    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a tenant's policy as JSON, or change it.",
            discussion: """
                --policy-file changes the keys it holds (JSON shaped like the printed policy, e.g. \
                {"lockout": {"threshold": 10}}) and keeps the others; the --lockout-* options then change single \
                values. The resulting policy is printed. Running servers see a change within a few seconds.
                """
        )

        @Argument(help: "The tenant id.")
        var id: String

        @Option(help: "A JSON file with the policy keys to change.")
        var policyFile: String?

        @Option(help: "Consecutive failures before a method is throttled.")
        var lockoutThreshold: Int?

        @Option(help: "Consecutive failures before a method is disabled.")
        var lockoutDisableAfter: Int?

        @Option(help: "The first throttling delay in seconds (doubling up to --lockout-maximum-delay).")
        var lockoutBaseDelay: Int?

        @Option(help: "The longest throttling delay in seconds.")
        var lockoutMaximumDelay: Int?

        @Option(help: "A new issuer (the name authenticator apps show).")
        var issuer: String?

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let tenantID = try TenantID(id)
            var patch: Data?
            if let policyFile {
                guard let data = FileManager.default.contents(atPath: policyFile) else {
                    throw CLIFailure.unreadable(policyFile, what: "policy")
                }
                guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
                    throw CLIFailure(code: "invalid_input", message: "\(policyFile) must hold a JSON object", status: .invalidInput)
                }
                patch = data
            }
            let lockout = (lockoutThreshold, lockoutDisableAfter, lockoutBaseDelay, lockoutMaximumDelay)
            let changes = patch != nil || issuer != nil
                || [lockoutThreshold, lockoutDisableAfter, lockoutBaseDelay, lockoutMaximumDelay].contains { $0 != nil }
            let issuer = self.issuer
            let patchData = patch
            let source = policyFile ?? ""
            let tenant = try await Bootstrap.withEngine(store) { engine in
                let current = try await engine.tenant(tenantID)
                guard changes else { return current }
                var policy = current.policy
                if let patchData { policy = try Self.apply(patchData, to: policy, source: source) }
                if let value = lockout.0 { policy.lockout.threshold = value }
                if let value = lockout.1 { policy.lockout.disableAfter = value }
                if let value = lockout.2 { policy.lockout.baseDelay = value }
                if let value = lockout.3 { policy.lockout.maximumDelay = value }
                return try await engine.updateTenant(tenantID, issuer: issuer, policy: policy)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(tenant.policy), as: UTF8.self))
        }

        /// `policy` with the JSON object in `patch` merged into it, key by key (nested objects too).
        static func apply(_ patch: Data, to policy: TenantPolicy, source: String) throws -> TenantPolicy {
            func merge(_ base: [String: Any], _ patch: [String: Any]) -> [String: Any] {
                var result = base
                for (key, value) in patch {
                    if let inner = value as? [String: Any], let existing = base[key] as? [String: Any] {
                        result[key] = merge(existing, inner)
                    } else {
                        result[key] = value
                    }
                }
                return result
            }
            do {
                let base = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(policy)) as? [String: Any] ?? [:]
                let changes = try JSONSerialization.jsonObject(with: patch) as? [String: Any] ?? [:]
                let merged = try JSONSerialization.data(withJSONObject: merge(base, changes))
                return try JSONDecoder().decode(TenantPolicy.self, from: merged)
            } catch {
                throw CLIFailure(code: "invalid_input", message: "\(source) is not a valid policy: \(error)", status: .invalidInput)
            }
        }
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the master key ring that seals every secret.",
        subcommands: [Rotate.self]
    )

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new primary key and re-encrypt every secret under it.",
            discussion: """
                The new key is written to the key file first (the old keys stay in it, so nothing becomes \
                unreadable), then secrets are re-encrypted in batches. If interrupted, run `mfa keys rotate \
                --resume` to finish under the same key. Safe while servers are running.
                """
        )

        @Flag(help: "Do not add a key: finish re-encrypting under the current primary key.")
        var resume = false

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let settings = try await store.resolve()
            if settings.masterKeyText != nil {
                throw CLIFailure(code: "configuration",
                                 message: "keys in MFA_MASTER_KEY cannot be rotated in place; use a key file (--key-file)",
                                 status: .unavailable)
            }
            var ring = try Bootstrap.loadKeyRing(settings, createIfMissing: false)
            if !resume {
                ring = try ring.adding(SealingKey.generate(id: Bootstrap.newKeyID()))
                try Bootstrap.writeKeyRing(ring, to: settings.keyFile)
                Console.error("added key \(ring.primary.id) to \(settings.keyFile)")
            }
            let primary = ring.primary.id
            let bar = ProgressBar(label: "re-encrypting")
            let finalRing = ring
            let report = try await Bootstrap.withStore(settings) { store, logger in
                let engine = try await Engine(store: store, keyRing: finalRing, methods: [], logger: logger)
                return try await engine.rotateKeys(source: AuditSource(actor: "cli")) { done, total in bar.update(done, total) }
            }
            bar.finish()
            print("rotated to \(primary): \(report.resealedMethods) method secrets and \(report.resealedEngineKeys) engine keys re-encrypted")
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check and seal the tamper-evident audit log.",
        subcommands: [Verify.self, Seal.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every event and checkpoint; exit 0 when intact, 1 naming the first broken link."
        )

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let report = try await Bootstrap.withEngine(store) { engine in try await engine.verifyAuditLog() }
            if let broken = report.firstBroken {
                Console.error("error: audit_broken: first broken link: \(broken)")
                throw ExitCode(CLIFailure.Status.notVerified.rawValue)
            }
            print("audit log intact: \(report.checkpoints) checkpoints, \(report.sealedEvents) sealed events, \(report.unsealedEvents) not yet sealed")
        }
    }

    struct Seal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Seal events older than --settle seconds into signed checkpoints.")

        @Option(help: "Only seal events at least this many seconds old.")
        var settle: Double = 5

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let settle = self.settle
            let sealed = try await Bootstrap.withEngine(store) { engine in
                var total = 0
                while true {
                    let n = try await engine.sealAuditLog(settle: settle)
                    total += n
                    if n == 0 { break }
                }
                return total
            }
            print("sealed \(sealed) events")
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Show, export or erase what the engine holds about a user.",
        subcommands: [Show.self, Export.self, Erase.self]
    )

    struct Target: ParsableArguments {
        @Option(help: "The tenant id.")
        var tenant: String

        @Argument(help: "The user id given by the login server.")
        var user: String

        func ids() throws -> (TenantID, UserID) { (try TenantID(tenant), try UserID(user)) }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's methods (no secrets).")

        @OptionGroup var target: Target
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let (tenant, user) = try target.ids()
            let methods = try await Bootstrap.withEngine(store) { engine in try await engine.methods(tenant: tenant, user: user) }
            if methods.isEmpty {
                print("no methods")
                return
            }
            let formatter = ISO8601DateFormatter()
            for m in methods {
                let extra = [m.isDefault ? "default" : nil, m.remainingCodes.map { "\($0) codes left" },
                             m.lockedFor.map { "locked for \($0) s" }].compactMap { $0 }.joined(separator: ", ")
                print("\(m.id)  \(m.type.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0))  \(m.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \"\(m.name)\"  created \(formatter.string(from: m.createdAt))  last used \(m.lastUsedAt.map(formatter.string(from:)) ?? "never")\(extra.isEmpty ? "" : "  (\(extra))")")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print everything held about a user as JSON (no secrets).")

        @OptionGroup var target: Target
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let (tenant, user) = try target.ids()
            let export = try await Bootstrap.withEngine(store) { engine in
                try await engine.exportUser(tenant: tenant, user: user, source: AuditSource(actor: "cli"))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(export), as: UTF8.self))
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a user's methods, secrets and counters; audit events keep only a pseudonym."
        )

        @OptionGroup var target: Target

        @Flag(help: "Do not ask for confirmation.")
        var yes = false

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let (tenant, user) = try target.ids()
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw CLIFailure(code: "confirmation_required", message: "pass --yes to erase without a prompt",
                                     status: .invalidInput)
                }
                print("Erase user \"\(user)\" of tenant \(tenant)? This cannot be undone. Type the user id to confirm: ",
                      terminator: "")
                guard readLine() == user.rawValue else {
                    throw CLIFailure(code: "not_confirmed", message: "nothing was erased", status: .invalidInput)
                }
            }
            try await Bootstrap.withEngine(store) { engine in
                try await engine.eraseUser(tenant: tenant, user: user, source: AuditSource(actor: "cli"))
            }
            print("erased \(user)")
        }
    }
}

/// A progress bar on standard error (redrawn in place on a terminal, a line per update otherwise).
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let lock = NSLock()
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var last = -1

    init(label: String) { self.label = label }

    func update(_ done: Int, _ total: Int) {
        lock.withLock {
            let width = 30
            let fraction = total > 0 ? Double(done) / Double(total) : 1
            let filled = Int(fraction * Double(width))
            let line = "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total)"
            if isTerminal {
                FileHandle.standardError.write(Data(("\r" + line).utf8))
            } else if done != last {
                Console.error(line)
            }
            last = done
        }
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
