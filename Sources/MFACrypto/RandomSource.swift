internal import COpenSSL

/// A source of unpredictable bytes.
///
/// Implementations used outside tests must be a CSPRNG (ST-05) and must throw rather than return
/// weak bytes when they fail. Tests inject deterministic sources; production code takes a
/// `RandomSource` parameter instead of calling a generator directly.
public protocol RandomSource: Sendable {
    /// Fills `buffer` completely with random bytes, or throws.
    func fill(_ buffer: UnsafeMutableRawBufferPointer) throws
}

extension RandomSource {
    /// `count` random bytes.
    public func bytes(count: Int) throws -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        try result.withUnsafeMutableBytes { try fill($0) }
        return result
    }

    /// `count` random bytes held as wiped-on-release key material.
    public func secureBytes(count: Int) throws -> SecureBytes {
        try SecureBytes(count: count) { try fill($0) }
    }

    /// A uniformly distributed integer in `0..<upperBound`, by rejection sampling (no modulo bias).
    public func uniform(below upperBound: UInt32) throws -> UInt32 {
        precondition(upperBound > 0, "upperBound must be positive")
        let limit = UInt32.max - (UInt32.max % upperBound)  // values >= limit are rejected
        while true {
            var value: UInt32 = 0
            try withUnsafeMutableBytes(of: &value) { try fill($0) }
            if value < limit { return value % upperBound }
        }
    }
}

/// The operating system's CSPRNG through OpenSSL's `RAND_bytes` (seeded from getrandom).
public struct SystemRandomSource: RandomSource {
    public init() {}

    public func fill(_ buffer: UnsafeMutableRawBufferPointer) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        guard buffer.count <= Int(Int32.max),
              RAND_bytes(base.assumingMemoryBound(to: UInt8.self), Int32(buffer.count)) == 1 else {
            throw CryptoError.randomFailed()
        }
    }
}
