extension QRCode {
    /// The PNG from `png(scale:)` as a `data:image/png;base64,...` URL, for an `<img src>` or a JSON field.
    ///
    /// - Throws: `QRCodeError.invalidScale` if `scale` is outside `QRCode.scaleRange`,
    ///   `.pngFailed` if libpng fails.
    public func pngDataURL(scale: Int = 4) throws(QRCodeError) -> String {
        "data:image/png;base64," + base64(try png(scale: scale))
    }

    /// The SVG from `svg()` as a `data:image/svg+xml;base64,...` URL.
    public func svgDataURL() -> String {
        "data:image/svg+xml;base64," + base64(Array(svg().utf8))
    }
}

/// Standard base64 (RFC 4648, with padding), kept here so the target needs no Foundation.
func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    let padding = UInt8(ascii: "=")
    var output = [UInt8]()
    output.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index + 3 <= bytes.count {
        let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
        output.append(alphabet[Int(chunk >> 18 & 63)])
        output.append(alphabet[Int(chunk >> 12 & 63)])
        output.append(alphabet[Int(chunk >> 6 & 63)])
        output.append(alphabet[Int(chunk & 63)])
        index += 3
    }
    let remaining = bytes.count - index
    if remaining > 0 {
        let second = remaining == 2 ? UInt32(bytes[index + 1]) : 0
        let chunk = UInt32(bytes[index]) << 16 | second << 8
        output.append(alphabet[Int(chunk >> 18 & 63)])
        output.append(alphabet[Int(chunk >> 12 & 63)])
        output.append(remaining == 2 ? alphabet[Int(chunk >> 6 & 63)] : padding)
        output.append(padding)
    }
    return String(decoding: output, as: UTF8.self)
}
