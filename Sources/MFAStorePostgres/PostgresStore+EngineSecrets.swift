import Foundation
import MFACore
import PostgresNIO

extension PostgresStore {
    public func engineSecret(named name: String) async throws -> (sealed: [UInt8], keyID: String)? {
        var s = PostgresStatement()
        s.append("SELECT sealed, key_id FROM engine_secrets WHERE name = \(s.bind(name))")
        guard let row = try await rows(s).first else { return nil }
        do {
            let (sealed, keyID) = try row.decode((ByteBuffer, String).self)
            return (Array(sealed.readableBytesView), keyID)
        } catch {
            throw StoreError.corrupt("engine secret")
        }
    }

    public func insertEngineSecret(named name: String, sealed: [UInt8], keyID: String) async throws -> Bool {
        var s = PostgresStatement()
        s.append("""
            INSERT INTO engine_secrets (name, sealed, key_id) VALUES (\(s.bind(name)), \(s.bind(bytes: sealed)), \(s.bind(keyID)))
            ON CONFLICT (name) DO NOTHING RETURNING 1
            """)
        return try await !rows(s).isEmpty
    }

    public func replaceEngineSecret(named name: String, old: [UInt8], new: [UInt8], keyID: String) async throws -> Bool {
        var s = PostgresStatement()
        s.append("""
            UPDATE engine_secrets SET sealed = \(s.bind(bytes: new)), key_id = \(s.bind(keyID))
            WHERE name = \(s.bind(name)) AND sealed = \(s.bind(bytes: old))
            RETURNING 1
            """)
        return try await !rows(s).isEmpty
    }
}
