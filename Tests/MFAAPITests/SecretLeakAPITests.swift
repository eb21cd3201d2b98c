import Foundation
import Hummingbird
@testable import MFAAPI
import MFACore
import MFAOTP
import MFATesting
import Testing

/// After the enrollment response, the secret and its otpauth URI appear in no response and no log
/// line (TH-23): not in lists, exports, activity, verifications, confirmations or errors.
@Suite struct SecretLeakAPITests {
    @Test func theSecretIsShownOnceAndNeverAgain() async throws {
        let f = try await APIFixture.make()
        let needles = try await f.test { api -> [String] in
            let enrollment = try await api.beginTOTP(user: "alice")
            let secret = try #require(enrollment["secret"] as? String)
            let uriText = try #require(enrollment["otpauth_uri"] as? String)
            let id = try #require(enrollment["enrollment_id"] as? String)
            let uri = try OTPAuthURI(parsing: uriText)
            let totp = try uri.totp()
            let secretHex = uri.secret.bytes.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
            // Needles: the Base32 secret (also lower case and as JSON-escaped URI), the URI, the raw bytes in hex.
            let needles = [secret, secret.lowercased(), uriText, uriText.replacingOccurrences(of: "/", with: "\\/"), secretHex]
            api.recorder.reset()

            // Everything a login server might do afterwards, including failures.
            let wrong = try EngineRaceChecks.wrongCode(totp, clock: f.clock)
            _ = try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": wrong])
            f.clock.advance(by: 2)
            _ = try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": try api.code(totp)])
            _ = try await api.get("/v1/enrollments/\(id)/qr.svg", key: f.enroll)
            _ = try await api.post("/v1/enrollments/\(id)/confirm", key: f.enroll, json: ["code": try api.code(totp)])
            f.clock.advance(by: 30)
            _ = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": try api.code(totp)])
            _ = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": try api.code(totp)])
            _ = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": wrong])
            _ = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": "x"])
            _ = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": secret])
            _ = try await api.send(.post, "/v1/users/alice/verify", key: f.verify, raw: #"{"code": "\#(secret)", "#)
            _ = try await api.post("/v1/users/alice/verify", key: f.verify, json: ["code": 1, "secret": secret])
            _ = try await api.get("/v1/users/alice/methods", key: f.manage)
            _ = try await api.send(.patch, "/v1/users/alice/methods/\(id)", key: f.manage, json: ["name": "Renamed"])
            _ = try await api.get("/v1/users/alice/export", key: f.manage)
            _ = try await api.get("/v1/users/alice/activity", key: f.manage)
            _ = try await api.get("/v1/users/alice/methods", key: nil)
            _ = try await api.get("/v1/users/alice/methods", key: f.verify)
            _ = try await api.get("/metrics", key: nil)

            let responses = api.recorder.all
            #expect(responses.count == 18)
            #expect(responses.contains { $0.status == .ok && $0.text.contains("verified") })
            for response in responses {
                for needle in needles {
                    #expect(!response.text.contains(needle), "a response after enrollment contains the secret: \(response.status)")
                    #expect(!response.headerText.contains(needle))
                }
            }
            return needles
        }
        // The whole log, including the lines of the enrollment request itself.
        let lines = f.logs.all
        #expect(lines.count > 18)
        for line in lines {
            #expect(!line.lowercased().contains("otpauth"), "\(line)")
            for needle in needles { #expect(!line.contains(needle), "\(line)") }
        }
    }

    @Test func recoveryCodesAndImportedSecretsAreNeverRepeatedOrLogged() async throws {
        let f = try await APIFixture.make()
        let hotpSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        let codes = try await f.test { api -> [String] in
            let codes = try #require(try await api.post("/v1/users/bob/methods/recovery-codes", key: f.enroll).json["codes"] as? [String])
            let imported = try await api.post("/v1/users/bob/methods/hotp", key: f.enroll, json: ["secret": hotpSecret])
            #expect(imported.status == .created)
            api.recorder.reset()
            _ = try await api.post("/v1/users/bob/verify", key: f.verify, json: ["code": codes[0]])
            _ = try await api.post("/v1/users/bob/verify", key: f.verify, json: ["code": codes[0]])
            _ = try await api.get("/v1/users/bob/methods", key: f.manage)
            _ = try await api.get("/v1/users/bob/export", key: f.manage)
            _ = try await api.get("/v1/users/bob/activity", key: f.manage)
            for response in api.recorder.all {
                for needle in codes + [hotpSecret] {
                    #expect(!response.text.contains(needle))
                }
            }
            return codes
        }
        for needle in [hotpSecret] + codes {
            #expect(!f.logs.text.contains(needle))
        }
    }
}
