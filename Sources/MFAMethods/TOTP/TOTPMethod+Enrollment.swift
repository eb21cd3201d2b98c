import Foundation
import MFACore
import MFACrypto
import MFAOTP

/// A pending authenticator-app enrollment. `secret` and `uri` are shown to the user once, in the
/// enrollment response, and never again (TH-23); never log them.
public struct TOTPEnrollment: Sendable {
    public let enrollmentID: MethodID
    public let secret: OTPSecret
    public let uri: OTPAuthURI
    public let expiresAt: Date
}

extension Engine {
    /// Begins enrolling an authenticator app: a new CSPRNG secret as long as the HMAC output, the
    /// otpauth URI with the tenant's issuer, and a pending method that expires after the tenant's
    /// enrollment time-out. Confirm it with `confirmEnrollment(tenant:enrollment:code:)`.
    ///
    /// - Parameters:
    ///   - account: the label shown in the app (default: the user id).
    ///   - replacing: an existing method this one replaces once confirmed (a new phone, TH-22).
    public func beginTOTPEnrollment(tenant tenantID: TenantID, user: UserID, name: String = "Authenticator app",
                                    account: String? = nil, algorithm: OTPAlgorithm? = nil, digits: Int? = nil,
                                    period: Int? = nil, replacing: MethodID? = nil,
                                    source: AuditSource = .unknown) async throws -> TOTPEnrollment {
        let tenant = try await self.tenant(tenantID)
        let policy = tenant.policy.totp
        let chosen = (algorithm ?? policy.algorithm, digits ?? policy.digits, period ?? policy.period)
        if !policy.allowCustomParameters, chosen != (policy.algorithm, policy.digits, policy.period) {
            throw MFAError.methodNotAllowed("this organization fixes the authenticator settings", field: "algorithm")
        }
        if let replacing { _ = try await ownedMethod(tenant: tenantID, user: user, id: replacing) }
        let secret: OTPSecret
        let uri: OTPAuthURI
        do {
            secret = try OTPSecret.generate(for: chosen.0, random: random)
            let totp = try TOTP(secret: secret, algorithm: chosen.0, digits: chosen.1, period: chosen.2)
            uri = try OTPAuthURI(totp: totp, issuer: tenant.issuer, account: account ?? user.rawValue)
        } catch {
            throw MFAError.from(error, field: "account")
        }
        if chosen != (.sha1, 6, 30) {
            // URI-06: some apps ignore these parameters; the confirming code catches that.
            logger.notice("TOTP enrollment with non-default parameters", metadata: [
                "tenant": "\(tenantID)", "algorithm": "\(chosen.0.rawValue)", "digits": "\(chosen.1)", "period": "\(chosen.2)",
            ])
        }
        var info = ["algorithm": chosen.0.rawValue, "digits": "\(chosen.1)", "period": "\(chosen.2)"]
        if let replacing { info["replaces"] = replacing.rawValue }
        let expiresAt = time.now().addingTimeInterval(TimeInterval(tenant.policy.enrollmentTimeout))
        let payload = TOTPMethod.Payload(secret: Data(secret.bytes.bytes), algorithm: chosen.0, digits: chosen.1, period: chosen.2)
        let record = try await addMethod(tenant: tenant, user: user, type: .totp, name: name, status: .pending, info: info,
                                         payload: payload, expiresAt: expiresAt, auditKind: .enrollmentBegun, source: source)
        return TOTPEnrollment(enrollmentID: record.id, secret: secret, uri: uri, expiresAt: expiresAt)
    }

    /// The otpauth URI of a still-pending enrollment (for re-drawing its QR code). Nil once it is
    /// confirmed or expired: the secret is never retrievable after that (TH-23).
    public func pendingTOTPURI(tenant tenantID: TenantID, enrollment id: MethodID, account: String? = nil) async throws -> OTPAuthURI {
        let tenant = try await self.tenant(tenantID)
        guard let record = try await guarded("method", { try await store.method(tenant: tenantID, id: id) }),
              record.type == .totp else { throw MFAError.notFound("enrollment") }
        guard record.status == .pending, let expires = record.expiresAt, expires > time.now() else {
            throw MFAError.enrollmentExpired()
        }
        let payload = try openPayload(TOTPMethod.Payload.self, record: record)
        do {
            let totp = try TOTP(secret: OTPSecret(bytes: payload.secret), algorithm: payload.algorithm, digits: payload.digits,
                                period: payload.period)
            return try OTPAuthURI(totp: totp, issuer: tenant.issuer, account: account ?? record.userID.rawValue)
        } catch {
            throw MFAError.from(error)
        }
    }
}
