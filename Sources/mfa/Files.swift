import Foundation

enum Files {
    /// Writes `bytes` to `path` readable by the owner only (QR codes carry secrets).
    static func writePrivate(_ bytes: [UInt8], to path: String, sync: Bool = false) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CLIFailure.unwritable(path) }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw CLIFailure.unwritable(path) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw CLIFailure.unwritable(path) }
            offset += n
        }
        if sync { guard fsync(fd) == 0 else { throw CLIFailure.unwritable(path) } }
    }
}
