import Foundation
import KinshipCore
import KinshipOutbox
import Testing
@testable import SegmentationService

/// Which profiles a message on `profiles` names for evaluation: only what `resolutions` does not name too.
struct ProfileChangeConsumerTests {
    static func named(_ change: ProfileChange) throws -> Set<UUID> {
        try ProfileChangeConsumer.profiles(topic: OutboxTopic.profiles.name, payload: String(decoding: try JSONCoding.encoder().encode(change), as: UTF8.self))
    }

    @Test func changesAnEventMadeAreLeftToTheResolutionsTopic() throws {
        let (a, b, c) = (UUID(), UUID(), UUID())
        #expect(try Self.named(ProfileChange(kind: .created, profileId: a.lowercased, messageId: "m-1")).isEmpty)
        #expect(try Self.named(ProfileChange(kind: .updated, profileId: a.lowercased, messageId: "m-1", changedTraits: ["plan"])).isEmpty)
        // An unmerge changes profiles without an event.
        #expect(try Self.named(ProfileChange(kind: .updated, profileId: a.lowercased, changedTraits: ["plan"])) == [a])
        #expect(try Self.named(ProfileChange(kind: .merged, profileId: a.lowercased, messageId: "m-2", mergedProfileId: b.lowercased)) == [a, b])
        #expect(try Self.named(ProfileChange(kind: .split, profileId: a.lowercased, splitProfileIds: [b.lowercased, c.lowercased])) == [a, b, c])
    }
}
