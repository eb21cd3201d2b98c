import Foundation
public import Logging
public import MFACrypto

/// The MFA engine: tenants, users' methods, enrollment, verification, recovery codes, audit.
///
/// A Swift login server can embed it directly with any `MFAStore` (`InMemoryStore`, SQLite,
/// PostgreSQL); `mfa serve` puts HTTP in front of the same type. Several engines (processes, nodes)
/// may share one database: every race is settled by one atomic store statement.
///
/// Every error thrown is an `MFAError`. A failing store gives `.unavailable`, never "verified".
public struct Engine: Sendable {
    public let store: any MFAStore
    public let keyRing: KeyRing
    public let time: any TimeSource
    public let random: any RandomSource
    public let logger: Logger
    let methods: [MethodType: any VerifiableMethod]
    let keys: EngineKeys
    let tenantCache: TenantCache
    let apiKeyCache: APIKeyCache

    /// Starts an engine on a migrated store: loads (or, on first use, creates) the engine's own
    /// keys, sealed in the store by `keyRing`.
    /// - Parameter methods: the method implementations (from MFAMethods: `BuiltInMethods.all`).
    public init(store: any MFAStore, keyRing: KeyRing, methods: [any VerifiableMethod],
                time: any TimeSource = SystemTimeSource(), random: any RandomSource = SystemRandomSource(),
                logger: Logger = Logger(label: "mfa.engine"), tenantCacheSeconds: TimeInterval = 5) async throws {
        self.store = store
        self.keyRing = keyRing
        self.time = time
        self.random = random
        self.logger = logger
        self.methods = Dictionary(methods.map { ($0.type, $0) }, uniquingKeysWith: { _, last in last })
        self.tenantCache = TenantCache(ttl: tenantCacheSeconds)
        self.apiKeyCache = APIKeyCache(ttl: tenantCacheSeconds)
        self.keys = try await EngineKeys.load(store: store, keyRing: keyRing, random: random, logger: logger)
    }

    // MARK: Store access

