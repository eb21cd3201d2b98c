import Configuration
import Foundation
import Logging

/// Where configuration comes from, in order of precedence: the command line, `MFA_*` environment
/// variables, one JSON file (`--config FILE` or `MFA_CONFIG`), then the defaults. Read through
/// swift-configuration's `ConfigReader`; every operator command and `mfa serve` use the same keys.
///
/// A key `data_dir` in the file is `MFA_DATA_DIR` in the environment and `--data-dir` on the command
/// line. The file must be a JSON object with known keys only, so a misspelt key is an error rather than
/// a silently ignored setting.
enum ConfigurationKeys {
    struct Key {
        let name: String
        let help: String
        var environmentVariable: String { "MFA_" + name.uppercased() }
    }

    static let all: [Key] = [
        Key(name: "host", help: "address to listen on (default 127.0.0.1)"),
        Key(name: "port", help: "port to listen on, 0 for any free one (default 8080)"),
        Key(name: "data_dir", help: "directory of the SQLite database and the key file (default ./data)"),
        Key(name: "database_url", help: "postgres://USER[:PASSWORD]@HOST:PORT/DB selects PostgreSQL (default: SQLite)"),
        Key(name: "database_max_connections", help: "PostgreSQL connections per process (default 20)"),
        Key(name: "key_file", help: "the master key file (default <data_dir>/master.key)"),
        Key(name: "log_format", help: "text or json (default text)"),
        Key(name: "log_level", help: "trace, debug, info, notice, warning, error or critical (default info)"),
        Key(name: "max_body_bytes", help: "largest request body; larger ones get 413 (default 65536)"),
        Key(name: "trust_forwarded_for", help: "take the client address from X-Forwarded-For (default false)"),
        Key(name: "audit_seal_interval", help: "seconds between audit log sealing runs (default 10)"),
        Key(name: "shutdown_timeout", help: "seconds to finish requests in flight at shutdown (default 30)"),
    ]

    static let names = Set(all.map(\.name))
}

/// A `ConfigReader` over the command line, the environment and the configuration file.
struct ConfigurationSource: Sendable {
    let reader: ConfigReader
    /// The configuration file in use, if any.
    let file: String?

    /// - Parameters:
    ///   - commandLine: values given as options (highest precedence), by key name.
    ///   - file: the configuration file (`--config`), else `MFA_CONFIG`, else none.
    static func load(commandLine: [String: ConfigValue], file: String?,
                     environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> ConfigurationSource {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "command line",
                             values: Dictionary(uniqueKeysWithValues: commandLine.map { (AbsoluteConfigKey([$0.key]), $0.value) })),
            EnvironmentVariablesProvider(environmentVariables: environment,
                                         secretsSpecifier: .specific(["MFA_MASTER_KEY", "MFA_DATABASE_URL"]))
                .prefixKeys(with: "mfa"),
        ]
        let path = file ?? environment["MFA_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if let path {
            try checkKeys(of: path)
            do {
                providers.append(try await FileProvider<JSONSnapshot>(
                    parsingOptions: .init(secretsSpecifier: .specific(["database_url"])), filePath: .init(path)))
            } catch {
                throw CLIFailure(code: "configuration", message: "\(path): \(error)", status: .unavailable)
            }
        }
        return ConfigurationSource(reader: ConfigReader(providers: providers), file: path)
    }

    /// The file must be a JSON object whose keys are all known.
    private static func checkKeys(of path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIFailure.unreadable(path, what: "configuration")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw CLIFailure(code: "configuration", message: "\(path) is not valid JSON", status: .unavailable)
        }
        guard let dictionary = object as? [String: Any] else {
            throw CLIFailure(code: "configuration", message: "\(path) must hold a JSON object", status: .unavailable)
        }
        let unknown = dictionary.keys.filter { !ConfigurationKeys.names.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw CLIFailure(code: "configuration",
                             message: "\(path): unknown key \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")) (known: \(ConfigurationKeys.all.map(\.name).joined(separator: ", ")))",
                             status: .unavailable)
        }
    }

    // MARK: Typed reads (a value of the wrong type is an error naming where to fix it)

    func string(_ key: String, secret: Bool = false) async throws -> String? {
        let value = try await read(key) { try await reader.fetchString(forKey: ConfigKey(key), isSecret: secret) }
        return value.flatMap { $0.isEmpty ? nil : $0 }
    }

    func int(_ key: String) async throws -> Int? {
        try await read(key) { try await reader.fetchInt(forKey: ConfigKey(key)) }
    }

    func double(_ key: String) async throws -> Double? {
        // Accept integers too ("audit_seal_interval": 10).
        if let value = try? await reader.fetchInt(forKey: ConfigKey(key)) { return Double(value) }
        return try await read(key) { try await reader.fetchDouble(forKey: ConfigKey(key)) }
    }

    func bool(_ key: String) async throws -> Bool? {
        try await read(key) { try await reader.fetchBool(forKey: ConfigKey(key)) }
    }

    private func read<T>(_ key: String, _ body: () async throws -> T?) async throws -> T? {
        do {
            return try await body()
        } catch {
            let places = ["MFA_\(key.uppercased())"] + (file.map { ["\"\(key)\" in \($0)"] } ?? [])
            throw CLIFailure(code: "configuration", message: "bad value for \(key) (\(places.joined(separator: " or ")))",
                             status: .unavailable)
        }
    }
}

