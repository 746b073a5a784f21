import Foundation
import KinshipCore

/// What a segment definition is evaluated against: one profile's values and events.
public struct SegmentSubject: Sendable {
    /// One event of the profile.
    public struct Event: Sendable, Hashable {
        public let name: String
        public let time: Date
        public let properties: JSONValue

        public init(name: String, time: Date, properties: JSONValue = .object([:])) {
            self.name = name
            self.time = time
            self.properties = properties
        }
    }

    public var traits: [String: JSONValue]
    public var computed: [String: JSONValue]
    public var consent: [String: Bool]
    public var events: [Event]

    public init(
        traits: [String: JSONValue] = [:], computed: [String: JSONValue] = [:], consent: [String: Bool] = [:],
        events: [Event] = []
    ) {
        self.traits = traits
        self.computed = computed
        self.consent = consent
        self.events = events
    }
}
