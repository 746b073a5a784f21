import KinshipCore
import KinshipDatabase
import Testing

struct DeadlineTests {
    struct Refused: Error, Equatable {}
    struct Late: Error, Equatable {}

    @Test func workDoneWithinTheLimitIsReturned() async throws {
        let value = try await Deadline.run(.seconds(5), onExpiry: { Late() }) { 42 }
        #expect(value == 42)
    }

    @Test func workThatFailsWithinTheLimitThrowsItsOwnError() async throws {
        await #expect(throws: Refused.self) {
            try await Deadline.run(.seconds(5), onExpiry: { Late() }) { throw Refused() }
        }
    }

    @Test func workPastTheLimitIsCancelledAndReportedWithTheExpiryError() async throws {
        let start = ContinuousClock.now
        await #expect(throws: Late.self) {
            try await Deadline.run(.milliseconds(50), onExpiry: { Late() }) {
                try await Task.sleep(for: .seconds(30))
                return 1
            }
        }
        #expect(ContinuousClock.now - start < .seconds(5), "the work was not cancelled at the limit")
    }

    @Test func workThatFinishesDespiteTheCancellationIsKept() async throws {
        // A commit that made it past the limit is not reported as failed.
        let value = try await Deadline.run(.milliseconds(20), onExpiry: { Late() }) {
            try? await Task.sleep(for: .milliseconds(200))
            return "committed"
        }
        #expect(value == "committed")
    }

    @Test func theDefaultExpiryIsDatabaseUnavailable() async throws {
        do {
            _ = try await Deadline.run(.milliseconds(20)) { try await Task.sleep(for: .seconds(30)) }
            Issue.record("no error")
        } catch let error as KinshipError {
            #expect(error.code == .databaseUnavailable && error.status == .serviceUnavailable)
        }
    }

    @Test func abandoningAnswersAtTheLimitEvenWhenTheWorkIgnoresItsCancellation() async throws {
        let start = ContinuousClock.now
        await #expect(throws: Late.self) {
            try await Deadline.abandoning(.milliseconds(50), onExpiry: { Late() }) {
                // Work that notices its cancellation only much later, as a pool that cannot connect.
                let end = ContinuousClock.now + .seconds(3)
                while ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(100)) }
                return 1
            }
        }
        #expect(ContinuousClock.now - start < .seconds(2), "the caller waited for the abandoned work")
    }

    @Test func abandoningReturnsWorkDoneWithinTheLimitAndItsOwnErrors() async throws {
        #expect(try await Deadline.abandoning(.seconds(5), onExpiry: { Late() }) { 42 } == 42)
        await #expect(throws: Refused.self) {
            try await Deadline.abandoning(.seconds(5), onExpiry: { Late() }) { throw Refused() }
        }
    }
}