extension StoreOptions {
    /// The options given on the command line, by configuration key.
    var commandLineValues: [String: ConfigValue] {
        var values: [String: ConfigValue] = [:]
        if let dataDir { values["data_dir"] = ConfigValue(.string(dataDir), isSecret: false) }
        if let databaseURL { values["database_url"] = ConfigValue(.string(databaseURL), isSecret: true) }
        if let keyFile { values["key_file"] = ConfigValue(.string(keyFile), isSecret: false) }
        return values
    }

    /// The configuration source with these options (and `extra` command-line values) on top.
    func source(extra: [String: ConfigValue] = [:]) async throws -> ConfigurationSource {
        try await ConfigurationSource.load(commandLine: commandLineValues.merging(extra) { _, new in new }, file: configFile,
                                           environment: environment)
    }

    /// Resolves where the engine's state lives (command line > MFA_* > configuration file > defaults).
    func resolve() async throws -> StoreSettings {
        try await StoreSettings(source: source(), keyFileOnCommandLine: keyFile != nil, verbose: verbose)
    }
}

extension StoreSettings {
    init(source: ConfigurationSource, keyFileOnCommandLine: Bool, verbose: Bool) async throws {
        let dataDir = try await source.string("data_dir") ?? "./data"
        self.dataDir = dataDir
        databaseURL = try await source.string("database_url", secret: true)
        keyFile = try await source.string("key_file") ?? (dataDir as NSString).appendingPathComponent("master.key")
        masterKeyText = keyFileOnCommandLine ? nil : try await source.string("master_key", secret: true)
        let connections = try await source.int("database_max_connections") ?? 20
        guard (1...1000).contains(connections) else {
            throw CLIFailure(code: "configuration", message: "database_max_connections must be 1 to 1000", status: .unavailable)
        }
        databaseMaxConnections = connections
        self.verbose = verbose
    }
}

// MARK: mfa serve

enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// Everything `mfa serve` needs, resolved.
struct ServerConfiguration: Sendable {
    var store: StoreSettings
    var host: String
    var port: Int
    var logFormat: LogFormat
    var logLevel: Logger.Level
    var maximumBodyBytes: Int
    var trustForwardedFor: Bool
    var auditSealInterval: Double
    var shutdownTimeout: Double
    /// The configuration file in use, for the start-up log line.
    var file: String?

