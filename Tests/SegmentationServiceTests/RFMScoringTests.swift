import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipTestSupport
import Logging
import PostgresNIO
import Testing
@testable import SegmentationService

/// `RFMScoring` against the test cluster, each test in workspaces of its own.
struct RFMScoringTests {
    /// A profile of the fixture: its traits as the worker would have written them.
    struct Customer {
        var id = UUID()
        var daysSinceLastOrder: Int?
        var orders: Int
        var revenue: Double
        var mergedAway = false
        var extra: [String: String] = [:]  // raw JSON values by key, written as they are

        init(daysAgo: Int?, orders: Int, revenue: Double, mergedAway: Bool = false) {
            self.daysSinceLastOrder = daysAgo
            self.orders = orders
            self.revenue = revenue
            self.mergedAway = mergedAway
        }

        /// The `computed` object, with `last_order_at` at noon UTC that many days before a fixed day.
        var computed: String {
            var fields = ["\"order_count\": \(orders)", "\"revenue\": \(revenue)"]
            if let days = daysSinceLastOrder {
                let when = Date(timeIntervalSince1970: 1_795_000_000 - Double(days) * 86_400)
                fields.append("\"last_order_at\": \"\(Timestamp.format(when))\"")
            }
            fields += extra.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }
            return "{" + fields.joined(separator: ", ") + "}"
        }
    }

    /// A fresh workspace holding the customers (a `profiles` row each, and a `segment_profiles` row).
    static func workspace(_ database: PostgresClient, _ customers: [Customer]) async throws -> UUID {
        let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
        let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("rfm"), actor: "test").id
        for customer in customers {
            let mergedInto: UUID? = customer.mergedAway ? UUID() : nil
            try await database.query(
                "INSERT INTO profiles (workspace_id, id, data_key, merged_into) VALUES (\(workspace), \(customer.id), '\\x00'::bytea, \(mergedInto))",
                logger: TestDatabase.logger
            )
            try await database.query(
                "INSERT INTO segment_profiles (workspace_id, profile_id, computed) VALUES (\(workspace), \(customer.id), \(customer.computed)::jsonb)",
                logger: TestDatabase.logger
            )
        }
        return workspace
    }

    /// What a profile holds after scoring: its RFM keys (nil when absent), and whether it was made due.
    struct Stored: Equatable, CustomStringConvertible {
        var recency: Int?, frequency: Int?, monetary: Int?
        var score: String?, group: String?
        var due: Bool
        var description: String { "\(score ?? "-") \(group ?? "-") due=\(due)" }
    }

    static func stored(_ database: PostgresClient, _ workspace: UUID, _ profile: UUID) async throws -> Stored {
        let rows = try await database.query(
            """
            SELECT (computed ->> 'rfm_recency')::int, (computed ->> 'rfm_frequency')::int, (computed ->> 'rfm_monetary')::int,
                   computed ->> 'rfm_score', computed ->> 'rfm_group', next_check IS NOT NULL
            FROM segment_profiles WHERE workspace_id = \(workspace) AND profile_id = \(profile)
            """,
            logger: TestDatabase.logger
        ).decode((Int?, Int?, Int?, String?, String?, Bool).self).collectAll()
        let row = try #require(rows.first)
        return Stored(recency: row.0, frequency: row.1, monetary: row.2, score: row.3, group: row.4, due: row.5)
    }

    static func scored(_ score: String, _ group: String) -> Stored {
        let digits = score.map { Int(String($0))! }
        return Stored(recency: digits[0], frequency: digits[1], monetary: digits[2], score: score, group: group, due: true)
    }

    static let unscored = Stored(recency: nil, frequency: nil, monetary: nil, score: nil, group: nil, due: false)

    /// Five customers, each first in a different place of each order, so each quintile holds one of them.
    static func five() -> [Customer] {
        [
            Customer(daysAgo: 1, orders: 9, revenue: 5000),  // R5 F5 M5
            Customer(daysAgo: 2, orders: 1, revenue: 50),  // R4 F1 M1
            Customer(daysAgo: 10, orders: 3, revenue: 800),  // R3 F3 M3
            Customer(daysAgo: 100, orders: 5, revenue: 2000),  // R2 F4 M4
            Customer(daysAgo: 400, orders: 2, revenue: 100.5),  // R1 F2 M2
        ]
    }

    static let fiveExpected: [Stored] = [
        scored("555", "Champions"), scored("411", "Promising"), scored("333", "Need Attention"),
        scored("244", "At Risk"), scored("122", "Hibernating"),
    ]

    @Test func eachProfileGetsItsQuintileOfEachValueAndTheGroupOfItsScore() async throws {
        try await TestDatabase.withClient { database in
            let customers = Self.five()
            let workspace = try await Self.workspace(database, customers)
            let changed = try await RFMScoring(database: database, logger: TestDatabase.logger).score(workspace: workspace)
            #expect(changed == 5)
            for (customer, expected) in zip(customers, Self.fiveExpected) {
                let actual = try await Self.stored(database, workspace, customer.id)
                #expect(actual == expected)
            }
        }
    }

    @Test func equalValuesGetEqualScoresAtTheTopOfTheirRun() async throws {
        try await TestDatabase.withClient { database in
            // Recency: two at 30 days (2 of 4 at most as recent: ⌈5·2/4⌉ = 3), then 20 days (⌈5·3/4⌉ = 4), 5 days (5).
            // Frequency: three with 1 order (⌈5·3/4⌉ = 4), one with 2 (5). Monetary: all equal, so all 5.
            let customers = [
                Customer(daysAgo: 30, orders: 1, revenue: 100),
                Customer(daysAgo: 30, orders: 1, revenue: 100),
                Customer(daysAgo: 20, orders: 1, revenue: 100),
                Customer(daysAgo: 5, orders: 2, revenue: 100),
            ]
            let workspace = try await Self.workspace(database, customers)
            try await RFMScoring(database: database, logger: TestDatabase.logger).score(workspace: workspace)
            let expected = [
                Self.scored("345", "Loyal"), Self.scored("345", "Loyal"), Self.scored("445", "Champions"), Self.scored("555", "Champions"),
            ]
            for (customer, expected) in zip(customers, expected) {
                let actual = try await Self.stored(database, workspace, customer.id)
                #expect(actual == expected)
            }
        }
    }

    @Test func profilesWithoutOrdersLoseTheirScoresAndKeepTheirOtherTraits() async throws {
        try await TestDatabase.withClient { database in
            var refunded = Customer(daysAgo: nil, orders: 0, revenue: 0)
            refunded.extra = [
                "rfm_recency": "3", "rfm_frequency": "3", "rfm_monetary": "3", "rfm_score": "\"333\"",
                "rfm_group": "\"Need Attention\"", "emails_delivered": "4",
            ]
            var neverScored = Customer(daysAgo: nil, orders: 0, revenue: 0)
            neverScored.extra = ["emails_delivered": "1"]
            let buyer = Customer(daysAgo: 3, orders: 1, revenue: 10)
            let workspace = try await Self.workspace(database, [refunded, neverScored, buyer])
            let changed = try await RFMScoring(database: database, logger: TestDatabase.logger).score(workspace: workspace)
            #expect(changed == 2)
            var lostScores = Self.unscored
            lostScores.due = true
            #expect(try await Self.stored(database, workspace, refunded.id) == lostScores)
            #expect(try await Self.stored(database, workspace, neverScored.id) == Self.unscored)
            #expect(try await Self.stored(database, workspace, buyer.id) == Self.scored("555", "Champions"))
            let kept = try await database.query(
                "SELECT computed FROM segment_profiles WHERE workspace_id = \(workspace) AND profile_id = \(refunded.id)",
                logger: TestDatabase.logger
            ).decode(String.self).collectAll()
            let traits = try JSONCoding.decode([String: JSONValue].self, from: Data(try #require(kept.first).utf8))
            #expect(Set(traits.keys) == ["order_count", "revenue", "emails_delivered"])
        }
    }

    @Test func mergedAwayProfilesAreNotScoredAndDoNotShiftTheQuintiles() async throws {
        try await TestDatabase.withClient { database in
            let customers = Self.five()
            // Would be the most recent, most frequent and biggest, pushing everyone else down a place.
            var merged = Customer(daysAgo: 0, orders: 50, revenue: 90_000, mergedAway: true)
            merged.extra = ["rfm_score": "\"555\""]
            let workspace = try await Self.workspace(database, customers + [merged])
            let changed = try await RFMScoring(database: database, logger: TestDatabase.logger).score(workspace: workspace)
            #expect(changed == 6)  // the five scored, and the merged-away one's stale key removed
            for (customer, expected) in zip(customers, Self.fiveExpected) {
                let actual = try await Self.stored(database, workspace, customer.id)
                #expect(actual == expected)
            }
            var stale = Self.unscored
            stale.due = true
            #expect(try await Self.stored(database, workspace, merged.id) == stale)
        }
    }

    @Test func anotherWorkspacesProfilesNeitherShiftTheScoresNorAreTouched() async throws {
        try await TestDatabase.withClient { database in
            let customers = Self.five()
            let workspace = try await Self.workspace(database, customers)
            let others = [Customer(daysAgo: 0, orders: 50, revenue: 90_000), Customer(daysAgo: 3, orders: 1, revenue: 1)]
            let other = try await Self.workspace(database, others)
            try await RFMScoring(database: database, logger: TestDatabase.logger).score(workspace: workspace)
            for (customer, expected) in zip(customers, Self.fiveExpected) {
                let actual = try await Self.stored(database, workspace, customer.id)
                #expect(actual == expected)
            }
            for customer in others {
                #expect(try await Self.stored(database, other, customer.id) == Self.unscored)
            }
        }
    }

    @Test func onlyProfilesWhoseScoresChangedAreMadeDue() async throws {
        try await TestDatabase.withClient { database in
            let customers = Self.five()
            let workspace = try await Self.workspace(database, customers)
            let scoring = RFMScoring(database: database, logger: TestDatabase.logger)
            #expect(try await scoring.score(workspace: workspace) == 5)
            try await database.query("UPDATE segment_profiles SET next_check = NULL WHERE workspace_id = \(workspace)", logger: TestDatabase.logger)
            #expect(try await scoring.score(workspace: workspace) == 0)
            // The last customer's revenue falls below the second's: their monetary scores swap (1 ↔ 2).
            try await database.query(
                """
                UPDATE segment_profiles SET computed = computed || '{"revenue": 10}'::jsonb
                WHERE workspace_id = \(workspace) AND profile_id = \(customers[4].id)
                """,
                logger: TestDatabase.logger
            )
            #expect(try await scoring.score(workspace: workspace) == 2)
            var expected = Self.fiveExpected.map { stored -> Stored in
                var stored = stored
                stored.due = false
                return stored
            }
            expected[1] = Self.scored("412", "Potential Loyalist")
            expected[4] = Self.scored("121", "Hibernating")
            for (customer, expected) in zip(customers, expected) {
                let actual = try await Self.stored(database, workspace, customer.id)
                #expect(actual == expected)
            }
        }
    }

    @Test func theRefresherScoresEveryWorkspace() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { database in
                let first = try await Self.workspace(database, Self.five())
                let secondCustomers = [Customer(daysAgo: 1, orders: 1, revenue: 1)]
                let second = try await Self.workspace(database, secondCustomers)
                let refresher = RFMRefresher(database: database, logger: TestDatabase.logger, interval: .seconds(600))
                #expect(try await refresher.refreshOnce() == 6)
                #expect(try await refresher.refreshOnce() == 0)
                #expect(try await Self.stored(database, second, secondCustomers[0].id) == Self.scored("555", "Champions"))
                let firstScores = try await database.query(
                    "SELECT count(*)::int FROM segment_profiles WHERE workspace_id = \(first) AND computed ? 'rfm_group'",
                    logger: TestDatabase.logger
                ).decode(Int.self).collectAll()
                #expect(firstScores == [5])
            }
        }
    }
}
