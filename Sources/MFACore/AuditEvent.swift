import Foundation

/// What happened. Stable snake_case strings; later issues add kinds.
public struct AuditEventKind: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let enrollmentBegun = AuditEventKind("enrollment_begun")
    public static let enrollmentConfirmed = AuditEventKind("enrollment_confirmed")
    public static let enrollmentExpired = AuditEventKind("enrollment_expired")
    public static let methodImported = AuditEventKind("method_imported")
    public static let verificationSucceeded = AuditEventKind("verification_ok")
    public static let verificationFailed = AuditEventKind("verification_failed")
    public static let verificationReplayed = AuditEventKind("otp_replay")
    public static let lockout = AuditEventKind("lockout")
    public static let methodDisabled = AuditEventKind("method_disabled")
    public static let methodEnabled = AuditEventKind("method_enabled")
    public static let methodRemoved = AuditEventKind("method_removed")
    public static let methodRenamed = AuditEventKind("method_renamed")
    public static let defaultMethodChanged = AuditEventKind("default_method_changed")
    public static let hotpResynchronized = AuditEventKind("hotp_resynchronized")
    public static let recoveryCodesGenerated = AuditEventKind("recovery_codes_generated")
    public static let recoveryCodeUsed = AuditEventKind("recovery_code_used")
    public static let userExported = AuditEventKind("user_exported")
    public static let userErased = AuditEventKind("user_erased")
    public static let keysRotated = AuditEventKind("keys_rotated")
    public static let apiKeyCreated = AuditEventKind("api_key_created")
    public static let apiKeyRevoked = AuditEventKind("api_key_revoked")
    public static let tenantCreated = AuditEventKind("tenant_created")

    public var description: String { rawValue }
    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
}

/// Who asked, as the caller reports it (the engine cannot see the end user's network).
public struct AuditSource: Sendable, Codable, Equatable {
    public var ip: String?
    public var userAgent: String?
    /// The service or operator acting (API key name, `cli`, ...).
    public var actor: String?

    public init(ip: String? = nil, userAgent: String? = nil, actor: String? = nil) {
        self.ip = ip.map { String($0.prefix(64)) }
        self.userAgent = userAgent.map { String($0.prefix(256)) }
        self.actor = actor.map { String($0.prefix(128)) }
    }

    public static let unknown = AuditSource()

    enum CodingKeys: String, CodingKey { case ip, userAgent = "user_agent", actor }
}

/// One audit event. Never carries a secret, a code or an answer.
///
/// `userRef` is a keyed pseudonym of the user id (HMAC); the event's `hash` covers it and not the
/// plain `userID`, so erasing a user (which clears `userID`) leaves the chain intact.
public struct AuditEvent: Sendable, Equatable {
    /// Assigned by the store on insert; increasing in insertion order.
    public var id: Int64
    public let at: Date
    public let tenantID: TenantID?
    public var userID: UserID?
    public let userRef: String?
    public let methodID: MethodID?
    public let methodType: MethodType?
    public let kind: AuditEventKind
    public let source: AuditSource
    public let details: [String: String]
    /// SHA-256 of `canonicalBytes`, hex.
    public let hash: String

    public init(id: Int64 = 0, at: Date, tenantID: TenantID?, userID: UserID?, userRef: String?, methodID: MethodID?,
                methodType: MethodType?, kind: AuditEventKind, source: AuditSource, details: [String: String], hash: String) {
        self.id = id
        self.at = at
        self.tenantID = tenantID
        self.userID = userID
        self.userRef = userRef
        self.methodID = methodID
        self.methodType = methodType
        self.kind = kind
        self.source = source
        self.details = details
        self.hash = hash
    }

    /// The bytes the hash covers: every field except `id`, `userID` and `hash`, length-prefixed.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = Array("mfa-audit-v1".utf8)
        func field(_ text: String?) {
            guard let text else { out.append(0); return }
            out.append(1)
            let bytes = Array(text.utf8)
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: bytes)
        }
        field(String(at.millisecondsSince1970))
        field(tenantID?.rawValue)
        field(userRef)
        field(methodID?.rawValue)
        field(methodType?.rawValue)
        field(kind.rawValue)
        field(source.ip)
        field(source.userAgent)
        field(source.actor)
        for key in details.keys.sorted() {
            field(key)
            field(details[key])
        }
        return out
    }
}

/// A signed checkpoint over a batch of audit events (`firstEventID...lastEventID`, in id order).
///
/// `root` is SHA-256 over the batch's event hashes; `mac` is HMAC-SHA256, under the engine's audit
/// key (sealed in the database), over the previous checkpoint's mac and this checkpoint's fields. So
/// editing or deleting an event, or a checkpoint, breaks verification, and nobody with only the
/// database can forge a checkpoint. Appending an event takes no lock: events are sealed in batches
/// later, so verifications on many nodes never wait for one another.
public struct AuditCheckpoint: Sendable, Equatable {
    /// 1, 2, 3, ...: unique, so two sealers cannot both write checkpoint n.
    public let sequence: Int64
    public let firstEventID: Int64
    public let lastEventID: Int64
    public let eventCount: Int
    public let root: String
    public let previousMAC: String
    public let mac: String
    public let createdAt: Date

    public init(sequence: Int64, firstEventID: Int64, lastEventID: Int64, eventCount: Int, root: String,
                previousMAC: String, mac: String, createdAt: Date) {
        self.sequence = sequence
        self.firstEventID = firstEventID
        self.lastEventID = lastEventID
        self.eventCount = eventCount
        self.root = root
        self.previousMAC = previousMAC
        self.mac = mac
        self.createdAt = createdAt
    }

    /// The bytes the mac covers.
    public var signedBytes: [UInt8] {
        Array("mfa-checkpoint-v1|\(sequence)|\(firstEventID)|\(lastEventID)|\(eventCount)|\(root)|\(previousMAC)|\(createdAt.millisecondsSince1970)".utf8)
    }
}
