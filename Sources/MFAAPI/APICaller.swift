import MFACore

/// Who is calling, for the handler of the current request: the API key's principal and where the
/// request came from. Set by `AuthenticationMiddleware` as a task local, because the generated
/// OpenAPI handlers do not see the Hummingbird context.
struct APICaller: Sendable {
    let principal: APIKeyPrincipal
    /// The client's address (the TCP peer, or the trusted proxy's `X-Forwarded-For` entry).
    let ip: String?
    let userAgent: String?

    @TaskLocal static var current: APICaller?

    var tenant: TenantID { principal.tenantID }

    /// What the audit log records as the source of an action.
    var source: AuditSource {
        AuditSource(ip: ip, userAgent: userAgent, actor: "api:\(principal.keyID)")
    }

    /// The current caller if its key has `scope` (or `admin`); 401 without a caller, 403 without the scope.
    static func require(_ scope: APIScope) throws -> APICaller {
        guard let caller = current else { throw APIProblem.unauthorized() }
        guard caller.principal.allows(scope) else { throw APIProblem.forbidden(scope.rawValue) }
        return caller
    }
}
