import Foundation
import MFACrypto

/// The result of checking the audit log.
public struct AuditVerification: Sendable, Equatable {
    /// Where the log stops being trustworthy.
    public struct BrokenLink: Sendable, Equatable, CustomStringConvertible {
        public let eventID: Int64?
        public let checkpoint: Int64?
        public let reason: String
        public var description: String {
            [eventID.map { "event \($0)" }, checkpoint.map { "checkpoint \($0)" }].compactMap { $0 }.joined(separator: ", ")
                + ": " + reason
        }
    }

    public let checkpoints: Int
    public let sealedEvents: Int
    public let unsealedEvents: Int
    /// The first broken link, or nil when the log is intact.
    public let firstBroken: BrokenLink?

    public var isIntact: Bool { firstBroken == nil }
}

extension Engine {
    static let auditPage = 1000

    /// Seals audit events that are at least `settle` seconds old into a signed checkpoint (see
    /// `AuditCheckpoint`). Appending events never waits for this; run it periodically (the server
    /// does) or with `mfa audit seal`. Returns the number of events sealed (0 if none, or if another
    /// node sealed the same batch first).
    @discardableResult
    public func sealAuditLog(maximumEvents: Int = 10_000, settle: TimeInterval = 5) async throws -> Int {
        let last = try await guarded("lastAuditCheckpoint") { try await store.lastAuditCheckpoint() }
        let cutoff = time.now().addingTimeInterval(-settle)
        var batch: [AuditEvent] = []
        var after = last?.lastEventID ?? 0
        fetching: while batch.count < maximumEvents {
            let page = try await guarded("auditEvents") {
                try await store.auditEvents(afterID: after, limit: min(Self.auditPage, maximumEvents - batch.count))
            }
            for event in page {
                guard event.at <= cutoff else { break fetching }
                batch.append(event)
            }
            guard page.count == min(Self.auditPage, maximumEvents - batch.count + page.count), let tail = page.last else { break }
            after = tail.id
        }
        guard let first = batch.first, let lastEvent = batch.last else { return 0 }
        let root = try Self.root(of: batch)
        let previousMAC = last?.mac ?? ""
        let unsigned = AuditCheckpoint(sequence: (last?.sequence ?? 0) + 1, firstEventID: first.id, lastEventID: lastEvent.id,
                                       eventCount: batch.count, root: root, previousMAC: previousMAC, mac: "",
                                       createdAt: Date(millisecondsSince1970: time.now().millisecondsSince1970))
        let checkpoint = AuditCheckpoint(sequence: unsigned.sequence, firstEventID: unsigned.firstEventID,
                                         lastEventID: unsigned.lastEventID, eventCount: unsigned.eventCount, root: root,
                                         previousMAC: previousMAC, mac: try keys.sign(unsigned.signedBytes),
                                         createdAt: unsigned.createdAt)
        let inserted = try await guarded("insertAuditCheckpoint") { try await store.insertAuditCheckpoint(checkpoint) }
        return inserted ? batch.count : 0
    }

    static func root(of events: [AuditEvent]) throws -> String {
        var joined: [UInt8] = []
        joined.reserveCapacity(events.count * 65)
        for event in events {
            joined.append(contentsOf: event.hash.utf8)
            joined.append(0x0a)
        }
        return Hex.encode(try SHA256.hash(joined))
    }

