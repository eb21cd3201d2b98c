import Foundation

/// Where the engine gets the time. Only `SystemTimeSource` reads the clock; tests move a
/// `ManualTimeSource` by hand (TH-16: no client-supplied time is ever used).
public protocol TimeSource: Sendable {
    func now() -> Date
}

public struct SystemTimeSource: TimeSource {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock for tests and tools, moved explicitly. Thread-safe.
public final class ManualTimeSource: TimeSource, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) { current = start }

    public func now() -> Date { lock.withLock { current } }
    public func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
    public func set(_ date: Date) { lock.withLock { current = date } }
}

extension Date {
    /// Milliseconds since 1970, the stores' time format.
    /// Rounded to the nearest millisecond, so it always undoes `Date(millisecondsSince1970:)`.
    public var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    public init(millisecondsSince1970 ms: Int64) { self.init(timeIntervalSince1970: TimeInterval(ms) / 1000) }
    /// Whole Unix seconds, for TOTP.
    public var unixSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
}
