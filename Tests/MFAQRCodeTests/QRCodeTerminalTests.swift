import Testing
import MFAQRCode

@Suite struct QRCodeTerminalTests {
    @Test(arguments: QRCode.TerminalStyle.allCases, [Samples.plainURI, Samples.unicode, Samples.uri120])
    func halfBlocksDrawExactlyTheModules(style: QRCode.TerminalStyle, text: String) throws {
        let code = try QRCode(text: text)
        let rendered = code.terminal(style: style)
        #expect(rendered.hasSuffix("\n"))
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let quietZone = QRCode.quietZone
        let columns = code.size + 2 * quietZone
        #expect(lines.count == quietZone + (code.size + 1) / 2, "2 quiet lines above and below")

        for (lineIndex, line) in lines.enumerated() {
            let glyphs = Array(line)
            try #require(glyphs.count == columns, "line \(lineIndex) is \(glyphs.count) characters wide")
            for (column, glyph) in glyphs.enumerated() {
                let (top, bottom) = try #require(Self.halves(glyph), "unexpected glyph \(glyph)")
                let x = column - quietZone, y = 2 * lineIndex - quietZone
                let drawsLight = style == .lightOnDark
                #expect(top == (code.isDark(x: x, y: y) != drawsLight), "module (\(x), \(y))")
                #expect(bottom == (code.isDark(x: x, y: y + 1) != drawsLight), "module (\(x), \(y + 1))")
            }
        }
    }

    @Test func defaultStyleDrawsLightModules() throws {
        let code = try QRCode(text: Samples.plainURI)
        #expect(code.terminal() == code.terminal(style: .lightOnDark))
        let firstLine = code.terminal().prefix { $0 != "\n" }
        #expect(firstLine.allSatisfy { $0 == "█" }, "the quiet zone is light, so drawn")
        let darkFirstLine = code.terminal(style: .darkOnLight).prefix { $0 != "\n" }
        #expect(darkFirstLine.allSatisfy { $0 == " " })
    }

    @Test(arguments: QRCode.TerminalStyle.allCases)
    func a120CharacterURIFitsIn80Columns(style: QRCode.TerminalStyle) throws {
        #expect(Samples.uri120.count == 120)
        let rendered = try QRCode(text: Samples.uri120).terminal(style: style)
        let widest = rendered.split(separator: "\n").map(\.count).max() ?? 0
        #expect(widest <= 80)
    }

    /// Which halves of a character cell a glyph fills.
    static func halves(_ glyph: Character) -> (top: Bool, bottom: Bool)? {
        switch glyph {
        case "█": (true, true)
        case "▀": (true, false)
        case "▄": (false, true)
        case " ": (false, false)
        default: nil
        }
    }
}
