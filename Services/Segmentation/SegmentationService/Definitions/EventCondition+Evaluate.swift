import Foundation
import KinshipCore

extension EventCondition {
    /// Aggregates the matching events and compares the result. With a window, an event counts from its time
    /// until `within_days` later, so the set changes when a future event's time comes or a counted event's
    /// window ends: the earliest of those moments bounds the answer's next change.
    func evaluate(_ events: [SegmentSubject.Event], now: Date) -> SegmentEvaluation {
        let window = withinDays.map(Comparison.seconds)
        var matching: [SegmentSubject.Event] = []
        var windowChange: Date?
        for event in events where event.name == eventName && filters.allSatisfy({ $0.matches(event) }) {
            if let window {
                if event.time > now {
                    windowChange = Swift.min(windowChange ?? event.time, event.time)
                    continue
                }
                let leaves = event.time.addingTimeInterval(window)
                guard leaves > now else { continue }
                windowChange = Swift.min(windowChange ?? leaves, leaves)
            }
            matching.append(event)
        }
        let answer = comparison.evaluate(aggregate.value(of: matching), now: now)
        let changes = [windowChange, answer.nextChange].compactMap { $0 }
        return SegmentEvaluation(matches: answer.matches, nextChange: changes.min())
    }
}

extension PropertyFilter {
    /// Whether the event's property satisfies the filter (filters have no operators relative to now).
    func matches(_ event: SegmentSubject.Event) -> Bool {
        comparison.evaluate(event.properties.value(at: path).map(ComparedValue.json), now: event.time).matches
    }
}

extension EventAggregate {
    /// The aggregate of the matching events, nil when it has no value (`avg` of no numbers, `first` of no events).
    func value(of events: [SegmentSubject.Event]) -> ComparedValue? {
        switch self {
        case .count:
            return .json(.number(Double(events.count)))
        case .sum(let property):
            return .json(.number(Self.numbers(in: events, at: property).reduce(0, +)))
        case .average(let property):
            let numbers = Self.numbers(in: events, at: property)
            guard !numbers.isEmpty else { return nil }
            return .json(.number(numbers.reduce(0, +) / Double(numbers.count)))
        case .first(let property):
            // The earliest time; among events of one time, the first listed.
            guard let event = events.min(by: { $0.time < $1.time }) else { return nil }
            return Self.value(of: event, at: property)
        case .last(let property):
            // The latest time; among events of one time, the last listed.
            guard let event = events.reversed().max(by: { $0.time < $1.time }) else { return nil }
            return Self.value(of: event, at: property)
        }
    }

    private static func numbers(in events: [SegmentSubject.Event], at path: [String]) -> [Double] {
        events.compactMap { $0.properties.value(at: path)?.numberValue }
    }

    private static func value(of event: SegmentSubject.Event, at property: [String]?) -> ComparedValue? {
        guard let property else { return .time(event.time) }
        return event.properties.value(at: property).map(ComparedValue.json)
    }
}
