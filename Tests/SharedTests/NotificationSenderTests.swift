import Foundation
import KinshipTestSupport
import PostgresNIO
import Synchronization
import Testing
@testable import KinshipCore
@testable import KinshipDatabase
@testable import KinshipOutbox
@testable import KinshipService

struct NotificationSenderTests {
    /// Wake-ups announced faster than one per `NotificationSender.spacing` share sends, and the last one is
    /// still delivered: a burst of commits costs a few notifications, not one each.
    @Test func aBurstOfAnnouncementsSharesFewSendsAndTheLastArrives() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("spaced-\(UUID().uuidString.prefix(8))", partitions: 1)
            let received = Arrivals()
            try await fixture.client.withConnection { connection in
                let listener = Task {
                    for try await notification in try await connection.listen(Outbox.notificationChannel) {
                        if notification.payload == "\(topic.name):0" { received.times.withLock { $0.append(.now) } }
                    }
                }
                // Until a first wake-up arrives, the listener may not be registered yet.
                while received.times.withLock(\.isEmpty) {
                    Outbox.announce(topic, partitions: [0], via: fixture.client, logger: fixture.logger)
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await Task.sleep(for: .milliseconds(100))
                received.times.withLock { $0 = [] }

                let announcements = 400
                let start = ContinuousClock.now
                for _ in 0..<announcements {
                    Outbox.announce(topic, partitions: [0], via: fixture.client, logger: fixture.logger)
                    try await Task.sleep(for: .microseconds(250))
                }
                let lastAnnounced = ContinuousClock.now
                try await Task.sleep(for: .milliseconds(500))
                let times = received.times.withLock { $0 }
                listener.cancel()
                _ = await listener.result
                let mostSends = Int((lastAnnounced - start) / NotificationSender.spacing) + 2
                #expect(!times.isEmpty)
                #expect(times.count <= mostSends, "\(times.count) notifications for \(announcements) announcements in \(lastAnnounced - start)")
                #expect(times.count < announcements / 4)
                #expect(times.last.map { $0 >= lastAnnounced - NotificationSender.spacing } == true, "the last announcement was not delivered")
            }
        }
    }
}

private final class Arrivals: Sendable {
    let times = Mutex<[ContinuousClock.Instant]>([])
}
