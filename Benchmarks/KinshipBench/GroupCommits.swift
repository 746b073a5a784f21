import AsyncHTTPClient
import Foundation
import NIOCore

/// The service's group-commit histogram (`kinship_ingestion_group_commit_requests` on `/metrics`): how
/// many transactions the writers committed and how many requests they carried in all.
struct GroupCommits: Sendable {
    static let metric = "kinship_ingestion_group_commit_requests"

    var transactions = 0
    var requests = 0.0

    /// Mean requests per transaction.
    var requestsPerTransaction: Double { transactions > 0 ? requests / Double(transactions) : 0 }

    /// Reads the counters of the service at `url` now.
    static func scrape(_ url: String, _ client: HTTPClient) async throws -> GroupCommits {
        let response = try await client.execute(HTTPClientRequest(url: url + "/metrics"), timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
        guard response.status == .ok else { throw BenchFailure("GET /metrics answered \(response.status.code)") }
        var commits = GroupCommits()
        for line in text.split(separator: "\n") where line.hasPrefix(metric + "_") {
            guard let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            if line.hasPrefix(metric + "_count") { commits.transactions = Int(value) }
            if line.hasPrefix(metric + "_sum") { commits.requests = value }
        }
        return commits
    }

    /// What was committed between `earlier` and this reading.
    func since(_ earlier: GroupCommits) -> GroupCommits {
        GroupCommits(transactions: transactions - earlier.transactions, requests: requests - earlier.requests)
    }
}
