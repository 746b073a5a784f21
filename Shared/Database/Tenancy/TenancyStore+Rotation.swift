import Foundation
import KinshipCore
import KinshipPrivacy
import PostgresNIO

extension TenancyStore {
    /// Re-seals every wrapped key (workspace data and index keys, profile data keys) that an older master key
    /// sealed, under the current one. Values encrypted with the data keys are untouched: that is the point of envelopes.
    ///
    /// It runs beside a working platform. The workspaces' keys change in one short transaction (there are
    /// few); the profiles' keys in batches of `batchSize`, in (workspace_id, id) order, each batch one
    /// statement that locks only the profiles it re-seals and skips any another transaction holds. So
    /// identity resolution and the outbox consumers wait at most for one batch's statement on the profiles
    /// in it, and never for the whole run. Skipped profiles are tried again at the end, one transaction
    /// each, waiting up to `busyWait` for the lock; those still held are counted as `busy` and keep their
    /// old wrapping until a later run. A batch changes a key only if it is still the one read (a
    /// compare-and-set), so a run can be interrupted at any point and started again.
    ///
    /// Services must already run with the new master key: a process still on the old one wraps the keys of
    /// the profiles it creates under it, and they need another run.
    public func rewrapKeys(
        actor: String, batchSize: Int = 500, busyWait: Duration = .seconds(10), progress: (RewrapSummary) -> Void = { _ in }
    ) async throws -> RewrapSummary {
        precondition(batchSize > 0, "a batch holds at least one profile")
        var summary = RewrapSummary()
        let workspaceIDs = try await rewrapWorkspaceKeys(&summary)
        var busy: [WrappedProfileKey] = []
        var after: WrappedProfileKey?
        while true {
            let page = try await profileKeys(after: after, limit: batchSize)
            guard let last = page.last else { break }
            after = last
            summary.profilesScanned += page.count
            let stale = try page.filter { try keyring.needsRewrap($0.dataKey) }
            if !stale.isEmpty {
                let done = try await rewrapUnlocked(stale)
                summary.rewrapped += done.count
                summary.profileTransactions += 1
                busy += stale.filter { !done.contains($0.reference) }
            }
            progress(summary)
        }
        for profile in busy {
            summary.profileTransactions += 1
            switch try await rewrapWaiting(profile, busyWait: busyWait) {
            case .rewrapped: summary.rewrapped += 1
            case .current: break
            case .busy: summary.busy += 1
            }
        }
        if !busy.isEmpty { progress(summary) }
        try await database.query(
            """
            INSERT INTO audit_log (workspace_id, actor, action, target)
            SELECT w, \(actor), 'keys.rewrapped', \(keyring.currentID.description) FROM unnest(\(workspaceIDs)::uuid[]) AS w
            """,
            logger: logger
        )
        return summary
    }

    /// Re-seals the workspaces' keys in one transaction; returns every workspace's id.
    /// `FOR NO KEY UPDATE`, not `FOR UPDATE`: it does not conflict with the key-share locks that inserting a
    /// profile (whose foreign key names its workspace) takes.
    private func rewrapWorkspaceKeys(_ summary: inout RewrapSummary) async throws -> [UUID] {
        let (ids, rewrapped) = try await database.transaction(logger: logger) { connection in
            var workspaces: [(UUID, Data, Data)] = []
            for try await row in try await connection.query(
                "SELECT id, data_key, index_key FROM workspaces ORDER BY id FOR NO KEY UPDATE", logger: logger
            ).decode((UUID, Data, Data).self) {
                workspaces.append(row)
            }
            var rewrapped = 0
            for (id, dataKey, indexKey) in workspaces {
                guard try keyring.needsRewrap(dataKey) || keyring.needsRewrap(indexKey) else { continue }
                try await connection.query(
                    "UPDATE workspaces SET data_key = \(try keyring.rewrap(dataKey)), index_key = \(try keyring.rewrap(indexKey)) WHERE id = \(id)",
                    logger: logger
                )
                rewrapped += 2
            }
            return (workspaces.map(\.0), rewrapped)
        }
        summary.rewrapped += rewrapped
        return ids
    }

