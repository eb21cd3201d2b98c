public import MFACrypto
import Foundation

/// The `otpauth://` Key URI that authenticator apps scan (the Google Authenticator "Key Uri Format").
///
/// Built URIs always carry `issuer` both as the label prefix and as a parameter (URI-04), are
/// RFC 3986 percent-encoded (space is `%20`, never `+`; URI-05), and write `algorithm`, `digits`
/// and `period` only when not the defaults. Parsing accepts `:` or `%3A` after the issuer, optional
/// `%20`s before the account, any parameter order, and ignores parameters it does not know.
///
/// The URI contains the secret: never log it.
public struct OTPAuthURI: Sendable, Equatable {
    /// `totp` or `hotp`.
    public enum Kind: String, Sendable {
        case totp, hotp
    }

    /// Longest accepted issuer and account, in UTF-8 bytes (IV-08).
    public static let maximumIssuerLength = 100
    public static let maximumAccountLength = 256
    /// Longest URI accepted by the parser.
    public static let maximumLength = 4096

    public var kind: Kind
    public var issuer: String?
    public var account: String
    public var secret: OTPSecret
    public var algorithm: HMACAlgorithm
    public var digits: Int
    /// TOTP only.
    public var period: Int
    /// HOTP only: the initial counter.
    public var counter: UInt64

    /// A TOTP URI for a credential.
    /// - Throws: `OTPError.invalidLabel` for an empty or over-long issuer or account, or one containing ':'.
    public init(totp: TOTP, issuer: String, account: String) throws {
        try Self.validate(issuer: issuer, account: account)
        self.kind = .totp
        self.issuer = issuer
        self.account = account
        self.secret = totp.secret
        self.algorithm = totp.algorithm
        self.digits = totp.digits
        self.period = totp.period
        self.counter = 0
    }

    /// An HOTP URI for a credential with its initial counter.
    public init(hotp: HOTP, counter: UInt64, issuer: String, account: String) throws {
        try Self.validate(issuer: issuer, account: account)
        self.kind = .hotp
        self.issuer = issuer
        self.account = account
        self.secret = hotp.secret
        self.algorithm = hotp.algorithm
        self.digits = hotp.digits
        self.period = OTPParameters.defaultPeriod
        self.counter = counter
    }

    /// The TOTP credential described by a `totp` URI.
    public func totp() throws -> TOTP {
        try TOTP(secret: secret, algorithm: algorithm, digits: digits, period: period)
    }

    /// The HOTP credential described by an `hotp` URI.
    public func hotp() throws -> HOTP {
        try HOTP(secret: secret, algorithm: algorithm, digits: digits)
    }

