import MFACore
import OpenAPIRuntime

extension APIHandlers {
    func listMethods(_ input: Operations.ListMethods.Input) async throws -> Operations.ListMethods.Output {
        let caller = try APICaller.require(.manage)
        let user = try userID(input.path.userId)
        let methods = try await engine.methods(tenant: caller.tenant, user: user)
        return .ok(.init(body: .json(.init(methods: methods.map(Components.Schemas.Method.init)))))
    }

    /// Applies name, then disabled, then default. A pending enrollment cannot be changed (enabling
    /// it would skip its confirmation, TH-15): 409.
    func updateMethod(_ input: Operations.UpdateMethod.Input) async throws -> Operations.UpdateMethod.Output {
        let caller = try APICaller.require(.manage)
        let user = try userID(input.path.userId)
        let id = try methodID(input.path.methodId, what: "method")
        guard case .json(let body) = input.body else { throw APIProblem.malformed("a JSON body is required") }
        guard body.name != nil || body.disabled != nil || body._default != nil else {
            throw MFAError.invalidInput("nothing to change: give name, disabled or default")
        }
        if body._default == false {
            throw MFAError.invalidInput("default can only be set to true; make another method the default instead",
                                        field: "default")
        }
        let record = try await engine.ownedMethod(tenant: caller.tenant, user: user, id: id)
        if record.status == .pending {
            throw MFAError.conflict("a pending enrollment cannot be changed; confirm or delete it")
        }
        if let name = body.name {
            try await engine.renameMethod(tenant: caller.tenant, user: user, method: id, to: name, source: caller.source)
        }
        if let disabled = body.disabled {
            try await engine.setMethodEnabled(tenant: caller.tenant, user: user, method: id, enabled: !disabled,
                                              source: caller.source)
        }
        if body._default == true {
            try await engine.setDefaultMethod(tenant: caller.tenant, user: user, method: id, source: caller.source)
        }
        guard let summary = try await engine.methods(tenant: caller.tenant, user: user).first(where: { $0.id == id }) else {
            throw MFAError.notFound("method")
        }
        return .ok(.init(body: .json(.init(summary))))
    }

    func deleteMethod(_ input: Operations.DeleteMethod.Input) async throws -> Operations.DeleteMethod.Output {
        let caller = try APICaller.require(.manage)
        let user = try userID(input.path.userId)
        let id = try methodID(input.path.methodId, what: "method")
        try await engine.deleteMethod(tenant: caller.tenant, user: user, method: id, source: caller.source)
        return .noContent(.init())
    }
}
