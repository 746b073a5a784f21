import Foundation
import KinshipCore
import KinshipTestSupport
import PostgresNIO
import PropertyBased
import Testing
@testable import SegmentationService

/// The dependency index must never leave an answer stale: after random histories evaluated step by step
/// (each evaluation answering only the segments whose inputs changed), a full recompute in SQL finds
/// nothing to change.
struct SegmentIndexAgreementTests {
    static let definitions: [(String, String, String?)] = [
        ("gold plan", #"{"trait": "plan", "op": "eq", "value": "gold"}"#, nil),
        ("two orders", #"{"computed": "order_count", "op": "gte", "value": 2}"#, nil),
        ("ordered this week", #"{"event": "Order Completed", "within_days": 7}"#, nil),
        ("big spender", #"{"event": "Order Completed", "aggregate": "sum", "property": "total", "op": "gt", "value": 1000}"#, nil),
        ("ticket, no order", #"{"all": [{"event": "Ticket Opened"}, {"not": {"event": "Order Completed"}}]}"#, nil),
        ("viewer to mail", #"{"event": "Product Viewed", "op": "gte", "value": 2}"#, "marketing"),
        ("marketing refused", #"{"consent": "marketing", "op": "eq", "value": false}"#, nil),
        ("quiet for a day", #"{"computed": "last_seen_at", "op": "before_days_ago", "value": 1}"#, nil),
    ]

    @Test func stepByStepAnswersEqualAFullRecompute() async throws {
        try await TestDatabase.withClient { database in
            var random = Xoshiro(seed: (0x1D3_0001, 0x1D3_0002, 0x1D3_0003, 0x1D3_0004))
            let shop = try await EvaluatorFixture(database: database)
            let start = Date()
            var segments: [StoredSegment] = []
            for (name, definition, consent) in Self.definitions {
                segments.append(try await shop.createSegment(name, definition, requiredConsent: consent, now: start))
            }
            let people = try await (0..<6).asyncMap { _ in try await shop.profile() }
            var now = start + 1
            for step in 0..<40 {
                let person = people[Int(random.next() % UInt64(people.count))]
                let at = now - Double(random.next() % 10) * 86_400 / 4   // some events late, by up to two days
                switch random.next() % 6 {
                case 0: try await shop.track("Order Completed", of: person, at: at, properties: ["order_id": .string("o-\(step)"), "total": .number(Double(random.next() % 900))])
                case 1: try await shop.track("Product Viewed", of: person, at: at, properties: ["product_id": "p-1"])
                case 2: try await shop.track("Ticket Opened", of: person, at: at, properties: ["ticket_id": .string("t-\(step)")])
                case 3:
                    let granted = random.next() % 2 == 0
                    try await shop.track("Consent Preference Updated", of: person, at: at, properties: ["categoryPreferences": .object(["marketing": .bool(granted)])])
                case 4: try await shop.setTrait("plan", random.next() % 2 == 0 ? "gold" : "silver", of: person)
                default: break   // time passes alone
                }
                now += Double(random.next() % 3) * 43_200   // up to a day between evaluations
                try await shop.evaluate([person], now: now)
                let due = try await shop.dueProfiles(at: now)
                if !due.isEmpty { try await shop.evaluate(due, now: now) }
            }
            try await shop.evaluate(Set(people), now: now)
            for segment in segments {
                let outcome = try await database.transaction(logger: TestDatabase.logger) { connection in
                    try await SegmentRecompute.run(segment, in: shop.workspace.id, now: now, on: connection, logger: TestDatabase.logger)
                }
                #expect(outcome.entered == 0 && outcome.exited == 0, "\(segment.name): the recompute changed \(outcome)")
            }
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
