import Foundation
import HTTPTypes
import Hummingbird
import MFACore

/// Checks `Authorization: Bearer <key>` on every `/v1` route and makes the caller available to the
/// handlers (`APICaller.current`). A missing, malformed, unknown or revoked key is 401 with
/// `WWW-Authenticate: Bearer`, all with the same body. Scopes are checked per operation.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let engine: Engine
    let trustForwardedFor: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix(APIServer.apiPrefix) else { return try await next(request, context) }
        guard let key = Self.bearerToken(request.headers[.authorization]),
              let principal = try await engine.authenticateAPIKey(key) else {
            throw APIProblem.unauthorized()
        }
        context.exchange.principal = principal
        let caller = APICaller(principal: principal, ip: clientAddress(request, context: context),
                               userAgent: request.headers[.userAgent])
        return try await APICaller.$current.withValue(caller) {
            try await next(request, context)
        }
    }

    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// The TCP peer, or (only when configured) the last `X-Forwarded-For` entry: the address the
    /// proxy in front of us saw. Earlier entries are the client's own claims and are ignored.
    func clientAddress(_ request: Request, context: Context) -> String? {
        let forwarded = request.headers[values: .xForwardedFor].joined(separator: ",")
        if trustForwardedFor, let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty {
            return String(last.prefix(64))
        }
        return context.peerAddress
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
