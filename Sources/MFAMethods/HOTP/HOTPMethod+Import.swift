import Foundation
import MFACore
import MFACrypto
import MFAOTP

extension Engine {
    /// Imports a hardware token by its secret and next counter; it is active at once.
    public func importHOTPToken(tenant tenantID: TenantID, user: UserID, name: String = "Hardware token", secret: OTPSecret,
                                counter: UInt64 = 0, algorithm: OTPAlgorithm = .sha1, digits: Int = 6,
                                source: AuditSource = .unknown) async throws -> MethodSummary {
        let tenant = try await self.tenant(tenantID)
        guard OTPParameters.validDigits.contains(digits) else { throw MFAError.invalidInput("digits must be 6 to 8", field: "digits") }
        guard counter <= HOTPMethod.maximumCounter else { throw MFAError.invalidInput("the counter is too large", field: "counter") }
        let payload = HOTPMethod.Payload(secret: Data(secret.bytes.bytes), algorithm: algorithm, digits: digits)
        let record = try await addMethod(tenant: tenant, user: user, type: .hotp, name: name, status: .active,
                                         info: ["algorithm": algorithm.rawValue, "digits": "\(digits)"], payload: payload,
                                         lastCounter: counter == 0 ? nil : Int64(counter) - 1,
                                         auditKind: .methodImported, source: source)
        let summaries = try await methods(tenant: tenantID, user: user)
        guard let summary = summaries.first(where: { $0.id == record.id }) else { throw MFAError.notFound("method") }
        return summary
    }

    /// Resynchronises a token that has run far ahead: two consecutive codes found within the
    /// tenant's resync window move the counter past the second (RFC 4226 §7.4). Counts as an attempt.
    /// - Returns: true when resynchronised.
    public func resynchronizeHOTP(tenant tenantID: TenantID, user: UserID, method id: MethodID, firstCode: String,
                                  secondCode: String, source: AuditSource = .unknown) async throws -> Bool {
        let tenant = try await self.tenant(tenantID)
        let record = try await ownedMethod(tenant: tenantID, user: user, id: id)
        guard record.type == .hotp else { throw MFAError.invalidInput("not a hardware token", field: "method_id") }
        let handler = HOTPMethod()
        try handler.validateShape(code: firstCode, info: record.info)
        try handler.validateShape(code: secondCode, info: record.info)
        let now = time.now()
        let reservation = try await guarded("reserveAttempt") {
            try await store.reserveAttempt(tenant: tenantID, id: id, status: .active, now: now, policy: tenant.policy.lockout)
        }
        let reserved: MethodRecord
        switch reservation {
        case .unavailable: throw MFAError.notFound("active method")
        case .locked(let until): throw MFAError.locked(retryAfter: Int(until.timeIntervalSince(now).rounded(.up)))
        case .reserved(let row): reserved = row
        }
        let payload = try openPayload(HOTPMethod.Payload.self, record: reserved)
        let next = UInt64((reserved.lastCounter ?? -1) + 1)
        var found: UInt64?
        do {
            let hotp = try HOTP(secret: OTPSecret(bytes: payload.secret), algorithm: payload.algorithm, digits: payload.digits)
            let generator = try hotp.makeGenerator()
            let first = try OTPCode(firstCode, digits: payload.digits), second = try OTPCode(secondCode, digits: payload.digits)
            var counter = next
            let end = next + UInt64(tenant.policy.hotp.resyncWindow)
            while counter < end, found == nil {
                if let m = try generator.match(first, in: counter...(end - 1)) {
                    if try generator.match(second, in: (m + 1)...(m + 1)) != nil { found = m + 1 }
                    counter = m + 1
                } else {
                    break
                }
            }
        } catch {
            throw MFAError.from(error)
        }
        guard let found, reserved.status == .active else {
            let event = try auditEvent(.verificationFailed, tenant: tenantID, user: user, method: reserved, source: source,
                                       details: ["purpose": "resync", "failures": "\(reserved.failures)"], at: now)
            try await guarded("appendAudit") { try await store.appendAudit([event]) }
            return false
        }
        let event = try auditEvent(.hotpResynchronized, tenant: tenantID, user: user, method: reserved, source: source, at: now)
        return try await guarded("recordSuccess") {
            try await store.recordSuccess(tenant: tenantID, id: id, counter: Int64(found), drift: 0, now: now, audit: [event])
        }
    }
}
