import Foundation
import Hummingbird
@testable import MFAAPI
import MFACore
import MFAOTP
import MFATesting
import Testing

@Suite struct EnrollmentAPITests {
    @Test func totpEnrollmentAnswersWithSecretURIAndQRLinksUncached() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let r = try await api.post("/v1/users/alice/methods/totp", key: f.enroll, json: ["name": "Pixel 8"])
            #expect(r.status == .created)
            #expect(r.headers[.cacheControl] == "no-store")
            #expect(r.headers[.contentType] == "application/json; charset=utf-8")
            let body = r.json
            let id = try #require(body["enrollment_id"] as? String)
            #expect(id.hasPrefix("m_"))
            let secret = try #require(body["secret"] as? String)
            let uri = try OTPAuthURI(parsing: try #require(body["otpauth_uri"] as? String))
            #expect(uri.secret.base32 == secret)
            #expect(uri.issuer == "ACME Co")
            #expect(uri.account == "alice")
            #expect(body["qr_png_url"] as? String == "/v1/enrollments/\(id)/qr.png")
            #expect(body["qr_svg_url"] as? String == "/v1/enrollments/\(id)/qr.svg")
            #expect(body["expires_at"] is String)
            #expect(body["algorithm"] as? String == "sha1")
            #expect(body["digits"] as? Int == 6)
            #expect(body["period"] as? Int == 30)
        }
    }

    @Test func totpEnrollmentWithoutBodyUsesDefaults() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let r = try await api.send(.post, "/v1/users/alice/methods/totp", key: f.enroll)
            #expect(r.status == .created, "\(r.text)")
            #expect(r.json["digits"] as? Int == 6)
        }
    }

    @Test func totpEnrollmentWithCustomParameters() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let r = try await api.post("/v1/users/alice/methods/totp", key: f.enroll,
                                       json: ["algorithm": "sha256", "digits": 8, "period": 60])
            #expect(r.status == .created, "\(r.text)")
            let uri = try OTPAuthURI(parsing: try #require(r.json["otpauth_uri"] as? String))
            #expect(uri.algorithm == .sha256)
            #expect(uri.digits == 8)
            #expect(uri.period == 60)
        }
    }

    @Test func customParametersRefusedByPolicyAre422() async throws {
        var policy = TenantPolicy.default
        policy.totp.allowCustomParameters = false
        let f = try await APIFixture.make(policy: policy)
        try await f.test { api in
            let r = try await api.post("/v1/users/alice/methods/totp", key: f.enroll, json: ["digits": 8])
            r.problem(.unprocessableContent, code: "method_not_allowed")
        }
    }

    @Test func badDigitsAre400() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let r = try await api.post("/v1/users/alice/methods/totp", key: f.enroll, json: ["digits": 5])
            r.problem(.badRequest, code: "invalid_input", field: "digits")
            let wrongType = try await api.post("/v1/users/alice/methods/totp", key: f.enroll, json: ["digits": "six"])
            wrongType.problem(.badRequest, code: "malformed_request", field: "digits")
            let badAlgorithm = try await api.post("/v1/users/alice/methods/totp", key: f.enroll, json: ["algorithm": "md5"])
            badAlgorithm.problem(.badRequest, code: "malformed_request", field: "algorithm")
        }
    }

    @Test func confirmWithRightCodeActivatesTheMethod() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let enrollment = try await api.beginTOTP(user: "alice")
            let id = try #require(enrollment["enrollment_id"] as? String)
            let totp = try OTPAuthURI(parsing: try #require(enrollment["otpauth_uri"] as? String)).totp()
            let r = try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": try api.code(totp)])
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.json["method_id"] as? String == id)
            let method = try #require(r.json["method"] as? [String: Any])
            #expect(method["status"] as? String == "active")
            #expect(method["type"] as? String == "totp")
            #expect(method["is_default"] as? Bool == true)
            #expect(method["name"] as? String == "Pixel 8")

            // Confirmed: the enrollment is over, and so is its QR code.
            let again = try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": try api.code(totp)])
            again.problem(.gone, code: "enrollment_expired")
            let qr = try await api.get("/v1/enrollments/\(id)/qr.png", key: f.enroll)
            qr.problem(.gone, code: "enrollment_expired")
        }
    }

    @Test func wrongConfirmationCodeIs422AndTheEnrollmentStaysPending() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let enrollment = try await api.beginTOTP(user: "alice")
            let id = try #require(enrollment["enrollment_id"] as? String)
            let totp = try OTPAuthURI(parsing: try #require(enrollment["otpauth_uri"] as? String)).totp()
            let wrong = try EngineRaceChecks.wrongCode(totp, clock: f.clock)
            let r = try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": wrong])
            r.problem(.unprocessableContent, code: "wrong_code", field: "code")
            f.clock.advance(by: 2)  // past the throttle after one failure
            let ok = try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": try api.code(totp)])
            #expect(ok.status == .ok, "\(ok.text)")
        }
    }

    @Test func confirmationErrors() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let enrollment = try await api.beginTOTP(user: "alice")
            let id = try #require(enrollment["enrollment_id"] as? String)
            // Malformed codes are refused before any check.
            try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": "12345"])
                .problem(.badRequest, code: "invalid_code", field: "code")
            try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": "abcdef"])
                .problem(.badRequest, code: "invalid_code", field: "code")
            try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": 123456])
                .problem(.badRequest, code: "malformed_request", field: "code")
            try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: [String: String]())
                .problem(.badRequest, code: "malformed_request", field: "code")
            // Unknown, malformed and another tenant's enrollments are all 404.
            try await api.post("/v1/enrollments/m_aaaaaaaaaaaaaaaaaaaaaaaaaa/confirm", key: f.enroll, json: ["code": "123456"])
                .problem(.notFound, code: "not_found")
            try await api.post("/v1/enrollments/nope/confirm", key: f.enroll, json: ["code": "123456"])
                .problem(.notFound, code: "not_found")
            try await api.post("/v1/enrollments/\(id)/confirm", key: try await f.otherTenantKey(), json: ["code": "123456"])
                .problem(.notFound, code: "not_found")
            // Expired.
            f.clock.advance(by: 601)
            try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": "123456"])
                .problem(.gone, code: "enrollment_expired")
        }
    }

    @Test func fiveWrongConfirmationCodesEndTheEnrollment() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let enrollment = try await api.beginTOTP(user: "alice")
            let id = try #require(enrollment["enrollment_id"] as? String)
            let totp = try OTPAuthURI(parsing: try #require(enrollment["otpauth_uri"] as? String)).totp()
            let wrong = try EngineRaceChecks.wrongCode(totp, clock: f.clock)
            var statuses: [Int] = []
            for _ in 0..<5 {
                let r = try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": wrong])
                statuses.append(Int(r.status.code))
                f.clock.advance(by: 61)  // past any throttle, still before the 10-minute expiry
            }
            #expect(statuses.prefix(4).allSatisfy { $0 == 422 }, "\(statuses)")
            #expect(statuses.last == 410, "\(statuses)")
            try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": try api.code(totp)])
                .problem(.gone, code: "enrollment_expired")
            try await api.get("/v1/enrollments/\(id)/qr.png", key: f.enroll).problem(.gone, code: "enrollment_expired")
        }
    }

    @Test func qrCodesWhilePending() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let enrollment = try await api.beginTOTP(user: "alice")
            let png = try await api.get(try #require(enrollment["qr_png_url"] as? String), key: f.enroll)
            #expect(png.status == .ok)
            #expect(png.headers[.contentType] == "image/png")
            #expect(png.headers[.cacheControl] == "no-store")
            #expect(Array(png.bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

            let svg = try await api.get(try #require(enrollment["qr_svg_url"] as? String), key: f.enroll)
            #expect(svg.status == .ok)
            #expect(svg.headers[.contentType] == "image/svg+xml")
            #expect(svg.headers[.cacheControl] == "no-store")
            #expect(svg.text.contains("<svg"))

            let id = try #require(enrollment["enrollment_id"] as? String)
            try await api.get("/v1/enrollments/m_aaaaaaaaaaaaaaaaaaaaaaaaaa/qr.png", key: f.enroll).problem(.notFound, code: "not_found")
            try await api.get("/v1/enrollments/\(id)/qr.svg", key: try await f.otherTenantKey()).problem(.notFound, code: "not_found")
            try await api.get("/v1/enrollments/\(id)/qr.png", key: f.verify).problem(.forbidden, code: "forbidden")
            f.clock.advance(by: 601)
            try await api.get("/v1/enrollments/\(id)/qr.png", key: f.enroll).problem(.gone, code: "enrollment_expired")
        }
    }

    @Test func qrPNGDecodesToTheOTPAuthURI() async throws {
        guard let zbarimg = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first(where: FileManager.default.isExecutableFile) else {
            return  // optional: needs zbar-tools
        }
        let f = try await APIFixture.make()
        try await f.test { api in
            let enrollment = try await api.beginTOTP(user: "alice")
            let png = try await api.get(try #require(enrollment["qr_png_url"] as? String), key: f.enroll)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("mfa-qr-\(UUID().uuidString).png")
            try Data(png.bytes).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: zbarimg)
            process.arguments = ["--quiet", "--raw", file.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let decoded = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(decoded == enrollment["otpauth_uri"] as? String)
        }
    }

    @Test func hotpImportIsActiveAtOnceAndVerifies() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  // RFC 4226 test key
            let r = try await api.post("/v1/users/bob/methods/hotp", key: f.enroll,
                                       json: ["secret": secret, "counter": 0, "name": "YubiKey"])
            #expect(r.status == .created, "\(r.text)")
            #expect(r.json["type"] as? String == "hotp")
            #expect(r.json["status"] as? String == "active")
            #expect(r.json["name"] as? String == "YubiKey")
            #expect(!r.text.contains(secret))
            // RFC 4226 Appendix D: counter 0 -> 755224.
            let v = try await api.post("/v1/users/bob/verify", key: f.verify, json: ["code": "755224"])
            #expect(v.json["verified"] as? Bool == true, "\(v.text)")
            #expect(v.json["method_type"] as? String == "hotp")
        }
    }

    @Test func hotpImportErrors() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            try await api.post("/v1/users/bob/methods/hotp", key: f.enroll, json: ["secret": "not base32!"])
                .problem(.badRequest, code: "invalid_input", field: "secret")
            try await api.post("/v1/users/bob/methods/hotp", key: f.enroll, json: ["secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "counter": -1])
                .problem(.badRequest, code: "invalid_input", field: "counter")
            try await api.post("/v1/users/bob/methods/hotp", key: f.enroll, json: ["secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "digits": 9])
                .problem(.badRequest, code: "invalid_input", field: "digits")
            try await api.post("/v1/users/bob/methods/hotp", key: f.enroll, json: ["counter": 1])
                .problem(.badRequest, code: "malformed_request", field: "secret")
        }
    }

    @Test func recoveryCodesAreShownOnceUncachedAndWork() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            let r = try await api.post("/v1/users/carol/methods/recovery-codes", key: f.enroll)
            #expect(r.status == .created, "\(r.text)")
            #expect(r.headers[.cacheControl] == "no-store")
            let codes = try #require(r.json["codes"] as? [String])
            #expect(codes.count == 10)
            #expect(codes.allSatisfy { $0.count == 19 })
            let v = try await api.post("/v1/users/carol/verify", key: f.verify, json: ["code": codes[2]])
            #expect(v.json["verified"] as? Bool == true)
            #expect(v.json["remaining_recovery_codes"] as? Int == 9)
            let again = try await api.post("/v1/users/carol/verify", key: f.verify, json: ["code": codes[2]])
            #expect(again.json["verified"] as? Bool == false)
            let list = try await api.get("/v1/users/carol/methods", key: f.manage)
            #expect(!codes.contains { list.text.contains($0) })
        }
    }

    @Test func theMethodLimitIsAConflict() async throws {
        let f = try await APIFixture.make()
        try await f.test { api in
            for _ in 0..<Engine.maximumMethodsPerUser {
                let r = try await api.post("/v1/users/dave/methods/totp", key: f.enroll)
                #expect(r.status == .created)
            }
            try await api.post("/v1/users/dave/methods/totp", key: f.enroll).problem(.conflict, code: "conflict")
        }
    }
}

