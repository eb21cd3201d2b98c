import Foundation

/// The result of confirming an enrollment.
public struct EnrollmentConfirmation: Sendable, Equatable {
    /// True when the code was right and the method is now active.
    public let confirmed: Bool
    /// The active method (when confirmed).
    public let method: MethodSummary?
}

extension Engine {
    /// Most methods (any status) one user may have; bounds abuse of enrollment.
    public static let maximumMethodsPerUser = 20
    /// Wrong confirmation codes before a pending enrollment is dead.
    static let confirmationLockout = LockoutPolicy(threshold: 5, baseDelay: 1, maximumDelay: 60, disableAfter: 5)

    /// Stores a new method (pending or active) with its sealed payload. Used by the method
    /// implementations in MFAMethods; checks the tenant's policy, the name and the per-user limit.
    public func addMethod<P: Encodable>(tenant: Tenant, user: UserID, type: MethodType, name: String,
                                        status: MethodStatus, info: [String: String], payload: P,
                                        lastCounter: Int64? = nil, expiresAt: Date? = nil,
                                        auditKind: AuditEventKind, source: AuditSource,
                                        details: [String: String] = [:]) async throws -> MethodRecord {
        guard UserID.isValid(user.rawValue) else { throw MFAError.invalidInput("bad user id", field: "user_id") }
        guard tenant.policy.allowedMethods.contains(type) else {
            throw MFAError.methodNotAllowed("this organization does not allow \(type) methods", field: "type")
        }
        try Self.validateName(name)
        let now = time.now()
        _ = try await expireEnrollments(tenant: tenant.id, user: user, source: source)
        let existing = try await guarded("methods") { try await store.methods(tenant: tenant.id, user: user) }
        guard existing.count < Self.maximumMethodsPerUser else {
            throw MFAError.conflict("this user has the maximum of \(Self.maximumMethodsPerUser) methods")
        }
        let id = try MethodID.generate(random: random)
        let sealed = try sealPayload(payload, tenant: tenant.id, method: id)
        let record = MethodRecord(id: id, tenantID: tenant.id, userID: user, type: type, name: name, status: status,
                                  info: info, sealedPayload: sealed.sealed, keyID: sealed.keyID, lastCounter: lastCounter,
                                  createdAt: now, confirmedAt: status == .active ? now : nil, expiresAt: expiresAt)
        let event = try auditEvent(auditKind, tenant: tenant.id, user: user, method: record, source: source,
                                   details: details.merging(["name": name]) { a, _ in a }, at: now)
        try await guarded("insertMethod") { try await store.insertMethod(record, audit: [event]) }
        if status == .active { try await makeDefaultIfNone(tenant: tenant.id, user: user, method: id, source: source) }
        return record
    }

