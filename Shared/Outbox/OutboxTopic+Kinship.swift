extension OutboxTopic {
    /// Events were stored (ingestion → identity). An event's partition is that of the blind-index token
    /// (hex) of its strongest id (user id, else anonymous id), so one person's events stay in order. A
    /// message references stored rows (`EventReference.references(in:)`): ingestion writes one message per
    /// workspace, partition and group commit, with up to `EventReference.mostPerMessage` references and an empty
    /// key (it stands for many keys); a message of one reference, keyed by its token, reads the same.
    public static let events = OutboxTopic("events", partitions: 16)
}

/// The payload of an `events` message: where the stored event is, not a second copy of it.
public struct EventReference: Codable, Sendable, Equatable {
    public var messageId: String
    public var receivedAt: String

    /// The most references ingestion puts in one `events` message. An outbox row per event cost Postgres
    /// about as much again as the event itself (a heap row, its primary key and the read index); and
    /// consumers read whole messages, so a message stays small enough for a batch to hold hundreds.
    public static let mostPerMessage = 32

    public init(messageId: String, receivedAt: String) {
        self.messageId = messageId
        self.receivedAt = receivedAt
    }

    /// The references an `events` message carries, in order: `{"events": [reference, …]}` as ingestion
    /// writes it, or a single reference. Read with the project's own JSON parser: Foundation's decoder
    /// was 3 % of identity's CPU, for two strings per event.
    public static func references(in payload: String) throws -> [EventReference] {
        let value = try JSONValue.parse(payload)
        guard let list = value["events"] else { return [try EventReference(value, payload: payload)] }
        guard case .array(let items) = list, !items.isEmpty else { throw notAReference(payload) }
        return try items.map { try EventReference($0, payload: payload) }
    }

    private init(_ value: JSONValue, payload: String) throws {
        guard let messageId = value["messageId"]?.stringValue, let receivedAt = value["receivedAt"]?.stringValue else {
            throw Self.notAReference(payload)
        }
        self.init(messageId: messageId, receivedAt: receivedAt)
    }

    private static func notAReference(_ payload: String) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "not an event reference: \(payload.prefix(200))"))
    }

    /// The payload of an `events` message holding these references (each one's `payload`), in order:
    /// `{"events": [reference, …]}`. Ingestion's claim statement writes the same in SQL.
    public static func messagePayload(joining payloads: [String]) -> String {
        #"{"events":["# + payloads.joined(separator: ",") + "]}"
    }

    /// One reference as ingestion writes it, `{"messageId": …, "receivedAt": …}`, without an encoder: it is
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
