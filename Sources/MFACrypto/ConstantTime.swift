internal import COpenSSL

/// Comparisons whose running time does not depend on where the inputs differ.
public enum ConstantTime {
    /// True when both buffers hold the same bytes. Runs in time that depends only on the length;
    /// a length mismatch returns false at once (lengths are not secret here).
    public static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return CRYPTO_memcmp(pa, pb, a.count) == 0
    }

    /// Byte-wise constant-time equality of two collections.
    public static func equals<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        let lhs = Array(a), rhs = Array(b)
        return lhs.withUnsafeBytes { pa in rhs.withUnsafeBytes { pb in equals(pa, pb) } }
    }

    /// Constant-time equality of two UTF-8 strings (for codes and tokens).
    public static func equals(_ a: String, _ b: String) -> Bool {
        equals(Array(a.utf8), Array(b.utf8))
    }
}
