import ArgumentParser
import Foundation
import MFAOTP

/// `--algorithm`, `--digits` (and `--period` for TOTP), validated by the OTP core so that bad
/// values get the core's error codes (`invalid_algorithm`, `invalid_digits`, `invalid_period`).
struct HOTPOptions: ParsableArguments {
    @Option(help: "HMAC hash: sha1, sha256 or sha512.")
    var algorithm: String = "sha1"

    @Option(help: "Code length: 6, 7 or 8.")
    var digits: Int = OTPParameters.defaultDigits

    /// Checks the options before any secret is read (ArgumentParser's `validate()` would hide the
    /// core's error codes behind its own usage error).
    func check() throws {
        _ = try parsedAlgorithm()
        guard OTPParameters.validDigits.contains(digits) else { throw OTPError.invalidDigits(digits) }
    }

    func parsedAlgorithm() throws -> OTPAlgorithm {
        guard let algorithm = OTPAlgorithm(name: algorithm) else { throw OTPError.invalidAlgorithm(algorithm) }
        return algorithm
    }
}

struct TOTPOptions: ParsableArguments {
    @OptionGroup var hotp: HOTPOptions

    @Option(help: "Seconds per code, 1 to 120.")
    var period: Int = OTPParameters.defaultPeriod

    func check() throws {
        try hotp.check()
        guard OTPParameters.validPeriods.contains(period) else { throw OTPError.invalidPeriod(period) }
    }

    func totp(secret: OTPSecret) throws -> TOTP {
        try TOTP(secret: secret, algorithm: hotp.parsedAlgorithm(), digits: hotp.digits, period: period)
    }
}

/// Where a command reads an existing secret: standard input (default) or `--secret-file`.
/// Never argv, which other users can see in the process list (API-12).
struct SecretInput: ParsableArguments {
    @Option(help: "Read the Base32 secret from this file instead of standard input.")
    var secretFile: String?

    func read() throws -> OTPSecret {
        let text: String
        if let path = secretFile {
            guard let data = FileManager.default.contents(atPath: path),
                  let contents = String(data: data, encoding: .utf8) else {
                throw CLIFailure.unreadable(path, what: "secret")
            }
            text = contents
        } else {
            text = readLine(strippingNewline: true) ?? ""
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw CLIFailure(code: "secret_missing",
                             message: "no secret: pipe the Base32 secret to standard input or use --secret-file",
                             status: .invalidInput)
        }
        return try OTPSecret(base32: trimmed)
    }
}

/// `--time UNIX`: a fixed time instead of the clock, for checks and scripts.
struct TimeOption: ParsableArguments {
    @Option(help: "Unix time in seconds to use instead of now.")
    var time: Int64?

    var resolved: Int64 { time ?? Int64(Date().timeIntervalSince1970) }
}
