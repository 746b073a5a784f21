import Foundation
import KinshipCore
import KinshipDatabase
import Logging
import PostgresNIO

/// Reads a profile's computed traits, consent and memberships as `ProfileSegmentsView`.
enum ProfileSegmentsReader {
    /// Nil when the workspace has no such profile; a merged-away id answers for its survivor.
    static func view(of named: UUID, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> ProfileSegmentsView? {
        try await ProfileRecord.read(named, in: workspaceID, parts: .segments, on: connection, logger: logger)?.segments
    }
}
