extension QRCode {
    /// Renders the symbol as a standalone SVG document: black modules on a white background, with the quiet zone.
    ///
    /// The viewBox is in modules (`0 0 N N` with `N = size + 2 * quietZone`); `width` and `height` are
    /// `N * moduleSize` px, and `moduleSize` below 1 is treated as 1. The dark modules form one `<path>`
    /// of horizontal runs, each `M{x} {y}h{n}v1h-{n}z`, drawn with `shape-rendering="crispEdges"`.
    public func svg(moduleSize: Int = 8) -> String {
        let side = size + 2 * Self.quietZone
        let pixels = side * max(moduleSize, 1)
        var svg = ""
        svg.reserveCapacity(300 + size * size * 4)
        svg += #"<?xml version="1.0" encoding="UTF-8"?>"#
        svg += "\n"
        svg += #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\#(pixels)px" height="\#(pixels)px" "#
        svg += #"viewBox="0 0 \#(side) \#(side)" shape-rendering="crispEdges">"#
        svg += ##"<rect width="\##(side)" height="\##(side)" fill="#ffffff"/>"##
        svg += ##"<path fill="#000000" d=""##
        for y in 0..<size {
            forEachDarkRun(inRow: y) { start, end in
                let run = end - start
                svg += "M\(start + Self.quietZone) \(y + Self.quietZone)h\(run)v1h-\(run)z"
            }
        }
        svg += "\"/></svg>\n"
        return svg
    }
}
