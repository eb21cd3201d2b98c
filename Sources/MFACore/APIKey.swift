import Foundation

/// What an API key may do. Stable snake_case strings.
public struct APIScope: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// Begin and confirm enrollments, generate recovery codes, import tokens.
    public static let enroll = APIScope("enroll")
    /// Verify codes at sign-in.
    public static let verify = APIScope("verify")
    /// List, rename, disable, delete methods; export, erase, read activity.
    public static let manage = APIScope("manage")
    /// Everything, including tenant settings.
    public static let admin = APIScope("admin")

    public static let all: [APIScope] = [.enroll, .verify, .manage, .admin]

    /// Parses a known scope name; nil otherwise.
    public init?(name: String) {
        guard let scope = Self.all.first(where: { $0.rawValue == name }) else { return nil }
        self = scope
    }

    public var description: String { rawValue }
    public static func < (a: APIScope, b: APIScope) -> Bool { a.rawValue < b.rawValue }
    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
}

/// A stored API key: only a hash of its secret part is kept.
public struct APIKeyRecord: Sendable, Equatable {
    /// The public part, `ak_` + 20 Base32 characters; shown in lists and logs.
    public let id: String
    public let tenantID: TenantID
    public let name: String
    public let scopes: Set<APIScope>
    /// SHA-256 of the secret part (256 random bits, so a fast hash is enough).
    public let secretHash: [UInt8]
    public let createdAt: Date
    public var revokedAt: Date?

    public init(id: String, tenantID: TenantID, name: String, scopes: Set<APIScope>, secretHash: [UInt8],
                createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.scopes = scopes
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// An API key as listed (no hash).
public struct APIKeySummary: Sendable, Codable, Equatable {
    public let id: String
    public let tenantID: TenantID
    public let name: String
    public let scopes: [APIScope]
    public let createdAt: Date
    public let revokedAt: Date?

    public init(_ record: APIKeyRecord) {
        id = record.id
        tenantID = record.tenantID
        name = record.name
        scopes = record.scopes.sorted()
        createdAt = record.createdAt
        revokedAt = record.revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", name, scopes, createdAt = "created_at", revokedAt = "revoked_at"
    }
}

/// Who is calling, once an API key is checked.
public struct APIKeyPrincipal: Sendable, Equatable {
    public let tenantID: TenantID
    public let keyID: String
    public let name: String
    public let scopes: Set<APIScope>

    /// True if the key has `scope` (or `admin`).
    public func allows(_ scope: APIScope) -> Bool { scopes.contains(scope) || scopes.contains(.admin) }
}

/// API keys, scoped by tenant.
public protocol APIKeyStore: Sendable {
    /// - Throws: `StoreError.duplicate` if the id exists.
    func insertAPIKey(_ record: APIKeyRecord, audit: [AuditEvent]) async throws
    /// The key with this id (any tenant; the caller checks the secret and the tenant).
    func apiKey(id: String) async throws -> APIKeyRecord?
    /// A tenant's keys, oldest first, revoked ones included.
    func apiKeys(tenant: TenantID) async throws -> [APIKeyRecord]
    /// Sets `revokedAt` if not yet revoked. Returns false if missing, already revoked or another tenant's.
    func revokeAPIKey(tenant: TenantID, id: String, now: Date, audit: [AuditEvent]) async throws -> Bool
}
