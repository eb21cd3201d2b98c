/// The error correction level of a QR code: how much of the symbol may be damaged and still be read.
///
/// Higher levels survive more damage (about 7 %, 15 %, 25 % and 30 % of the codewords) but make the
/// symbol larger for the same text. The raw values are the standard one-letter names (`L`, `M`, `Q`, `H`).
public enum QRErrorCorrection: String, Sendable, CaseIterable {
    /// About 7 % of the codewords can be restored.
    case low = "L"
    /// About 15 % of the codewords can be restored; the usual choice for otpauth URIs.
    case medium = "M"
    /// About 25 % of the codewords can be restored.
    case quartile = "Q"
    /// About 30 % of the codewords can be restored.
    case high = "H"

    /// The most bytes of arbitrary (8-bit) text a version 40 symbol holds at this level.
    ///
    /// Text made only of digits or upper-case letters is packed more densely, so it may be longer.
    public var maximumBytes: Int {
        switch self {
        case .low: 2953
        case .medium: 2331
        case .quartile: 1663
        case .high: 1273
        }
    }
}