    /// Checks the whole audit log: every event's hash against its fields (and its plain user id, if
    /// still present, against its pseudonym), every checkpoint's batch (count, ids, root) and the
    /// chain of checkpoint MACs. Reports the first broken link.
    public func verifyAuditLog(progress: (@Sendable (Int) -> Void)? = nil) async throws -> AuditVerification {
        var checkedCheckpoints = 0, sealed = 0
        var previous: AuditCheckpoint?
        var cursor: Int64 = 0
        var seen = 0

        func broken(_ event: Int64?, _ checkpoint: Int64?, _ reason: String) -> AuditVerification {
            AuditVerification(checkpoints: checkedCheckpoints, sealedEvents: sealed, unsealedEvents: 0,
                              firstBroken: .init(eventID: event, checkpoint: checkpoint, reason: reason))
        }

        func checkEvent(_ event: AuditEvent) throws -> String? {
            let digest = Hex.encode(try SHA256.hash(event.canonicalBytes))
            guard digest == event.hash else { return "the event's contents do not match its hash (edited)" }
            if let tenant = event.tenantID, let user = event.userID, event.userRef != userRef(tenant: tenant, user: user) {
                return "the event's user id does not match its pseudonym (edited)"
            }
            return nil
        }

        while true {
            let checkpoints = try await guarded("auditCheckpoints") {
                try await store.auditCheckpoints(afterSequence: previous?.sequence ?? 0, limit: 100)
            }
            if checkpoints.isEmpty { break }
            for checkpoint in checkpoints {
                let expectedSequence = (previous?.sequence ?? 0) + 1
                guard checkpoint.sequence == expectedSequence else {
                    return broken(nil, expectedSequence, "checkpoint \(expectedSequence) is missing")
                }
                guard checkpoint.previousMAC == (previous?.mac ?? "") else {
                    return broken(nil, checkpoint.sequence, "the checkpoint does not link to the previous one")
                }
                let unsigned = checkpoint.signedBytes
                guard ConstantTime.equals(try keys.sign(unsigned), checkpoint.mac) else {
                    return broken(nil, checkpoint.sequence, "the checkpoint's signature is wrong (edited or forged)")
                }
                var batch: [AuditEvent] = []
                while true {
                    let page = try await guarded("auditEvents") { try await store.auditEvents(afterID: cursor, limit: Self.auditPage) }
                    let inRange = page.prefix { $0.id <= checkpoint.lastEventID }
                    batch += inRange
                    if let tail = inRange.last { cursor = tail.id }
                    if inRange.count < page.count || page.count < Self.auditPage { break }
                }
                if let first = batch.first, first.id != checkpoint.firstEventID {
                    let missing = first.id > checkpoint.firstEventID
                    return broken(missing ? checkpoint.firstEventID : first.id, checkpoint.sequence,
                                  missing ? "the first event of the batch was deleted" : "an event was inserted before the batch")
                }
                for event in batch {
                    if let reason = try checkEvent(event) { return broken(event.id, checkpoint.sequence, reason) }
                }
                guard batch.count == checkpoint.eventCount else {
                    return broken(batch.last?.id ?? checkpoint.firstEventID, checkpoint.sequence,
                                  "the batch has \(batch.count) events, the checkpoint sealed \(checkpoint.eventCount) (events deleted or inserted)")
                }
                guard try Self.root(of: batch) == checkpoint.root else {
                    return broken(batch.first?.id, checkpoint.sequence, "the batch's events do not match the sealed root")
                }
                cursor = checkpoint.lastEventID
                sealed += batch.count
                seen += batch.count
                checkedCheckpoints += 1
                previous = checkpoint
                progress?(seen)
            }
        }
        // Events after the last checkpoint: each must still match its own hash.
        var unsealed = 0
        while true {
            let page = try await guarded("auditEvents") { try await store.auditEvents(afterID: cursor, limit: Self.auditPage) }
            for event in page {
                if let reason = try checkEvent(event) {
                    return AuditVerification(checkpoints: checkedCheckpoints, sealedEvents: sealed, unsealedEvents: unsealed,
                                             firstBroken: .init(eventID: event.id, checkpoint: nil, reason: reason))
                }
                unsealed += 1
            }
            seen += page.count
            progress?(seen)
            guard page.count == Self.auditPage, let tail = page.last else { break }
            cursor = tail.id
        }
        return AuditVerification(checkpoints: checkedCheckpoints, sealedEvents: sealed, unsealedEvents: unsealed, firstBroken: nil)
    }
}
