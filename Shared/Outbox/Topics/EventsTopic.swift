import KinshipCore

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

    /// The members' names, spelled here only: Codable, the writer and reader below, and the SQL that builds
    /// and reads these payloads (`sqlMessagePayload`, `sqlReferences`, `sqlField`) all take them from here.
    public enum CodingKeys: String, CodingKey, Sendable {
        case messageId, receivedAt
    }

    /// The member of a message of several references that lists them: `{"events": [reference, …]}`.
    public static let listKey = "events"

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
        guard let list = value[listKey] else { return [try EventReference(value, payload: payload)] }
        guard case .array(let items) = list, !items.isEmpty else { throw notAReference(payload) }
        return try items.map { try EventReference($0, payload: payload) }
    }

    private init(_ value: JSONValue, payload: String) throws {
        guard let messageId = value[CodingKeys.messageId.rawValue]?.stringValue,
              let receivedAt = value[CodingKeys.receivedAt.rawValue]?.stringValue
        else {
            throw Self.notAReference(payload)
        }
        self.init(messageId: messageId, receivedAt: receivedAt)
    }

    private static func notAReference(_ payload: String) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "not an event reference: \(payload.prefix(200))"))
    }

    private static let listOpening = #"{"\#(listKey)":["#
    private static let listClosing = "]}"

    /// The payload of an `events` message holding these references (each one's `payload`), in order:
    /// `{"events": [reference, …]}`.
    public static func messagePayload(joining payloads: [String]) -> String {
        listOpening + payloads.joined(separator: ",") + listClosing
    }

    /// SQL for the same payload as `messagePayload(joining:)`, as `jsonb`, from the references' texts in
    /// `column`, aggregated over a group (ingestion's careful claim statement builds its messages so).
    public static func sqlMessagePayload(aggregating column: String) -> String {
        "('\(listOpening)' || string_agg(\(column), ',') || '\(listClosing)')::jsonb"
    }

    /// SQL for the set of references in the `jsonb` payload `payload`, one row each (for `CROSS JOIN LATERAL`).
    public static func sqlReferences(in payload: String) -> String {
        "jsonb_array_elements(\(payload)->'\(listKey)')"
    }

    /// SQL for one member of a reference row, as text.
    public static func sqlField(_ key: CodingKeys, of reference: String) -> String {
        "\(reference)->>'\(key.rawValue)'"
    }

    private static let messageIdOpening = Array(#"{"\#(CodingKeys.messageId.rawValue)":"#.utf8)
    private static let receivedAtOpening = Array(#","\#(CodingKeys.receivedAt.rawValue)":"#.utf8)

    /// One reference as ingestion writes it, `{"messageId": …, "receivedAt": …}`, without an encoder: it is
    /// made for every event.
    public var payload: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(messageId.utf8.count + receivedAt.utf8.count + 32)
        bytes.append(contentsOf: Self.messageIdOpening)
        JSONValue.string(messageId).write(into: &bytes)
        bytes.append(contentsOf: Self.receivedAtOpening)
        JSONValue.string(receivedAt).write(into: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}
