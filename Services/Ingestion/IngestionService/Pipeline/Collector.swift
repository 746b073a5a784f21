import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Metrics

/// The path every collection endpoint shares: rate limit, the rules for each message, then the group commit.
struct Collector: Sendable {
    let directory: SourceDirectory
    let privacy: WorkspacePrivacyCache
    let queue: CommitQueue
    let rateLimiter: RateLimiter<UUID>
    /// Rows per second each source may import, in this process (imports are paced, not refused).
    let importLimiter: RateLimiter<UUID>
    let configuration: IngestionConfiguration

    /// What became of a request's messages.
    struct Result: Sendable {
        var outcome = WriteOutcome()
        var withheld = 0
        var refused: [RefusedMessage] = []
    }

    /// The messages of one request, numbered by their index in it.
    func collect(_ messages: consuming [IncomingMessage], metadata: RequestMetadata) async throws -> Result {
        var numbered: [(offset: Int, element: IncomingMessage)] = []
        numbered.reserveCapacity(messages.count)
        for index in messages.indices {
            var message = IncomingMessage.taken
            swap(&message, &messages[index])
            numbered.append((index, consume message))
        }
        return try await collect(consume numbered, metadata: metadata)
    }

    /// Messages numbered by the caller (an import numbers them by line), with any it refused itself
    /// (lines that are not JSON); `limitRate` is off for imports, which pace themselves by their commits.
    /// Each message is moved out before ingestion works on it: one the caller no longer holds is changed in
    /// place, where a second reference would copy its members.
    func collect(
        _ messages: consuming [(offset: Int, element: IncomingMessage)], alreadyRefused: [RefusedMessage] = [], metadata: RequestMetadata, limitRate: Bool = true
    ) async throws -> Result {
        if limitRate, let wait = rateLimiter.admit(metadata.source.source.id, cost: messages.count) {
            let seconds = Int(wait.components.seconds) + 1
            throw KinshipError(
                code: .rateLimited, status: .tooManyRequests,
                message: "This source sends more than \(configuration.rateLimitPerSource) messages per second; retry after \(seconds) s.",
                headers: [.retryAfter: String(seconds)]
            )
        }
        let consent = ConsentGate(privacy: try await privacy.state(for: metadata.source.source.workspaceID), blindIndex: metadata.source.blindIndex)
        var preparation = MessagePreparation(metadata: metadata, consent: consent)
        var result = Result(refused: alreadyRefused)
        var accepted: [PreparedMessage] = []
        for position in messages.indices {
            var message = IncomingMessage.taken
            swap(&message, &messages[position].element)
            switch preparation.process(consume message, index: messages[position].offset) {
            case .accepted(let prepared): accepted.append(prepared)
            case .withheldByConsent: result.withheld += 1
            case .refused(let refusal): result.refused.append(refusal)
            }
        }
        let failures = try result.refused.map { try FailedEventRow($0, source: metadata.source) }
        if !accepted.isEmpty || !failures.isEmpty {
            result.outcome = try await queue.submit(WriteBatch(
                source: metadata.source.source, receivedAt: preparation.receivedAt, messages: accepted, failures: failures
            ))
        }
        record(result)
        return result
    }

    private func record(_ result: Result) {
        let counts = [("stored", result.outcome.stored), ("duplicate", result.outcome.duplicates),
                      ("withheld", result.withheld), ("refused", result.refused.count)]
        for (outcome, count) in counts where count > 0 {
            Counter(label: "kinship_ingestion_messages_total", dimensions: [("outcome", outcome)]).increment(by: count)
        }
    }
}
