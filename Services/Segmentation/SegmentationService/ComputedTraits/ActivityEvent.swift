import Foundation
import KinshipCore

/// One stored event of a profile, as the computed traits read it.
public struct ActivityEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case track, page, screen, identify
    }

    public let messageId: String
    public let type: Kind
    /// The `event` of a track; nil for the other types.
    public let event: String?
    public let timestamp: Date
    /// The device the event came from; nil for events sent by a back end.
    public let anonymousId: String?
    public let properties: JSONValue
    public let context: JSONValue?

    public init(
        messageId: String, type: Kind, event: String? = nil, timestamp: Date, anonymousId: String? = nil,
        properties: JSONValue = .object([:]), context: JSONValue? = nil
    ) {
        self.messageId = messageId
        self.type = type
        self.event = event
        self.timestamp = timestamp
        self.anonymousId = anonymousId
        self.properties = properties
        self.context = context
    }

    /// The event as a stored Segment message (`type`, `event`, `messageId`, `timestamp`, `anonymousId`,
    /// `properties`, `context`); nil when it lacks a known type, a message id or a readable timestamp.
    public init?(message: JSONValue) {
        guard let type = message["type"]?.stringValue.flatMap(Kind.init(rawValue:)),
              let messageId = message["messageId"]?.stringValue,
              let timestamp = message["timestamp"]?.stringValue.flatMap(Timestamp.parse)
        else { return nil }
        self.init(
            messageId: messageId, type: type, event: message["event"]?.stringValue, timestamp: timestamp,
            anonymousId: message["anonymousId"]?.stringValue,
            properties: message["properties"] ?? .object([:]), context: message["context"]
        )
    }

    /// Milliseconds since 1970: the traits compare and keep times at this precision.
    var milliseconds: Int64 { Int64((timestamp.timeIntervalSince1970 * 1000).rounded()) }
}
