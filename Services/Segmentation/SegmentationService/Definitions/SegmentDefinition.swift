import Foundation
import KinshipCore
import KinshipPrivacy

/// A segment's condition tree, parsed and validated once from its JSON and then trusted (docs/segments.md).
public struct SegmentDefinition: Sendable, Hashable {
    /// The deepest a condition may sit: the root is level 1, a child of `all`, `any` or `not` one deeper,
    /// and an event condition's `where` entries one deeper than it.
    public static let maximumDepth = 16
    /// The most conditions a definition may hold, `where` entries included.
    public static let maximumNodes = 500
    /// The longest `within_days`, `before_days_ago` or event window, in days (100 years).
    public static let maximumDays = 36_500

    public let root: SegmentCondition

    public init(root: SegmentCondition) {
        self.root = root
    }

    /// Parses a definition, refusing anything it cannot use with a `KinshipError` of code
    /// `invalid_segment_definition` whose message points at the offending node, a comparison on a trait
    /// sealed at rest included (only `exists` can be tested on one). `traitSealing`: what seals the
    /// workspace's profile traits (its privacy policy's classification).
    public init(json: JSONValue, traitSealing: PersonalData = .standard) throws {
        var parser = SegmentDefinitionParser(traitSealing: traitSealing)
        self.root = try parser.condition(json, at: .root, depth: 1)
    }

    /// A definition as `segments` keeps it, checked when it was saved. A condition on a sealed trait is read
    /// back rather than refused: a saved segment holding one (it matches no one on it) still loads, so
    /// the segments beside it keep being evaluated.
    init(saved json: JSONValue) throws {
        var parser = SegmentDefinitionParser(traitSealing: nil)
        self.root = try parser.condition(json, at: .root, depth: 1)
    }

    /// Whether `subject` is in the segment at `now`, and when time alone could next change that.
    public func evaluate(_ subject: SegmentSubject, now: Date) -> SegmentEvaluation {
        root.evaluate(subject, now: now)
    }
}
