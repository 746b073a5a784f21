import Foundation
import KinshipCore
import SegmentationService

/// Builders for the computed traits' tests: events from JSON text, a fold over a list of events.
enum TraitFixture {
    static func time(_ text: String) -> Date {
        guard let date = Timestamp.parse(text) else { fatalError("not a timestamp: \(text)") }
        return date
    }

    static func track(_ id: String, _ name: String, _ at: String, _ properties: String = "{}", context: String? = nil) throws -> ActivityEvent {
        ActivityEvent(
            messageId: id, type: .track, event: name, timestamp: time(at), properties: try JSONValue.parse(properties),
            context: try context.map { try JSONValue.parse($0) }
        )
    }

    static func view(_ id: String, _ at: String, device: String, campaign: (source: String, medium: String)? = nil) -> ActivityEvent {
        let context: JSONValue? = campaign.map {
            .object(["campaign": .object(["source": .string($0.source), "medium": .string($0.medium)])])
        }
        return ActivityEvent(messageId: id, type: .page, timestamp: time(at), anonymousId: device, context: context)
    }

    static func fold(_ events: [ActivityEvent], window: TimeInterval = 24 * 3600) -> ProfileActivity {
        var activity = ProfileActivity(abandonmentWindow: window)
        for event in events { activity.apply(event) }
        return activity
    }

    static func traits(_ events: [ActivityEvent], now: String, window: TimeInterval = 24 * 3600) -> [String: JSONValue] {
        fold(events, window: window).traits(now: time(now))
    }
}
