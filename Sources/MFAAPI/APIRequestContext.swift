public import Hummingbird
import NIOCore

/// The request context of the API: Hummingbird's core storage, the TCP peer's address, and a box
/// the middleware fills in for the access log (the authenticated key).
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer's IP address (nil in router tests and for Unix sockets).
    public let peerAddress: String?
    /// Filled in as the request goes through the middleware; read by the access log.
    let exchange: RequestExchange

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
        exchange = RequestExchange()
    }
}

extension APIRequestContext {
    /// Hummingbird's request id, when the server assigned one (`context.id` traps without it).
    var requestID: String {
        logger[metadataKey: "hb.request.id"]?.description ?? "-"
    }
}
