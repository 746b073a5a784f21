import Foundation
import KinshipCore
import Metrics
import PostgresNIO

extension IdentityGraph {
    /// The positions of the events that carry a suppressed identifier (`suppressed_identifiers`): identity
    /// leaves them out of resolution, so a suppressed person's events arriving after the request (ingestion
    /// refuses them; these were on their way) never join or make a profile.
    func suppressedEvents(in carried: CarriedIdentifiers, on connection: PostgresConnection) async throws -> Set<Int> {
        guard !carried.tokens.isEmpty else { return [] }
        let pairs = Array(carried.tokens)
        var suppressed: Set<String> = []
        for try await (type, token) in try await connection.query(
            """
            SELECT s.type, encode(s.token, 'hex') FROM suppressed_identifiers s
            JOIN unnest(\(pairs.map(\.key.type))::text[], \(pairs.map(\.value))::text[]) AS c (type, token)
              ON s.type = c.type AND s.token = decode(c.token, 'hex')
            WHERE s.workspace_id = \(workspaceID)
            """,
            logger: logger
        ).decode((String, String).self) {
            suppressed.insert("\(type)/\(token)")
        }
        guard !suppressed.isEmpty else { return [] }
        let positions = Set(carried.candidates.indices.filter { index in
            carried.candidates[index].contains { suppressed.contains("\($0.type)/\(carried.tokens[$0]!)") }
        })
        Counter(label: "kinship_identity_suppressed_events_total").increment(by: positions.count)
        return positions
    }
}
