import Foundation

/// Everything held about a user, for export (no secrets).
public struct UserExport: Sendable, Codable {
    public let tenantID: TenantID
    public let userID: UserID
    public let userRef: String
    public let defaultMethodID: MethodID?
    public let methods: [MethodSummary]
    public let events: [AuditEntry]
    public let exportedAt: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", userID = "user_id", userRef = "user_ref", defaultMethodID = "default_method_id"
        case methods, events, exportedAt = "exported_at"
    }
}

/// An audit event as shown to operators and users.
public struct AuditEntry: Sendable, Codable, Equatable {
    public let id: Int64
    public let at: Date
    public let kind: AuditEventKind
    public let methodID: MethodID?
    public let methodType: MethodType?
    public let source: AuditSource
    public let details: [String: String]

    public init(_ event: AuditEvent) {
        id = event.id
        at = event.at
        kind = event.kind
        methodID = event.methodID
        methodType = event.methodType
        source = event.source
        details = event.details
    }

    enum CodingKeys: String, CodingKey {
        case id, at, kind, methodID = "method_id", methodType = "method_type", source, details
    }
}

extension Engine {
    /// A user's methods (no secrets), oldest first; expired enrollments are left out.
    public func methods(tenant tenantID: TenantID, user: UserID) async throws -> [MethodSummary] {
        _ = try await tenant(tenantID)
        let now = time.now()
        let records = try await guarded("methods") { try await store.methods(tenant: tenantID, user: user) }
        let userRecord = try await guarded("user") { try await store.user(tenant: tenantID, id: user) }
        var summaries: [MethodSummary] = []
        for record in records {
            if record.status == .pending, let expires = record.expiresAt, expires <= now { continue }
            var remaining: Int?
            if record.type == .recoveryCodes {
                remaining = try await guarded("remainingRecoveryCodes") {
                    try await store.remainingRecoveryCodes(tenant: tenantID, method: record.id)
                }
            }
            summaries.append(MethodSummary(record, isDefault: userRecord?.defaultMethodID == record.id,
                                           remainingCodes: remaining, now: now))
        }
        return summaries
    }

    /// One of the user's methods, or `notFound` (also for another user's or tenant's method).
    public func ownedMethod(tenant: TenantID, user: UserID, id: MethodID) async throws -> MethodRecord {
        guard let record = try await guarded("method", { try await store.method(tenant: tenant, id: id) }),
              record.userID == user else {
            throw MFAError.notFound("method")
        }
        return record
    }

    /// Renames a method ("Pixel 8").
    public func renameMethod(tenant: TenantID, user: UserID, method id: MethodID, to name: String,
                             source: AuditSource = .unknown) async throws {
        try Self.validateName(name)
        let record = try await ownedMethod(tenant: tenant, user: user, id: id)
        let event = try auditEvent(.methodRenamed, tenant: tenant, user: user, method: record, source: source,
                                   details: ["name": name])
        guard try await guarded("updateMethod", {
            try await store.updateMethod(tenant: tenant, id: id, name: name, status: nil, audit: [event])
        }) else { throw MFAError.notFound("method") }
    }

    /// Disables or re-enables a method. A disabled method cannot sign in (at once, on every node).
    public func setMethodEnabled(tenant: TenantID, user: UserID, method id: MethodID, enabled: Bool,
                                 source: AuditSource = .unknown) async throws {
        let record = try await ownedMethod(tenant: tenant, user: user, id: id)
        let event = try auditEvent(enabled ? .methodEnabled : .methodDisabled, tenant: tenant, user: user, method: record,
                                   source: source, details: ["reason": "requested"])
        guard try await guarded("updateMethod", {
            try await store.updateMethod(tenant: tenant, id: id, name: nil, status: enabled ? .active : .disabled, audit: [event])
        }) else { throw MFAError.notFound("method") }
    }

