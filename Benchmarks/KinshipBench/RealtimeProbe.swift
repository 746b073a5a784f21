import Foundation
import KinshipCore

/// The real-time measure's events and segment. Each measured event is a track of a name nothing else sends,
/// from a user id no other measured event has, so each makes exactly one person enter the segment, whatever
/// order identity and segmentation take them in: every other one from a person identity knows already
/// (introduced by the warm-up, with another event name), the others from new people.
enum RealtimeProbe {
    static let eventName = "Realtime Probe"
    static let segment = SegmentDraft(
        name: "realtime probe in the last day", definition: .object(["event": .string(eventName), "within_days": .number(1)])
    )
    /// Message ids of the measured events (`rt-N`) and of the warm-up's (`warm-N`).
    static let measuredPrefix = "rt-"
    static let warmupPrefix = "warm-"

    /// How many of `total` measured events come from a person the warm-up introduced.
    static func returningPeople(of total: Int) -> Int { (total + 1) / 2 }

    /// Measured event k: even k from returning person k / 2, odd k from a new person.
    static func event(_ k: Int, time: String) -> BenchEvent {
        let userId = k % 2 == 0 ? "returning-\(k / 2)" : "new-\(k)"
        return .track(eventName, messageId: measuredPrefix + String(k), userId: userId, time: time, properties: ["probe": .number(Double(k))])
    }

    /// Warm-up event j: returning person j's first event, a product view (which no segment of the measure reads).
    static func warmupEvent(_ j: Int, time: String) -> BenchEvent {
        .track("Product Viewed", messageId: warmupPrefix + String(j), userId: "returning-\(j)", time: time, properties: ["product_id": .string("p-\(j % 997)")])
    }
}
