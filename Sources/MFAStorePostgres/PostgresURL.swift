/// A parsed `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|require|verify-full]` URL.
///
/// User, password and database may be percent-encoded; an IPv6 host goes in brackets
/// (`[::1]`). The port defaults to 5432. `postgresql://` is accepted too. Any query parameter
/// other than `sslmode` is refused, so a typo never silently weakens the connection.
///
/// TLS: `disable` turns it off; `require` and `verify-full` both demand TLS *and* verify the
/// server's certificate chain against the system trust store (stricter than libpq's `require`).
/// Without `sslmode`, a loopback host (`localhost`, `127.x.x.x`, `::1`) connects without TLS and
/// any other host requires verified TLS. The host name is checked against the certificate only when
/// the host is a name, not an IP address.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public enum SSLMode: String, Sendable {
        case disable
        case require
        case verifyFull = "verify-full"
    }

    public let user: String
    public let password: String?
    public let host: String
    public let port: Int
    public let database: String
    /// As written in the URL; nil when absent (see `usesTLS`).
    public let sslMode: SSLMode?

    public init(_ string: String) throws {
        let rest: Substring
        if string.hasPrefix("postgres://") {
            rest = string.dropFirst("postgres://".count)
        } else if string.hasPrefix("postgresql://") {
            rest = string.dropFirst("postgresql://".count)
        } else {
            throw PostgresURLError("the database URL must start with postgres://")
        }

        let (beforeQuery, query) = Self.split(rest, at: "?")
        let (authority, path) = Self.split(beforeQuery, at: "/")
        guard let at = authority.lastIndex(of: "@") else {
            throw PostgresURLError("the database URL needs a user: postgres://USER@HOST:PORT/DB")
        }
        let userInfo = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]

        let (rawUser, rawPassword) = Self.split(userInfo, at: ":")
        guard let user = Self.percentDecoded(rawUser), !user.isEmpty else {
            throw PostgresURLError("the database URL has an empty or badly encoded user")
        }
        var password: String?
        if let rawPassword {
            guard let decoded = Self.percentDecoded(rawPassword) else {
                throw PostgresURLError("the database URL has a badly encoded password")
            }
            password = decoded
        }

        let host: String
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                throw PostgresURLError("the database URL has an unterminated IPv6 host")
            }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw PostgresURLError("the database URL has junk after the host") }
                portText = after.dropFirst()
            }
        } else {
            let (h, p) = Self.split(hostPort, at: ":")
            host = String(h)
            portText = p
        }
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }) else {
            throw PostgresURLError("the database URL has an empty or invalid host")
        }
        var port = 5432
        if let portText {
            guard let p = Int(portText), (1...65_535).contains(p) else {
                throw PostgresURLError("the database URL's port must be 1 to 65535")
            }
            port = p
        }

        guard let rawDatabase = path, let database = Self.percentDecoded(rawDatabase), !database.isEmpty,
              !database.contains("/") else {
            throw PostgresURLError("the database URL needs a database name: postgres://USER@HOST:PORT/DB")
        }

        var sslMode: SSLMode?
        if let query, !query.isEmpty {
            for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
                let (key, value) = Self.split(pair, at: "=")
                guard key == "sslmode" else {
                    throw PostgresURLError("the database URL has an unsupported parameter \"\(key.prefix(32))\" (only sslmode)")
                }
                guard let value, let mode = SSLMode(rawValue: String(value)) else {
                    throw PostgresURLError("sslmode must be disable, require or verify-full")
                }
                sslMode = mode
            }
        }

        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
    }

    /// The same server and credentials with another database.
    public func with(database: String) -> PostgresURL {
        PostgresURL(user: user, password: password, host: host, port: port, database: database, sslMode: sslMode)
    }

    private init(user: String, password: String?, host: String, port: Int, database: String, sslMode: SSLMode?) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
    }

    /// Whether connections use (verified) TLS: see the type's documentation.
    public var usesTLS: Bool {
        switch sslMode {
        case .disable: return false
        case .require, .verifyFull: return true
        case nil: return !isLoopback
        }
    }

    /// `localhost`, `127.0.0.0/8` or `::1`.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { UInt8($0) != nil }
    }

    /// The URL with the password replaced by `***` (safe to log).
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let mode = sslMode.map { "?sslmode=\($0.rawValue)" } ?? ""
        return "postgres://\(user)\(password == nil ? "" : ":***")@\(hostPart):\(port)/\(database)\(mode)"
    }

    private static func split(_ text: Substring, at separator: Character) -> (Substring, Substring?) {
        guard let index = text.firstIndex(of: separator) else { return (text, nil) }
        return (text[..<index], text[text.index(after: index)...])
    }

    /// Decodes `%XX` escapes; nil for a malformed escape or invalid UTF-8.
    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        let decoded = String(decoding: bytes, as: UTF8.self)
        return Array(decoded.utf8) == bytes ? decoded : nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// A malformed database URL. The message never contains the password.
public struct PostgresURLError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
