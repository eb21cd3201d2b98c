/// Settings of the HTTP API that are not in the engine.
public struct APIServerOptions: Sendable {
    /// Largest request body accepted; larger bodies get 413 (checked on `Content-Length` and while
    /// reading, so a chunked body cannot get round it).
    public var maximumBodyBytes: Int = 65_536
    /// Take the client address from the last `X-Forwarded-For` entry (the one the proxy in front of
    /// us added). Only turn this on behind a proxy that sets the header; otherwise clients can forge it.
    public var trustForwardedFor: Bool = false

    public init(maximumBodyBytes: Int = 65_536, trustForwardedFor: Bool = false) {
        self.maximumBodyBytes = maximumBodyBytes
        self.trustForwardedFor = trustForwardedFor
    }
}
