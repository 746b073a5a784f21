import Testing
@testable import AdminCommands

struct RetryPolicyTests {
    let policy = RetryPolicy()

    @Test func successIsDoneAndOtherClientErrorsFailAtOnce() {
        for status in [200, 201, 204] {
            #expect(policy.decide(.answered(status: status, retryAfter: nil), attempt: 1, jitter: 0.5) == .done)
        }
        for status in [400, 401, 403, 404, 413, 415, 422] {
            #expect(policy.decide(.answered(status: status, retryAfter: "1"), attempt: 1, jitter: 0.5) == .fail, "\(status)")
        }
    }

    @Test func tooManyRequestsAndUnavailableWaitAtLeastWhatRetryAfterSays() {
        for status in [429, 503] {
            // Retry-After 3 s, first backoff 0.5 s: 3 s, plus up to a quarter second of jitter.
            #expect(policy.decide(.answered(status: status, retryAfter: "3"), attempt: 1, jitter: 0) == .retry(after: .seconds(3)))
            #expect(policy.decide(.answered(status: status, retryAfter: "3"), attempt: 1, jitter: 1) == .retry(after: .milliseconds(3250)))
            #expect(policy.decide(.answered(status: status, retryAfter: " 1 "), attempt: 2, jitter: 0.5) == .retry(after: .milliseconds(1250)))
        }
        #expect(policy.decide(.answered(status: 429, retryAfter: "86400"), attempt: 1, jitter: 0) == .retry(after: .seconds(300)))
    }

    @Test func withoutRetryAfterTheBackoffDoublesUpToTenSeconds() {
        let waits = (1...9).map { attempt in policy.decide(.answered(status: 503, retryAfter: nil), attempt: attempt, jitter: 1) }
        #expect(waits == [0.5, 1, 2, 4, 8, 10, 10, 10, 10].map { RetryPolicy.Decision.retry(after: .seconds($0)) })
        #expect(policy.decide(.unreachable, attempt: 3, jitter: 0) == .retry(after: .seconds(1)))
        // An HTTP-date is not read: the backoff decides.
        #expect(policy.decide(.answered(status: 429, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"), attempt: 2, jitter: 0) == .retry(after: .milliseconds(500)))
        #expect(policy.decide(.answered(status: 500, retryAfter: nil), attempt: 1, jitter: 0) == .retry(after: .milliseconds(250)))
    }

    @Test func theLastAttemptGivesUp() {
        #expect(policy.decide(.answered(status: 429, retryAfter: "1"), attempt: policy.attempts, jitter: 0) == .fail)
        #expect(policy.decide(.unreachable, attempt: policy.attempts, jitter: 0) == .fail)
        #expect(policy.decide(.unreachable, attempt: policy.attempts - 1, jitter: 0) != .fail)
    }
}
