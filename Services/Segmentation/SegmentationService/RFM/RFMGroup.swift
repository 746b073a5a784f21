/// The named customer group an RFM score falls in (Champions, At Risk, …), read from recency and the
/// average of frequency and monetary.
///
/// The table follows the widely used R × F/M-average segment table (Putler's "RFM segments"), whose ranges
/// overlap; here each range is narrowed so that every one of the 125 scores falls in exactly one group.
/// `docs/computed-traits.md` shows `RFMGroup.table`, and a test holds the two equal.
public enum RFMGroup: String, CaseIterable, Sendable {
    case champions = "Champions"
    case loyal = "Loyal"
    case potentialLoyalist = "Potential Loyalist"
    case new = "New"
    case promising = "Promising"
    case needAttention = "Need Attention"
    case aboutToSleep = "About to Sleep"
    case atRisk = "At Risk"
    case cantLoseThem = "Can't Lose Them"
    case hibernating = "Hibernating"
    case lost = "Lost"

    /// One rectangle of the table: recency scores and sums of frequency and monetary scores, both inclusive.
    /// The sum is kept instead of the average so that the ranges stay whole numbers (the average 2.5 is the sum 5).
    public struct Range: Sendable, Equatable {
        public let group: RFMGroup
        public let recency: ClosedRange<Int>
        public let frequencyPlusMonetary: ClosedRange<Int>
    }

    /// The table, in the order the docs show it; a group may own several rectangles.
    public static let table: [Range] = [
        Range(group: .champions, recency: 4...5, frequencyPlusMonetary: 8...10),
        Range(group: .loyal, recency: 4...5, frequencyPlusMonetary: 6...7),
        Range(group: .loyal, recency: 3...3, frequencyPlusMonetary: 7...10),
        Range(group: .potentialLoyalist, recency: 4...5, frequencyPlusMonetary: 3...5),
        Range(group: .new, recency: 5...5, frequencyPlusMonetary: 2...2),
        Range(group: .promising, recency: 3...4, frequencyPlusMonetary: 2...2),
        Range(group: .needAttention, recency: 3...3, frequencyPlusMonetary: 5...6),
        Range(group: .aboutToSleep, recency: 3...3, frequencyPlusMonetary: 3...4),
        Range(group: .aboutToSleep, recency: 2...2, frequencyPlusMonetary: 4...5),
        Range(group: .atRisk, recency: 2...2, frequencyPlusMonetary: 6...10),
        Range(group: .atRisk, recency: 1...1, frequencyPlusMonetary: 6...7),
        Range(group: .cantLoseThem, recency: 1...1, frequencyPlusMonetary: 8...10),
        Range(group: .hibernating, recency: 2...2, frequencyPlusMonetary: 2...3),
        Range(group: .hibernating, recency: 1...1, frequencyPlusMonetary: 3...5),
        Range(group: .lost, recency: 1...1, frequencyPlusMonetary: 2...2),
    ]

    /// The group of scores each 1–5; nil when a score is out of range.
    public static func of(recency: Int, frequency: Int, monetary: Int) -> RFMGroup? {
        guard (1...5).contains(recency), (1...5).contains(frequency), (1...5).contains(monetary) else { return nil }
        return table.first { $0.recency.contains(recency) && $0.frequencyPlusMonetary.contains(frequency + monetary) }?.group
    }

    /// Every score as its three digits (`"545"`) with its group: what the scoring statement looks groups up in.
    public static var everyScore: [(score: String, group: RFMGroup)] {
        var scores: [(score: String, group: RFMGroup)] = []
        for recency in 1...5 {
            for frequency in 1...5 {
                for monetary in 1...5 {
                    if let group = of(recency: recency, frequency: frequency, monetary: monetary) {
                        scores.append(("\(recency)\(frequency)\(monetary)", group))
                    }
                }
            }
        }
        return scores
    }
}
