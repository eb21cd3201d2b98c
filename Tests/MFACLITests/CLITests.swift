import Foundation
import Testing
import MFAOTP

@Suite struct CLITests {
    let rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    @Test func versionAndHelp() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        for command in [[], ["totp"], ["totp", "new"], ["totp", "code"], ["totp", "verify"], ["hotp", "code"], ["qr"]] {
            let help = try CLI.run(command + ["--help"])
            #expect(help.status == 0, "\(command)")
            #expect(help.stdout.contains("USAGE"), "\(command)")
        }
    }

    // TH-02 through the CLI, with the secret on standard input.
    @Test func totpCodeFromStandardInput() throws {
        let result = try CLI.run(["totp", "code", "--time", "1111111109", "--digits", "8"], stdin: rfcSecret + "\n")
        #expect(result.status == 0)
        #expect(result.stdout == "07081804\n")
    }

    @Test func totpCodeFromASecretFile() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("secret")
        try (rfcSecret + "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try CLI.run(["totp", "code", "--time", "59", "--digits", "8", "--secret-file", file.path])
        #expect(result.stdout == "94287082\n")
    }

    @Test func totpVerifyExitStatus() throws {
        let valid = try CLI.run(["totp", "verify", "--code", "94287082", "--digits", "8", "--time", "89"], stdin: rfcSecret)
        #expect(valid.status == 0)
        #expect(valid.stdout.contains("offset -1"))
        let invalid = try CLI.run(["totp", "verify", "--code", "94287082", "--digits", "8", "--time", "89", "--window", "0"],
                                  stdin: rfcSecret)
        #expect(invalid.status == 1)
        #expect(invalid.stdout == "invalid\n")
    }

    @Test func hotpCode() throws {
        let result = try CLI.run(["hotp", "code", "--counter", "9"], stdin: rfcSecret)
        #expect(result.stdout == "520489\n")
    }

    // The JSON output is the only thing on stdout and describes a working credential.
    @Test func totpNewJSON() throws {
        let result = try CLI.run(["totp", "new", "--issuer", "ACME Co & Sons", "--account", "alice@example.com",
                                  "--algorithm", "sha256", "--digits", "8", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String])
        #expect(Set(object.keys) == ["secret", "uri"])
        let uri = try OTPAuthURI(parsing: try #require(object["uri"]))
        #expect(uri.issuer == "ACME Co & Sons" && uri.account == "alice@example.com")
        #expect(uri.algorithm == .sha256 && uri.digits == 8)
        #expect(uri.secret.base32 == object["secret"])
        #expect(uri.secret.bytes.count == 32)  // TH-07: HMAC output length
        let code = try uri.totp().code(at: 1_800_000_000)
        let check = try CLI.run(["totp", "verify", "--code", code, "--algorithm", "sha256", "--digits", "8",
                                 "--time", "1800000000"], stdin: try #require(object["secret"]))
        #expect(check.status == 0)
    }

    @Test func totpNewShowsSecretURIAndQRAndWritesFiles() throws {
        let dir = try CLI.temporaryDirectory()
        let png = dir.appendingPathComponent("qr.png").path, svg = dir.appendingPathComponent("qr.svg").path
        let result = try CLI.run(["totp", "new", "--issuer", "Demo", "--account", "alice@example.com", "--png", png, "--svg", svg])
        #expect(result.status == 0)
        #expect(result.stdout.contains("otpauth://totp/Demo:alice%40example.com?secret="))
        #expect(result.stdout.contains("▄") || result.stdout.contains("▀"))
        for path in [png, svg] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: png)).starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("<svg"))
    }

    @Test func qrFromStandardInput() throws {
        let terminal = try CLI.run(["qr"], stdin: "hello\n")
        #expect(terminal.status == 0)
        #expect(terminal.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })
        let dir = try CLI.temporaryDirectory()
        let png = dir.appendingPathComponent("x.png").path
        #expect(try CLI.run(["qr", "--png", png], stdin: "hello").status == 0)
        let decoded = try CLI.runZbar(png)
        #expect(decoded == "hello")
    }

    /// Every bad input gets one line `error: <code>: <message>` and a documented non-zero status.
    @Test(arguments: [
        (["totp", "code"], "NOT*BASE32", "invalid_base32", Int32(2)),
        (["totp", "code", "--digits", "5"], "JBSWY3DPEHPK3PXP", "invalid_digits", 2),
        (["totp", "code", "--digits", "9"], "JBSWY3DPEHPK3PXP", "invalid_digits", 2),
        (["totp", "code", "--period", "0"], "JBSWY3DPEHPK3PXP", "invalid_period", 2),
        (["totp", "code", "--period", "121"], "JBSWY3DPEHPK3PXP", "invalid_period", 2),
        (["totp", "code", "--algorithm", "md5"], "JBSWY3DPEHPK3PXP", "invalid_algorithm", 2),
        (["totp", "code"], "", "secret_missing", 2),
        (["totp", "code"], "JBSWY3DP", "secret_too_short", 2),
        (["totp", "new", "--issuer", "A:B", "--account", "a"], "", "invalid_label", 2),
        (["totp", "new", "--issuer", "A", "--account", "a:b"], "", "invalid_label", 2),
        (["totp", "new", "--issuer", "A", "--account", ""], "", "invalid_label", 2),
        (["totp", "verify", "--code", "١٢٣٤٥٦"], "JBSWY3DPEHPK3PXP", "malformed_code", 2),
        (["totp", "verify", "--code", "12345"], "JBSWY3DPEHPK3PXP", "malformed_code", 2),
        (["totp", "verify", "--code", "123456", "--window", "3"], "JBSWY3DPEHPK3PXP", "invalid_window", 2),
        (["qr"], String(repeating: "x", count: 3000), "qr_too_long", 2),
        (["qr"], "", "qr_empty_input", 2),
        (["totp", "code", "--secret-file", "/nonexistent/secret"], "", "file_unreadable", 3),
        (["totp", "code", "--bogus"], "", "usage", 64),
        (["totp", "new", "--account", "a"], "", "usage", 64),
    ] as [([String], String, String, Int32)])
    func badInput(arguments: [String], stdin: String, code: String, status: Int32) throws {
        let result = try CLI.run(arguments, stdin: stdin)
        #expect(result.status == status)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("error: \(code): ") == true, "\(result.stderr)")
        #expect(!result.stderr.contains("JBSWY3DPEHPK3PXP"))
    }
}

extension CLI {
    /// Decodes a PNG with the real QR reader (zbar-tools, installed by `make test`).
    static func runZbar(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zbarimg")
        process.arguments = ["--raw", "-q", "-Sbinary", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
