import Foundation
import Hummingbird
import Logging

/// The outermost middleware: one log line and the request metrics per request. Logs the HTTP
/// method, the route pattern (never the raw path: it holds user ids), the status, the latency, and
/// the API key id and tenant when the key was accepted. Never headers or bodies.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let metrics: APIMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let duration = ContinuousClock.now - start
            let route = context.endpointPath ?? "unmatched"
            metrics.request(method: request.method.rawValue, route: route, status: status, duration: duration)
            var metadata: Logger.Metadata = [
                "request_id": "\(context.requestID)",
                "method": "\(request.method.rawValue)", "route": "\(route)", "status": "\(status)",
                "latency_ms": "\(String(format: "%.3f", Double(duration.nanoseconds) / 1e6))",
            ]
            if let principal = context.exchange.principal {
                metadata["key_id"] = "\(principal.keyID)"
                metadata["tenant"] = "\(principal.tenantID)"
            }
            logger.info("request", metadata: metadata)
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }
}
