import Foundation
import HTTPTypes
import Hummingbird
import Logging
@testable import MFAAPI
import MFACore
import MFATesting
import NIOCore
import NIOEmbedded
import Testing

@Suite struct ErrorHandlingAPITests {
    @Test func bodiesOver64KiBAre413() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let big = #"{"code": ""# + String(repeating: "1", count: 70_000) + #""}"#
            try await api.send(.post, "/v1/users/alice/verify", key: f.verify, raw: big)
                .problem(.contentTooLarge, code: "payload_too_large")
            // Just under the limit is read (and then refused for what it is).
            let fits = #"{"code": ""# + String(repeating: "1", count: 60_000) + #""}"#
            try await api.send(.post, "/v1/users/alice/verify", key: f.verify, raw: fits)
                .problem(.badRequest, code: "invalid_code")
        }
    }

    /// A chunked body has no Content-Length: the limit holds while it is read.
    @Test func chunkedBodiesOver64KiBAre413() async throws {
        let f = try await APIFixture.make()
        let router = try APIServer.buildRouter(engine: f.engine, metrics: f.metrics, logger: f.logger)
        let responder = router.buildResponder()
        let chunks = (0..<20).map { _ in ByteBuffer(repeating: UInt8(ascii: "1"), count: 4096) }
        var headers: HTTPFields = [.authorization: "Bearer \(f.verify)", .contentType: "application/json",
                                   .transferEncoding: "chunked"]
        headers[.contentLength] = nil
        let request = Request(head: HTTPRequest(method: .post, scheme: "http", authority: "localhost",
                                                path: "/v1/users/alice/verify", headerFields: headers),
                              body: RequestBody(asyncSequence: chunks.async))
        let context = APIRequestContext(source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: f.logger))
        let response = try await responder.respond(to: request, context: context)
        #expect(response.status == .contentTooLarge)
        #expect(response.headers[.contentType] == "application/problem+json")
    }

    @Test func aBadContentLengthIs400() async throws {
        let f = try await APIFixture.make()
        let router = try APIServer.buildRouter(engine: f.engine, metrics: f.metrics, logger: f.logger)
        let request = Request(head: HTTPRequest(method: .post, scheme: "http", authority: "localhost",
                                                path: "/v1/users/alice/verify",
                                                headerFields: [.authorization: "Bearer \(f.verify)", .contentLength: "-5"]),
                              body: RequestBody(buffer: ByteBuffer()))
        let context = APIRequestContext(source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: f.logger))
        let response = try await router.buildResponder().respond(to: request, context: context)
        #expect(response.status == .badRequest)
    }

    @Test func aWrongMediaTypeIs415() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            try await api.send(.post, "/v1/users/alice/verify", key: f.verify, raw: "code=123456",
                               headers: [.contentType: "application/x-www-form-urlencoded"])
                .problem(.unsupportedMediaType, code: "unsupported_media_type")
        }
    }

    @Test func unknownRoutesAndMethodsAre404Problems() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            try await api.get("/v1/nothing", key: f.admin).problem(.notFound, code: "not_found")
            try await api.get("/nothing", key: nil).problem(.notFound, code: "not_found")
            try await api.send(.put, "/v1/users/alice/methods", key: f.admin).problem(.notFound, code: "not_found")
        }
    }

    @Test func theDatabaseFailingIs503WithoutDetails() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            await f.store.failNextOperations(1000)
            for (method, path) in [(HTTPRequest.Method.get, "/v1/users/alice/methods"), (.get, "/readyz")] {
                let r = try await api.send(method, path, key: f.manage)
                let body = r.problem(.serviceUnavailable, code: "unavailable")
                #expect(!r.text.contains("injected"))
                #expect(body.detail == "the service is temporarily unavailable; try again")
            }
        }
        // The cause is logged for operators.
        #expect(f.logs.text.contains("injected failure"))
    }

    @Test func engineErrorsMapToStatuses() {
        let cases: [(MFAError, Int, String)] = [
            (.invalidInput("x", field: "name"), 400, "invalid_input"),
            (.invalidCode("x"), 400, "invalid_code"),
            (.notFound("method"), 404, "not_found"),
            (.conflict("x"), 409, "conflict"),
            (.enrollmentExpired(), 410, "enrollment_expired"),
            (.methodNotAllowed("x"), 422, "method_not_allowed"),
            (.locked(retryAfter: 7), 429, "locked"),
            (.unavailable(SendableErrorBox(CancellationError())), 503, "unavailable"),
            (.configuration("secret path /etc/x"), 500, "internal_error"),
            (.integrity("x"), 500, "internal_error"),
            (.internal(SendableErrorBox(CancellationError())), 500, "internal_error"),
        ]
        for (error, status, code) in cases {
            let problem = error.problem
            #expect(Int(problem.status.code) == status)
            #expect(problem.code == code)
            if status == 500 { #expect(problem.detail == "the request could not be completed") }
        }
        #expect(MFAError.locked(retryAfter: 7).problem.retryAfter == 7)
        #expect(MFAError.invalidInput("x", field: "name").problem.field == "name")
    }

    @Test func unexpectedErrorsAreAGeneric500() {
        struct Boom: Error { let text = "stack trace at /src/secret.swift:12" }
        let problem = ProblemMiddleware.problem(for: Boom())
        #expect(problem.status == .internalServerError)
        #expect(problem.code == "internal_error")
        #expect(!String(decoding: problem.response().headers.map { $0.value }.joined().utf8, as: UTF8.self).contains("secret"))
        #expect(ProblemMiddleware.loggable(Boom()) == "Boom")
    }
}
