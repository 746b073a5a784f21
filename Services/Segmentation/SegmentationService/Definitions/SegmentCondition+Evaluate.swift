import Foundation
import KinshipCore

extension SegmentCondition {
    /// The answer for `subject` at `now`. A combination's answer can change only when a child's does, so its
    /// next change is taken from its children's: the earliest of them when any child's change would flip it,
    /// the latest of the children holding it where all of those must change first.
    func evaluate(_ subject: SegmentSubject, now: Date) -> SegmentEvaluation {
        switch self {
        case .all(let children):
            return Self.combine(children.map { $0.evaluate(subject, now: now) }, all: true)
        case .any(let children):
            return Self.combine(children.map { $0.evaluate(subject, now: now) }, all: false)
        case .not(let child):
            let answer = child.evaluate(subject, now: now)
            return SegmentEvaluation(matches: !answer.matches, nextChange: answer.nextChange)
        case .field(let condition):
            return condition.comparison.evaluate(subject.value(of: condition.field).map(ComparedValue.json), now: now)
        case .event(let condition):
            return condition.evaluate(subject.events, now: now)
        }
    }

    /// `all` (or `any`) of the answers. `all` stays false while any false child does: until the latest of the
    /// false children's changes, never if one of them never changes; it stays true until the first child changes.
    private static func combine(_ answers: [SegmentEvaluation], all: Bool) -> SegmentEvaluation {
        let decisive = answers.filter { $0.matches != all }
        guard !decisive.isEmpty else {
            return SegmentEvaluation(matches: all, nextChange: answers.compactMap(\.nextChange).min())
        }
        let changes = decisive.map(\.nextChange)
        let nextChange = changes.contains { $0 == nil } ? nil : changes.compactMap { $0 }.max()
        return SegmentEvaluation(matches: !all, nextChange: nextChange)
    }
}

extension SegmentSubject {
    /// The value a field reference names, nil when it is missing or null.
    func value(of field: FieldReference) -> JSONValue? {
        switch field.source {
        case .trait: return Self.value(in: traits, at: field.path)
        case .computed: return Self.value(in: computed, at: field.path)
        case .consent: return consent[field.path[0]].map(JSONValue.bool)
        }
    }

    static func value(in object: [String: JSONValue], at path: [String]) -> JSONValue? {
        guard let first = path.first, let top = object[first] else { return nil }
        return top.value(at: path.dropFirst())
    }
}

extension JSONValue {
    /// The value down a path of object keys, nil when a key is missing, a step is not an object, or the value is null.
    func value(at path: some Collection<String>) -> JSONValue? {
        var current = self
        for key in path {
            guard let next = current[key] else { return nil }
            current = next
        }
        if case .null = current { return nil }
        return current
    }
}
