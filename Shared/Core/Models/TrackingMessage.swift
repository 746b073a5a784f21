import Foundation

/// The six Segment message types.
public enum TrackingMessageType: String, Codable, Sendable, CaseIterable {
    case identify, track, page, screen, group, alias
}

/// One Segment spec message (identify, track, page, screen, group, alias) as clients send it.
///
/// `context`, `integrations`, `properties` and `traits` are arbitrary JSON. Ids are strings; a number sent
/// as an id (some clients do) is kept as its decimal text.
public struct TrackingMessage: Codable, Sendable, Equatable {
    public var type: TrackingMessageType
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

    public init(type: TrackingMessageType) {
        self.type = type
    }

    enum CodingKeys: String, CodingKey {
        case type, messageId, anonymousId, userId, previousId, groupId, event, name, category
        case timestamp, originalTimestamp, sentAt, receivedAt, context, integrations, properties, traits, writeKey
    }

    /// Single-message endpoints (`/v1/track`) imply the type; set this user-info key to it.
    public static let impliedTypeKey = CodingUserInfoKey(rawValue: "kinship.impliedMessageType")!

    public init(from decoder: any Decoder) throws {
        let object = try [String: JSONValue](from: decoder)
        try self.init(object: object, impliedType: decoder.userInfo[Self.impliedTypeKey] as? TrackingMessageType)
    }

    /// Reads a message from its parsed JSON (the one implementation; `Decodable` goes through it), refusing
    /// wrong types with errors that name the field. A `null` field counts as absent.
    public init(object: [String: JSONValue], impliedType: TrackingMessageType? = nil) throws {
        let fields = Fields(object)
        if let implied = impliedType {
            type = implied
        } else {
            guard let raw = try Self.string(fields.type, "type") else { throw KinshipError.badRequest(.missingField, "type is required") }
            guard let parsed = TrackingMessageType(rawValue: raw.lowercased()) else {
                throw KinshipError.badRequest(.invalidType, "type must be one of identify, track, page, screen, group, alias; got '\(raw.prefix(40))'")
            }
            type = parsed
        }
        messageId = try Self.identifier(fields.messageId, "messageId")
        anonymousId = try Self.identifier(fields.anonymousId, "anonymousId")
        userId = try Self.identifier(fields.userId, "userId")
        previousId = try Self.identifier(fields.previousId, "previousId")
        groupId = try Self.identifier(fields.groupId, "groupId")
        event = try Self.string(fields.event, "event")
        name = try Self.string(fields.name, "name")
        category = try Self.string(fields.category, "category")
        timestamp = try Self.date(fields.timestamp, "timestamp")
        originalTimestamp = try Self.date(fields.originalTimestamp, "originalTimestamp")
        sentAt = try Self.date(fields.sentAt, "sentAt")
        receivedAt = try Self.date(fields.receivedAt, "receivedAt")
        context = try Self.object(fields.context, "context")
        integrations = try Self.object(fields.integrations, "integrations")
        properties = try Self.object(fields.properties, "properties")
        traits = try Self.object(fields.traits, "traits")
        writeKey = try Self.string(fields.writeKey, "writeKey")
    }

    /// The spec's members of a message, found in one pass over its members: a message has about a dozen,
    /// and looking each of the 17 names up hashed it 17 times, for every message ingestion reads.
    private struct Fields {
        var type, messageId, anonymousId, userId, previousId, groupId, event, name, category: JSONValue?
        var timestamp, originalTimestamp, sentAt, receivedAt, context, integrations, properties, traits, writeKey: JSONValue?

        init(_ object: [String: JSONValue]) {
            for (key, value) in object {
                // By length first, so each member is compared with at most three names.
                switch key.utf8.count {
                case 4: if key == "type" { type = value } else if key == "name" { name = value }
                case 5: if key == "event" { event = value }
                case 6: if key == "userId" { userId = value } else if key == "sentAt" { sentAt = value } else if key == "traits" { traits = value }
                case 7: if key == "groupId" { groupId = value } else if key == "context" { context = value }
                case 8: if key == "category" { category = value } else if key == "writeKey" { writeKey = value }
                case 9: if key == "messageId" { messageId = value } else if key == "timestamp" { timestamp = value }
                case 10:
                    if key == "previousId" { previousId = value } else if key == "properties" { properties = value }
                    else if key == "receivedAt" { receivedAt = value }
                case 11: if key == "anonymousId" { anonymousId = value }
                case 12: if key == "integrations" { integrations = value }
                case 17: if key == "originalTimestamp" { originalTimestamp = value }
                default: break
                }
            }
        }
    }

    private static func string(_ value: JSONValue?, _ field: String) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw KinshipError.badRequest(.invalidField, "\(field) must be of type string")
        }
    }

    /// An id given as a string, or as an integer (kept as its decimal text); anything else is refused.
    private static func identifier(_ value: JSONValue?, _ field: String) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .number(let number)? where number.rounded() == number && abs(number) < 9.2e18: return String(Int64(number))
        default: throw KinshipError.badRequest(.invalidField, "\(field) must be a string")
        }
    }

    private static func date(_ value: JSONValue?, _ field: String) throws -> Date? {
        guard let text = try string(value, field) else { return nil }
        guard let date = Timestamp.parse(text) else {
            throw KinshipError.badRequest(.invalidField, "\(field) is not an ISO-8601 timestamp: '\(text.prefix(40))'")
        }
        return date
    }

    private static func object(_ value: JSONValue?, _ field: String) throws -> [String: JSONValue]? {
        switch value {
        case nil, .null?: return nil
        case .object(let object)?: return object
        default: throw KinshipError.badRequest(.invalidField, "\(field) must be of type object")
        }
    }
}

/// The body of `POST /v1/batch`: messages plus fields that apply to all of them.
public struct TrackingBatch: Decodable, Sendable {
    public var batch: [TrackingMessage]
    public var context: [String: JSONValue]?
    public var integrations: [String: JSONValue]?
    public var sentAt: Date?
    public var writeKey: String?
}
