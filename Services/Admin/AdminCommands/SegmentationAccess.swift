import ArgumentParser
import Foundation
import KinshipCore

/// Where the segmentation service is and which workspace a command is about (`kinship segments`).
struct SegmentationAccess: ParsableArguments {
    @OptionGroup var workspace: WorkspaceOption

    @Option(help: "The segmentation service's base URL (default: KINSHIP_SEGMENTATION_URL, else http://127.0.0.1:8082).")
    var segmentationURL: String?

    func connect() async throws -> InternalConnection {
        try await workspace.connect(to: "segmentation", url: Self.url(segmentationURL))
    }

    static func url(_ given: String?) -> String {
        given ?? KinshipCore.Environment().optional("KINSHIP_SEGMENTATION_URL") ?? "http://127.0.0.1:8082"
    }
}