    /// Confirms a pending enrollment with its first code (TH-15): the method becomes active, and the
    /// confirming code's step is consumed so it cannot also sign in (TH-14). Five wrong codes end
    /// the enrollment.
    /// - Throws: `.notFound` (unknown, or another user's/tenant's), `.enrollmentExpired`,
    ///   `.invalidCode` (malformed), `.locked`, `.unavailable`.
    public func confirmEnrollment(tenant tenantID: TenantID, enrollment id: MethodID, user: UserID? = nil, code: String,
                                  source: AuditSource = .unknown) async throws -> EnrollmentConfirmation {
        guard code.utf8.count <= Self.maximumCodeLength else { throw MFAError.invalidCode("the code is too long") }
        let tenant = try await self.tenant(tenantID)
        guard let record = try await guarded("method", { try await store.method(tenant: tenantID, id: id) }),
              user == nil || record.userID == user else {
            throw MFAError.notFound("enrollment")
        }
        let now = time.now()
        guard record.status == .pending, let expires = record.expiresAt, expires > now else {
            throw MFAError.enrollmentExpired()
        }
        guard let handler = try handler(for: record.type) as? any ConfirmableMethod else {
            throw MFAError.invalidInput("this method is not confirmed with a code", field: "enrollment_id")
        }
        try handler.validateShape(code: code, info: record.info)

        let reservation = try await guarded("reserveAttempt") {
            try await store.reserveAttempt(tenant: tenantID, id: id, status: .pending, now: now, policy: Self.confirmationLockout)
        }
        let reserved: MethodRecord
        switch reservation {
        case .unavailable: throw MFAError.enrollmentExpired()
        case .locked(let until): throw MFAError.locked(retryAfter: Int(until.timeIntervalSince(now).rounded(.up)))
        case .reserved(let row): reserved = row
        }
        let context = VerificationContext(engine: self, tenant: tenant, record: reserved, now: now, source: source)
        guard let match = try handler.matchConfirmation(code: code, context: context) else {
            let event = try auditEvent(.verificationFailed, tenant: tenantID, user: record.userID, method: reserved,
                                       source: source, details: ["purpose": "enrollment", "failures": "\(reserved.failures)"], at: now)
            try await guarded("appendAudit") { try await store.appendAudit([event]) }
            if reserved.status == .disabled { throw MFAError.enrollmentExpired() }
            return EnrollmentConfirmation(confirmed: false, method: nil)
        }
        guard reserved.status == .pending else { throw MFAError.enrollmentExpired() }
        let event = try auditEvent(.enrollmentConfirmed, tenant: tenantID, user: record.userID, method: reserved,
                                   source: source, details: ["name": record.name], at: now)
        let activated = try await guarded("activateMethod") {
            try await store.activateMethod(tenant: tenantID, id: id, lastCounter: match.counter, drift: match.drift, now: now,
                                           audit: [event])
        }
        guard activated else { throw MFAError.enrollmentExpired() }
        // Re-enrollment on a new device replaces the old binding (TH-22).
        if let replaced = record.info["replaces"].flatMap({ try? MethodID($0) }),
           let old = try await guarded("method", { try await store.method(tenant: tenantID, id: replaced) }),
           old.userID == record.userID {
            try await deleteMethod(tenant: tenantID, user: record.userID, method: replaced, source: source)
        }
        try await makeDefaultIfNone(tenant: tenantID, user: record.userID, method: id, source: source)
        let summaries = try await methods(tenant: tenantID, user: record.userID)
        return EnrollmentConfirmation(confirmed: true, method: summaries.first { $0.id == id })
    }

    /// Deletes expired pending enrollments (of one user, or all when `user` is nil), writing an
    /// `enrollment_expired` event for each. Returns how many.
    @discardableResult
    public func expireEnrollments(tenant: TenantID? = nil, user: UserID? = nil, source: AuditSource = .unknown) async throws -> Int {
        let now = time.now()
        let engine = self
        let expired = try await guarded("deleteExpiredEnrollments") {
            try await store.deleteExpiredEnrollments(tenant: tenant, user: user, now: now) { record in
                (try? engine.auditEvent(.enrollmentExpired, tenant: record.tenantID, user: record.userID, method: record,
                                        source: source, at: now))
                    ?? AuditEvent(at: now, tenantID: record.tenantID, userID: record.userID, userRef: nil, methodID: record.id,
                                  methodType: record.type, kind: .enrollmentExpired, source: source, details: [:], hash: "")
            }
        }
        return expired.count
    }

    func makeDefaultIfNone(tenant: TenantID, user: UserID, method: MethodID, source: AuditSource) async throws {
        let userRecord = try await guarded("user") { try await store.user(tenant: tenant, id: user) }
        if let userRecord, userRecord.defaultMethodID == nil {
            let event = try auditEvent(.defaultMethodChanged, tenant: tenant, user: user, methodID: method, source: source)
            _ = try await guarded("setDefaultMethod") {
                try await store.setDefaultMethod(tenant: tenant, user: user, method: method, audit: [event])
            }
        }
    }

    static func validateName(_ name: String) throws {
        guard !name.isEmpty, name.count <= 64, name.utf8.count <= 256,
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw MFAError.invalidInput("a method name is 1 to 64 characters without control characters", field: "name")
        }
    }
}
