import Foundation

/// When a client sends a request again, as Segment's libraries do: on `429` and `5xx` (honouring
/// `Retry-After`) and when ingestion cannot be reached, with exponential backoff and jitter; never on
/// another `4xx`, which the same request would get again.
struct RetryPolicy: Sendable {
    /// What became of one attempt.
    enum Outcome: Sendable {
        case answered(status: Int, retryAfter: String?)
        /// No answer: the connection was refused, reset or timed out.
        case unreachable
    }

    enum Decision: Equatable, Sendable {
        case done
        case retry(after: Duration)
        case fail
    }

    /// Attempts per request, the first included.
    var attempts = 10
    /// The backoff before the first retry; it doubles with each one, up to `longestBackoff`.
    var firstBackoff = Duration.milliseconds(500)
    var longestBackoff = Duration.seconds(10)
    /// A `Retry-After` longer than this is cut to it.
    var longestRetryAfter = Duration.seconds(300)

    /// What to do after attempt number `attempt` (from 1). `jitter`, from 0 to 1, spreads the retries of
    /// clients that were refused together: the wait is the larger of `Retry-After` and half the backoff,
    /// plus up to another half of the backoff.
    func decide(_ outcome: Outcome, attempt: Int, jitter: Double) -> Decision {
        let retryAfter: Duration?
        switch outcome {
        case .answered(let status, _) where (200..<300).contains(status):
            return .done
        case .answered(let status, _) where status == 429 || (500..<600).contains(status):
            retryAfter = self.retryAfter(outcome)
        case .answered:
            return .fail
        case .unreachable:
            retryAfter = nil
        }
        guard attempt < attempts else { return .fail }
        let backoff = min(firstBackoff * (1 << min(attempt - 1, 30)), longestBackoff)
        return .retry(after: max(retryAfter ?? .zero, backoff / 2) + backoff / 2 * min(max(jitter, 0), 1))
    }

    /// The pause an answer asked for with `Retry-After` in delay-seconds (its HTTP-date form is left to the
    /// backoff), at most `longestRetryAfter`.
    func retryAfter(_ outcome: Outcome) -> Duration? {
        guard case .answered(_, let header?) = outcome, let seconds = Int(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
            return nil
        }
        return min(.seconds(seconds), longestRetryAfter)
    }
}
