import Foundation

/// Files shipped in the `Shared` resource bundle for services to serve (next to the migrations, so a
/// release install copies one resource folder, not one per service).
public enum Assets {
    /// `kinship.js`, the browser tracker ingestion serves at `GET /kinship.js`.
    public static func trackerScript() throws -> Data {
        guard let url = Bundle.module.url(forResource: "kinship", withExtension: "js", subdirectory: "Assets") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Assets/kinship.js"])
        }
        return try Data(contentsOf: url)
    }
}
