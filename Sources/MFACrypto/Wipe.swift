internal import COpenSSL

/// Overwrites `buffer` with zeros in a way the optimiser cannot remove.
public func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    OPENSSL_cleanse(base, buffer.count)
}
