/// A submitted one-time code, validated before any cryptography runs (IV-07).
///
/// Spaces and hyphens are removed ("123 456", "123-456"); what is left must be exactly `digits`
/// ASCII digits. Unicode digits (`١٢٣٤٥٦`), signs and full-width digits are refused, and so is a
/// code of the wrong width ("7081804" for an 8-digit credential): codes are fixed-width strings.
public struct OTPCode: Sendable, Equatable {
    /// Longest raw input looked at, so validation is bounded.
    public static let maximumInputLength = 64

    /// The numeric value; together with `digits` it is the fixed-width string.
    public let value: UInt32
    public let digits: Int

    /// - Throws: `OTPError` `malformed_code` or `invalid_digits`.
    public init(_ text: String, digits: Int) throws {
        guard OTPParameters.validDigits.contains(digits) else { throw OTPError.invalidDigits(digits) }
        var value: UInt32 = 0
        var count = 0
        var length = 0
        for c in text.utf8 {
            length += 1
            guard length <= Self.maximumInputLength else { throw OTPError.malformedCode(digits: digits) }
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "-") { continue }
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9"), count < digits else {
                throw OTPError.malformedCode(digits: digits)
            }
            value = value * 10 + UInt32(c - UInt8(ascii: "0"))
            count += 1
        }
        guard count == digits else { throw OTPError.malformedCode(digits: digits) }
        self.value = value
        self.digits = digits
    }

    init(value: UInt32, digits: Int) {
        self.value = value
        self.digits = digits
    }

    /// The zero-padded fixed-width string, e.g. "07081804".
    public var string: String { Self.format(value, digits: digits) }

    static func format(_ value: UInt32, digits: Int) -> String {
        String(unsafeUninitializedCapacity: digits) { out in
            var v = value
            for i in stride(from: digits - 1, through: 0, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
            return digits
        }
    }
}
