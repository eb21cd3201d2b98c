/// Base32 (RFC 4648 §6), the encoding of OTP secrets.
///
/// Encoding uses the upper-case alphabet without padding (URI-02). Decoding is forgiving where
/// people are (case, spaces, optional trailing `=`) and strict everywhere else.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Encodes `bytes` without padding.
    public static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: (bytes.count * 8 + 4) / 5) { out in
            var n = 0
            var buffer: UInt64 = 0
            var bits = 0
            for byte in bytes {
                buffer = buffer << 8 | UInt64(byte)
                bits += 8
                while bits >= 5 {
                    bits -= 5
                    out[n] = alphabet[Int(buffer >> UInt64(bits) & 31)]
                    n += 1
                }
            }
            if bits > 0 {
                out[n] = alphabet[Int(buffer << UInt64(5 - bits) & 31)]
                n += 1
            }
            return n
        }
    }

    /// Encodes a byte collection without padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        Array(bytes).withUnsafeBytes { encode($0) }
    }

    /// Decodes `text` into `output` and returns the number of bytes written; allocation-free.
    ///
    /// Accepts upper or lower case, ignores spaces, and accepts `=` padding only at the end.
    /// - Throws: `OTPError` (`invalid_base32`) naming the first bad character's position, or an
    ///   impossible length (1, 3 or 6 characters in the last group).
    public static func decode(_ text: String, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        var buffer: UInt64 = 0
        var bits = 0
        var written = 0
        var symbols = 0
        var padding = 0
        var position = 0
        for c in text.utf8 {
            position += 1
            if c == UInt8(ascii: " ") { continue }
            if c == UInt8(ascii: "=") { padding += 1; continue }
            guard padding == 0 else { throw OTPError.invalidBase32("padding '=' may appear only at the end") }
            let value: UInt8
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = c - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = c - UInt8(ascii: "a")
            case UInt8(ascii: "2")...UInt8(ascii: "7"): value = c - UInt8(ascii: "2") + 26
            default:
                throw OTPError.invalidBase32("character \(position) is not in the Base32 alphabet (A-Z, 2-7)")
            }
            symbols += 1
            buffer = buffer << 5 | UInt64(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                guard written < output.count else { throw OTPError.invalidBase32("the value is too long") }
                output[written] = UInt8(truncatingIfNeeded: buffer >> UInt64(bits))
                written += 1
            }
        }
        guard symbols > 0 else { throw OTPError.invalidBase32("the value is empty") }
        switch symbols % 8 {
        case 1, 3, 6: throw OTPError.invalidBase32("\(symbols) Base32 characters is not a whole number of bytes")
        default: break
        }
        if padding > 0 && (symbols + padding) % 8 != 0 {
            throw OTPError.invalidBase32("wrong amount of '=' padding")
        }
        return written
    }

    /// Decodes into a new array (see `decode(_:into:)` for the rules).
    public static func decode(_ text: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: text.utf8.count * 5 / 8 + 1)
        let n = try out.withUnsafeMutableBytes { try decode(text, into: $0) }
        out.removeSubrange(n...)
        return out
    }
}
