import ArgumentParser
import Foundation
import MFACore

/// `mfa apikey create|list|revoke`: the keys login servers present as `Authorization: Bearer ...`.
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey",
        abstract: "Manage a tenant's API keys (Authorization: Bearer ... on the HTTP API).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an API key and print it, once.",
            discussion: """
                The key is printed alone on standard output (or as {"key": ...} with --json) and cannot be shown \
                again: only a hash of it is stored. Scopes: enroll (enrollments, recovery codes, token import), \
                verify (sign-in), manage (list, change and delete methods; export, erase, activity), admin (all).
                """
        )

        @Option(help: "The tenant id.")
        var tenant: String

        @Option(help: "A name to recognise the key by, e.g. the login server's name.")
        var name: String

        @Option(help: "Comma-separated scopes: enroll, verify, manage, admin.")
        var scopes: String

        @Flag(help: "Print {\"key\": ..., \"id\": ..., ...} as JSON.")
        var json = false

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let scopes = try Self.parseScopes(self.scopes)
            let name = self.name
            let (summary, key) = try await Bootstrap.withEngine(store) { engine in
                try await engine.createAPIKey(tenant: tenantID, name: name, scopes: scopes, source: AuditSource(actor: "cli"))
            }
            if json {
                let object = CreatedKey(key: key, id: summary.id, tenantID: summary.tenantID.rawValue, name: summary.name,
                                        scopes: summary.scopes.map(\.rawValue))
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(object), as: UTF8.self))
            } else {
                print(key)
            }
        }

        struct CreatedKey: Encodable {
            let key: String
            let id: String
            let tenantID: String
            let name: String
            let scopes: [String]

            enum CodingKeys: String, CodingKey { case key, id, tenantID = "tenant_id", name, scopes }
        }

        static func parseScopes(_ text: String) throws -> Set<APIScope> {
            var scopes = Set<APIScope>()
            for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                let name = part.trimmingCharacters(in: .whitespaces)
                guard let scope = APIScope(name: name) else {
                    throw CLIFailure(code: "invalid_input",
                                     message: "unknown scope \"\(name)\" (use \(APIScope.all.map(\.rawValue).joined(separator: ", ")))",
                                     status: .invalidInput)
                }
                scopes.insert(scope)
            }
            return scopes
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a tenant's API keys (never the keys themselves).",
            discussion: "One key a line, tab-separated: id, name, scopes, created, revoked (or -)."
        )

        @Option(help: "The tenant id.")
        var tenant: String

        @Flag(help: "Print a JSON array.")
        var json = false

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let keys = try await Bootstrap.withEngine(store) { engine in try await engine.apiKeys(tenant: tenantID) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(keys), as: UTF8.self))
                return
            }
            let formatter = ISO8601DateFormatter()
            for key in keys {
                let scopes = key.scopes.map(\.rawValue).joined(separator: ",")
                print([key.id, key.name, scopes, formatter.string(from: key.createdAt),
                       key.revokedAt.map { formatter.string(from: $0) } ?? "-"].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an API key; running servers refuse it within a few seconds."
        )

        @Option(help: "The tenant id.")
        var tenant: String

        @Argument(help: "The key's id (ak_..., from `mfa apikey list`).")
        var id: String

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let id = self.id
            try await Bootstrap.withEngine(store) { engine in
                try await engine.revokeAPIKey(tenant: tenantID, id: id, source: AuditSource(actor: "cli"))
            }
            print("revoked \(id)")
        }
    }
}
