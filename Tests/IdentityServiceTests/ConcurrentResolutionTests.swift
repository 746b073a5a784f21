import Foundation
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import IdentityService
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipService

/// Several workers resolving overlapping identities at once must end with the graph one worker builds
/// serially. The stream stays within every limit, so the serial result does not depend on order.
@Suite struct ConcurrentResolutionTests {
    /// 12 people, each seen on 8 devices and with 1 e-mail, so that many events touch profiles other
    /// events are merging at the same moment.
    static let people = 12
    static let devices = 8

    static func stream() -> [String] {
        var events: [String] = []
        for person in 0..<people {
            for device in 0..<devices {
                events.append(#"{"type": "page", "anonymousId": "p\#(person)-d\#(device)"}"#)
                events.append(#"{"type": "track", "anonymousId": "p\#(person)-d\#(device)", "event": "Viewed", "context": {"traits": {"email": "p\#(person)@example.com"}}}"#)
            }
            events.append(#"{"type": "identify", "anonymousId": "p\#(person)-d1", "userId": "user-\#(person)"}"#)
        }
        return events
    }

    @Test func eightConcurrentWorkersEndWithTheSerialGraph() async throws {
        let events = Self.stream()
        let serial = try await IdentityFixture.run { f in
            for event in events { try await f.send(event) }
            return try await Self.graph(f)
        }
        #expect(serial.count == Self.people)
        #expect(serial.allSatisfy { $0.count == Self.devices + 2 }, "the devices, 1 e-mail and 1 user id each")

        let concurrent = try await IdentityFixture.run { f in
            var shuffled = events
            shuffled.shuffle()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    let slice = stride(from: worker, to: shuffled.count, by: 8).map { shuffled[$0] }
                    group.addTask {
                        for event in slice { try await f.sendBatchRetrying([event]) }
                    }
                }
                try await group.waitForAll()
            }
            return try await Self.graph(f)
        }
        #expect(concurrent == serial)
    }

    /// Each live profile as the set of its identifiers ("type:value").
    static func graph(_ f: IdentityFixture) async throws -> Set<Set<String>> {
        #expect(try await f.miscountedProfiles() == [], "stored counts match the identifiers and merges")
        let ids = try await f.database.query(
            "SELECT id FROM profiles WHERE workspace_id = \(f.workspace.id) AND merged_into IS NULL", logger: TestDatabase.logger
        ).decode(UUID.self).collectAll()
        var graph: Set<Set<String>> = []
        for id in ids {
            let view = try #require(try await f.view(id))
            graph.insert(Set(view.identifiers.map { "\($0.type):\($0.value)" }))
        }
        return graph
    }
}
