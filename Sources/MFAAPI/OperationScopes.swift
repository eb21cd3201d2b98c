import Foundation
import HTTPTypes
import MFACore
import OpenAPIRuntime

/// The scope each operation of `openapi.yaml` needs (nil: public). Checked by `ScopeMiddleware`
/// before the request body is even decoded, so a key without the scope learns nothing about
/// the operation's input rules; the handlers check it again when they take the caller.
enum OperationScopes {
    static let required: [String: APIScope?] = [
        Operations.BeginTOTPEnrollment.id: .enroll,
        Operations.GetEnrollmentQRCodePNG.id: .enroll,
        Operations.GetEnrollmentQRCodeSVG.id: .enroll,
        Operations.ConfirmEnrollment.id: .enroll,
        Operations.ImportHOTPToken.id: .enroll,
        Operations.GenerateRecoveryCodes.id: .enroll,
        Operations.VerifyCode.id: .verify,
        Operations.ListMethods.id: .manage,
        Operations.UpdateMethod.id: .manage,
        Operations.DeleteMethod.id: .manage,
        Operations.ExportUser.id: .manage,
        Operations.EraseUser.id: .manage,
        Operations.ListActivity.id: .manage,
        Operations.GetHealth.id: nil,
        Operations.GetReadiness.id: nil,
        Operations.GetMetrics.id: nil,
        Operations.GetOpenAPIDocument.id: nil,
    ]
}

/// Checks the operation's scope first; an operation missing from `OperationScopes` is refused
/// (fail closed: a new operation must be given a scope).
struct ScopeMiddleware: ServerMiddleware {
    func intercept(_ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?))
        async throws -> (HTTPResponse, HTTPBody?) {
        guard let entry = OperationScopes.required[operationID] else { throw APIProblem.internalError() }
        if let scope = entry { _ = try APICaller.require(scope) }
        return try await next(request, body, metadata)
    }
}

/// An empty request body counts as no body, so operations with an optional body accept a bare POST.
/// (The body was already read, within its limit, by `BodyLimitMiddleware`.)
struct EmptyBodyMiddleware: ServerMiddleware {
    let limit: Int

    func intercept(_ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?))
        async throws -> (HTTPResponse, HTTPBody?) {
        guard let body else { return try await next(request, nil, metadata) }
        let bytes = try await [UInt8](collecting: body, upTo: limit)
        return try await next(request, bytes.isEmpty ? nil : HTTPBody(bytes), metadata)
    }
}
