import Foundation
import Hummingbird
import HummingbirdTesting
@testable import MFAAPI
import MFACore
import MFAOTP
import MFATesting
import Testing

/// The same router over real TCP (port 0): the peer address reaches the audit log, and a
/// charset parameter on the media type is accepted.
@Suite struct LiveServerAPITests {
    @Test func enrollAndVerifyOverTCP() async throws {
        let f = try await APIFixture.make()
        let router = try APIServer.buildRouter(engine: f.engine, metrics: f.metrics, logger: f.logger)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: f.logger)
        try await app.test(.live) { client in
            let api = APIClient(client: client, fixture: f)
            let (_, totp) = try await api.enrollTOTP(user: "alice")
            f.clock.advance(by: 30)
            let r = try await api.send(.post, "/v1/users/alice/verify", key: f.verify, json: ["code": try api.code(totp)],
                                       headers: [.contentType: "application/json; charset=utf-8"])
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.json["verified"] as? Bool == true)
            #expect(r.headers[.cacheControl] == "no-store")
            let health = try await api.get("/healthz", key: nil)
            #expect(health.status == .ok)
            #expect(health.headers[.cacheControl] == nil)
        }
        let events = try await f.engine.activity(tenant: "acme", user: "alice")
        #expect(events.contains { $0.source.ip == "127.0.0.1" })
    }
}
