import Foundation
import KinshipCore
@testable import KinshipDatabase
import KinshipOutbox
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import IngestionService

/// What waits to be written is bounded in bytes, and every request has its answer within the deadline of
/// its arrival, also when the database is stuck.
@Suite struct CommitQueueTests {
    static func batch(_ source: Source, id: String, padding: Int = 1000) -> WriteBatch {
        let receivedAt = StoredTime(Date())
        let json = #"{"type":"track","messageId":"\#(id)","userId":"u","event":"E","properties":{"pad":"\#(String(repeating: "x", count: padding))"}}"#
        let message = PreparedMessage(
            messageId: id, routingKey: "00", type: .track, event: "E", eventTime: receivedAt, json: Array(json.utf8),
            reference: EventReference(messageId: id, receivedAt: receivedAt.text).payload
        )
        return WriteBatch(source: source, receivedAt: receivedAt, messages: [message], failures: [])
    }

    static func code(of error: (any Error)?) -> ErrorCode? { (error as? KinshipError)?.code }

    @Test func aRequestThatWouldPassTheBoundIsRefusedAtOnceAndTheBytesComeBack() async throws {
        let source = Source(workspaceID: UUID(), id: UUID(), name: "web")
        let queue = CommitQueue(maximumBytes: 3000)
        // No writer: the first request waits in the queue.
        let first = Task { try await queue.submit(Self.batch(source, id: "q-1")) }
        _ = try await poll(timeout: .seconds(5), every: .milliseconds(5)) { queue.bytes > 0 }
        let started = ContinuousClock.now
        do {
            _ = try await queue.submit(Self.batch(source, id: "q-2"))
            Issue.record("a request past the bound was queued")
        } catch {
            #expect(Self.code(of: error) == .overloaded)
            #expect((error as? KinshipError)?.status == .serviceUnavailable)
        }
        #expect(ContinuousClock.now - started < .seconds(1))
        // Past its deadline, the waiting request is answered and its bytes are free again.
        #expect(queue.expireOverdue(now: .now + .seconds(60)) == 1)
        let result = await first.result
        #expect(Self.code(of: result.failure) == .databaseUnavailable)
        #expect(queue.bytes == 0)
    }

    // Before the bound, the requests waited for the stuck write: the time limit fails the test then.
    @Test(.timeLimit(.minutes(1)))
    func everyRequestIsAnsweredWithinItsDeadlineWhileTheDatabaseIsStuck() async throws {
        // A database of its own: the lock below would hold up every other test's writes.
        try await TestDatabase.withFreshDatabase { url in try await TestDatabase.withClient(url) { database in
            let logger = TestDatabase.logger
            let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: logger)
            let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("stuck"), actor: "test")
            let source = try await tenancy.createSource(in: workspace, name: "web", actor: "test").owner
            let deadline = Duration.seconds(1)
            let queue = CommitQueue(deadline: deadline, leastTimeToWrite: .milliseconds(200))
            let writer = EventWriter(queue: queue, database: database, logger: logger, writers: 1, dedupWindowDays: 7)
            let running = Task { try await writer.run() }
            try await database.withConnection { blocker in
                // Every write waits for this lock until the transaction ends.
                try await blocker.query("BEGIN", logger: logger)
                try await blocker.query("LOCK TABLE event_message_ids IN ACCESS EXCLUSIVE MODE", logger: logger)
                let answers = try await withThrowingTaskGroup(of: (Duration, ErrorCode?).self) { group in
                    for n in 0..<6 {
                        group.addTask {
                            let sent = ContinuousClock.now
                            let result = await Result(catching: { try await queue.submit(Self.batch(source, id: "stuck-\(n)")) })
                            return (ContinuousClock.now - sent, Self.code(of: result.failure))
                        }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    var answers: [(Duration, ErrorCode?)] = []
                    for try await answer in group { answers.append(answer) }
                    return answers
                }
                #expect(answers.count == 6)
                for (waited, code) in answers {
                    #expect(code == .databaseUnavailable)
                    // The stuck write itself would wait until the ROLLBACK below; the slack is for a loaded machine.
                    #expect(waited < deadline + .seconds(1), "answered after \(waited)")
                }
                try await blocker.query("ROLLBACK", logger: logger)
            }
            // The stuck write ends once the lock goes; then the queue holds nothing and takes requests again.
            _ = try await poll(timeout: .seconds(10), every: .milliseconds(20)) { queue.bytes == 0 }
            let outcome = try await queue.submit(Self.batch(source, id: "after"))
            #expect(outcome.stored == 1)
            queue.close()
            try await running.value
        } }
    }
}

extension Result {
    init(catching body: () async throws -> Success) async where Failure == any Error {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }

    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
