import Foundation
import Logging
import MFACrypto

/// The engine's own keys, stored sealed in the database so every node shares them: the audit key
/// (signs checkpoints) and the pseudonym key (user references in audit events).
struct EngineKeys: Sendable {
    static let auditKeyName = "audit_key"
    static let pseudonymKeyName = "pseudonym_key"

    let audit: SecureBytes
    let pseudonymKey: SecureBytes

    static func associatedData(_ name: String) -> [UInt8] { Array("mfa-engine-secret-v1\u{0}\(name)".utf8) }

    static func load(store: any MFAStore, keyRing: KeyRing, random: any RandomSource, logger: Logger) async throws -> EngineKeys {
        func loadOrCreate(_ name: String) async throws -> SecureBytes {
            for _ in 0..<3 {
                let existing: (sealed: [UInt8], keyID: String)?
                do {
                    existing = try await store.engineSecret(named: name)
                } catch {
                    throw MFAError.unavailable(SendableErrorBox(error))
                }
                if let existing {
                    do {
                        return try keyRing.open(existing.sealed, associatedData: associatedData(name))
                    } catch {
                        throw MFAError.configuration(
                            "the engine key '\(name)' in the database does not open with this key ring (wrong key file?)",
                            underlying: SendableErrorBox(error))
                    }
                }
                let fresh = try random.secureBytes(count: 32)
                let sealed = try keyRing.seal(fresh, associatedData: associatedData(name), random: random)
                let inserted: Bool
                do {
                    inserted = try await store.insertEngineSecret(named: name, sealed: sealed, keyID: keyRing.primary.id)
                } catch {
                    throw MFAError.unavailable(SendableErrorBox(error))
                }
                if inserted {
                    logger.notice("created the engine key", metadata: ["name": "\(name)"])
                    return fresh
                }
                // Another node created it first: read theirs.
            }
            throw MFAError.configuration("could not load the engine key '\(name)'")
        }
        return EngineKeys(audit: try await loadOrCreate(auditKeyName), pseudonymKey: try await loadOrCreate(pseudonymKeyName))
    }

    func pseudonym(tenant: TenantID, user: UserID) -> String {
        let message = Array("\(tenant.rawValue)\u{0}\(user.rawValue)".utf8)
        guard let mac = try? HMACContext(algorithm: .sha256, key: pseudonymKey).mac(of: message) else {
            // HMAC failing means OpenSSL is broken; an unmatchable reference keeps the data separate.
            return "unavailable"
        }
        return Hex.encode(mac.prefix(16))
    }

    func sign(_ bytes: [UInt8]) throws -> String {
        Hex.encode(try HMACContext(algorithm: .sha256, key: audit).mac(of: bytes))
    }
}

/// A small time-bounded cache of tenants, so verification does not read the tenant row every time.
final class TenantCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [TenantID: (tenant: Tenant, at: Date)] = [:]
    private let ttl: TimeInterval

    init(ttl: TimeInterval) { self.ttl = ttl }

    func get(_ id: TenantID, now: Date) -> Tenant? {
        lock.withLock {
            guard let entry = entries[id], now.timeIntervalSince(entry.at) < ttl, now >= entry.at else { return nil }
            return entry.tenant
        }
    }

    func put(_ tenant: Tenant, now: Date) {
        guard ttl > 0 else { return }
        lock.withLock { entries[tenant.id] = (tenant, now) }
    }

    func invalidate(_ id: TenantID) {
        _ = lock.withLock { entries.removeValue(forKey: id) }
    }
}