    /// Makes an active method the user's default.
    public func setDefaultMethod(tenant: TenantID, user: UserID, method id: MethodID, source: AuditSource = .unknown) async throws {
        let record = try await ownedMethod(tenant: tenant, user: user, id: id)
        guard record.status == .active else {
            throw MFAError.invalidInput("only an active method can be the default", field: "method_id")
        }
        let event = try auditEvent(.defaultMethodChanged, tenant: tenant, user: user, method: record, source: source)
        guard try await guarded("setDefaultMethod", {
            try await store.setDefaultMethod(tenant: tenant, user: user, method: id, audit: [event])
        }) else { throw MFAError.notFound("user") }
    }

    /// Deletes a method and its secret at once (ST-08). If it was the default, the oldest other
    /// active method becomes the default.
    public func deleteMethod(tenant: TenantID, user: UserID, method id: MethodID, source: AuditSource = .unknown) async throws {
        let record = try await ownedMethod(tenant: tenant, user: user, id: id)
        let event = try auditEvent(.methodRemoved, tenant: tenant, user: user, method: record, source: source,
                                   details: ["name": record.name])
        guard try await guarded("deleteMethod", { try await store.deleteMethod(tenant: tenant, id: id, audit: [event]) }) else {
            throw MFAError.notFound("method")
        }
        let remaining = try await guarded("methods") { try await store.methods(tenant: tenant, user: user) }
        if let next = remaining.first(where: { $0.status == .active && $0.type != .recoveryCodes }) {
            try await makeDefaultIfNone(tenant: tenant, user: user, method: next.id, source: source)
        }
    }

    /// A user's audit events, newest first.
    public func activity(tenant: TenantID, user: UserID, limit: Int = 100, before: Int64? = nil) async throws -> [AuditEntry] {
        _ = try await self.tenant(tenant)
        let ref = userRef(tenant: tenant, user: user)
        let events = try await guarded("auditEvents") {
            try await store.auditEvents(tenant: tenant, userRef: ref, beforeID: before, limit: max(1, min(limit, 1000)))
        }
        return events.map(AuditEntry.init)
    }

    /// Everything held about a user as data (no secrets, codes or hashes).
    public func exportUser(tenant: TenantID, user: UserID, source: AuditSource = .unknown) async throws -> UserExport {
        let methods = try await methods(tenant: tenant, user: user)
        let userRecord = try await guarded("user") { try await store.user(tenant: tenant, id: user) }
        let ref = userRef(tenant: tenant, user: user)
        var entries: [AuditEntry] = []
        var before: Int64?
        while true {
            let page = try await guarded("auditEvents") {
                try await store.auditEvents(tenant: tenant, userRef: ref, beforeID: before, limit: 1000)
            }
            entries += page.map(AuditEntry.init)
            guard page.count == 1000, let last = page.last else { break }
            before = last.id
        }
        guard userRecord != nil || !methods.isEmpty || !entries.isEmpty else { throw MFAError.notFound("user") }
        let event = try auditEvent(.userExported, tenant: tenant, user: user, source: source)
        try await guarded("appendAudit") { try await store.appendAudit([event]) }
        return UserExport(tenantID: tenant, userID: user, userRef: ref, defaultMethodID: userRecord?.defaultMethodID,
                          methods: methods, events: entries, exportedAt: time.now())
    }

    /// Erases a user: methods, secrets, counters and recovery codes are deleted; audit events are
    /// kept under the user's keyed pseudonym only.
    public func eraseUser(tenant: TenantID, user: UserID, source: AuditSource = .unknown) async throws {
        _ = try await self.tenant(tenant)
        let ref = userRef(tenant: tenant, user: user)
        var event = try auditEvent(.userErased, tenant: tenant, user: user, source: source)
        event.userID = nil
        try await guarded("eraseUser") { try await store.eraseUser(tenant: tenant, user: user, userRef: ref, audit: event) }
    }
}
