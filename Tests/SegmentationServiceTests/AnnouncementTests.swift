import Foundation
import KinshipCore
import KinshipOutbox
import Testing
@testable import SegmentationService

/// What identity announces reads back as the profiles segmentation must evaluate.
struct AnnouncementTests {
    @Test func resolutionsAreGroupedByPartitionInOrderAndReadBack() throws {
        let profiles = (0..<40).map { _ in UUID() }
        let resolutions = (0..<200).map { EventResolution(messageId: "m-\($0)", receivedAt: "2026-12-03T08:00:00.000Z", profileId: profiles[$0 % 40]) }
        let messages = EventResolution.messages(resolutions)
        var read: [EventResolution] = []
        for message in messages {
            let list = try EventResolution.list(in: message.payload)
            #expect(list.count <= EventResolution.mostPerMessage)
            let partitions = Set(list.map { OutboxTopic.resolutions.partition(for: $0.profileId.lowercased) })
            #expect(partitions == [OutboxTopic.resolutions.partition(for: message.key)], "a message's events share its key's partition")
            read += list
        }
        #expect(read.count == resolutions.count)
        // Within a partition, the events keep the order identity resolved them in.
        for profile in profiles {
            let mine = read.filter { $0.profileId == profile }.map(\.messageId)
            #expect(mine == resolutions.filter { $0.profileId == profile }.map(\.messageId))
        }
        let named = try ProfileChangeConsumer.profiles(topic: "resolutions", payload: messages[0].payload)
        #expect(named == Set(try EventResolution.list(in: messages[0].payload).map(\.profileId)))
    }

    @Test func aProfileChangeNamesEveryProfileItTouches() throws {
        let (kept, merged, split) = (UUID(), UUID(), UUID())
        let change = ProfileChange(
            kind: .merged, profileId: kept.lowercased, messageId: "m-1", mergedProfileId: merged.lowercased, splitProfileIds: [split.lowercased]
        )
        let draft = try OutboxDraft(topic: .profiles, workspaceID: UUID(), key: kept.lowercased, payload: change)
        #expect(try ProfileChangeConsumer.profiles(topic: "profiles", payload: draft.payload) == [kept, merged, split])
        #expect(throws: (any Error).self) { try ProfileChangeConsumer.profiles(topic: "resolutions", payload: #"{"resolved": [{"messageId": 1}]}"#) }
    }
}
