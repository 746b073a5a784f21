import Foundation
import KinshipCore
import KinshipPrivacy

/// The benchmark's workspace and source, with what storing its rows needs: the master keyring (each
/// profile's data key is wrapped by it), the workspace's sealing, as ingestion seals messages, and, for the
/// real-time measure, events written with their `events` outbox references as ingestion writes them.
struct SegmentationBenchWorkspace: Sendable {
    let workspaceID: UUID
    let sourceID: UUID
    let keyring: MasterKeyring
    let sealing: SealedFields
    let ingestion: IdentityBenchWorkspace
}