    /// - Parameter commandLine: `serve`'s own options (host, port, log_format, log_level), by key.
    static func load(_ options: StoreOptions, commandLine: [String: ConfigValue]) async throws -> ServerConfiguration {
        var extra = commandLine
        if options.verbose, extra["log_level"] == nil { extra["log_level"] = "debug" }
        let source = try await options.source(extra: extra)
        let store = try await StoreSettings(source: source, keyFileOnCommandLine: options.keyFile != nil, verbose: options.verbose)

        let host = try await source.string("host") ?? "127.0.0.1"
        let port = try await source.int("port") ?? 8080
        guard (0...65_535).contains(port) else { throw invalid("port must be 0 to 65535") }
        let formatName = try await source.string("log_format") ?? "text"
        guard let logFormat = LogFormat(rawValue: formatName.lowercased()) else { throw invalid("log_format must be text or json") }
        let levelName = try await source.string("log_level") ?? "info"
        guard let logLevel = Logger.Level(rawValue: levelName.lowercased()) else {
            throw invalid("log_level must be trace, debug, info, notice, warning, error or critical")
        }
        let maximumBodyBytes = try await source.int("max_body_bytes") ?? 65_536
        guard (1_024...16_777_216).contains(maximumBodyBytes) else { throw invalid("max_body_bytes must be 1024 to 16777216") }
        let sealInterval = try await source.double("audit_seal_interval") ?? 10
        guard sealInterval >= 0.1, sealInterval <= 86_400 else { throw invalid("audit_seal_interval must be 0.1 to 86400 seconds") }
        let shutdownTimeout = try await source.double("shutdown_timeout") ?? 30
        guard shutdownTimeout >= 0, shutdownTimeout <= 3_600 else { throw invalid("shutdown_timeout must be 0 to 3600 seconds") }
        return ServerConfiguration(
            store: store, host: host, port: port, logFormat: logFormat, logLevel: logLevel,
            maximumBodyBytes: maximumBodyBytes, trustForwardedFor: try await source.bool("trust_forwarded_for") ?? false,
            auditSealInterval: sealInterval, shutdownTimeout: shutdownTimeout, file: source.file)
    }

    private static func invalid(_ message: String) -> CLIFailure {
        CLIFailure(code: "configuration", message: message, status: .unavailable)
    }
}

// MARK: Logging

/// One JSON object per line on standard error: `{"ts", "level", "label", "message", ...metadata}`.
///
/// Like every handler here it writes what it is given: callers never pass secrets, codes, otpauth URIs
/// or request bodies (DESIGN: never log a secret).
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = "{\"ts\":\"\(Self.timestamp())\",\"level\":\"\(event.level.rawValue)\",\"label\":"
        Self.appendString(label, to: &line)
        line += ",\"message\":"
        Self.appendString(event.message.description, to: &line)
        if let error = event.error {
            line += ",\"error\":"
            Self.appendString(String(describing: error), to: &line)
        }
        for (key, value) in merged.sorted(by: { $0.key < $1.key })
        where !["ts", "level", "label", "message", "error"].contains(key) {
            line += ","
            Self.appendString(key, to: &line)
            line += ":"
            Self.append(value, to: &line)
        }
        line += "}\n"
        Self.output.write(line)
    }

    private static func append(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let string): appendString(string, to: &line)
        case .stringConvertible(let convertible): appendString(convertible.description, to: &line)
        case .array(let values):
            line += "["
            for (i, element) in values.enumerated() {
                if i > 0 { line += "," }
                append(element, to: &line)
            }
            line += "]"
        case .dictionary(let dictionary):
            line += "{"
            for (i, (key, element)) in dictionary.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { line += "," }
                appendString(key, to: &line)
                line += ":"
                append(element, to: &line)
            }
            line += "}"
        }
    }

    /// A JSON string literal (RFC 8259 escaping).
    static func appendString(_ string: String, to line: inout String) {
        line += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                line += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }

    /// UTC, millisecond precision: 2025-01-31T12:34:56.789Z.
    static func timestamp(_ date: Date = Date()) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let milliseconds = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }

    /// Whole lines to standard error, one write each, so concurrent lines never interleave.
    static let output = LineWriter(fd: STDERR_FILENO)
}

/// Writes whole lines under a lock.
final class LineWriter: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    init(fd: Int32) { handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false) }

    func write(_ line: String) {
        let data = Data(line.utf8)
        lock.withLock { handle.write(data) }
    }
}
