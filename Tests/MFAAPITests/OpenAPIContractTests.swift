import Foundation
import Hummingbird
@testable import MFAAPI
import MFACore
import MFATesting
import Testing

/// `openapi.yaml` is the source of truth: every operation in it is served, and every served
/// route is in it.
@Suite struct OpenAPIContractTests {
    struct Operation: Hashable, CustomStringConvertible {
        let method: String
        let path: String
        var description: String { "\(method) \(path)" }
    }

    /// The operations of the document (its `paths:` section: two-space path keys, four-space methods).
    static func documentedOperations() throws -> Set<Operation> {
        let text = String(decoding: try APIServer.openAPIDocument(), as: UTF8.self)
        var operations = Set<Operation>()
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" "), !line.isEmpty { inPaths = line == "paths:" ; path = nil; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                if ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"].contains(method) {
                    operations.insert(Operation(method: method, path: path))
                }
            }
        }
        return operations
    }

    @Test func everyRegisteredRouteIsDocumentedAndEveryOperationRegistered() async throws {
        let f = try await APIFixture.make()
        let router = try APIServer.buildRouter(engine: f.engine, metrics: f.metrics, logger: f.logger)
        let registered = Set(router.routes.map { Operation(method: $0.method.rawValue, path: $0.path.description) })
        let documented = try Self.documentedOperations()
        #expect(documented.count == 17)
        #expect(registered.subtracting(documented).isEmpty, "undocumented routes: \(registered.subtracting(documented))")
        #expect(documented.subtracting(registered).isEmpty, "unserved operations: \(documented.subtracting(registered))")
    }

    /// Every operation has a scope entry (ScopeMiddleware refuses operations without one).
    @Test func everyOperationHasAScopeEntry() throws {
        let text = String(decoding: try APIServer.openAPIDocument(), as: UTF8.self)
        let ids = text.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("operationId: ") ? String(trimmed.dropFirst("operationId: ".count)) : nil
        }
        #expect(ids.count == 17)
        #expect(Set(ids) == Set(OperationScopes.required.keys))
        let publicOperations = OperationScopes.required.filter { $0.value == nil }.keys
        #expect(Set(publicOperations) == ["getHealth", "getReadiness", "getMetrics", "getOpenAPIDocument"])
    }

    /// Every documented operation answers an authenticated request with real ids with something
    /// other than 404/405 (so it is routed and implemented).
    @Test func everyDocumentedOperationIsServed() async throws {
        let f = try await APIFixture.make()
        let documented = try Self.documentedOperations()
        let served = try await f.test { api -> Set<Operation> in
            let pending = try #require(try await api.beginTOTP(user: "u")["enrollment_id"] as? String)
            let (method, totp) = try await api.enrollTOTP(user: "u")
            f.clock.advance(by: 30)
            let ids = ["{user_id}": "u", "{enrollment_id}": pending, "{method_id}": method]
            func concrete(_ path: String) -> String {
                ids.reduce(path) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
            }
            let bodies: [Operation: [String: any Sendable]] = [
                Operation(method: "POST", path: "/v1/users/{user_id}/methods/totp"): ["name": "x"],
                Operation(method: "POST", path: "/v1/enrollments/{enrollment_id}/confirm"): ["code": try api.code(totp)],
                Operation(method: "POST", path: "/v1/users/{user_id}/methods/hotp"): ["secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"],
                Operation(method: "PATCH", path: "/v1/users/{user_id}/methods/{method_id}"): ["name": "y"],
                Operation(method: "POST", path: "/v1/users/{user_id}/verify"): ["code": try api.code(totp)],
            ]
            // Deletions last (the method before the user), so the ids stay valid for the others.
            func rank(_ o: Operation) -> (Int, Int, String) {
                o.method == "DELETE" ? (1, -o.path.count, o.path) : (0, 0, o.method + o.path)
            }
            let ordered = documented.sorted { rank($0) < rank($1) }
            var served = Set<Operation>()
            for operation in ordered {
                let r = try await api.send(HTTPRequest.Method(operation.method)!, concrete(operation.path), key: f.admin,
                                           json: bodies[operation])
                #expect(r.status != .notFound && r.status != .methodNotAllowed, "\(operation): \(r.status) \(r.text)")
                #expect(r.status.code < 500, "\(operation): \(r.text)")
                if r.status != .notFound && r.status != .methodNotAllowed { served.insert(operation) }
            }
            return served
        }
        #expect(served == documented)
    }
}
