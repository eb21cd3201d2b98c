import ArgumentParser
import Foundation
import MFAQRCode

struct QRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qr",
        abstract: "Draw the text on standard input as a QR code (in the terminal unless --png/--svg)."
    )

    @Option(help: "Write a PNG to this file (mode 0600).")
    var png: String?

    @Option(help: "Write an SVG to this file (mode 0600).")
    var svg: String?

    @Option(help: "Pixels per module in the PNG, 1 to 64.")
    var scale: Int = 4

    @Option(help: "Error correction level: L, M, Q or H.")
    var level: String = "M"

    @Flag(help: "Draw dark modules as blocks (for terminals with dark text on a light background).")
    var invert = false

    func run() async throws {
        guard let errorCorrection = QRErrorCorrection(rawValue: level.uppercased()) else {
            throw CLIFailure(code: "invalid_level", message: "the level must be L, M, Q or H", status: .invalidInput)
        }
        var data = FileHandle.standardInput.readDataToEndOfFile()
        if data.last == UInt8(ascii: "\n") { data.removeLast() }
        if data.last == UInt8(ascii: "\r") { data.removeLast() }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIFailure(code: "invalid_input", message: "standard input is not UTF-8 text", status: .invalidInput)
        }
        let qr = try QRCode(text: text, errorCorrection: errorCorrection)
        if let png { try Files.writePrivate(try qr.png(scale: scale), to: png) }
        if let svg { try Files.writePrivate(Array(qr.svg().utf8), to: svg) }
        if png == nil && svg == nil {
            print(qr.terminal(style: invert ? .darkOnLight : .lightOnDark), terminator: "")
        }
    }
}