    /// The next `limit` profiles' wrapped keys after `after`, in key order; read without locks.
    private func profileKeys(after: WrappedProfileKey?, limit: Int) async throws -> [WrappedProfileKey] {
        let query: PostgresQuery = if let after {
            """
            SELECT workspace_id, id, data_key FROM profiles WHERE (workspace_id, id) > (\(after.workspaceID), \(after.id))
            ORDER BY workspace_id, id LIMIT \(limit)
            """
        } else {
            "SELECT workspace_id, id, data_key FROM profiles ORDER BY workspace_id, id LIMIT \(limit)"
        }
        var result: [WrappedProfileKey] = []
        for try await (workspaceID, id, dataKey) in try await database.query(query, logger: logger).decode((UUID, UUID, Data).self) {
            result.append(WrappedProfileKey(workspaceID: workspaceID, id: id, dataKey: dataKey))
        }
        return result
    }

    /// Re-seals the keys of those profiles that no other transaction holds and whose key is still the one
    /// read, in one statement (its own transaction); returns the profiles it re-sealed.
    private func rewrapUnlocked(_ stale: [WrappedProfileKey]) async throws -> Set<ProfileReference> {
        let rewrapped = try stale.map { try keyring.rewrap($0.dataKey).base64String }
        var done: Set<ProfileReference> = []
        for try await (workspaceID, id) in try await database.query(
            """
            WITH wanted AS (
                SELECT * FROM unnest(\(stale.map(\.workspaceID))::uuid[], \(stale.map(\.id))::uuid[],
                                     \(stale.map(\.dataKey.base64String))::text[], \(rewrapped)::text[]) AS w(workspace_id, id, old_key, new_key)
            ), locked AS (
                SELECT p.workspace_id, p.id, decode(w.new_key, 'base64') AS new_key
                FROM profiles p JOIN wanted w
                  ON p.workspace_id = w.workspace_id AND p.id = w.id AND p.data_key = decode(w.old_key, 'base64')
                FOR NO KEY UPDATE OF p SKIP LOCKED
            )
            UPDATE profiles p SET data_key = l.new_key FROM locked l
            WHERE p.workspace_id = l.workspace_id AND p.id = l.id
            RETURNING p.workspace_id, p.id
            """,
            logger: logger
        ).decode((UUID, UUID).self) {
            done.insert(ProfileReference(workspaceID: workspaceID, id: id))
        }
        return done
    }

    private enum WaitedRewrap { case rewrapped, current, busy }

    /// Re-seals one profile's key in its own transaction, waiting up to `busyWait` for its lock.
    private func rewrapWaiting(_ profile: WrappedProfileKey, busyWait: Duration) async throws -> WaitedRewrap {
        let milliseconds = String(max(1, busyWait.components.seconds * 1000 + busyWait.components.attoseconds / 1_000_000_000_000_000))
        do {
            return try await database.transaction(logger: logger) { connection in
                try await connection.query("SELECT set_config('lock_timeout', \(milliseconds), true)", logger: logger)
                var stored: Data?
                for try await key in try await connection.query(
                    "SELECT data_key FROM profiles WHERE workspace_id = \(profile.workspaceID) AND id = \(profile.id) FOR NO KEY UPDATE",
                    logger: logger
                ).decode(Data.self) {
                    stored = key
                }
                // Gone (erased), or re-sealed meanwhile: nothing to do.
                guard let key = stored, try keyring.needsRewrap(key) else { return .current }
                try await connection.query(
                    "UPDATE profiles SET data_key = \(try keyring.rewrap(key)) WHERE workspace_id = \(profile.workspaceID) AND id = \(profile.id)",
                    logger: logger
                )
                return .rewrapped
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55P03" {
            return .busy
        }
    }
}

/// A profile's key as read, wrapped.
private struct WrappedProfileKey: Sendable {
    let workspaceID: UUID
    let id: UUID
    let dataKey: Data

    var reference: ProfileReference { ProfileReference(workspaceID: workspaceID, id: id) }
}

/// A profile's primary key.
private struct ProfileReference: Hashable, Sendable {
    let workspaceID: UUID
    let id: UUID
}
