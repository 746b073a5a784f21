import Foundation
import Testing
@testable import SegmentationService

/// The group table is total, and docs/computed-traits.md shows the table the code uses.
struct RFMGroupTests {
    @Test func everyScoreFallsInExactlyOneRangeOfTheTable() {
        for recency in 1...5 {
            for frequency in 1...5 {
                for monetary in 1...5 {
                    let matching = RFMGroup.table.filter {
                        $0.recency.contains(recency) && $0.frequencyPlusMonetary.contains(frequency + monetary)
                    }
                    #expect(matching.count == 1, "\(recency)\(frequency)\(monetary) matches \(matching.map(\.group))")
                    #expect(RFMGroup.of(recency: recency, frequency: frequency, monetary: monetary) == matching.first?.group)
                }
            }
        }
        #expect(RFMGroup.everyScore.count == 125)
        #expect(Set(RFMGroup.everyScore.map(\.score)).count == 125)
    }

    @Test func everyGroupOwnsSomeScores() {
        #expect(Set(RFMGroup.everyScore.map(\.group)) == Set(RFMGroup.allCases))
    }

    @Test func wellKnownScoresHaveTheirUsualGroups() {
        #expect(RFMGroup.of(recency: 5, frequency: 5, monetary: 5) == .champions)
        #expect(RFMGroup.of(recency: 5, frequency: 1, monetary: 1) == .new)
        #expect(RFMGroup.of(recency: 1, frequency: 1, monetary: 1) == .lost)
        #expect(RFMGroup.of(recency: 1, frequency: 5, monetary: 5) == .cantLoseThem)
        #expect(RFMGroup.of(recency: 2, frequency: 4, monetary: 4) == .atRisk)
        #expect(RFMGroup.of(recency: 0, frequency: 1, monetary: 1) == nil)
        #expect(RFMGroup.of(recency: 1, frequency: 6, monetary: 1) == nil)
    }

    @Test func theDocsTableIsTheCodesTable() throws {
        let page = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/computed-traits.md")
        let text = try String(contentsOf: page, encoding: .utf8)
        let names = Set(RFMGroup.allCases.map(\.rawValue))
        var documented: [RFMGroup.Range] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 3, names.contains(cells[0]), let group = RFMGroup(rawValue: cells[0]) else { continue }
            let recency = try #require(Self.range(cells[1], scale: 1), "recency \(cells[1])")
            let average = try #require(Self.range(cells[2], scale: 2), "F/M average \(cells[2])")
            documented.append(RFMGroup.Range(group: group, recency: recency, frequencyPlusMonetary: average))
        }
        #expect(documented == RFMGroup.table)
    }

    /// `4–5`, `3.5` or `1.5–2.5`, each end multiplied by `scale` (2 turns an average into a sum).
    static func range(_ text: String, scale: Double) -> ClosedRange<Int>? {
        let ends = text.split(separator: "–").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(ends.count), let low = ends.first!, let high = ends.last! else { return nil }
        let scaled = (low * scale, high * scale)
        guard scaled.0 == scaled.0.rounded(), scaled.1 == scaled.1.rounded(), scaled.0 <= scaled.1 else { return nil }
        return Int(scaled.0)...Int(scaled.1)
    }
}
