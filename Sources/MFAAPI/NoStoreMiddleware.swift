import Hummingbird

/// `Cache-Control: no-store` on every `/v1` response that does not set its own: they are all about
/// one user's security settings, and some carry secrets (TH-23, API-03).
struct NoStoreMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if request.uri.path.hasPrefix(APIServer.apiPrefix), response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}
