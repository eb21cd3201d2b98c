import Foundation
import Hummingbird
import Logging
import MFACore
import OpenAPIRuntime

/// Turns everything thrown below it into an `application/problem+json` response: API problems,
/// engine errors, the OpenAPI runtime's errors (a body that does not decode is 400
/// `malformed_request` naming the field), Hummingbird's HTTP errors, and anything else as a generic
/// 500. The text of an unknown error is logged, never sent.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Self.problem(for: error)
            if problem.status.code >= 500 {
                logger.error("request failed", metadata: ["request_id": "\(context.requestID)", "error": "\(Self.loggable(error))"])
            }
            return problem.response()
        }
    }

    static func problem(for error: any Error) -> APIProblem {
        switch error {
        case let problem as APIProblem:
            return problem
        case let error as MFAError:
            return error.problem
        case let error as ServerError:
            switch error.underlyingError {
            case let problem as APIProblem: return problem
            case let mfa as MFAError: return mfa.problem
            case let decoding as DecodingError: return Self.problem(for: decoding)
            default: return Self.problem(status: error.httpStatus)
            }
        case let decoding as DecodingError:
            return Self.problem(for: decoding)
        case let error as HTTPError:
            return Self.problem(status: error.status)
        default:
            return .internalError()
        }
    }

    /// A body that is not JSON, lacks a required field, has a wrong type or an unknown field (the
    /// generated decoders refuse unknown keys: `additionalProperties: false`), or a query
    /// parameter of the wrong type. Only key names are quoted, never values.
    static func problem(for error: DecodingError) -> APIProblem {
        /// The dotted key path; nil when empty or not a plain snake_case name (it is echoed back).
        func name(_ path: [any CodingKey]) -> String? {
            let keys = path.filter { $0.intValue == nil }.map(\.stringValue)
            let joined = keys.joined(separator: ".")
            guard !keys.isEmpty, joined.utf8.count <= 64, joined.utf8.allSatisfy({
                $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
            }) else { return nil }
            return joined
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = name(context.codingPath + [key])
            return .malformed("the required field '\(field ?? "?")' is missing", field: field)
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = name(context.codingPath)
            return .malformed(field.map { "the field '\($0)' has the wrong type" } ?? "a value in the request has the wrong type",
                              field: field)
        case .dataCorrupted(let context):
            let field = name(context.codingPath)
            if let field, context.debugDescription.hasPrefix("Additional properties are disabled") {
                return .malformed("unknown field '\(field)'", field: field)
            }
            if let field { return .malformed("the field '\(field)' has an invalid value", field: field) }
            return .malformed("the body is not valid JSON")
        @unknown default:
            return .malformed("the request could not be read")
        }
    }

    static func problem(status: HTTPResponse.Status) -> APIProblem {
        switch status.code {
        case 400: return .malformed("the request is malformed")
        case 404: return .notFound("no such resource")
        case 405: return APIProblem(.methodNotAllowed, code: "http_method_not_allowed", title: "Method not allowed",
                                    detail: "this resource does not support the HTTP method")
        case 406: return APIProblem(.notAcceptable, code: "not_acceptable", title: "Not acceptable",
                                    detail: "the response cannot be produced in an accepted media type")
        case 413: return .payloadTooLarge(limit: APIServerOptions().maximumBodyBytes)
        case 415: return APIProblem(.unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type",
                                    detail: "send the body as application/json")
        case 400..<500: return APIProblem(status, code: "bad_request", title: status.reasonPhrase, detail: "the request was refused")
        default: return .internalError()
        }
    }

    /// What may be logged about an unexpected error: its type and, for engine errors, the
    /// underlying cause (store errors; never request bodies, which `ServerError` would print).
    static func loggable(_ error: any Error) -> String {
        switch error {
        case let error as ServerError: return "\(error.operationID): \(loggable(error.underlyingError))"
        case let error as MFAError: return "\(error.code): \(error.underlying.map { String(describing: $0) } ?? error.message)"
        case let error as APIProblem: return error.code
        default: return String(describing: type(of: error))
        }
    }
}