    /// Runs a store operation; any failure becomes `MFAError.unavailable` (fail closed, API-08).
    /// For method implementations that call the store directly.
    public func guarded<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MFAError {
            throw error
        } catch {
            logger.error("store operation failed", metadata: ["operation": "\(operation)", "error": "\(String(describing: error))"])
            throw MFAError.unavailable(SendableErrorBox(error))
        }
    }

    // MARK: Tenants

    /// Creates a tenant. `issuer` is what authenticator apps show (no ':').
    @discardableResult
    public func createTenant(_ id: TenantID, issuer: String, policy: TenantPolicy = .default) async throws -> Tenant {
        guard TenantID.isValid(id.rawValue) else { throw MFAError.invalidInput("bad tenant id", field: "tenant_id") }
        try Self.validateIssuer(issuer)
        try policy.validate()
        let tenant = Tenant(id: id, issuer: issuer, policy: policy, createdAt: time.now())
        do {
            try await store.createTenant(tenant)
        } catch let error as StoreError where error.kind == .duplicate {
            throw MFAError.conflict("a tenant with this id exists already")
        } catch let error as MFAError {
            throw error
        } catch {
            throw MFAError.unavailable(SendableErrorBox(error))
        }
        return tenant
    }

    /// The tenant, or `notFound`. Cached for a few seconds (policies change rarely).
    public func tenant(_ id: TenantID) async throws -> Tenant {
        let now = time.now()
        if let cached = tenantCache.get(id, now: now) { return cached }
        guard let tenant = try await guarded("tenant", { try await store.tenant(id) }) else {
            throw MFAError.notFound("tenant")
        }
        tenantCache.put(tenant, now: now)
        return tenant
    }

    /// Replaces a tenant's issuer and policy.
    public func updateTenant(_ id: TenantID, issuer: String? = nil, policy: TenantPolicy? = nil) async throws -> Tenant {
        var tenant = try await self.tenant(id)
        if let issuer {
            try Self.validateIssuer(issuer)
            tenant.issuer = issuer
        }
        if let policy {
            try policy.validate()
            tenant.policy = policy
        }
        guard try await guarded("updateTenant", { try await store.updateTenant(tenant) }) else {
            throw MFAError.notFound("tenant")
        }
        tenantCache.invalidate(id)
        return tenant
    }

    static func validateIssuer(_ issuer: String) throws {
        guard !issuer.isEmpty, issuer.utf8.count <= 100, !issuer.contains(":"),
              !issuer.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw MFAError.invalidInput("the issuer must be 1 to 100 bytes without ':' or control characters", field: "issuer")
        }
    }

    // MARK: Payloads

    static func associatedData(tenant: TenantID, method: MethodID) -> [UInt8] {
        Array("mfa-method-v1\u{0}\(tenant.rawValue)\u{0}\(method.rawValue)".utf8)
    }

    /// Seals a method payload (JSON) under the primary key with the record id as associated data.
    public func sealPayload<P: Encodable>(_ payload: P, tenant: TenantID, method: MethodID) throws -> (sealed: [UInt8], keyID: String) {
        var json: [UInt8]
        do {
            json = Array(try JSONEncoder().encode(payload))
        } catch {
            throw MFAError.internal(SendableErrorBox(error))
        }
        defer { json.withUnsafeMutableBytes { wipe($0) } }
        do {
            let sealed = try json.withUnsafeBytes {
                try keyRing.seal($0, associatedData: Self.associatedData(tenant: tenant, method: method), random: random)
            }
            return (sealed, keyRing.primary.id)
        } catch {
            throw MFAError.internal(SendableErrorBox(error))
        }
    }

    /// Opens a method's payload. A payload that does not authenticate (tampered, moved to another
    /// row, unknown key) is an integrity error, never a match.
    public func openPayload<P: Decodable>(_ type: P.Type, record: MethodRecord) throws -> P {
        let opened: SecureBytes
        do {
            opened = try keyRing.open(record.sealedPayload, associatedData: Self.associatedData(tenant: record.tenantID, method: record.id))
        } catch {
            logger.error("a sealed method payload did not open", metadata: ["method_id": "\(record.id)", "error": "\(error)"])
            throw MFAError.integrity("a stored secret failed its integrity check", underlying: SendableErrorBox(error))
        }
        do {
            return try opened.withUnsafeBytes { try JSONDecoder().decode(P.self, from: Data($0)) }
        } catch {
            throw MFAError.integrity("a stored secret is unreadable", underlying: SendableErrorBox(error))
        }
    }

    // MARK: Audit events

    /// The keyed pseudonym of a user (HMAC-SHA256 under the engine's pseudonym key, 128 bits hex).
    public func userRef(tenant: TenantID, user: UserID) -> String {
        keys.pseudonym(tenant: tenant, user: user)
    }

    /// Builds an audit event with its hash.
    public func auditEvent(_ kind: AuditEventKind, tenant: TenantID?, user: UserID?, method: MethodRecord? = nil,
                           methodID: MethodID? = nil, source: AuditSource, details: [String: String] = [:],
                           at: Date? = nil) throws -> AuditEvent {
        // Millisecond precision, as every store keeps it, so the hash is reproducible after a read.
        let when = Date(millisecondsSince1970: (at ?? time.now()).millisecondsSince1970)
        let draft = AuditEvent(at: when, tenantID: tenant, userID: user,
                               userRef: tenant.flatMap { t in user.map { userRef(tenant: t, user: $0) } },
                               methodID: method?.id ?? methodID, methodType: method?.type, kind: kind, source: source,
                               details: details, hash: "")
        let digest: [UInt8]
        do {
            digest = try SHA256.hash(draft.canonicalBytes)
        } catch {
            throw MFAError.internal(SendableErrorBox(error))
        }
        return AuditEvent(at: draft.at, tenantID: draft.tenantID, userID: draft.userID, userRef: draft.userRef,
                          methodID: draft.methodID, methodType: draft.methodType, kind: kind, source: source,
                          details: details, hash: Hex.encode(digest))
    }

    func handler(for type: MethodType) throws -> any VerifiableMethod {
        guard let handler = methods[type] else {
            throw MFAError.methodNotAllowed("the method type '\(type)' is not available in this engine", field: "type")
        }
        return handler
    }
}

/// Wraps any error so it can travel in `MFAError.underlying`.
public struct SendableErrorBox: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ error: any Error) { description = String(describing: error) }
}
