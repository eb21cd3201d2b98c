import Foundation
import Logging
import MFACore
import PostgresNIO

/// The PostgreSQL schema: numbered, forward-only migrations, the one place the schema is written down.
///
/// Each migration runs in its own transaction that first takes `pg_advisory_xact_lock(lockKey)` and
/// then checks `schema_migrations`, so several processes may migrate one database at once: the first
/// applies a migration, the others wait for its commit and then find it recorded. Never edit a
/// migration that has shipped; append a new one. Tables and columns match the SQLite store's; times
/// are BIGINT milliseconds since 1970, JSON is TEXT.
enum PostgresMigrations {
    struct Migration: Sendable {
        let version: Int64
        /// One statement each (the extended query protocol takes one statement at a time).
        let statements: [String]
    }

    /// The advisory lock that serialises migrations ("mfa-migr" in ASCII).
    static let lockKey: Int64 = 0x6D66_612D_6D69_6772

    static let all: [Migration] = [
        Migration(version: 1, statements: [
            """
            CREATE TABLE tenants (
                id          TEXT   NOT NULL PRIMARY KEY,
                issuer      TEXT   NOT NULL,
                policy_json TEXT   NOT NULL,
                created_at  BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE users (
                tenant_id         TEXT   NOT NULL,
                user_id           TEXT   NOT NULL,
                default_method_id TEXT,
                created_at        BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, user_id)
            )
            """,
            // `seq` stands in for SQLite's rowid: insertion order, for "oldest first" ties.
            """
            CREATE TABLE methods (
                tenant_id      TEXT    NOT NULL,
                id             TEXT    NOT NULL,
                user_id        TEXT    NOT NULL,
                type           TEXT    NOT NULL,
                name           TEXT    NOT NULL,
                status         TEXT    NOT NULL,
                info_json      TEXT    NOT NULL,
                sealed_payload BYTEA   NOT NULL,
                key_id         TEXT    NOT NULL,
                last_counter   BIGINT,
                drift          INTEGER NOT NULL DEFAULT 0,
                failures       INTEGER NOT NULL DEFAULT 0,
                locked_until   BIGINT,
                created_at     BIGINT  NOT NULL,
                confirmed_at   BIGINT,
                last_used_at   BIGINT,
                expires_at     BIGINT,
                seq            BIGINT  GENERATED ALWAYS AS IDENTITY,
                PRIMARY KEY (tenant_id, id)
            )
            """,
            "CREATE INDEX methods_by_user ON methods (tenant_id, user_id)",
            "CREATE INDEX methods_by_key_id ON methods (key_id)",
            """
            CREATE TABLE recovery_codes (
                tenant_id TEXT   NOT NULL,
                method_id TEXT   NOT NULL,
                code_hash BYTEA  NOT NULL,
                used_at   BIGINT,
                UNIQUE (tenant_id, method_id, code_hash),
                FOREIGN KEY (tenant_id, method_id) REFERENCES methods (tenant_id, id) ON DELETE CASCADE
            )
            """,
            """
            CREATE TABLE audit_events (
                id                BIGSERIAL PRIMARY KEY,
                at                BIGINT NOT NULL,
                tenant_id         TEXT,
                user_id           TEXT,
                user_ref          TEXT,
                method_id         TEXT,
                method_type       TEXT,
                kind              TEXT   NOT NULL,
                source_ip         TEXT,
                source_user_agent TEXT,
                source_actor      TEXT,
                details_json      TEXT   NOT NULL,
                hash              TEXT   NOT NULL
            )
            """,
            "CREATE INDEX audit_events_by_user ON audit_events (tenant_id, user_ref, id)",
            """
            CREATE TABLE audit_checkpoints (
                sequence       BIGINT NOT NULL PRIMARY KEY,
                first_event_id BIGINT NOT NULL,
                last_event_id  BIGINT NOT NULL,
                event_count    BIGINT NOT NULL,
                root           TEXT   NOT NULL,
                previous_mac   TEXT   NOT NULL,
                mac            TEXT   NOT NULL,
                created_at     BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE engine_secrets (
                name   TEXT  NOT NULL PRIMARY KEY,
                sealed BYTEA NOT NULL,
                key_id TEXT  NOT NULL
            )
            """,
        ]),
        // `scopes` holds the sorted scope names joined by commas, as in SQLite; `seq` orders keys
        // created in the same millisecond.
        Migration(version: 2, statements: [
            """
            CREATE TABLE api_keys (
                id          TEXT   NOT NULL PRIMARY KEY,
                tenant_id   TEXT   NOT NULL,
                name        TEXT   NOT NULL,
                scopes      TEXT   NOT NULL,
                secret_hash BYTEA  NOT NULL,
                created_at  BIGINT NOT NULL,
                revoked_at  BIGINT,
                seq         BIGINT GENERATED ALWAYS AS IDENTITY
            )
            """,
            "CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at, seq)",
        ]),
    ]

    /// The newest version this build knows.
    static var latestVersion: Int64 { all.last?.version ?? 0 }

    /// Applies every migration not yet recorded, each in its own transaction under the advisory
    /// lock. Returns the versions this call applied.
    @discardableResult
    static func run(on client: PostgresClient, logger: Logger, now: @Sendable () -> Date = { Date() }) async throws -> [Int64] {
        var applied: [Int64] = []
        for migration in all {
            let didApply = try await client.withTransaction(logger: logger) { connection -> Bool in
                // Migrations may wait for another process's lock and may take long: no statement timeout.
                try await connection.query("SET LOCAL statement_timeout = 0", logger: logger)
                try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version    BIGINT NOT NULL PRIMARY KEY,
                        applied_at BIGINT NOT NULL
                    )
                    """, logger: logger)
                let rows = try await connection.query(
                    "SELECT version FROM schema_migrations WHERE version = \(migration.version)", logger: logger).collect()
                guard rows.isEmpty else { return false }
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let appliedAt = PostgresStatement.milliseconds(now())
                try await connection.query(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (\(migration.version), \(appliedAt))",
                    logger: logger)
                return true
            }
            if didApply {
                applied.append(migration.version)
                logger.info("applied database migration", metadata: ["version": "\(migration.version)"])
            }
        }
        let newest = try await client.query("SELECT max(version) FROM schema_migrations", logger: logger)
            .collect().first?.decode(Int64?.self) ?? nil
        if let newest, newest > latestVersion {
            logger.warning("the database schema is newer than this build", metadata: [
                "database_version": "\(newest)", "build_version": "\(latestVersion)",
            ])
        }
        return applied
    }
}
