import Foundation
import GRDB

/// Group commit: concurrent writes of one store share one `BEGIN IMMEDIATE ... COMMIT`.
///
/// SQLite has one writer at a time, so under load most of a write's cost is the transaction
/// around it (file locks, WAL frames, waking the caller). Writes queue here; the writer
/// connection takes everything queued (up to `maximumBatch`), runs the writes one after another in
/// one transaction, commits once, and only then answers the callers.
///
/// Each write stays atomic and isolated: writes run one at a time on the writer connection and
/// each sees the ones before it, exactly as if each had its own transaction. If a write throws,
/// the batch is rolled back and its writes are run again one transaction each, so only the
/// failing write fails (savepoints would do the same, but cost an allocation churn per write).
/// A failure of BEGIN (busy timeout) or COMMIT fails every write of the batch: no caller is told
/// "done" for a change that was not committed.
final class SQLiteWriteBatcher: @unchecked Sendable {
    private let pool: DatabasePool
    private let maximumBatch: Int
    // Guarded by `lock`.
    private let lock = NSLock()
    private var queue: [PendingWrite] = []
    private var scheduled = false

    init(pool: DatabasePool, maximumBatch: Int = 128) {
        self.pool = pool
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Runs `work` on the writer connection inside a transaction shared with other queued writes,
    /// and returns its result once that transaction has committed.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<T, any Error>) in
            let result = ResultSlot<T>()
            enqueue(PendingWrite(
                run: { db in result.value = try work(db) },
                finish: { error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else if let value = result.value {
                        continuation.resume(returning: value)
                    } else {
                        continuation.resume(throwing: DatabaseError(message: "write finished without a result"))
                    }
                }))
        }
    }

    private func enqueue(_ write: PendingWrite) {
        let start = lock.withLock {
            queue.append(write)
            if scheduled { return false }
            scheduled = true
            return true
        }
        if start { schedule() }
    }

    /// One batch per turn of GRDB's writer queue, so writes outside the batcher (migrations) are not starved.
    private func schedule() {
        pool.asyncWriteWithoutTransaction { db in
            let batch: [PendingWrite] = self.lock.withLock {
                let count = min(self.queue.count, self.maximumBatch)
                let batch = Array(self.queue.prefix(count))
                self.queue.removeFirst(count)
                return batch
            }
            if !batch.isEmpty { Self.run(batch, db) }
            let more = self.lock.withLock {
                if self.queue.isEmpty {
                    self.scheduled = false
                    return false
                }
                return true
            }
            if more { self.schedule() }
        }
    }

    private static func run(_ batch: [PendingWrite], _ db: Database) {
        if batch.count > 1 {
            do {
                try transaction(db) { for write in batch { try write.run(db) } }
                for write in batch { write.finish(nil) }
                return
            } catch let failure as TransactionFailure {
                for write in batch { write.finish(failure.error) }
                return
            } catch {
                // One write threw and the whole batch was rolled back: run each write alone, so
                // that only the failing one fails (writes are pure database work; rerunning is safe).
            }
        }
        for write in batch {
            do {
                try transaction(db) { try write.run(db) }
                write.finish(nil)
            } catch let failure as TransactionFailure {
                write.finish(failure.error)
            } catch {
                write.finish(error)
            }
        }
    }

    /// `BEGIN IMMEDIATE`, `body`, `COMMIT`; rolls back when anything throws. An error of BEGIN or
    /// COMMIT is wrapped in `TransactionFailure` (retrying the writes one by one would not help).
    private static func transaction(_ db: Database, _ body: () throws -> Void) throws {
        do {
            if db.isInsideTransaction { try db.cachedStatement(sql: "ROLLBACK").execute() }  // a failed ROLLBACK before
            try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
        } catch {
            throw TransactionFailure(error: error)
        }
        do {
            try body()
        } catch {
            if db.isInsideTransaction { try? db.cachedStatement(sql: "ROLLBACK").execute() }
            throw error
        }
        do {
            try db.cachedStatement(sql: "COMMIT").execute()
        } catch {
            if db.isInsideTransaction { try? db.cachedStatement(sql: "ROLLBACK").execute() }
            throw TransactionFailure(error: error)
        }
    }
}

private struct TransactionFailure: Error {
    let error: any Error
}

/// One queued write: `run` on the writer connection, then `finish` exactly once.
private struct PendingWrite: @unchecked Sendable {
    let run: (Database) throws -> Void
    let finish: (Error?) -> Void
}

/// The result of a write, set on the writer connection and read by `finish` after it.
private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
}
