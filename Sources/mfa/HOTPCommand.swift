import ArgumentParser
import MFAOTP

struct HOTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotp",
        abstract: "Counter-based one-time passwords (RFC 4226).",
        subcommands: [Code.self]
    )

    struct Code: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the code for a counter from a secret on standard input."
        )

        @Option(help: "The counter value.")
        var counter: UInt64

        @OptionGroup var otp: HOTPOptions
        @OptionGroup var secretInput: SecretInput

        func run() async throws {
            try otp.check()
            let hotp = try HOTP(secret: try secretInput.read(), algorithm: otp.parsedAlgorithm(), digits: otp.digits)
            print(try hotp.code(counter: counter))
        }
    }
}
