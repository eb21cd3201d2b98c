import Hummingbird

/// Refuses bodies over the limit with 413: at once when `Content-Length` says so, and otherwise
/// while reading (a chunked body is collected with a running count). The collected body replaces
/// the stream, so handlers read it from memory.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared), length >= 0 else { throw APIProblem.malformed("bad Content-Length") }
            guard length <= limit else { throw APIProblem.payloadTooLarge(limit: limit) }
            if length == 0 { return try await next(request, context) }
        }
        var request = request
        var collected = ByteBuffer()
        for try await chunk in request.body {
            guard collected.readableBytes + chunk.readableBytes <= limit else { throw APIProblem.payloadTooLarge(limit: limit) }
            var chunk = chunk
            collected.writeBuffer(&chunk)
        }
        request.body = .init(buffer: collected)
        return try await next(request, context)
    }
}
