import ArgumentParser
import Foundation
import MFAOTP
import MFAQRCode

struct TOTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "totp",
        abstract: "Time-based one-time passwords (RFC 6238).",
        subcommands: [New.self, Code.self, Verify.self]
    )

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new secret and show it with its otpauth:// URI and QR code.",
            discussion: "The secret is printed: run this where nobody can read your screen or logs."
        )

        @Option(help: "The service name shown in the authenticator app.")
        var issuer: String

        @Option(help: "The account name shown in the app, e.g. alice@example.com.")
        var account: String

        @OptionGroup var otp: TOTPOptions

        @Option(help: "Also write the QR code as a PNG to this file (mode 0600).")
        var png: String?

        @Option(help: "Also write the QR code as an SVG to this file (mode 0600).")
        var svg: String?

        @Flag(help: "Print only {\"secret\": ..., \"uri\": ...} as JSON.")
        var json = false

        @Flag(help: "Draw dark modules as blocks (for terminals with dark text on a light background).")
        var invert = false

        func run() async throws {
            let algorithm = try otp.hotp.parsedAlgorithm()
            let secret = try OTPSecret.generate(for: algorithm)
            let totp = try otp.totp(secret: secret)
            let uri = try OTPAuthURI(totp: totp, issuer: issuer, account: account)
            let uriString = uri.string
            let qr = try QRCode(text: uriString)
            if let png { try Files.writePrivate(try qr.png(), to: png) }
            if let svg { try Files.writePrivate(Array(qr.svg().utf8), to: svg) }

            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(["secret": secret.base32, "uri": uriString])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print("Secret: \(secret.base32)")
            print("URI:    \(uriString)")
            print("")
            print(qr.terminal(style: invert ? .darkOnLight : .lightOnDark), terminator: "")
            print("Scan the code with an authenticator app, or type the secret in by hand.")
        }
    }

    struct Code: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the code for now (or --time) from a secret on standard input."
        )

        @OptionGroup var otp: TOTPOptions
        @OptionGroup var secretInput: SecretInput
        @OptionGroup var clock: TimeOption

        func run() async throws {
            try otp.check()
            let totp = try otp.totp(secret: try secretInput.read())
            print(try totp.code(at: clock.resolved))
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a code against a secret on standard input; exit 0 when valid, 1 when not."
        )

        @Option(help: "The code to check.")
        var code: String

        @Option(help: "Steps accepted each side of now, 0 to 2.")
        var window: Int = 1

        @OptionGroup var otp: TOTPOptions
        @OptionGroup var secretInput: SecretInput
        @OptionGroup var clock: TimeOption

        func run() async throws {
            try otp.check()
            guard (0...OTPParameters.maximumWindow).contains(window) else {
                throw OTPError.invalidWindow("the window must be 0 to \(OTPParameters.maximumWindow) steps")
            }
            let totp = try otp.totp(secret: try secretInput.read())
            let now = clock.resolved
            guard let step = try totp.verify(code, at: now, window: window) else {
                print("invalid")
                throw ExitCode(CLIFailure.Status.notVerified.rawValue)
            }
            let offset = Int64(bitPattern: step &- (try totp.step(at: now)))
            print("valid (step \(step), offset \(offset >= 0 ? "+" : "")\(offset))")
        }
    }
}
