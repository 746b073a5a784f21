import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

/// A source proven by its write key, with what ingestion needs of its workspace.
struct AuthenticatedSource: Sendable {
    let source: Source
    let sealing: SealedFields
    let dataKey: DataKey
    let blindIndex: BlindIndex
    let ipPolicy: IPTruncation

    var workspaceID: UUID { source.workspaceID }
}
