import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import MFAAPI
import MFACore
import MFACrypto
import MFAMethods
import MFAOTP
import MFATesting
import Testing

/// Log lines kept in memory, so tests can check what was logged.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
    var text: String { all.joined(separator: "\n") }
}

/// A `LogHandler` that writes every record, with its metadata, to a `LogCapture`.
struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    let label: String
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        capture.append("\(event.level) \(label) \(event.message) \(fields) \(event.source) \(event.file)")
    }
}

/// One engine (in-memory store, manual clock, tenant `acme`), its API router and API keys.
struct APIFixture: Sendable {
    let engine: Engine
    let store: InMemoryStore
    let clock: ManualTimeSource
    let metrics: APIMetrics
    let logs: LogCapture
    let logger: Logger
    let tenant: TenantID = "acme"
    /// Keys of tenant `acme`: all scopes (admin), and one per scope.
    let admin: String
    let enroll: String
    let verify: String
    let manage: String

    static func make(policy: TenantPolicy = .default, options: APIServerOptions = .init()) async throws -> APIFixture {
        let logs = LogCapture()
        let logger = Logger(label: "test") { label in CapturingLogHandler(capture: logs, label: label) }
        let store = InMemoryStore()
        try await store.migrate()
        let clock = ManualTimeSource()
        let engine = try await Engine(store: store, keyRing: KeyRing(keys: [SealingKey.generate(id: "test-1")]),
                                      methods: BuiltInMethods.all, time: clock, logger: logger, tenantCacheSeconds: 0)
        try await engine.createTenant("acme", issuer: "ACME Co", policy: policy)
        try await engine.createTenant("other", issuer: "Other Inc", policy: policy)
        func key(_ scopes: Set<APIScope>, tenant: TenantID = "acme") async throws -> String {
            try await engine.createAPIKey(tenant: tenant, name: scopes.map(\.rawValue).sorted().joined(separator: "+"),
                                          scopes: scopes).key
        }
        return APIFixture(engine: engine, store: store, clock: clock, metrics: APIMetrics(), logs: logs, logger: logger,
                          admin: try await key([.admin]), enroll: try await key([.enroll]),
                          verify: try await key([.verify]), manage: try await key([.manage]))
    }

    /// A key of tenant `other` with every scope.
    func otherTenantKey() async throws -> String {
        try await engine.createAPIKey(tenant: "other", name: "other-admin", scopes: [.admin]).key
    }

    /// Runs `body` against the router (no network), as HummingbirdTesting's `.router` setup does.
    @discardableResult
    func test<T: Sendable>(options: APIServerOptions = .init(), _ body: @Sendable (APIClient) async throws -> T) async throws -> T {
        let router = try APIServer.buildRouter(engine: engine, metrics: metrics, options: options, logger: logger)
        let app = Application(router: router, logger: logger)
        return try await app.test(.router) { client in
            try await body(APIClient(client: client, fixture: self))
        }
    }
}

/// A response, with its body as text and JSON.
struct APIResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let bytes: [UInt8]

    var text: String { String(decoding: bytes, as: UTF8.self) }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
    }

    /// The header block as text.
    var headerText: String { headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") }

    /// Checks the RFC 9457 shape and returns the problem.
    @discardableResult
    func problem(_ status: HTTPResponse.Status, code: String? = nil, field: String? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) -> ProblemBody {
        #expect(self.status == status, "\(text)", sourceLocation: sourceLocation)
        #expect(headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        #expect(headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
        let body = json
        #expect(body["type"] as? String == "urn:mfa:problem:\(body["code"] as? String ?? "?")", sourceLocation: sourceLocation)
        #expect(body["title"] is String, sourceLocation: sourceLocation)
        #expect(body["detail"] is String, sourceLocation: sourceLocation)
        #expect(body["status"] as? Int == Int(status.code), sourceLocation: sourceLocation)
        if let code { #expect(body["code"] as? String == code, "\(text)", sourceLocation: sourceLocation) }
        if let field { #expect(body["field"] as? String == field, "\(text)", sourceLocation: sourceLocation) }
        return ProblemBody(code: body["code"] as? String, detail: body["detail"] as? String, field: body["field"] as? String)
    }
}

struct ProblemBody: Sendable {
    let code: String?
    let detail: String?
    let field: String?
}

/// A thin client: JSON in, `APIResponse` out; every response is recorded for the secret-leak test.
struct APIClient: Sendable {
    let client: any TestClientProtocol
    let fixture: APIFixture
    let recorder = ResponseRecorder()

    func send(_ method: HTTPRequest.Method, _ uri: String, key: String?, json: [String: any Sendable]? = nil, raw: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> APIResponse {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        var body: ByteBuffer?
        if let json {
            let data = try JSONSerialization.data(withJSONObject: json)
            body = ByteBuffer(bytes: data)
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        } else if let raw {
            body = ByteBuffer(string: raw)
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
        let result = APIResponse(status: response.status, headers: response.headers,
                                 bytes: Array(response.body.readableBytesView))
        recorder.record(result)
        return result
    }

    func get(_ uri: String, key: String?) async throws -> APIResponse { try await send(.get, uri, key: key) }
    func post(_ uri: String, key: String?, json: [String: any Sendable]? = nil) async throws -> APIResponse {
        try await send(.post, uri, key: key, json: json)
    }

    /// Begins a TOTP enrollment for `user`; returns the response body.
    func beginTOTP(user: String, key: String? = nil) async throws -> [String: Any] {
        let response = try await post("/v1/users/\(user)/methods/totp", key: key ?? fixture.enroll, json: ["name": "Pixel 8"])
        #expect(response.status == .created, "\(response.text)")
        return response.json
    }

    /// Enrolls and confirms TOTP for `user`; returns the method id and the credential.
    func enrollTOTP(user: String) async throws -> (methodID: String, totp: TOTP) {
        let enrollment = try await beginTOTP(user: user)
        let uri = try OTPAuthURI(parsing: try #require(enrollment["otpauth_uri"] as? String))
        let totp = try uri.totp()
        let id = try #require(enrollment["enrollment_id"] as? String)
        let confirm = try await post("/v1/enrollments/\(id)/confirm", key: fixture.enroll,
                                     json: ["code": try totp.code(at: fixture.clock.now().unixSeconds)])
        #expect(confirm.status == .ok, "\(confirm.text)")
        return (id, totp)
    }

    /// The current code of `totp`, `steps` periods from now.
    func code(_ totp: TOTP, steps: Int = 0) throws -> String {
        try totp.code(at: fixture.clock.now().unixSeconds + Int64(steps * totp.period))
    }
}

/// Every response body and header block seen by one client.
final class ResponseRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var responses: [APIResponse] = []

    func record(_ response: APIResponse) { lock.withLock { responses.append(response) } }
    var all: [APIResponse] { lock.withLock { responses } }
    func reset() { lock.withLock { responses.removeAll() } }
}
