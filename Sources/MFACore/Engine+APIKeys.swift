import Foundation
import MFACrypto
import MFAOTP

extension Engine {
    /// Creates an API key for a tenant. The returned key (`mfa_<id>_<secret>`) is shown once; only
    /// a hash of its secret part is stored.
    public func createAPIKey(tenant tenantID: TenantID, name: String, scopes: Set<APIScope>,
                             source: AuditSource = .unknown) async throws -> (summary: APIKeySummary, key: String) {
        _ = try await tenant(tenantID)
        try Self.validateName(name)
        guard !scopes.isEmpty else { throw MFAError.invalidInput("an API key needs at least one scope", field: "scopes") }
        let id = "ak_" + Base32.encode(try random.bytes(count: 13)).lowercased().prefix(20)
        let secret = Base32.encode(try random.bytes(count: 32)).lowercased()  // 256 bits
        let hash = try Self.hashAPIKeySecret(secret)
        let record = APIKeyRecord(id: id, tenantID: tenantID, name: name, scopes: scopes, secretHash: hash,
                                  createdAt: Date(millisecondsSince1970: time.now().millisecondsSince1970))
        let event = try auditEvent(.apiKeyCreated, tenant: tenantID, user: nil, source: source,
                                   details: ["key_id": id, "name": name, "scopes": scopes.sorted().map(\.rawValue).joined(separator: ",")])
        try await guarded("insertAPIKey") { try await store.insertAPIKey(record, audit: [event]) }
        return (APIKeySummary(record), "mfa_\(id)_\(secret)")
    }

    /// Checks a presented key (`mfa_<id>_<secret>`): the secret's hash is compared in constant time,
    /// revoked keys and keys of deleted tenants fail. Nil for any bad key (no detail, no timing
    /// difference between an unknown id and a wrong secret beyond one database read).
    public func authenticateAPIKey(_ presented: String) async throws -> APIKeyPrincipal? {
        guard presented.utf8.count <= 128, presented.hasPrefix("mfa_ak_") else { return nil }
        let body = presented.dropFirst(4)
        guard let separator = body.lastIndex(of: "_"), separator > body.startIndex else { return nil }
        let id = String(body[body.startIndex..<separator])
        let secret = String(body[body.index(after: separator)...])
        guard id.utf8.count == 23, secret.utf8.count >= 32 else { return nil }
        let now = time.now()
        if let cached = apiKeyCache.get(presented, now: now) { return cached }
        let presentedHash = try Self.hashAPIKeySecret(secret)
        guard let record = try await guarded("apiKey", { try await store.apiKey(id: id) }),
              ConstantTime.equals(record.secretHash, presentedHash), record.revokedAt == nil else {
            return nil
        }
        let principal = APIKeyPrincipal(tenantID: record.tenantID, keyID: record.id, name: record.name, scopes: record.scopes)
        apiKeyCache.put(presented, principal, now: now)
        return principal
    }

    /// A tenant's API keys (no secrets), revoked ones included.
    public func apiKeys(tenant tenantID: TenantID) async throws -> [APIKeySummary] {
        _ = try await tenant(tenantID)
        return try await guarded("apiKeys") { try await store.apiKeys(tenant: tenantID) }.map(APIKeySummary.init)
    }

    /// Revokes a key. Every node stops accepting it within the key cache's lifetime (a few seconds).
    public func revokeAPIKey(tenant tenantID: TenantID, id: String, source: AuditSource = .unknown) async throws {
        let event = try auditEvent(.apiKeyRevoked, tenant: tenantID, user: nil, source: source, details: ["key_id": id])
        guard try await guarded("revokeAPIKey", {
            try await store.revokeAPIKey(tenant: tenantID, id: id, now: time.now(), audit: [event])
        }) else { throw MFAError.notFound("API key") }
        apiKeyCache.removeAll()
    }

    static func hashAPIKeySecret(_ secret: String) throws -> [UInt8] {
        do {
            return try SHA256.hash(Array(secret.utf8))
        } catch {
            throw MFAError.internal(SendableErrorBox(error))
        }
    }
}

/// Recently checked API keys, so a request does not need a database read for its key each time.
final class APIKeyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (principal: APIKeyPrincipal, at: Date)] = [:]
    private let ttl: TimeInterval

    init(ttl: TimeInterval) { self.ttl = ttl }

    func get(_ key: String, now: Date) -> APIKeyPrincipal? {
        lock.withLock {
            guard let entry = entries[key], now >= entry.at, now.timeIntervalSince(entry.at) < ttl else { return nil }
            return entry.principal
        }
    }

    func put(_ key: String, _ principal: APIKeyPrincipal, now: Date) {
        guard ttl > 0 else { return }
        lock.withLock {
            if entries.count > 10_000 { entries.removeAll() }
            entries[key] = (principal, now)
        }
    }

    func removeAll() { lock.withLock { entries.removeAll() } }
}
