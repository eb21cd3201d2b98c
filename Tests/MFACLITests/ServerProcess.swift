import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `mfa serve` started as a real process: its stdout and stderr are captured, its address is read from
/// the `listening on http://HOST:PORT` line it prints once the port is open.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var output = Data()
    private var errors = Data()
    private var openStreams = 2
    private var stdoutClosed = false
    private var exited = false
    private var listeningWaiter: CheckedContinuation<URL, any Error>?
    private var finishedWaiters: [CheckedContinuation<Void, Never>] = []
    private(set) var baseURL: URL?

    struct StartError: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `mfa <arguments>` and waits until it prints its address (or fails if it exits first).
    static func start(_ arguments: [String], environment: [String: String] = [:]) async throws -> ServerProcess {
        let server = ServerProcess()
        try server.launch(arguments, environment: environment)
        _ = try await server.waitUntilListening()
        return server
    }

    private func launch(_ arguments: [String], environment: [String: String]) throws {
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in self?.received(handle.availableData, stdout: true) }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in self?.received(handle.availableData, stdout: false) }
        process.terminationHandler = { [weak self] _ in self?.terminated() }
        try process.run()
    }

    private func received(_ data: Data, stdout: Bool) {
        var resume: (CheckedContinuation<URL, any Error>, Result<URL, any Error>)?
        var finished: [CheckedContinuation<Void, Never>] = []
        lock.withLock {
            if data.isEmpty {
                openStreams -= 1
                if stdout { stdoutClosed = true }
                let handle = stdout ? (process.standardOutput as? Pipe) : (process.standardError as? Pipe)
                handle?.fileHandleForReading.readabilityHandler = nil
            } else if stdout {
                output.append(data)
            } else {
                errors.append(data)
            }
            if baseURL == nil, let url = Self.listeningURL(in: output) { baseURL = url }
            if let waiter = listeningWaiter {
                if let url = baseURL {
                    resume = (waiter, .success(url))
                    listeningWaiter = nil
                } else if stdoutClosed {
                    resume = (waiter, .failure(StartError(description: "mfa serve ended without listening:\n\(stderrLocked)")))
                    listeningWaiter = nil
                }
            }
            if openStreams == 0 && exited {
                finished = finishedWaiters
                finishedWaiters = []
            }
        }
        if let (waiter, result) = resume { waiter.resume(with: result) }
        for waiter in finished { waiter.resume() }
    }

    private func terminated() {
        var finished: [CheckedContinuation<Void, Never>] = []
        lock.withLock {
            exited = true
            if openStreams == 0 {
                finished = finishedWaiters
                finishedWaiters = []
            }
        }
        for waiter in finished { waiter.resume() }
    }

    private static func listeningURL(in data: Data) -> URL? {
        let text = String(decoding: data, as: UTF8.self)
        guard let range = text.range(of: "listening on ") else { return nil }
        let rest = text[range.upperBound...]
        guard let end = rest.firstIndex(of: "\n") else { return nil }
        return URL(string: String(rest[..<end]))
    }

    func waitUntilListening() async throws -> URL {
        try await withCheckedThrowingContinuation { continuation in
            let immediate: Result<URL, any Error>? = lock.withLock {
                if let baseURL { return .success(baseURL) }
                if stdoutClosed {
                    return .failure(StartError(description: "mfa serve ended without listening:\n\(stderrLocked)"))
                }
                listeningWaiter = continuation
                return nil
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }

    private var stderrLocked: String { String(decoding: errors, as: UTF8.self) }

    var stdout: String { lock.withLock { String(decoding: output, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: errors, as: UTF8.self) } }

    /// The base URL, e.g. http://127.0.0.1:43127.
    var url: URL {
        get throws {
            guard let baseURL = lock.withLock({ baseURL }) else { throw StartError(description: "not listening") }
            return baseURL
        }
    }

    /// Sends `signal` (SIGTERM by default), waits for the process to end and its output to be read,
    /// and returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        await waitUntilFinished()
        return process.terminationStatus
    }

    func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = lock.withLock {
                if exited && openStreams == 0 { return true }
                finishedWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    // MARK: HTTP

    /// Polls `/healthz` until it answers 200 (bounded; the server is normally ready at once).
    func waitUntilHealthy(attempts: Int = 50) async throws {
        var last = "no answer"
        for attempt in 0..<attempts {
            do {
                let response = try await request("GET", "/healthz")
                if response.status == 200 { return }
                last = "status \(response.status)"
            } catch {
                last = "\(error)"
            }
            if attempt < attempts - 1 { try await Task.sleep(for: .milliseconds(20 * (attempt + 1))) }
        }
        throw StartError(description: "/healthz did not answer 200 after \(attempts) attempts: \(last)")
    }

    func request(_ method: String, _ path: String, key: String? = nil, json: [String: any Sendable]? = nil) async throws -> HTTPResult {
        try await HTTPResult.send(method, try url.absoluteString + path, key: key, json: json)
    }
}

/// One HTTP exchange with plain Foundation `URLSession` (FoundationNetworking on Linux).
struct HTTPResult: Sendable {
    let status: Int
    let body: Data
    let headers: [String: String]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (an empty dictionary if it is not one).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration)
    }()

    static func send(_ method: String, _ url: String, key: String? = nil, json: [String: any Sendable]? = nil) async throws -> HTTPResult {
        guard let target = URL(string: url) else { throw URLError(.badURL) }
        var request = URLRequest(url: target)
        request.httpMethod = method
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
        }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        return HTTPResult(status: http.statusCode, body: data, headers: headers)
    }
}

extension CLI {
    /// `CLI.run` with extra environment variables.
    static func run(_ arguments: [String], environment: [String: String], stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let errorData = LockedData()
        let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errorData.waitForValue(), as: UTF8.self))
    }
}

/// A value set once by another thread.
final class LockedData: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Data?

    func set(_ data: Data) {
        condition.lock()
        value = data
        condition.broadcast()
        condition.unlock()
    }

    func waitForValue() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value ?? Data()
    }
}
