import GRDB

/// The SQLite schema: numbered, forward-only migrations, the one place the schema is written down.
///
/// Each migration runs in its own `BEGIN IMMEDIATE` transaction that first checks
/// `schema_migrations`, so several processes may migrate the same file at once: the first takes the
/// write lock and applies it, the others wait (busy timeout) and then find it recorded.
/// Never edit a migration that has shipped; append a new one.
enum SQLiteMigrations {
    struct Migration: Sendable {
        let version: Int64
        let sql: String
    }

    static let all: [Migration] = [
        Migration(version: 1, sql: """
            CREATE TABLE tenants (
                id          TEXT    NOT NULL PRIMARY KEY,
                issuer      TEXT    NOT NULL,
                policy_json TEXT    NOT NULL,
                created_at  INTEGER NOT NULL
            );

            CREATE TABLE users (
                tenant_id         TEXT    NOT NULL,
                user_id           TEXT    NOT NULL,
                default_method_id TEXT,
                created_at        INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, user_id)
            );

            CREATE TABLE methods (
                tenant_id      TEXT    NOT NULL,
                id             TEXT    NOT NULL,
                user_id        TEXT    NOT NULL,
                type           TEXT    NOT NULL,
                name           TEXT    NOT NULL,
                status         TEXT    NOT NULL,
                info_json      TEXT    NOT NULL,
                sealed_payload BLOB    NOT NULL,
                key_id         TEXT    NOT NULL,
                last_counter   INTEGER,
                drift          INTEGER NOT NULL DEFAULT 0,
                failures       INTEGER NOT NULL DEFAULT 0,
                locked_until   INTEGER,
                created_at     INTEGER NOT NULL,
                confirmed_at   INTEGER,
                last_used_at   INTEGER,
                expires_at     INTEGER,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE INDEX methods_by_user ON methods (tenant_id, user_id);
            CREATE INDEX methods_by_key_id ON methods (key_id);

            CREATE TABLE recovery_codes (
                tenant_id TEXT    NOT NULL,
                method_id TEXT    NOT NULL,
                code_hash BLOB    NOT NULL,
                used_at   INTEGER,
                UNIQUE (tenant_id, method_id, code_hash),
                FOREIGN KEY (tenant_id, method_id) REFERENCES methods (tenant_id, id) ON DELETE CASCADE
            );

            CREATE TABLE audit_events (
                id                INTEGER PRIMARY KEY AUTOINCREMENT,
                at                INTEGER NOT NULL,
                tenant_id         TEXT,
                user_id           TEXT,
                user_ref          TEXT,
                method_id         TEXT,
                method_type       TEXT,
                kind              TEXT    NOT NULL,
                source_ip         TEXT,
                source_user_agent TEXT,
                source_actor      TEXT,
                details_json      TEXT    NOT NULL,
                hash              TEXT    NOT NULL
            );
            CREATE INDEX audit_events_by_user ON audit_events (tenant_id, user_ref, id);

            CREATE TABLE audit_checkpoints (
                sequence       INTEGER NOT NULL PRIMARY KEY,
                first_event_id INTEGER NOT NULL,
                last_event_id  INTEGER NOT NULL,
                event_count    INTEGER NOT NULL,
                root           TEXT    NOT NULL,
                previous_mac   TEXT    NOT NULL,
                mac            TEXT    NOT NULL,
                created_at     INTEGER NOT NULL
            );

            CREATE TABLE engine_secrets (
                name   TEXT NOT NULL PRIMARY KEY,
                sealed BLOB NOT NULL,
                key_id TEXT NOT NULL
            );
            """),
        Migration(version: 2, sql: """
            CREATE TABLE api_keys (
                id          TEXT    NOT NULL PRIMARY KEY,
                tenant_id   TEXT    NOT NULL,
                name        TEXT    NOT NULL,
                scopes      TEXT    NOT NULL,
                secret_hash BLOB    NOT NULL,
                created_at  INTEGER NOT NULL,
                revoked_at  INTEGER
            );
            CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at);
            """),
    ]

    /// The newest version this build knows.
    static var latestVersion: Int64 { all.last?.version ?? 0 }

    /// Applies every migration not yet recorded, each in its own immediate transaction.
    /// Returns the versions this call applied.
    @discardableResult
    static func run(_ db: Database, now: Int64) throws -> [Int64] {
        var applied: [Int64] = []
        for migration in all {
            try db.inTransaction(.immediate) {
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version    INTEGER PRIMARY KEY,
                        applied_at INTEGER NOT NULL
                    )
                    """)
                let done = try Int64.fetchOne(db, sql: "SELECT version FROM schema_migrations WHERE version = ?",
                                              arguments: [migration.version]) != nil
                if !done {
                    try db.execute(sql: migration.sql)
                    try db.execute(sql: "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                                   arguments: [migration.version, now])
                    applied.append(migration.version)
                }
                return .commit
            }
        }
        return applied
    }
}
