internal import COpenSSL

/// Immutable key material in its own allocation, wiped with `OPENSSL_cleanse` when released.
///
/// Use it for anything secret (HMAC keys, sealing keys, OTP secrets, decrypted plaintext).
/// Equality runs in constant time for equal lengths. Its `description` never shows the bytes.
public final class SecureBytes: @unchecked Sendable, Equatable, CustomStringConvertible {
    // Immutable after init, so sharing across threads is safe.
    private let pointer: UnsafeMutableRawPointer
    /// The number of bytes.
    public let count: Int

    /// Allocates `count` bytes and lets `initializer` write them in place (no intermediate copies).
    public init(count: Int, initializer: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        let size = max(count, 0)
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(size, 1))
        do {
            try initializer(UnsafeMutableRawBufferPointer(start: pointer, count: size))
        } catch {
            OPENSSL_cleanse(pointer, size)
            pointer.deallocate()
            throw error
        }
        self.pointer = pointer
        self.count = size
    }

    /// Copies `bytes`. The caller remains responsible for wiping its own copy.
    public convenience init(_ bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { buffer in
            _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        }
    }

    deinit {
        OPENSSL_cleanse(pointer, count)
        pointer.deallocate()
    }

    /// Calls `body` with the bytes; the pointer must not escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// A copy as an array; only for code that must hand the bytes to an API taking arrays.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    public static func == (lhs: SecureBytes, rhs: SecureBytes) -> Bool {
        lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in ConstantTime.equals(a, b) } }
    }

    public var description: String { "SecureBytes(\(count) bytes, redacted)" }
}
