/// The four services; each knows its default port and the variable that overrides it.
public enum ServiceName: String, Sendable, CaseIterable {
    case ingestion, identity, segmentation, reporting

    public var defaultPort: Int {
        switch self {
        case .ingestion: 8080
        case .identity: 8081
        case .segmentation: 8082
        case .reporting: 8083
        }
    }

    public var portVariable: String { "KINSHIP_\(rawValue.uppercased())_PORT" }
}