    static func validate(issuer: String?, account: String) throws {
        if let issuer {
            guard !issuer.isEmpty else { throw OTPError.invalidLabel("the issuer must not be empty", field: "issuer") }
            guard issuer.utf8.count <= maximumIssuerLength else {
                throw OTPError.invalidLabel("the issuer must be at most \(maximumIssuerLength) bytes", field: "issuer")
            }
            guard !issuer.contains(":") else {
                throw OTPError.invalidLabel("the issuer must not contain ':'", field: "issuer")
            }
        }
        guard !account.isEmpty else { throw OTPError.invalidLabel("the account name must not be empty", field: "account") }
        guard account.utf8.count <= maximumAccountLength else {
            throw OTPError.invalidLabel("the account name must be at most \(maximumAccountLength) bytes", field: "account")
        }
        guard !account.contains(":") else {
            throw OTPError.invalidLabel("the account name must not contain ':'", field: "account")
        }
        for text in [issuer ?? "", account] where text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw OTPError.invalidLabel("control characters are not allowed", field: text == account ? "account" : "issuer")
        }
    }

    /// The URI text. It contains the secret.
    public var string: String {
        var label = ""
        if let issuer { label = Self.percentEncode(issuer) + ":" }
        label += Self.percentEncode(account)
        var query = "secret=" + secret.base32
        if let issuer { query += "&issuer=" + Self.percentEncode(issuer) }
        if algorithm != OTPParameters.defaultAlgorithm { query += "&algorithm=" + algorithm.rawValue }
        if digits != OTPParameters.defaultDigits { query += "&digits=\(digits)" }
        switch kind {
        case .totp:
            if period != OTPParameters.defaultPeriod { query += "&period=\(period)" }
        case .hotp:
            query += "&counter=\(counter)"
        }
        return "otpauth://\(kind.rawValue)/\(label)?\(query)"
    }

    /// Parses a Key URI.
    /// - Throws: `OTPError` (`invalid_uri`, `invalid_label`, `invalid_base32`, ...) naming the field.
    public init(parsing text: String) throws {
        guard text.utf8.count <= Self.maximumLength else { throw OTPError.invalidURI("the URI is too long") }
        let prefix = "otpauth://"
        guard text.utf8.count > prefix.utf8.count, text.lowercased().hasPrefix(prefix) else {
            throw OTPError.invalidURI("the URI must start with otpauth://")
        }
        let rest = text.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/") else { throw OTPError.invalidURI("the URI has no label") }
        guard let kind = Kind(rawValue: rest[rest.startIndex..<slash].lowercased()) else {
            throw OTPError.invalidURI("the type must be totp or hotp", field: "type")
        }
        let afterSlash = rest[rest.index(after: slash)...]
        let labelPart: Substring, queryPart: Substring
        if let question = afterSlash.firstIndex(of: "?") {
            labelPart = afterSlash[afterSlash.startIndex..<question]
            queryPart = afterSlash[afterSlash.index(after: question)...]
        } else {
            labelPart = afterSlash
            queryPart = ""
        }

        // Label: issuer (":" / "%3A") *"%20" account, or just account.
        var labelIssuer: String?
        var encodedAccount = labelPart
        if let colon = Self.labelSeparator(in: labelPart) {
            labelIssuer = try Self.percentDecode(labelPart[labelPart.startIndex..<colon.lowerBound], field: "issuer")
            encodedAccount = labelPart[colon.upperBound...]
            while encodedAccount.hasPrefix("%20") { encodedAccount = encodedAccount.dropFirst(3) }
        }
        let account = try Self.percentDecode(encodedAccount, field: "account")

        var parameters: [String: String] = [:]
        for pair in queryPart.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = kv[0].lowercased()
            guard parameters[name] == nil else { throw OTPError.invalidURI("the parameter '\(name)' is repeated", field: name) }
            parameters[name] = try Self.percentDecode(kv.count == 2 ? kv[1] : "", field: name)
        }

        guard let secretText = parameters["secret"], !secretText.isEmpty else {
            throw OTPError.invalidURI("the secret parameter is required", field: "secret")
        }
        let secret = try OTPSecret(base32: secretText)

        let issuer: String?
        switch (labelIssuer, parameters["issuer"]) {
        case let (label?, parameter?):
            guard label == parameter else {
                throw OTPError.invalidURI("the issuer parameter differs from the label prefix", field: "issuer")
            }
            issuer = parameter
        case let (label, parameter):
            issuer = label ?? parameter
        }
        try Self.validate(issuer: issuer, account: account)

        var algorithm = OTPParameters.defaultAlgorithm
        if let name = parameters["algorithm"] {
            guard let parsed = HMACAlgorithm(name: name) else { throw OTPError.invalidAlgorithm(name) }
            algorithm = parsed
        }
        var digits = OTPParameters.defaultDigits
        if let text = parameters["digits"] {
            guard let value = Int(text) else { throw OTPError.invalidURI("digits must be a number", field: "digits") }
            guard OTPParameters.validDigits.contains(value) else { throw OTPError.invalidDigits(value) }
            digits = value
        }
        var period = OTPParameters.defaultPeriod
        if kind == .totp, let text = parameters["period"] {
            guard let value = Int(text) else { throw OTPError.invalidURI("period must be a number", field: "period") }
            guard OTPParameters.validPeriods.contains(value) else { throw OTPError.invalidPeriod(value) }
            period = value
        }
        var counter: UInt64 = 0
        if kind == .hotp {
            guard let text = parameters["counter"] else {
                throw OTPError.invalidURI("an hotp URI requires the counter parameter", field: "counter")
            }
            guard let value = UInt64(text) else { throw OTPError.invalidCounter("counter must be a non-negative integer") }
            counter = value
        }

        self.kind = kind
        self.issuer = issuer
        self.account = account
        self.secret = secret
        self.algorithm = algorithm
        self.digits = digits
        self.period = period
        self.counter = counter
    }

    private static func labelSeparator(in label: Substring) -> Range<Substring.Index>? {
        let colon = label.firstIndex(of: ":").map { $0..<label.index(after: $0) }
        let encoded = label.range(of: "%3A", options: .caseInsensitive)
        switch (colon, encoded) {
        case let (c?, e?): return c.lowerBound < e.lowerBound ? c : e
        case let (c, e): return c ?? e
        }
    }

    // RFC 3986 unreserved characters stay as they are; every other UTF-8 byte becomes %XX.
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Percent-encodes everything except RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
    public static func percentEncode(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3)
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(c)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes %XX escapes (a `+` stays a `+`, as RFC 3986 says); the result must be valid UTF-8.
    static func percentDecode(_ text: Substring, field: String) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let c = iterator.next() {
            if c == UInt8(ascii: "%") {
                guard let h = iterator.next().flatMap(hexValue), let l = iterator.next().flatMap(hexValue) else {
                    throw OTPError.invalidURI("a bad percent-escape in \(field)", field: field)
                }
                out.append(h << 4 | l)
            } else {
                out.append(c)
            }
        }
        guard let decoded = String(validating: out, as: UTF8.self) else {
            throw OTPError.invalidURI("\(field) is not valid UTF-8", field: field)
        }
        return decoded
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
