import Foundation
import Hummingbird

/// An error answer of the API: RFC 9457 problem details with a stable `code` and the offending
/// `field`. Everything the API refuses becomes one of these (see `ProblemMiddleware`); its text is
/// always client-safe (no secret, no code, no stack trace, no underlying error).
struct APIProblem: Error, Sendable {
    var status: HTTPResponse.Status
    /// Stable snake_case code (`invalid_code`, `not_found`, `locked`, ...).
    var code: String
    var title: String
    var detail: String
    var field: String?
    /// Seconds, sent as `Retry-After` (429, 503).
    var retryAfter: Int?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, code: String, title: String, detail: String, field: String? = nil,
         retryAfter: Int? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.field = field
        self.retryAfter = retryAfter
        self.headers = headers
    }

    static let mediaType = "application/problem+json"

    /// The JSON body (keys sorted, so equal problems are equal bytes).
    struct Body: Codable, Sendable, Equatable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var code: String
        var field: String?
    }

    var body: Body {
        Body(type: "urn:mfa:problem:\(code)", title: title, status: status.code, detail: detail, code: code, field: field)
    }

    func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(body)) ?? Data(#"{"code":"internal_error","status":500}"#.utf8)
        var fields = headers
        fields[.contentType] = Self.mediaType
        fields[.cacheControl] = "no-store"
        if let retryAfter { fields[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension APIProblem {
    static func unauthorized() -> APIProblem {
        APIProblem(.unauthorized, code: "unauthorized", title: "Unauthorized",
                   detail: "a valid API key is required (Authorization: Bearer <key>)",
                   headers: [.wwwAuthenticate: #"Bearer realm="mfa""#])
    }

    static func forbidden(_ scope: String) -> APIProblem {
        APIProblem(.forbidden, code: "forbidden", title: "Forbidden", detail: "this API key lacks the '\(scope)' scope")
    }

    static func notFound(_ detail: String = "not found") -> APIProblem {
        APIProblem(.notFound, code: "not_found", title: "Not found", detail: detail)
    }

    static func payloadTooLarge(limit: Int) -> APIProblem {
        APIProblem(.contentTooLarge, code: "payload_too_large", title: "Payload too large",
                   detail: "the request body is larger than \(limit) bytes")
    }

    static func malformed(_ detail: String, field: String? = nil) -> APIProblem {
        APIProblem(.badRequest, code: "malformed_request", title: "Malformed request", detail: detail, field: field)
    }

    static func wrongCode() -> APIProblem {
        APIProblem(.unprocessableContent, code: "wrong_code", title: "Wrong code",
                   detail: "the code does not match; check the device's clock and try the next code", field: "code")
    }

    static func internalError() -> APIProblem {
        APIProblem(.internalServerError, code: "internal_error", title: "Internal error",
                   detail: "the request could not be completed")
    }
}
