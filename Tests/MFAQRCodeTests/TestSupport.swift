import Foundation
import Testing

/// Sample inputs shared by several test files (constants, not state).
enum Samples {
    /// Exactly 100 characters.
    static let uri100 = "otpauth://totp/ACME:john.doe@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME&algorithm=SHA1&digits=6"
    /// Exactly 120 characters.
    static let uri120 =
        "otpauth://totp/Example%20Corp:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example%20Corp&digits=6"
    static let plainURI = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"
    static let percentEncodedURI =
        "otpauth://totp/ACME%20Co%20%26%20Sons:john%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co%20%26%20Sons"
    static let unicode = "Zürich – 東京"
}

/// A fresh directory under the system temporary directory; the caller removes it.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("MFAQRCodeTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

struct ZBarFailure: Error, CustomStringConvertible {
    let description: String
}

/// How zbarimg prints what it decodes.
enum ZBarOutput {
    /// zbarimg's default: it guesses the text encoding of 8-bit segments, converts to UTF-8 and adds a
    /// newline, which is stripped here. It guesses right for UTF-8 with multi-byte runs such as
    /// "Zürich – 東京" but reads "café" as Shift-JIS/GBK.
    case text
    /// `-Sbinary`: the payload bytes exactly, with no newline.
    case binary
}

/// Writes `png` to a file in `directory` and returns the bytes zbarimg decodes from it.
///
/// zbarimg is a real QR reader; a missing binary fails the test (`make test` installs zbar-tools).
func decodeWithZBar(_ png: [UInt8], in directory: URL, output: ZBarOutput = .text,
                    name: String = "code.png") throws -> [UInt8] {
    let zbarimg = "/usr/bin/zbarimg"
    try #require(
        FileManager.default.isExecutableFile(atPath: zbarimg),
        "zbarimg is missing at \(zbarimg): install zbar-tools (apt-get install -y zbar-tools; `make test` does this)")
    let file = directory.appendingPathComponent(name)
    try Data(png).write(to: file)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: zbarimg)
    process.arguments = ["--raw", "-q"] + (output == .binary ? ["-Sbinary"] : []) + [file.path]
    let stdout = Pipe(), stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    // zbarimg writes little, so reading stdout to the end before stderr cannot dead-lock on a full pipe.
    let printed = stdout.fileHandleForReading.readDataToEndOfFile()
    let errors = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ZBarFailure(description: """
            zbarimg exited with status \(process.terminationStatus) for \(file.path) (1-3 = error, 4 = no code found): \
            \(String(decoding: errors, as: UTF8.self))
            """)
    }
    var bytes = [UInt8](printed)
    if output == .text {
        try #require(bytes.last == UInt8(ascii: "\n"), "zbarimg's text output should end with a newline")
        bytes.removeLast()
    }
    return bytes
}
