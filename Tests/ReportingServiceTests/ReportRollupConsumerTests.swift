import Foundation
import KinshipCore
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import KinshipOutbox
@testable import ReportingService

/// Reporting's worker keeping `report_events` from `events`, `resolutions` and `profiles` messages, each batch
/// in a transaction as the outbox consumer runs it.
struct ReportRollupConsumerTests {
    static let week = ReportFixture.period("2026-03-01T00:00:00.000Z", "2026-03-08T00:00:00.000Z")

    @Test func storedEventsAreRolledUpWithTheValuesTheReportsRead() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let ann = try await shop.profile()
            let stored = [
                try await shop.track("Order Completed", of: ann, at: "2026-03-02T10:00:00.000Z", ["order_id": "O1", "total": 1250.75], rolledUp: false),
                try await shop.track("Order Refunded", of: ann, at: "2026-03-03T10:00:00.000Z", ["total": 100], rolledUp: false),
                try await shop.track("Checkout Started", of: ann, at: "2026-03-02T09:00:00.000Z", [
                    "products": .array([["price": 100.5, "quantity": 2], ["price": 10]]),
                ], rolledUp: false),
                try await shop.track("Product Added", of: ann, at: "2026-03-02T08:00:00.000Z", ["price": 99.99, "quantity": 3], rolledUp: false),
                try await shop.page(of: ann, at: "2026-03-02T07:00:00.000Z", campaign: ["source": "google", "medium": "cpc"], rolledUp: false),
                try await shop.page(of: nil, at: "2026-03-02T07:30:00.000Z", campaign: ["medium": "cpc"], rolledUp: false),
                try await shop.track("Email Opened", of: nil, at: "2026-03-02T06:00:00.000Z", ["campaign_id": "C1", "campaign_name": "Songkran"], rolledUp: false),
                try await shop.track("Survey Responded", of: ann, at: "2026-03-02T05:00:00.000Z", ["nps_score": 9], rolledUp: false),
                try await shop.track("Survey Responded", of: ann, at: "2026-03-02T05:01:00.000Z", ["nps_score": "9"], rolledUp: false),
                try await shop.track("Ticket Opened", of: ann, at: "2026-03-02T04:00:00.000Z", ["ticket_id": "T1", "category": "billing"], rolledUp: false),
            ]
            try await Self.handle([Self.eventsMessage(stored, in: shop.workspaceID)], on: database)

