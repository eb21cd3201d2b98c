import Hummingbird
import MFACore

extension MFAError {
    /// The HTTP form of an engine error. 4xx answers carry the engine's client-safe message and
    /// field; 5xx answers are generic (the underlying error is only logged).
    ///
    /// | code | status |
    /// |---|---|
    /// | invalid_input, invalid_code | 400 |
    /// | not_found | 404 |
    /// | conflict | 409 |
    /// | enrollment_expired | 410 (the enrollment is gone for good; start again) |
    /// | method_not_allowed | 422 (the tenant's policy refuses it; 403 is kept for missing scopes) |
    /// | locked | 429 + `Retry-After` |
    /// | unavailable | 503 + `Retry-After: 1` |
    /// | configuration, integrity, internal | 500 `internal_error` |
    var problem: APIProblem {
        switch code {
        case .invalidInput:
            return APIProblem(.badRequest, code: code.rawValue, title: "Invalid input", detail: message, field: field)
        case .invalidCode:
            return APIProblem(.badRequest, code: code.rawValue, title: "Invalid code", detail: message, field: field ?? "code")
        case .notFound:
            return APIProblem(.notFound, code: code.rawValue, title: "Not found", detail: message, field: field)
        case .conflict:
            return APIProblem(.conflict, code: code.rawValue, title: "Conflict", detail: message, field: field)
        case .enrollmentExpired:
            return APIProblem(.gone, code: code.rawValue, title: "Enrollment expired", detail: message, field: field)
        case .methodNotAllowed:
            return APIProblem(.unprocessableContent, code: code.rawValue, title: "Method not allowed", detail: message,
                              field: field)
        case .locked:
            return APIProblem(.tooManyRequests, code: code.rawValue, title: "Too many attempts", detail: message,
                              retryAfter: max(1, retryAfter ?? 1))
        case .unavailable:
            return APIProblem(.serviceUnavailable, code: code.rawValue, title: "Service unavailable",
                              detail: "the service is temporarily unavailable; try again", retryAfter: 1)
        default:
            return .internalError()
        }
    }
}
