/// Why a QR code could not be made or rendered.
///
/// `code` is a stable snake_case string that callers may match on and send to clients; `message` is a
/// client-safe English sentence that never contains the encoded text. New codes may be added.
public struct QRCodeError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case tooLong
        case emptyInput
        case encodingFailed
        case pngFailed
        case invalidScale
    }

    private let kind: Kind
    /// A client-safe description of the problem.
    public let message: String

    private init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The stable machine-readable code: `qr_too_long`, `qr_empty_input`, `qr_encoding_failed`,
    /// `qr_png_failed` or `qr_invalid_scale`.
    public var code: String {
        switch kind {
        case .tooLong: "qr_too_long"
        case .emptyInput: "qr_empty_input"
        case .encodingFailed: "qr_encoding_failed"
        case .pngFailed: "qr_png_failed"
        case .invalidScale: "qr_invalid_scale"
        }
    }

    public var description: String { "\(code): \(message)" }

    /// The text does not fit in the largest QR code (version 40) at `level`.
    public static func tooLong(level: QRErrorCorrection) -> QRCodeError {
        QRCodeError(.tooLong, """
            The text is too long for a QR code: at error correction level \(level.rawValue) it may hold at most \
            \(level.maximumBytes) bytes (more if it is only digits or upper-case letters).
            """)
    }

    /// The text to encode is empty.
    public static let emptyInput = QRCodeError(.emptyInput, "The text to encode in a QR code is empty.")

    /// libqrencode failed for a reason other than length (for example, out of memory).
    public static let encodingFailed = QRCodeError(.encodingFailed, "The QR code could not be encoded.")

    /// libpng failed to write the image.
    public static let pngFailed = QRCodeError(.pngFailed, "The QR code could not be written as a PNG image.")

    /// The requested pixels per module is outside `QRCode.scaleRange`.
    public static func invalidScale(_ scale: Int) -> QRCodeError {
        QRCodeError(.invalidScale, """
            The QR code scale must be between \(QRCode.scaleRange.lowerBound) and \(QRCode.scaleRange.upperBound) \
            pixels per module, not \(scale).
            """)
    }
}
