import Foundation
public import Hummingbird
public import Logging
public import MFACore
import OpenAPIHummingbird
import OpenAPIRuntime

/// The HTTP API of the engine, for `mfa serve` and tests.
public enum APIServer {
    /// All routes (the OpenAPI-generated v1 API, `/healthz`, `/readyz`, `/metrics`, `/openapi.yaml`)
    /// with their middleware, outermost first: access log and metrics, problem+json errors, the
    /// body limit, `Cache-Control: no-store` on `/v1`, and API key authentication on `/v1`.
    ///
    /// - Parameter logger: the access log and server errors go here (never a secret, a code, a
    ///   header or a body).
    /// - Throws: `MFAError.configuration` if the bundled `openapi.yaml` is missing.
    public static func buildRouter(engine: Engine, metrics: APIMetrics, options: APIServerOptions = .init(),
                                   logger: Logger) throws -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: AccessLogMiddleware(metrics: metrics, logger: logger))
        router.add(middleware: ProblemMiddleware(logger: logger))
        router.add(middleware: BodyLimitMiddleware(limit: options.maximumBodyBytes))
        router.add(middleware: NoStoreMiddleware())
        router.add(middleware: AuthenticationMiddleware(engine: engine, trustForwardedFor: options.trustForwardedFor))
        let handlers = APIHandlers(engine: engine, metrics: metrics, openAPIDocument: try openAPIDocument())
        try handlers.registerHandlers(on: router, middlewares: [
            ScopeMiddleware(), EmptyBodyMiddleware(limit: options.maximumBodyBytes),
        ])
        return router
    }

    /// The OpenAPI document this server implements (the bundled `openapi.yaml`).
    public static func openAPIDocument() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let data = try? Data(contentsOf: url) else {
            throw MFAError.configuration("the bundled openapi.yaml is missing")
        }
        return Array(data)
    }
}

extension APIServer {
    /// Routes under this prefix need an API key and are never cached.
    static let apiPrefix = "/v1/"
}
