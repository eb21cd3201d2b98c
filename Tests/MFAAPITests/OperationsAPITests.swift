import Foundation
import Hummingbird
@testable import MFAAPI
import MFACore
import MFATesting
import Testing

@Suite struct OperationsAPITests {
    @Test func healthAndReadiness() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let health = try await api.get("/healthz", key: nil)
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "ok")
            let ready = try await api.get("/readyz", key: nil)
            #expect(ready.status == .ok)
            await f.store.failNextOperations(1)
            try await api.get("/readyz", key: nil).problem(.serviceUnavailable, code: "unavailable")
            #expect(try await api.get("/readyz", key: nil).status == .ok)
        }
    }

    @Test func metricsCountRequestsVerificationsAndEnrollments() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let (_, totp) = try await api.enrollTOTP(user: "alice")
            f.clock.advance(by: 30)
            _ = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": try api.code(totp)])
            _ = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": try api.code(totp)])
            _ = try await api.get("/v1/users/alice/methods", key: nil)
            let r = try await api.get("/metrics", key: nil)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = r.text
            #expect(text.contains(#"mfa_http_requests_total{method="POST",route="/v1/users/{user_id}/verify",status="200"} 2"#))
            #expect(text.contains(#"mfa_http_requests_total{method="GET",route="/v1/users/{user_id}/methods",status="401"} 1"#))
            #expect(text.contains("# TYPE mfa_http_request_duration_seconds histogram"))
            #expect(text.contains(#"mfa_http_request_duration_seconds_bucket{method="POST",route="/v1/users/{user_id}/verify",le="+Inf"} 2"#))
            #expect(text.contains(#"mfa_verifications_total{result="verified"} 1"#))
            #expect(text.contains(#"mfa_verifications_total{result="replayed"} 1"#))
            #expect(text.contains(#"mfa_enrollments_total{type="totp",stage="begun"} 1"#))
            #expect(text.contains(#"mfa_enrollments_total{type="totp",stage="confirmed"} 1"#))
            #expect(!text.contains("alice"))
        }
    }

    @Test func twoServersInOneProcessHaveTheirOwnMetrics() async throws {
        let a = try await APIFixture.make()
        let b = try await APIFixture.make()
        try await a.test { api in _ = try await api.get("/healthz", key: nil) }
        #expect(a.metrics.render().contains(#"route="/healthz""#))
        #expect(!b.metrics.render().contains(#"route="/healthz""#))
    }

    @Test func theOpenAPIDocumentIsServed() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let r = try await api.get("/openapi.yaml", key: nil)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/yaml")
            #expect(r.text.hasPrefix("openapi: 3.1"))
            #expect(r.bytes == (try APIServer.openAPIDocument()))
        }
    }

    @Test func theAccessLogHasRouteStatusAndKeyButNoPath() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            _ = try await api.get("/v1/users/carol-the-user/methods", key: f.manage)
        }
        let line = try #require(f.logs.all.first { $0.contains("route=/v1/users/{user_id}/methods") })
        #expect(line.contains("status=200"))
        #expect(line.contains("method=GET"))
        #expect(line.contains("tenant=acme"))
        #expect(line.contains("key_id=ak_"))
        #expect(line.contains("latency_ms="))
        #expect(!f.logs.text.contains("carol-the-user"))
        #expect(!f.logs.text.contains(f.manage))
    }
}
