import Foundation
import Testing
import MFAQRCode

@Suite struct QRCodeSVGTests {
    @Test(arguments: [Samples.plainURI, Samples.percentEncodedURI, Samples.unicode, Samples.uri120])
    func pathDrawsExactlyTheDarkModules(text: String) throws {
        let code = try QRCode(text: text)
        let svg = code.svg()
        let side = code.size + 2 * QRCode.quietZone
        let grid = try #require(ParsedSVG(svg, side: side))
        for y in 0..<side {
            for x in 0..<side {
                let dark = code.isDark(x: x - QRCode.quietZone, y: y - QRCode.quietZone)
                #expect(grid.dark[y][x] == dark, "module (\(x), \(y)) with the quiet zone")
            }
        }
        #expect(grid.maximalRuns, "adjacent dark modules are merged into one run")
    }

    @Test func documentHasSizeViewBoxBackgroundAndCrispEdges() throws {
        let code = try QRCode(text: Samples.uri100)
        let side = code.size + 2 * QRCode.quietZone
        let svg = code.svg(moduleSize: 5)
        #expect(svg.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#))
        #expect(svg.contains(#"xmlns="http://www.w3.org/2000/svg""#))
        #expect(svg.contains(#"width="\#(side * 5)px" height="\#(side * 5)px""#))
        #expect(svg.contains(#"viewBox="0 0 \#(side) \#(side)""#))
        #expect(svg.contains(#"shape-rendering="crispEdges""#))
        #expect(svg.contains(##"<rect width="\##(side)" height="\##(side)" fill="#ffffff"/>"##))
        #expect(svg.components(separatedBy: "<path").count == 2, "exactly one path")
        #expect(svg.hasSuffix("</svg>\n"))
    }

    @Test func moduleSizeBelowOneIsTreatedAsOne() throws {
        let code = try QRCode(text: "x")
        #expect(code.svg(moduleSize: 0) == code.svg(moduleSize: 1))
        #expect(code.svg(moduleSize: -3) == code.svg(moduleSize: 1))
    }

    @Test func defaultModuleSizeIsEight() throws {
        let code = try QRCode(text: "x")
        let pixels = (code.size + 2 * QRCode.quietZone) * 8
        #expect(code.svg() == code.svg(moduleSize: 8))
        #expect(code.svg().contains(#"width="\#(pixels)px""#))
    }
}

/// The module grid drawn by the one `<path>` of an SVG from `QRCode.svg`, quiet zone included.
private struct ParsedSVG {
    var dark: [[Bool]]
    /// No run ends where the next one on the same row starts.
    var maximalRuns = true

    init?(_ svg: String, side: Int) {
        guard let match = svg.firstMatch(of: /<path fill="#000000" d="([^"]*)"\/>/) else { return nil }
        let path = String(match.1)
        dark = Array(repeating: Array(repeating: false, count: side), count: side)
        var consumed = 0
        var previous: (y: Int, end: Int)?
        for run in path.matches(of: /M(\d+) (\d+)h(\d+)v1h-(\d+)z/) {
            guard let x = Int(run.1), let y = Int(run.2), let n = Int(run.3), Int(run.4) == n, n > 0,
                  y < side, x + n <= side else { return nil }
            for column in x..<x + n {
                if dark[y][column] { return nil }  // overlapping runs
                dark[y][column] = true
            }
            if let previous, previous.y == y, previous.end == x { maximalRuns = false }
            previous = (y, x + n)
            consumed += run.output.0.count
        }
        guard consumed == path.count else { return nil }  // nothing but runs in the path
    }
}
