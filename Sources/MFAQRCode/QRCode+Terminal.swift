extension QRCode {
    /// How `terminal(style:)` maps modules to glyphs.
    public enum TerminalStyle: String, Sendable, CaseIterable {
        /// Light modules are drawn with block glyphs and dark ones left blank, for terminals with light text on
        /// a dark background (what `qrencode -t UTF8` prints). The usual choice.
        case lightOnDark
        /// Dark modules are drawn with block glyphs, for terminals with dark text on a light background.
        case darkOnLight
    }

    /// Renders the symbol as UTF-8 half-block text (`█`, `▀`, `▄` and space), two module rows per line.
    ///
    /// The quiet zone is 4 columns on the left and right and 2 lines above and below (the line after
    /// the last symbol row is padded with a light half). Each line is `size + 8` characters wide,
    /// so a typical 100-120 character otpauth URI at level M fits in 80 columns. Lines are joined
    /// with `"\n"` and the text ends with `"\n"`. Pick `style` to match the terminal's colours,
    /// or the code is read inverted (many phone readers cannot read that).
    public func terminal(style: TerminalStyle = .lightOnDark) -> String {
        let margin = Self.quietZone
        let columns = size + 2 * margin
        let drawLight = style == .lightOnDark
        func drawn(_ x: Int, _ y: Int) -> Bool { isDark(x: x, y: y) != drawLight }

        let marginLines = margin / 2
        let lineCount = 2 * marginLines + (size + 1) / 2
        var text = ""
        text.reserveCapacity(lineCount * (columns * 3 + 1))
        let blankLine = String(repeating: drawLight ? "█" : " ", count: columns) + "\n"
        for _ in 0..<marginLines { text += blankLine }
        for y in stride(from: 0, to: size, by: 2) {
            for x in -margin..<(size + margin) {
                switch (drawn(x, y), drawn(x, y + 1)) {
                case (true, true): text += "█"
                case (true, false): text += "▀"
                case (false, true): text += "▄"
                case (false, false): text += " "
                }
            }
            text += "\n"
        }
        for _ in 0..<marginLines { text += blankLine }
        return text
    }
}
