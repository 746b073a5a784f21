import Foundation
import KinshipCore
import SegmentationService

/// Builders shared by the definition language's tests: definitions from JSON text, times from ISO-8601 text.
enum SegmentFixture {
    /// 2026-06-01 12:00 UTC: the moment every test evaluates at.
    static let now = time("2026-06-01T12:00:00Z")

    static func time(_ text: String) -> Date {
        guard let date = Timestamp.parse(text) else { fatalError("not a timestamp: \(text)") }
        return date
    }

    static func definition(_ text: String) throws -> SegmentDefinition {
        try SegmentDefinition(json: JSONValue.parse(text))
    }

    static func evaluate(_ text: String, _ subject: SegmentSubject, now: Date = now) throws -> SegmentEvaluation {
        try definition(text).evaluate(subject, now: now)
    }

    static func matches(_ text: String, _ subject: SegmentSubject, now: Date = now) throws -> Bool {
        try evaluate(text, subject, now: now).matches
    }

    static func event(_ name: String, _ time: String, _ properties: String = "{}") throws -> SegmentSubject.Event {
        SegmentSubject.Event(name: name, time: Self.time(time), properties: try JSONValue.parse(properties))
    }

    /// A profile in Bangkok with a location, a few numbers, tags, a signup time and consents.
    static let profile = SegmentSubject(
        traits: [
            "province": .string("Bangkok"),
            "age": .number(34),
            "vip": .bool(true),
            "referrer": .null,
            "tags": .array([.string("beauty"), .string("sale"), .number(7)]),
            "location": .object(["state": .string("Bangkok"), "area": .string("10110")]),
            "signed_up_at": .string("2026-05-20T08:00:00Z"),
        ],
        computed: ["order_count": .number(3), "last_order_at": .string("2026-02-01T00:00:00+07:00")],
        consent: ["marketing": true, "analytics": false]
    )
}