            let rows = try await Self.rows(of: shop, on: database)
            #expect(rows.count == stored.count)
            #expect(rows[stored[0].messageId]?.orderKey == "order:O1")
            #expect(rows[stored[0].messageId]?.satang == 125075)
            #expect(rows[stored[1].messageId]?.orderKey == "message:\(stored[1].messageId)")
            #expect(rows[stored[1].messageId]?.satang == 10000)
            #expect(rows[stored[2].messageId]?.satang == 2 * 10050 + 1000)
            #expect(rows[stored[3].messageId]?.satang == 3 * 9999)
            #expect(rows[stored[4].messageId]?.campaign == "google/cpc")
            #expect(rows[stored[5].messageId]?.campaign == nil, "no campaign without a source")
            #expect(rows[stored[6].messageId]?.emailCampaign == "C1")
            #expect(rows[stored[7].messageId]?.nps == 9)
            #expect(rows[stored[8].messageId]?.nps == nil, "a score sent as text is no response")
            #expect(rows[stored[9].messageId]?.ticket == "T1")
            #expect(rows[stored[4].messageId]?.profile == ann, "already resolved when its events message came")
            #expect(rows[stored[5].messageId]?.profile == nil)
        }
    }

    @Test func handlingTheSameMessagesAgainOrAResolutionBeforeItsEventChangesNothing() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let ben = try await shop.profile()
            let seen = try await shop.page(of: nil, at: "2026-03-02T07:00:00.000Z", rolledUp: false)
            let events = Self.eventsMessage([seen], in: shop.workspaceID)
            try await Self.handle([events], on: database)
            #expect(try await Self.rows(of: shop, on: database)[seen.messageId]?.profile == nil)

            // Identity resolves it; its resolution comes, then the events message again (a redelivery).
            try await Self.resolve(seen, to: ben, in: shop, on: database)
            let resolution = Self.resolutionsMessages([(seen, ben)], in: shop.workspaceID)
            try await Self.handle(resolution, on: database)
            try await Self.handle([events, events], on: database)
            try await Self.handle(resolution, on: database)
            let rows = try await Self.rows(of: shop, on: database)
            #expect(rows.count == 1)
            #expect(rows[seen.messageId]?.profile == ben)
        }
    }

    @Test func aMergeRepointsTheMergedProfilesRowsAndTheReportsCountThePersonOnce() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let (cat, dan) = (try await shop.profile(), try await shop.profile())
            let first = try await shop.page(of: cat, at: "2026-03-02T07:00:00.000Z", rolledUp: false)
            let second = try await shop.track("Order Completed", of: dan, at: "2026-03-03T07:00:00.000Z", ["total": 10], rolledUp: false)
            try await Self.handle(Self.resolutionsMessages([(first, cat), (second, dan)], in: shop.workspaceID), on: database)
            let before = try await shop.run { try await OverviewReport.run(Self.week, workspaceID: shop.workspaceID, on: $0, logger: ReportFixture.logger) }
            #expect(before.activeProfiles.current == 2)

            // Identity merges Dan into Cat: it moves the rows in `event_profiles` and says so on `profiles`.
            try await database.query(
                "UPDATE event_profiles SET profile_id = \(cat) WHERE workspace_id = \(shop.workspaceID) AND profile_id = \(dan)",
                logger: ReportFixture.logger
            )
            let merged = ProfileChange(kind: .merged, profileId: cat.lowercased, mergedProfileId: dan.lowercased)
            try await Self.handle([Self.message(.profiles, try JSONCoding.encoder().encode(merged), in: shop.workspaceID)], on: database)

            let rows = try await Self.rows(of: shop, on: database)
            #expect(rows[second.messageId]?.profile == cat)
            let after = try await shop.run { try await OverviewReport.run(Self.week, workspaceID: shop.workspaceID, on: $0, logger: ReportFixture.logger) }
            #expect(after.activeProfiles.current == 1)
            #expect(after.conversionRate.current == 1.0)
        }
    }

    @Test func theRollupHoldsWhatTheRawTablesSayForEveryEvent() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let eve = try await shop.profile()
            for day in 1...5 {
                try await shop.page(of: day % 2 == 0 ? eve : nil, at: "2026-03-0\(day)T07:00:00.000Z", campaign: ["source": "line"])
                try await shop.track("Order Completed", of: eve, at: "2026-03-0\(day)T08:00:00.000Z", ["order_id": .string("O\(day)"), "total": .number(Double(day * 100))])
            }
            // Raw events counted straight from `events` and `event_profiles`, as the reports read them before rollups.
            let raw = try await database.query(
                """
                SELECT count(*), count(ep.profile_id), count(*) FILTER (WHERE e.event = 'Order Completed')
                FROM events e LEFT JOIN event_profiles ep
                    ON ep.workspace_id = e.workspace_id AND ep.received_at = e.received_at AND ep.message_id = e.message_id
                WHERE e.workspace_id = \(shop.workspaceID)
                """,
                logger: ReportFixture.logger
            ).collect()[0].decode((Int, Int, Int).self)
            let rolled = try await database.query(
                """
                SELECT count(*), count(profile_id), count(*) FILTER (WHERE event = 'Order Completed') FROM report_events
                WHERE workspace_id = \(shop.workspaceID)
                """,
                logger: ReportFixture.logger
            ).collect()[0].decode((Int, Int, Int).self)
            #expect(raw == (10, 7, 5) && rolled == raw)
            let report = try await shop.run { try await OverviewReport.run(Self.week, workspaceID: shop.workspaceID, on: $0, logger: ReportFixture.logger) }
            #expect(report.revenue.current == 1500)
            #expect(report.events.current == 10)
        }
    }

    // MARK: - Messages as the outbox delivers them

    struct Row {
        var profile: UUID?
        var orderKey: String?
        var satang: Int?
        var campaign: String?
        var emailCampaign: String?
        var nps: Double?
        var ticket: String?
    }

    static func rows(of shop: ReportFixture, on database: PostgresClient) async throws -> [String: Row] {
        var rows: [String: Row] = [:]
        for try await (id, profile, order, satang, campaign, email, nps, ticket) in try await database.query(
            """
            SELECT message_id, profile_id, order_key, value_satang, campaign, email_campaign, nps_score::float8, ticket_id
            FROM report_events WHERE workspace_id = \(shop.workspaceID)
            """,
            logger: ReportFixture.logger
        ).decode((String, UUID?, String?, Int?, String?, String?, Double?, String?).self) {
            rows[id] = Row(profile: profile, orderKey: order, satang: satang, campaign: campaign, emailCampaign: email, nps: nps, ticket: ticket)
        }
        return rows
    }

    static func handle(_ messages: [OutboxMessage], on database: PostgresClient) async throws {
        let consumer = ReportRollupConsumer(logger: ReportFixture.logger)
        _ = try await database.transaction(logger: ReportFixture.logger) { connection in try await consumer.handle(messages, on: connection) }
    }

    static func resolve(_ event: EventReference, to profile: UUID, in shop: ReportFixture, on database: PostgresClient) async throws {
        try await database.query(
            """
            INSERT INTO event_profiles (workspace_id, received_at, message_id, profile_id, event_time)
            SELECT workspace_id, received_at, message_id, \(profile), event_time FROM events
            WHERE workspace_id = \(shop.workspaceID) AND received_at = \(event.receivedAt)::timestamptz AND message_id = \(event.messageId)
            """,
            logger: ReportFixture.logger
        )
    }

    static func eventsMessage(_ events: [EventReference], in workspaceID: UUID) -> OutboxMessage {
        message(.events, Data(EventReference.messagePayload(joining: events.map(\.payload)).utf8), in: workspaceID)
    }

    static func resolutionsMessages(_ resolved: [(EventReference, UUID)], in workspaceID: UUID) -> [OutboxMessage] {
        let list = resolved.map { EventResolution(messageId: $0.0.messageId, receivedAt: $0.0.receivedAt, profileId: $0.1) }
        return EventResolution.messages(list).map { message(.resolutions, Data($0.payload.utf8), in: workspaceID) }
    }

    static func message(_ topic: OutboxTopic, _ payload: Data, in workspaceID: UUID) -> OutboxMessage {
        OutboxMessage(
            id: 1, topic: topic.name, partition: 0, workspaceID: workspaceID, key: "", payload: String(decoding: payload, as: UTF8.self), createdAt: Date()
        )
    }
}
