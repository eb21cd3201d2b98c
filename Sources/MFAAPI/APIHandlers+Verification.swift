import MFACore
import OpenAPIRuntime

extension APIHandlers {
    /// A wrong and a replayed code get the same `{"verified": false}`. A user without an active
    /// method, a user unknown to this tenant and an unknown or malformed `method_id` all get the
    /// engine's one `not_found` answer, so they cannot be told apart (EN-01/02).
    func verifyCode(_ input: Operations.VerifyCode.Input) async throws -> Operations.VerifyCode.Output {
        let caller = try APICaller.require(.verify)
        let user = try userID(input.path.userId)
        guard case .json(let body) = input.body else { throw APIProblem.malformed("a JSON body is required") }
        do {
            let method = try body.methodId.map { try methodID($0, what: "active method") }
            let result = try await engine.verify(tenant: caller.tenant, user: user, code: body.code, methodID: method,
                                                 source: caller.source)
            metrics.verification(result: result.outcome.rawValue)
            return .ok(.init(body: .json(.init(verified: result.verified, methodId: result.methodID?.rawValue,
                                               methodType: result.methodType?.rawValue,
                                               remainingRecoveryCodes: result.remainingRecoveryCodes))))
        } catch let error as MFAError {
            switch error.code {
            case .locked:
                metrics.verification(result: "locked")
                metrics.lockout(operation: "verify")
            case .notFound:
                metrics.verification(result: "not_found")
            case .invalidCode, .invalidInput:
                metrics.verification(result: "invalid")
            default:
                metrics.verification(result: "error")
            }
            throw error
        }
    }
}
