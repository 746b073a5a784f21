import Foundation
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import IngestionService

/// What a group commit puts on the `events` topic: per workspace and partition, messages of at most
/// `EventReference.mostPerMessage` references, each stored event referenced exactly once.
@Suite struct EventsTopicTests {
    /// One event was a repeat: SQL builds the messages from the stored events' references.
    @Test func aGroupWithARepeatReferencesEachStoredEventOnceInMessagesPerPartition() async throws {
        try await checkTopic(repeating: "one-7")
    }

    /// Every event was stored: the service's own messages are written.
    @Test func aGroupOfNewEventsReferencesEachOnceInMessagesPerPartition() async throws {
        try await checkTopic(repeating: nil)
    }

    /// 100 events of one person (one partition), `repeating` one of them already claimed, and 20 of other people.
    private func checkTopic(repeating repeated: String?) async throws {
        try await IngestionFixture.run { fixture, client in
            if let repeated {
                try await fixture.database.query(
                    "INSERT INTO event_message_ids (workspace_id, source_id, message_id, received_at) VALUES (\(fixture.workspace.id), \(fixture.sourceID), \(repeated), now())",
                    logger: TestDatabase.logger
                )
            }
            let stored = repeated == nil ? 120 : 119
            let one = (0..<100).map { #"{"type": "track", "messageId": "one-\#($0)", "userId": "the-one", "event": "E"}"# }
            let others = (0..<20).map { #"{"type": "track", "messageId": "other-\#($0)", "userId": "someone-\#($0)", "event": "E"}"# }
            let batch = #"{"batch": [\#((one + others).joined(separator: ","))]}"#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(batch)) { response in
                #expect(response.status == .ok)
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(Double(stored)))
            }

            let messages = try await fixture.outboxMessages()
            let referenced = messages.flatMap(\.messageIds)
            #expect(referenced.count == stored)
            #expect(Set(referenced).count == stored)
            if let repeated { #expect(!referenced.contains(repeated)) }
            #expect(try await fixture.outboxReferences() == stored)
            #expect(messages.allSatisfy { $0.key.isEmpty && $0.messageIds.count <= EventReference.mostPerMessage })

            // The one person's stored events: on one partition, in four messages (its 100 ids, a repeat among
            // them or not, and any of the others' on that partition, fill four chunks of 32).
            let theOnes = messages.filter { $0.messageIds.contains { $0.hasPrefix("one-") } }
            #expect(theOnes.count == 4)
            #expect(Set(theOnes.map(\.partition)).count == 1)
            #expect(theOnes.reduce(0) { $0 + $1.messageIds.filter { $0.hasPrefix("one-") }.count } == stored - 20)
            // No two messages of a partition that could have been one: chunks are counted over the claimed ids.
            for (partition, group) in Dictionary(grouping: messages, by: \.partition) {
                let repeats = repeated != nil && partition == theOnes.first?.partition ? 1 : 0
                let claimed = group.reduce(0) { $0 + $1.messageIds.count } + repeats
                #expect(group.count == (claimed + EventReference.mostPerMessage - 1) / EventReference.mostPerMessage)
            }
        }
    }
}
