import Foundation

/// `kinship.js`, the browser tracker ingestion serves at `GET /kinship.js`, shipped in this target's
/// resource bundle (`Kinship_IngestionService.resources`, next to the executable in a release install).
enum TrackerScript {
    static func load() throws -> Data {
        guard let url = Bundle.module.url(forResource: "kinship", withExtension: "js") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "kinship.js"])
        }
        return try Data(contentsOf: url)
    }
}
