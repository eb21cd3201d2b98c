import ArgumentParser
import Foundation

/// The `mfa` command: OTP tools, the engine's operator commands and `mfa serve`.
///
/// Exit statuses (also in the README):
/// 0 success; 1 a code did not verify; 2 invalid input; 3 a file could not be read or written;
/// 64 command-line usage error; 70 internal error.
@main
struct MFACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mfa",
        abstract: "One-time passwords, QR codes, the MFA engine's HTTP server and operator commands.",
        discussion: """
            Secrets are read from standard input or --secret-file, never from the command line.
            Errors are printed as one line, `error: <code>: <message>`, on standard error.
            Exit status: 0 success, 1 code not valid (or audit log broken), 2 invalid input, 3 file not readable
            or writable, 4 not found, 5 database or configuration unavailable, 64 usage error, 70 internal error.
            Operator commands and `serve` read --config FILE (JSON), MFA_* variables and --data-dir alike.
            """,
        version: MFAVersion.string,
        subcommands: [TOTPCommand.self, HOTPCommand.self, QRCommand.self, ServeCommand.self, MigrateCommand.self,
                      TenantCommand.self, APIKeyCommand.self, KeysCommand.self, AuditCommand.self, UserCommand.self]
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(reporting: error)
        }
    }

    /// Prints `error` the documented way and exits with its status.
    static func exit(reporting error: Error) -> Never {
        if let failure = CLIFailure(error) {
            Console.error("error: \(failure.code): \(failure.message)")
            Foundation.exit(failure.status.rawValue)
        }
        let code = exitCode(for: error)
        if code == .success {
            // --help and --version
            print(fullMessage(for: error))
            Foundation.exit(0)
        }
        let message = self.message(for: error)
        if message.isEmpty {
            Foundation.exit(code.rawValue)  // ExitCode thrown on purpose, e.g. "code not valid"
        }
        let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
        let cleaned = firstLine.hasPrefix("Error: ") ? String(firstLine.dropFirst(7)) : firstLine
        Console.error("error: usage: \(cleaned) (see 'mfa --help')")
        Foundation.exit(CLIFailure.Status.usage.rawValue)
    }
}

enum MFAVersion {
    static let string = "0.1.0"
}
