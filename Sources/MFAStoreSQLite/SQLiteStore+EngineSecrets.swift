import Foundation
import GRDB
import MFACore

extension SQLiteStore {
    public func engineSecret(named name: String) async throws -> (sealed: [UInt8], keyID: String)? {
        try await pool.read { db -> (sealed: [UInt8], keyID: String)? in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT sealed, key_id FROM engine_secrets WHERE name = ?"),
                                             arguments: [name]) else { return nil }
            return try decoding("engine secret \(name)") { (try row.bytes(0), try row.decode(String.self, atIndex: 1)) }
        }
    }

    public func insertEngineSecret(named name: String, sealed: [UInt8], keyID: String) async throws -> Bool {
        try await writer.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO engine_secrets (name, sealed, key_id) VALUES (?, COALESCE(?, X''), ?) ON CONFLICT (name) DO NOTHING
                """).execute(arguments: [name, blob(sealed), keyID])
            return db.changesCount == 1
        }
    }

    public func replaceEngineSecret(named name: String, old: [UInt8], new: [UInt8], keyID: String) async throws -> Bool {
        try await writer.write { db in
            try db.cachedStatement(sql: """
                UPDATE engine_secrets SET sealed = COALESCE(?, X''), key_id = ? WHERE name = ? AND sealed = COALESCE(?, X'')
                """).execute(arguments: [blob(new), keyID, name, blob(old)])
            return db.changesCount == 1
        }
    }
}
