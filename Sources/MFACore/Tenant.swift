import Foundation

/// An organization with its own policy; `issuer` is what authenticator apps show.
public struct Tenant: Sendable, Codable, Equatable {
    public let id: TenantID
    public var issuer: String
    public var policy: TenantPolicy
    public let createdAt: Date

    public init(id: TenantID, issuer: String, policy: TenantPolicy = .default, createdAt: Date) {
        self.id = id
        self.issuer = issuer
        self.policy = policy
        self.createdAt = createdAt
    }
}
