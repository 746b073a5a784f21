import Foundation
import Shared

/// A source proven by its write key, with what the door needs of its workspace.
struct AuthenticatedSource: Sendable {
    let source: Source
    let sealing: SealedFields
    let dataKey: DataKey
    let blindIndex: BlindIndex
    let ipPolicy: IPTruncation

    var workspaceID: UUID { source.workspaceID }
}
