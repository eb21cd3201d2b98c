import Foundation

/// The answer to a sign-in verification.
public struct VerificationResult: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        case verified, rejected, replayed
    }

    public let outcome: Outcome
    /// The method that matched (only when verified).
    public let methodID: MethodID?
    public let methodType: MethodType?
    /// For a recovery code: how many unused codes are left.
    public let remainingRecoveryCodes: Int?

    public var verified: Bool { outcome == .verified }
}

extension Engine {
    /// Longest code input looked at (IV-08).
    static let maximumCodeLength = 64

    /// Verifies a code for sign-in against one method, or against every active method of the user
    /// whose codes have this shape (TOTP/HOTP digits, recovery codes).
    ///
    /// Each attempt is counted before it is checked (atomically, so concurrent guesses cannot slip
    /// past the limit) and the count is cleared by a success; an accepted code's step/counter is
    /// consumed by a compare-and-set, so the same code never works twice, on any node (TH-11/12).
    ///
    /// - Returns: `.verified`, `.rejected` (wrong code) or `.replayed` (already used).
    /// - Throws: `MFAError` `.invalidCode` for a malformed code (before any crypto or database
    ///   write), `.notFound` for an unknown tenant, user or method (or another tenant's),
    ///   `.locked` with `retryAfter` while throttled, `.unavailable` when the database fails.
    public func verify(tenant tenantID: TenantID, user: UserID, code: String, methodID: MethodID? = nil,
                       source: AuditSource = .unknown) async throws -> VerificationResult {
        guard code.utf8.count <= Self.maximumCodeLength else { throw MFAError.invalidCode("the code is too long") }
        let tenant = try await self.tenant(tenantID)

        var candidates: [(MethodRecord, any VerifiableMethod)] = []
        if let methodID {
            guard let record = try await guarded("method", { try await store.method(tenant: tenantID, id: methodID) }),
                  record.userID == user, record.status == .active else {
                throw MFAError.notFound("active method")
            }
            let handler = try handler(for: record.type)
            try handler.validateShape(code: code, info: record.info)
            candidates.append((record, handler))
        } else {
            let records = try await guarded("methods", { try await store.methods(tenant: tenantID, user: user) })
            let active = records.filter { $0.status == .active && methods[$0.type] != nil }
            guard !active.isEmpty else { throw MFAError.notFound("active method") }
            var shapeError: MFAError?
            for record in active {
                guard let handler = methods[record.type] else { continue }
                do {
                    try handler.validateShape(code: code, info: record.info)
                    candidates.append((record, handler))
                } catch let error as MFAError {
                    shapeError = shapeError ?? error
                }
            }
            if candidates.isEmpty { throw shapeError ?? MFAError.invalidCode("the code has the wrong format") }
            // Recovery codes last: an OTP-shaped code should not burn a recovery attempt.
            candidates.sort { ($0.0.type == .recoveryCodes ? 1 : 0) < ($1.0.type == .recoveryCodes ? 1 : 0) }
        }

        let now = time.now()
        var events: [AuditEvent] = []
        var reservedIDs: [MethodID] = []
        var earliestUnlock: Date?
        var replayed = false
        for (record, handler) in candidates {
            let reservation = try await guarded("reserveAttempt") {
                try await store.reserveAttempt(tenant: tenantID, id: record.id, status: .active, now: now, policy: tenant.policy.lockout)
            }
            let reserved: MethodRecord
            switch reservation {
            case .unavailable:
                continue
            case .locked(let until):
                earliestUnlock = min(earliestUnlock ?? until, until)
                continue
            case .reserved(let row):
                reserved = row
            }
            reservedIDs.append(record.id)

            if reserved.status == .disabled {
                // This attempt reached the hard limit (RL-02): it is not checked.
                events.append(try auditEvent(.verificationFailed, tenant: tenantID, user: user, method: reserved,
                                             source: source, details: ["failures": "\(reserved.failures)"], at: now))
                events.append(try auditEvent(.methodDisabled, tenant: tenantID, user: user, method: reserved, source: source,
                                             details: ["reason": "too_many_failures", "failures": "\(reserved.failures)"], at: now))
                logger.warning("method disabled after too many failures", metadata: ["tenant": "\(tenantID)", "method_id": "\(record.id)"])
                continue
            }

            let context = VerificationContext(engine: self, tenant: tenant, record: reserved, now: now, source: source)
            let verdict: MethodVerdict
            do {
                verdict = try await handler.verify(code: code, context: context)
            } catch let error as MFAError {
                try? await store.appendAudit(events)
                throw error
            } catch {
                try? await store.appendAudit(events)
                throw MFAError.unavailable(SendableErrorBox(error))
            }

            switch verdict {
            case .verified:
                for other in reservedIDs where other != record.id {
                    try await guarded("resetFailures") { try await store.resetFailures(tenant: tenantID, id: other) }
                }
                if !events.isEmpty { try await guarded("appendAudit") { try await store.appendAudit(events) } }
                var remaining: Int?
                if record.type == .recoveryCodes {
                    remaining = try await guarded("remainingRecoveryCodes") {
                        try await store.remainingRecoveryCodes(tenant: tenantID, method: record.id)
                    }
                }
                return VerificationResult(outcome: .verified, methodID: record.id, methodType: record.type,
                                          remainingRecoveryCodes: remaining)
            case .replayed:
                replayed = true
                events.append(try auditEvent(.verificationReplayed, tenant: tenantID, user: user, method: reserved,
                                             source: source, details: ["failures": "\(reserved.failures)"], at: now))
                logger.notice("a one-time code was replayed", metadata: ["tenant": "\(tenantID)", "method_id": "\(record.id)"])
            case .rejected:
                events.append(try auditEvent(.verificationFailed, tenant: tenantID, user: user, method: reserved,
                                             source: source, details: ["failures": "\(reserved.failures)"], at: now))
            }
            if let until = reserved.lockedUntil, until > now {
                events.append(try auditEvent(.lockout, tenant: tenantID, user: user, method: reserved, source: source,
                                             details: ["failures": "\(reserved.failures)",
                                                       "seconds": "\(Int(until.timeIntervalSince(now).rounded(.up)))"],
                                             at: now))
            }
        }

        if !events.isEmpty { try await guarded("appendAudit") { try await store.appendAudit(events) } }
        if reservedIDs.isEmpty {
            if let earliestUnlock {
                throw MFAError.locked(retryAfter: Int(earliestUnlock.timeIntervalSince(now).rounded(.up)))
            }
            throw MFAError.notFound("active method")
        }
        return VerificationResult(outcome: replayed ? .replayed : .rejected, methodID: nil, methodType: nil,
                                  remainingRecoveryCodes: nil)
    }
}
