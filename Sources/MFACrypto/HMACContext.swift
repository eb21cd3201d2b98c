internal import COpenSSL

/// The process-wide HMAC implementation; `EVP_MAC` objects are immutable and thread-safe in OpenSSL 3.
nonisolated(unsafe) private let hmacImplementation: OpaquePointer? = EVP_MAC_fetch(nil, "HMAC", nil)

/// A keyed HMAC context that is reused for many messages: the fast path for HOTP/TOTP.
///
/// Not thread-safe: give each task its own context. Computing a MAC allocates nothing; the key
/// is held (and wiped on release) by OpenSSL.
public final class HMACContext {
    private let context: OpaquePointer
    private let output: UnsafeMutableRawPointer
    /// The hash function.
    public let algorithm: HMACAlgorithm

    /// Creates a context keyed with `key`.
    /// - Throws: `CryptoError` when OpenSSL cannot set up the MAC.
    public init(algorithm: HMACAlgorithm, key secret: SecureBytes) throws {
        guard let mac = hmacImplementation, let context = EVP_MAC_CTX_new(mac) else {
            throw CryptoError.macFailed()
        }
        var digestKey = Array(OSSL_MAC_PARAM_DIGEST.utf8CString)
        var digestName = Array(algorithm.rawValue.utf8CString)
        let ok = secret.withUnsafeBytes { key in digestKey.withUnsafeMutableBufferPointer { k in
            digestName.withUnsafeMutableBufferPointer { v in
                var params = [
                    OSSL_PARAM_construct_utf8_string(k.baseAddress, v.baseAddress, 0),
                    OSSL_PARAM_construct_end(),
                ]
                // An empty key still needs a non-NULL pointer, or OpenSSL keeps "no key set".
                var empty: UInt8 = 0
                return withUnsafeMutablePointer(to: &empty) { emptyPointer in
                    let keyPointer = key.baseAddress?.assumingMemoryBound(to: UInt8.self)
                        ?? UnsafePointer(emptyPointer)
                    return EVP_MAC_init(context, keyPointer, key.count, &params) == 1
                }
            }
        } }
        guard ok else {
            EVP_MAC_CTX_free(context)
            throw CryptoError.macFailed()
        }
        self.context = context
        self.algorithm = algorithm
        self.output = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
    }

    /// Creates a context keyed with a copy of `key`.
    public convenience init(algorithm: HMACAlgorithm, key: UnsafeRawBufferPointer) throws {
        try self.init(algorithm: algorithm, key: SecureBytes(key))
    }

    deinit {
        OPENSSL_cleanse(output, 64)
        output.deallocate()
        EVP_MAC_CTX_free(context)
    }

    /// Computes the MAC of `message` and passes it to `body`; the buffer is only valid inside `body`.
    /// - Throws: `CryptoError.macFailed` if OpenSSL fails (never a wrong MAC).
    @inline(__always)
    public func withMAC<R>(of message: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard EVP_MAC_init(context, nil, 0, nil) == 1 else { throw CryptoError.macFailed() }
        if let base = message.baseAddress, message.count > 0 {
            guard EVP_MAC_update(context, base.assumingMemoryBound(to: UInt8.self), message.count) == 1 else {
                throw CryptoError.macFailed()
            }
        }
        var length = 0
        guard EVP_MAC_final(context, output.assumingMemoryBound(to: UInt8.self), &length, 64) == 1,
              length == algorithm.outputLength else {
            throw CryptoError.macFailed()
        }
        return try body(UnsafeRawBufferPointer(start: output, count: length))
    }

    /// The MAC of `message` as a new array.
    public func mac(of message: some Collection<UInt8>) throws -> [UInt8] {
        let bytes = Array(message)
        return try bytes.withUnsafeBytes { try withMAC(of: $0) { Array($0) } }
    }
}

/// One-shot HMAC helpers; use `HMACContext` in loops.
public enum HMAC {
    /// HMAC of `message` under `key`.
    public static func mac(algorithm: HMACAlgorithm, key: some Collection<UInt8>, message: some Collection<UInt8>) throws -> [UInt8] {
        let keyBytes = Array(key)
        let context = try keyBytes.withUnsafeBytes { try HMACContext(algorithm: algorithm, key: $0) }
        return try context.mac(of: message)
    }
}
