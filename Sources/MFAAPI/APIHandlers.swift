import Foundation
import MFACore
import OpenAPIRuntime

/// The server side of `openapi.yaml`: one method per operation, split by area
/// (`+Enrollment`, `+Verification`, `+SecurityInfo`, `+Users`, `+Operations`).
///
/// Every handler starts with `APICaller.require(scope)` and acts in the caller's tenant only.
/// Failures are thrown (`MFAError` or `APIProblem`) and rendered as problem+json by
/// `ProblemMiddleware`, so the documented error responses are never built here.
struct APIHandlers: APIProtocol {
    let engine: Engine
    let metrics: APIMetrics
    /// The bytes of `openapi.yaml`, served at `/openapi.yaml`.
    let openAPIDocument: [UInt8]

    /// A user id from a path: 400 `invalid_input` (field `user_id`) when it cannot be one.
    func userID(_ raw: String) throws -> UserID {
        try UserID(raw)
    }

    /// A method or enrollment id from a path. A string that cannot be an id names nothing, so it is
    /// the same 404 as an unknown id.
    func methodID(_ raw: String, what: String) throws -> MethodID {
        guard let id = try? MethodID(raw) else { throw MFAError.notFound(what) }
        return id
    }
}

extension Components.Schemas.Method {
    init(_ summary: MethodSummary) {
        self.init(id: summary.id.rawValue, _type: summary.type.rawValue, name: summary.name,
                  status: Components.Schemas.MethodStatus(summary.status), isDefault: summary.isDefault,
                  info: .init(additionalProperties: summary.info), createdAt: summary.createdAt,
                  confirmedAt: summary.confirmedAt, lastUsedAt: summary.lastUsedAt,
                  remainingCodes: summary.remainingCodes, lockedFor: summary.lockedFor)
    }
}

extension Components.Schemas.MethodStatus {
    init(_ status: MethodStatus) {
        switch status {
        case .pending: self = .pending
        case .active: self = .active
        case .disabled: self = .disabled
        }
    }
}

extension Components.Schemas.AuditEntry {
    init(_ entry: AuditEntry) {
        self.init(id: entry.id, at: entry.at, kind: entry.kind.rawValue, methodId: entry.methodID?.rawValue,
                  methodType: entry.methodType?.rawValue,
                  source: .init(ip: entry.source.ip, userAgent: entry.source.userAgent, actor: entry.source.actor),
                  details: .init(additionalProperties: entry.details))
    }
}
