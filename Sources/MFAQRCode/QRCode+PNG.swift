internal import CPNG

extension QRCode {
    /// Renders the symbol as a 1-bit grayscale PNG: black modules on white, with the quiet zone.
    ///
    /// The image is `(size + 2 * quietZone) * scale` pixels square. `compressionLevel` is the zlib level,
    /// clamped to 0...9; the default 1 is fast and, for a 1-bit two-colour image, hardly larger than 9.
    ///
    /// - Throws: `QRCodeError.invalidScale` if `scale` is outside `QRCode.scaleRange`,
    ///   `.pngFailed` if libpng fails.
    public func png(scale: Int = 4, compressionLevel: Int = 1) throws(QRCodeError) -> [UInt8] {
        guard Self.scaleRange.contains(scale) else { throw .invalidScale(scale) }
        let level = Int32(min(max(compressionLevel, 0), 9))
        let image = packedPixels(scale: scale)

        var output = mfa_png_buffer(data: nil, size: 0, capacity: 0, failed: 0)
        defer { mfa_png_buffer_free(&output) }
        let side = UInt32(image.side)
        let status = image.pixels.withUnsafeBufferPointer { buffer in
            mfa_png_write_gray(buffer.baseAddress, side, side, image.rowBytes, 1, level, &output)
        }
        guard status == 0, let data = output.data else { throw .pngFailed }
        return Array(UnsafeBufferPointer(start: data, count: output.size))
    }
}

extension QRCode {
    /// The image as packed 1-bit rows, MSB first, a set bit for white, with the quiet zone:
    /// `side` rows of `rowBytes` bytes each. `scale` must be positive.
    func packedPixels(scale: Int) -> (pixels: [UInt8], side: Int, rowBytes: Int) {
        let side = (size + 2 * Self.quietZone) * scale
        let rowBytes = (side + 7) / 8
        // Start all white, clear the dark runs of each module row once, then copy that pixel row
        // down `scale - 1` times.
        var pixels = [UInt8](repeating: 0xFF, count: rowBytes * side)
        pixels.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for y in 0..<size {
                let row = base + (y + Self.quietZone) * scale * rowBytes
                forEachDarkRun(inRow: y) { start, end in
                    clearBits(row, from: (start + Self.quietZone) * scale, to: (end + Self.quietZone) * scale)
                }
                for copy in 1..<scale {
                    (row + copy * rowBytes).update(from: row, count: rowBytes)
                }
            }
        }
        return (pixels, side, rowBytes)
    }
}

/// Clears bits `start..<end` of a packed MSB-first bit row (pixel 0 is the high bit of byte 0).
private func clearBits(_ row: UnsafeMutablePointer<UInt8>, from start: Int, to end: Int) {
    guard start < end else { return }
    let firstByte = start >> 3, lastByte = (end - 1) >> 3
    // Bits kept in the first byte: those before `start`; in the last byte: those from `end` on.
    let headMask = UInt8(truncatingIfNeeded: 0xFF00 >> (start & 7))
    let tailMask = UInt8(truncatingIfNeeded: 0xFF >> (((end - 1) & 7) + 1))
    if firstByte == lastByte {
        row[firstByte] &= headMask | tailMask
        return
    }
    row[firstByte] &= headMask
    if lastByte - firstByte > 1 {
        (row + firstByte + 1).update(repeating: 0, count: lastByte - firstByte - 1)
    }
    row[lastByte] &= tailMask
}
