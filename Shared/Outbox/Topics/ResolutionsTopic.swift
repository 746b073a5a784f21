import Foundation
import KinshipCore

extension OutboxTopic {
    /// Which profile identity attached stored events to (identity → segmentation), in resolution order. A
    /// message lists up to `EventResolution.mostPerMessage` events whose profiles share a partition, and is
    /// keyed by the first of those profiles, so one profile's events stay in order on one partition. A
    /// merge or a split that happens later is announced on `profiles`; a consumer that needs an event's
    /// profile as it is now follows `profiles.merged_into`.
    public static let resolutions = OutboxTopic("resolutions", partitions: 16)
}

/// One stored event and the profile identity attached it to: small references, not a second copy.
public struct EventResolution: Sendable, Equatable {
    public var messageId: String
    public var receivedAt: String
    public var profileId: UUID

    /// The most events one `resolutions` message lists: as for `events`, enough that a batch of messages
    /// holds thousands of events, few enough that a message stays small.
    public static let mostPerMessage = 32

    /// The member of a payload that lists the events: `{"resolved": [{messageId, receivedAt, profileId}, …]}`.
    public static let listKey = "resolved"

    public init(messageId: String, receivedAt: String, profileId: UUID) {
        self.messageId = messageId
        self.receivedAt = receivedAt
        self.profileId = profileId
    }

    /// The event's place in `events`.
    public var reference: EventReference { EventReference(messageId: messageId, receivedAt: receivedAt) }

    /// The `resolutions` messages announcing these events: grouped by their profile's partition, in the
    /// given order within a group, at most `mostPerMessage` to a message. Each is (key, payload).
    public static func messages(_ resolutions: [EventResolution]) -> [(key: String, payload: String)] {
        var groups: [Int: [EventResolution]] = [:]
        var order: [Int] = []
        for resolution in resolutions {
            let partition = OutboxTopic.resolutions.partition(for: resolution.profileId.lowercased)
            if groups[partition] == nil { order.append(partition) }
            groups[partition, default: []].append(resolution)
        }
        return order.flatMap { partition in
            let group = groups[partition]!
            return stride(from: 0, to: group.count, by: mostPerMessage).map { start in
                let chunk = group[start..<min(start + mostPerMessage, group.count)]
                let list = JSONValue.array(chunk.map(\.json))
                return (chunk.first!.profileId.lowercased, JSONValue.object([listKey: list]).serialized())
            }
        }
    }

    /// The events a `resolutions` payload lists, in order.
    public static func list(in payload: String) throws -> [EventResolution] {
        guard case .array(let items)? = try JSONValue.parse(payload)[listKey] else { throw notAList(payload) }
        return try items.map { item in
            guard let messageId = item["messageId"]?.stringValue, let receivedAt = item["receivedAt"]?.stringValue,
                  let profile = item["profileId"]?.stringValue.flatMap(UUID.init(uuidString:))
            else { throw notAList(payload) }
            return EventResolution(messageId: messageId, receivedAt: receivedAt, profileId: profile)
        }
    }

    private var json: JSONValue {
        .object(["messageId": .string(messageId), "receivedAt": .string(receivedAt), "profileId": .string(profileId.lowercased)])
    }

    private static func notAList(_ payload: String) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "not a list of resolutions: \(payload.prefix(200))"))
    }
}
