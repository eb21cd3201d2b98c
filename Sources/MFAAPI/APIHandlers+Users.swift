import MFACore
import OpenAPIRuntime

extension APIHandlers {
    func exportUser(_ input: Operations.ExportUser.Input) async throws -> Operations.ExportUser.Output {
        let caller = try APICaller.require(.manage)
        let user = try userID(input.path.userId)
        let export = try await engine.exportUser(tenant: caller.tenant, user: user, source: caller.source)
        return .ok(.init(body: .json(.init(
            userId: export.userID.rawValue, userRef: export.userRef, defaultMethodId: export.defaultMethodID?.rawValue,
            methods: export.methods.map(Components.Schemas.Method.init),
            events: export.events.map(Components.Schemas.AuditEntry.init), exportedAt: export.exportedAt))))
    }

    func eraseUser(_ input: Operations.EraseUser.Input) async throws -> Operations.EraseUser.Output {
        let caller = try APICaller.require(.manage)
        let user = try userID(input.path.userId)
        try await engine.eraseUser(tenant: caller.tenant, user: user, source: caller.source)
        return .noContent(.init())
    }

    func listActivity(_ input: Operations.ListActivity.Input) async throws -> Operations.ListActivity.Output {
        let caller = try APICaller.require(.manage)
        let user = try userID(input.path.userId)
        let limit = input.query.limit ?? 100
        guard (1...1000).contains(limit) else { throw MFAError.invalidInput("limit must be 1 to 1000", field: "limit") }
        let events = try await engine.activity(tenant: caller.tenant, user: user, limit: limit, before: input.query.before)
        let next = events.count == limit ? events.last?.id : nil
        return .ok(.init(body: .json(.init(events: events.map(Components.Schemas.AuditEntry.init), nextBefore: next))))
    }
}
