import Foundation
import KinshipCore
import KinshipPrivacy

/// The benchmark's workspace and source, with what storing its rows needs: the master keyring (each
/// profile's data key is wrapped by it) and the workspace's sealing, as ingestion seals messages.
struct SegmentationBenchWorkspace: Sendable {
    let workspaceID: UUID
    let sourceID: UUID
    let keyring: MasterKeyring
    let sealing: SealedFields
}
