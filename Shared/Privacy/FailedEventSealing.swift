import Foundation
import KinshipCore

/// How a refused message is sealed in `failed_events`: whole, under the workspace data key, bound to the
/// workspace. Ingestion seals it; identity opens it to find a person's refused messages when erasing them.
public enum FailedEventSealing {
    public static func context(_ workspaceID: UUID) -> Data {
        Data("kinship.failed-event/\(workspaceID.lowercased)".utf8)
    }
}
