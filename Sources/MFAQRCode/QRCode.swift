internal import CQRencode

/// A QR code symbol: a square grid of dark and light modules, ready to render as PNG, SVG or terminal text.
///
/// The grid does not include the quiet zone; every renderer adds `QRCode.quietZone` light modules on each
/// side. Encoding is done by libqrencode, which picks the smallest version that fits and splits the text
/// into numeric, alphanumeric and 8-bit segments, so upper-case Base32 secrets are packed densely.
/// The value holds no C resources and is safe to share between tasks.
public struct QRCode: Sendable, Equatable {
    /// Light modules drawn around the symbol on every side by all renderers (the standard minimum).
    public static let quietZone = 4

    /// The pixels per module that `png(scale:compressionLevel:)` and `pngDataURL(scale:)` accept.
    public static let scaleRange: ClosedRange<Int> = 1...64

    /// Modules per side, without the quiet zone (21 for version 1, up to 177 for version 40).
    public let size: Int
    /// The QR version libqrencode chose (1...40).
    public let version: Int
    /// The error correction level the symbol was encoded with.
    public let errorCorrection: QRErrorCorrection

    /// Row-major module bits, one bit per module, set for dark.
    private let bits: [UInt64]

    /// The longest input any QR code can hold (7,089 digits at level L); longer text is rejected
    /// before it reaches libqrencode.
    private static let maximumInputBytes = 7089

    /// Encodes `text` (as UTF-8) into the smallest QR code that holds it at `errorCorrection`.
    ///
    /// Text is encoded case-sensitively; byte segments carry the UTF-8 as is, with no ECI header, which
    /// is what authenticator apps expect for (ASCII) otpauth URIs. Readers must guess the encoding of
    /// non-ASCII text and may guess wrong (zbar reads "café" as Shift-JIS), so percent-encode it where
    /// you can. Text containing NUL bytes is encoded entirely in 8-bit mode.
    ///
    /// - Throws: `QRCodeError.emptyInput` for empty text, `.tooLong` when it does not fit in a
    ///   version 40 symbol at that level, `.encodingFailed` if libqrencode fails otherwise.
    public init(text: String, errorCorrection: QRErrorCorrection = .medium) throws(QRCodeError) {
        let utf8 = text.utf8
        guard !utf8.isEmpty else { throw .emptyInput }
        guard utf8.count <= Self.maximumInputBytes else { throw .tooLong(level: errorCorrection) }

        let level = errorCorrection.cLevel
        mfa_clear_errno()
        let symbol: UnsafeMutablePointer<CQRencode.QRcode>?
        if utf8.contains(0) {
            let bytes = Array(utf8)
            symbol = bytes.withUnsafeBufferPointer { buffer in
                QRcode_encodeData(Int32(buffer.count), buffer.baseAddress, 0, level)
            }
        } else {
            symbol = QRcode_encodeString(text, 0, level, QR_MODE_8, 1)
        }
        guard let symbol else {
            if mfa_errno() == ERANGE { throw .tooLong(level: errorCorrection) }
            throw .encodingFailed
        }
        defer { QRcode_free(symbol) }

        let width = Int(symbol.pointee.width)
        guard width > 0, let data = symbol.pointee.data else { throw .encodingFailed }
        let count = width * width
        var words = [UInt64](repeating: 0, count: (count + 63) >> 6)
        for index in 0..<count where data[index] & 1 != 0 {
            words[index >> 6] |= 1 << UInt64(index & 63)
        }
        self.size = width
        self.version = Int(symbol.pointee.version)
        self.errorCorrection = errorCorrection
        self.bits = words
    }

    /// Whether the module at column `x`, row `y` (0-based, from the top left, quiet zone excluded) is dark.
    ///
    /// Coordinates outside `0..<size` are light, as the quiet zone is.
    public func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        let index = y * size + x
        return bits[index >> 6] & (1 << UInt64(index & 63)) != 0
    }

    /// Calls `body(start, end)` for every horizontal run of dark modules in row `y`, left to right,
    /// with `start..<end` in module columns (quiet zone excluded).
    func forEachDarkRun(inRow y: Int, _ body: (_ start: Int, _ end: Int) -> Void) {
        var x = 0
        while x < size {
            if isDark(x: x, y: y) {
                let start = x
                repeat { x += 1 } while x < size && isDark(x: x, y: y)
                body(start, x)
            } else {
                x += 1
            }
        }
    }
}

extension QRErrorCorrection {
    var cLevel: QRecLevel {
        switch self {
        case .low: QR_ECLEVEL_L
        case .medium: QR_ECLEVEL_M
        case .quartile: QR_ECLEVEL_Q
        case .high: QR_ECLEVEL_H
        }
    }
}
