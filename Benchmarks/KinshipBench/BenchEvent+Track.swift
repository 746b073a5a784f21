import Foundation
import KinshipCore

extension BenchEvent {
    /// A track call from a signed-in person on their own device (`anonymousId` derived from the user id), as
    /// a server library sends it and ingestion enriches it, sent and received at `time`.
    static func track(_ name: String, messageId: String, userId: String, time: String, properties: [String: JSONValue] = [:]) -> BenchEvent {
        let message: [String: JSONValue] = [
            "messageId": .string(messageId),
            "type": .string("track"),
            "event": .string(name),
            "userId": .string(userId),
            "anonymousId": .string("device-" + userId),
            "timestamp": .string(time),
            "originalTimestamp": .string(time),
            "sentAt": .string(time),
            "receivedAt": .string(time),
            "properties": .object(properties),
            "context": .object([
                "library": .object(["name": .string("analytics-node"), "version": .string("6.2.0")]),
                "ip": .string("203.0.113.0"),
                "locale": .string("th-TH"),
            ]),
        ]
        return BenchEvent(
            messageId: messageId, type: "track", event: name, receivedAt: time, eventTime: time, message: message, strongestID: ("user_id", userId)
        )
    }
}
