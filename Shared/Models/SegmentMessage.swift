import Foundation

/// The six Segment message types.
public enum MessageType: String, Codable, Sendable, CaseIterable {
    case identify, track, page, screen, group, alias
}

/// One Segment spec message (identify, track, page, screen, group, alias) as clients send it.
///
/// `context`, `integrations`, `properties` and `traits` are arbitrary JSON. Ids are strings; a number sent
/// as an id (some clients do) is kept as its decimal text.
public struct SegmentMessage: Codable, Sendable, Equatable {
    public var type: MessageType
    public var messageId: String?
    public var anonymousId: String?
    public var userId: String?
    /// Alias only: the id the user had before.
    public var previousId: String?
    /// Group only.
    public var groupId: String?
    /// Track only: the event name.
    public var event: String?
    /// Page and screen: the page or screen name, and its category.
    public var name: String?
    public var category: String?
    public var timestamp: Date?
    public var originalTimestamp: Date?
    public var sentAt: Date?
    public var receivedAt: Date?
    public var context: [String: JSONValue]?
    public var integrations: [String: JSONValue]?
    public var properties: [String: JSONValue]?
    public var traits: [String: JSONValue]?
    /// Some clients (the pixel, browsers without Basic auth) put the write key in the body.
    public var writeKey: String?

    public init(type: MessageType) {
        self.type = type
    }

    enum CodingKeys: String, CodingKey {
        case type, messageId, anonymousId, userId, previousId, groupId, event, name, category
        case timestamp, originalTimestamp, sentAt, receivedAt, context, integrations, properties, traits, writeKey
    }

    /// Single-message endpoints (`/v1/track`) imply the type; set this user-info key to it.
    public static let impliedTypeKey = CodingUserInfoKey(rawValue: "kinship.impliedMessageType")!

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let implied = decoder.userInfo[Self.impliedTypeKey] as? MessageType {
            type = implied
        } else {
            let raw = try container.decode(String.self, forKey: .type)
            guard let parsed = MessageType(rawValue: raw.lowercased()) else {
                throw KinshipError.badRequest("invalid_type", "type must be one of identify, track, page, screen, group, alias; got '\(raw.prefix(40))'")
            }
            type = parsed
        }
        messageId = try container.decodeIdentifier(.messageId)
        anonymousId = try container.decodeIdentifier(.anonymousId)
        userId = try container.decodeIdentifier(.userId)
        previousId = try container.decodeIdentifier(.previousId)
        groupId = try container.decodeIdentifier(.groupId)
        event = try container.decodeIfPresent(String.self, forKey: .event)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        category = try container.decodeIfPresent(String.self, forKey: .category)
        timestamp = try container.decodeIfPresent(Date.self, forKey: .timestamp)
        originalTimestamp = try container.decodeIfPresent(Date.self, forKey: .originalTimestamp)
        sentAt = try container.decodeIfPresent(Date.self, forKey: .sentAt)
        receivedAt = try container.decodeIfPresent(Date.self, forKey: .receivedAt)
        context = try container.decodeIfPresent([String: JSONValue].self, forKey: .context)
        integrations = try container.decodeIfPresent([String: JSONValue].self, forKey: .integrations)
        properties = try container.decodeIfPresent([String: JSONValue].self, forKey: .properties)
        traits = try container.decodeIfPresent([String: JSONValue].self, forKey: .traits)
        writeKey = try container.decodeIfPresent(String.self, forKey: .writeKey)
    }
}

extension KeyedDecodingContainer where Key == SegmentMessage.CodingKeys {
    /// An id given as a string, or as an integer (kept as its decimal text); anything else is refused.
    func decodeIdentifier(_ key: Key) throws -> String? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let text = try? decode(String.self, forKey: key) { return text }
        if let number = try? decode(Int64.self, forKey: key) { return String(number) }
        throw KinshipError.invalidField(path: codingPath + [key], "must be a string")
    }
}

/// The body of `POST /v1/batch`: messages plus fields that apply to all of them.
public struct SegmentBatch: Decodable, Sendable {
    public var batch: [SegmentMessage]
    public var context: [String: JSONValue]?
    public var integrations: [String: JSONValue]?
    public var sentAt: Date?
    public var writeKey: String?
}
