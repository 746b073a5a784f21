extension OutboxTopic {
    /// An event was stored (ingestion → identity). Keyed by the blind-index token (hex) of the event's
    /// strongest id (user id, else anonymous id), so one person's events stay in order; the payload
    /// references the stored row.
    public static let events = OutboxTopic("events", partitions: 16)
}

/// The payload of an `events` message: where the stored event is, not a second copy of it.
public struct EventReference: Codable, Sendable, Equatable {
    public var messageId: String
    public var receivedAt: String

    public init(messageId: String, receivedAt: String) {
        self.messageId = messageId
        self.receivedAt = receivedAt
    }

    /// Reads an `events` message's payload with the project's own JSON parser: Foundation's decoder was
    /// 3 % of identity's CPU, for two strings per event.
    public init(payload: String) throws {
        let value = try JSONValue.parse(payload)
        guard let messageId = value["messageId"]?.stringValue, let receivedAt = value["receivedAt"]?.stringValue else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "not an event reference: \(payload.prefix(200))"))
        }
        self.init(messageId: messageId, receivedAt: receivedAt)
    }

    /// The payload as ingestion writes it, `{"messageId": …, "receivedAt": …}`, without an encoder: it is
    /// made for every event.
    public var payload: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(messageId.utf8.count + receivedAt.utf8.count + 32)
        bytes.append(contentsOf: #"{"messageId":"#.utf8)
        JSONValue.string(messageId).write(into: &bytes)
        bytes.append(contentsOf: #","receivedAt":"#.utf8)
        JSONValue.string(receivedAt).write(into: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension OutboxTopic {
    /// A profile changed (identity → segmentation): created, updated, merged, split. Keyed by profile id.
    public static let profiles = OutboxTopic("profiles", partitions: 16)
}

/// The payload of a `profiles` message.
public struct ProfileChange: Codable, Sendable, Equatable {
    /// `profile.created`, `profile.updated`, `profile.merged` or `profile.split`.
    public var kind: String
    public var profileId: String
    /// The event that caused the change.
    public var messageId: String?
    public var mergedProfileId: String?
    public var changedTraits: [String]?
    /// Of a `profile.split`: the profiles made from the parts that left this one.
    public var splitProfileIds: [String]?

    public init(
        kind: String, profileId: String, messageId: String? = nil, mergedProfileId: String? = nil, changedTraits: [String]? = nil,
        splitProfileIds: [String]? = nil
    ) {
        self.kind = kind
        self.profileId = profileId
        self.messageId = messageId
        self.mergedProfileId = mergedProfileId
        self.changedTraits = changedTraits
        self.splitProfileIds = splitProfileIds
    }
}
