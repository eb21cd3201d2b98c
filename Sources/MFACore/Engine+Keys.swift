import Foundation
import MFACrypto

/// What a key rotation did.
public struct KeyRotationReport: Sendable, Equatable {
    public let resealedMethods: Int
    public let resealedEngineKeys: Int
}

extension Engine {
    /// Re-encrypts every sealed secret under the key ring's primary key, in batches, each row by
    /// compare-and-set (so it is safe while other nodes serve, and resumable: run it again after an
    /// interruption and it carries on with what is left). The key ring must hold the old keys too.
    /// - Parameter progress: called after each batch with (done, total).
    public func rotateKeys(batchSize: Int = 200, source: AuditSource = .unknown,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> KeyRotationReport {
        let target = keyRing.primary.id
        let total = try await guarded("countMethodsSealed") { try await store.countMethodsSealed(notWith: target) }
        var done = 0
        var stalled = 0
        progress?(0, total)
        while true {
            let batch = try await guarded("methodsSealed") { try await store.methodsSealed(notWith: target, limit: batchSize) }
            if batch.isEmpty { break }
            var changed = 0
            for record in batch {
                let aad = Self.associatedData(tenant: record.tenantID, method: record.id)
                let opened: SecureBytes
                do {
                    opened = try keyRing.open(record.sealedPayload, associatedData: aad)
                } catch {
                    throw MFAError.configuration("method \(record.id) is sealed with key '\(record.keyID)', which this key ring cannot open",
                                                 underlying: SendableErrorBox(error))
                }
                let resealed = try keyRing.seal(opened, associatedData: aad, random: random)
                if try await guarded("replaceSealedPayload", {
                    try await store.replaceSealedPayload(tenant: record.tenantID, id: record.id, old: record.sealedPayload,
                                                         new: resealed, keyID: target)
                }) {
                    changed += 1
                }
            }
            done += changed
            progress?(min(done, max(total, done)), max(total, done))
            // Rows that changed underneath are picked up by the next batch; give up if nothing moves.
            stalled = changed == 0 ? stalled + 1 : 0
            if stalled >= 3 { throw MFAError.conflict("key rotation made no progress; try again") }
        }

        var engineKeys = 0
        for name in [EngineKeys.auditKeyName, EngineKeys.pseudonymKeyName] {
            guard let stored = try await guarded("engineSecret", { try await store.engineSecret(named: name) }),
                  stored.keyID != target else { continue }
            let aad = EngineKeys.associatedData(name)
            let opened = try keyRing.open(stored.sealed, associatedData: aad)
            let resealed = try keyRing.seal(opened, associatedData: aad, random: random)
            if try await guarded("replaceEngineSecret", {
                try await store.replaceEngineSecret(named: name, old: stored.sealed, new: resealed, keyID: target)
            }) {
                engineKeys += 1
            }
        }
        let event = try auditEvent(.keysRotated, tenant: nil, user: nil, source: source,
                                   details: ["key_id": target, "methods": "\(done)", "engine_keys": "\(engineKeys)"])
        try await guarded("appendAudit") { try await store.appendAudit([event]) }
        return KeyRotationReport(resealedMethods: done, resealedEngineKeys: engineKeys)
    }
}
