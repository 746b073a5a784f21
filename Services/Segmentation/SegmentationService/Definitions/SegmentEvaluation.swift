import Foundation

/// A definition's answer for one subject at one moment, and until when time alone leaves it unchanged.
public struct SegmentEvaluation: Sendable, Hashable {
    public let matches: Bool
    /// The first moment at which the answer may differ with nothing but time passing (an event leaving a
    /// window, a timestamp growing old enough); nil when time alone never changes it. The answer holds from
    /// the evaluation's `now` up to, not including, this moment, so re-evaluating here is never too late.
    public let nextChange: Date?

    public init(matches: Bool, nextChange: Date?) {
        self.matches = matches
        self.nextChange = nextChange
    }
}
