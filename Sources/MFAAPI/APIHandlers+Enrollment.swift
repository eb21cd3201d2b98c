import Foundation
import MFACore
import MFAMethods
import MFAOTP
import MFAQRCode
import OpenAPIRuntime

extension APIHandlers {
    func beginTOTPEnrollment(_ input: Operations.BeginTOTPEnrollment.Input) async throws -> Operations.BeginTOTPEnrollment.Output {
        let caller = try APICaller.require(.enroll)
        let user = try userID(input.path.userId)
        var request = Components.Schemas.TOTPEnrollmentRequest()
        if case .json(let body)? = input.body { request = body }
        let enrollment = try await engine.beginTOTPEnrollment(
            tenant: caller.tenant, user: user, name: request.name ?? "Authenticator app",
            algorithm: request.algorithm.map(OTPAlgorithm.init), digits: request.digits, period: request.period,
            source: caller.source)
        metrics.enrollment(type: MethodType.totp.rawValue, stage: "begun")
        let id = enrollment.enrollmentID.rawValue
        let body = Components.Schemas.TOTPEnrollment(
            enrollmentId: id, secret: enrollment.secret.base32, otpauthUri: enrollment.uri.string,
            qrPngUrl: "/v1/enrollments/\(id)/qr.png", qrSvgUrl: "/v1/enrollments/\(id)/qr.svg",
            expiresAt: enrollment.expiresAt, algorithm: .init(enrollment.uri.algorithm),
            digits: enrollment.uri.digits, period: enrollment.uri.period)
        return .created(.init(headers: .init(cacheControl: "no-store"), body: .json(body)))
    }

    func getEnrollmentQRCodePNG(_ input: Operations.GetEnrollmentQRCodePNG.Input) async throws -> Operations.GetEnrollmentQRCodePNG.Output {
        let qr = try await pendingQRCode(input.path.enrollmentId)
        let png: [UInt8]
        do {
            png = try qr.png(scale: 6)
        } catch {
            throw MFAError.internal(SendableErrorBox(error))
        }
        return .ok(.init(headers: .init(cacheControl: "no-store"), body: .png(HTTPBody(png))))
    }

    func getEnrollmentQRCodeSVG(_ input: Operations.GetEnrollmentQRCodeSVG.Input) async throws -> Operations.GetEnrollmentQRCodeSVG.Output {
        let qr = try await pendingQRCode(input.path.enrollmentId)
        return .ok(.init(headers: .init(cacheControl: "no-store"), body: .imageSvgXml(HTTPBody(qr.svg()))))
    }

    /// The QR code of a pending enrollment in the caller's tenant: 404 unknown, 410 no longer pending.
    private func pendingQRCode(_ rawID: String) async throws -> QRCode {
        let caller = try APICaller.require(.enroll)
        let id = try methodID(rawID, what: "enrollment")
        let uri = try await engine.pendingTOTPURI(tenant: caller.tenant, enrollment: id)
        do {
            return try QRCode(text: uri.string)
        } catch {
            throw MFAError.internal(SendableErrorBox(error))
        }
    }

    func confirmEnrollment(_ input: Operations.ConfirmEnrollment.Input) async throws -> Operations.ConfirmEnrollment.Output {
        let caller = try APICaller.require(.enroll)
        let id = try methodID(input.path.enrollmentId, what: "enrollment")
        guard case .json(let body) = input.body else { throw APIProblem.malformed("a JSON body is required") }
        let confirmation: EnrollmentConfirmation
        do {
            confirmation = try await engine.confirmEnrollment(tenant: caller.tenant, enrollment: id, code: body.code,
                                                              source: caller.source)
        } catch let error as MFAError where error.code == .locked {
            metrics.lockout(operation: "confirm")
            throw error
        }
        guard confirmation.confirmed else {
            metrics.enrollment(type: MethodType.totp.rawValue, stage: "failed")
            throw APIProblem.wrongCode()
        }
        guard let method = confirmation.method else { throw MFAError.notFound("method") }
        metrics.enrollment(type: method.type.rawValue, stage: "confirmed")
        return .ok(.init(body: .json(.init(methodId: method.id.rawValue, method: .init(method)))))
    }

    func importHOTPToken(_ input: Operations.ImportHOTPToken.Input) async throws -> Operations.ImportHOTPToken.Output {
        let caller = try APICaller.require(.enroll)
        let user = try userID(input.path.userId)
        guard case .json(let body) = input.body else { throw APIProblem.malformed("a JSON body is required") }
        // The error text of a failed parse is not passed on: it could quote the secret.
        guard let secret = try? OTPSecret(base32: body.secret) else {
            throw MFAError.invalidInput("the secret must be Base32 for 10 to 256 bytes", field: "secret")
        }
        let counter = body.counter ?? 0
        guard counter >= 0 else { throw MFAError.invalidInput("the counter must not be negative", field: "counter") }
        let summary = try await engine.importHOTPToken(
            tenant: caller.tenant, user: user, name: body.name ?? "Hardware token", secret: secret,
            counter: UInt64(counter), algorithm: body.algorithm.map(OTPAlgorithm.init) ?? .sha1, digits: body.digits ?? 6,
            source: caller.source)
        metrics.enrollment(type: MethodType.hotp.rawValue, stage: "imported")
        return .created(.init(body: .json(.init(summary))))
    }

    func generateRecoveryCodes(_ input: Operations.GenerateRecoveryCodes.Input) async throws -> Operations.GenerateRecoveryCodes.Output {
        let caller = try APICaller.require(.enroll)
        let user = try userID(input.path.userId)
        let set = try await engine.generateRecoveryCodes(tenant: caller.tenant, user: user, source: caller.source)
        metrics.enrollment(type: MethodType.recoveryCodes.rawValue, stage: "generated")
        return .created(.init(headers: .init(cacheControl: "no-store"),
                              body: .json(.init(methodId: set.methodID.rawValue, codes: set.codes))))
    }
}

extension OTPAlgorithm {
    init(_ algorithm: Components.Schemas.Algorithm) {
        switch algorithm {
        case .sha1: self = .sha1
        case .sha256: self = .sha256
        case .sha512: self = .sha512
        }
    }
}

extension Components.Schemas.Algorithm {
    init(_ algorithm: OTPAlgorithm) {
        switch algorithm {
        case .sha1: self = .sha1
        case .sha256: self = .sha256
        case .sha512: self = .sha512
        }
    }
}
