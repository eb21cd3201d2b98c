import Foundation
import MFACore

/// Per-request facts learned inside the middleware chain and read outside it (the access log runs
/// before authentication but logs the key id). A reference, because contexts are passed by value.
final class RequestExchange: @unchecked Sendable {
    private let lock = NSLock()
    private var _principal: APIKeyPrincipal?

    var principal: APIKeyPrincipal? {
        get { lock.withLock { _principal } }
        set { lock.withLock { _principal = newValue } }
    }
}
