import Foundation
import KinshipCore
import KinshipPrivacy
import KinshipTestSupport
import Testing
@testable import ReportingService

struct DemographicsReportTests {
    @Test func groupsTheActiveProfilesByAgeGroupAndTraitsWithWhatTheyBought() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let a = try await shop.profile(traits: ["gender": "female", "state": "Bangkok"])
            let b = try await shop.profile(traits: ["gender": "female", "state": "Chiang Mai"])
            let c = try await shop.profile(traits: ["gender": "male", "state": "Bangkok"])
            let d = try await shop.profile()
            let e = try await shop.profile(traits: ["gender": "female", "state": "Bangkok"])
            try await shop.computed(a, ["age_group": "25-34"])
            try await shop.computed(b, ["age_group": "25-34"])
            try await shop.computed(d, ["age_group": "45-54"])
            try await shop.computed(e, ["age_group": "25-34"])
            try await shop.track("Order Completed", of: a, at: "2026-03-02T10:00:00.000Z", ["order_id": "A1", "total": 1000])
            try await shop.page(of: b, at: "2026-03-03T10:00:00.000Z")
            try await shop.track("Order Completed", of: c, at: "2026-03-04T10:00:00.000Z", ["order_id": "C1", "total": 100])
            try await shop.track("Order Completed", of: c, at: "2026-03-05T10:00:00.000Z", ["order_id": "C2", "total": 50])
            try await shop.track("Order Refunded", of: c, at: "2026-03-06T10:00:00.000Z", ["order_id": "C2", "total": 20])
            try await shop.track("Order Completed", of: d, at: "2026-03-04T10:00:00.000Z", ["order_id": "D1", "total": 70])
            try await shop.track("Order Cancelled", of: d, at: "2026-03-04T11:00:00.000Z", ["order_id": "D1"])
            try await shop.page(of: e, at: "2026-02-20T10:00:00.000Z")  // not active in the period
            let other = try await ReportFixture(database: database)
            try await other.page(of: try await other.profile(traits: ["gender": "female"]), at: "2026-03-02T10:00:00.000Z")

            let period = ReportFixture.period("2026-03-01T00:00:00.000Z", "2026-03-08T00:00:00.000Z")
            let report = try await shop.run { connection in
                try await DemographicsReport.run(period, traits: ["gender", "state"], workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            typealias Group = DemographicsReportView.Group
            #expect(report.dimensions.map(\.name) == ["age_group", "gender", "state"])
            #expect(report.dimensions[0].groups == [
                Group(value: "25-34", profiles: 2, buyers: 1, orders: 1, revenue: 1000),
                Group(value: "(none)", profiles: 1, buyers: 1, orders: 2, revenue: 130),
                Group(value: "45-54", profiles: 1, buyers: 0, orders: 0, revenue: 0),
            ])
            #expect(report.dimensions[1].groups == [
                Group(value: "female", profiles: 2, buyers: 1, orders: 1, revenue: 1000),
                Group(value: "(none)", profiles: 1, buyers: 0, orders: 0, revenue: 0),
                Group(value: "male", profiles: 1, buyers: 1, orders: 2, revenue: 130),
            ])
            #expect(report.dimensions[2].groups == [
                Group(value: "Bangkok", profiles: 2, buyers: 2, orders: 3, revenue: 1130),
                Group(value: "(none)", profiles: 1, buyers: 0, orders: 0, revenue: 0),
                Group(value: "Chiang Mai", profiles: 1, buyers: 0, orders: 0, revenue: 0),
            ])
            #expect(report.table.rows.first == ["age_group", "25-34", "2", "1", "1", "1000.00", "0.5"])
            let json = String(decoding: try JSONCoding.encoder().encode(report.dimensions[2].groups[0]), as: UTF8.self)
            #expect(json == #"{"buyers":2,"conversionRate":1,"orders":3,"profiles":2,"revenue":1130,"value":"Bangkok"}"#)
        }
    }

    @Test func aSealedTraitIsGroupedByItsValueOpenedHereAndShownToNoOne() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            var profiles: [UUID] = []
            for band in ["30,001–50,000", "30,001–50,000", "50,001+"] {
                let id = UUID()
                let key = DataKey.generate()
                var traits = ProfileTraits()
                _ = traits.apply(["income_band": .string(band), "gender": "female"], at: Date(timeIntervalSince1970: 1_767_225_600), source: "test")
                let stored = try traits.stored(key: key, workspaceID: shop.workspaceID, profileID: id, sealing: SealedFields(key: key, workspaceID: shop.workspaceID))
                #expect(!stored.serialized().contains(band), "income is sealed at rest")
                try await database.query(
                    """
                    INSERT INTO profiles (workspace_id, id, data_key, traits)
                    VALUES (\(shop.workspaceID), \(id), \(try TestKeys.keyring.wrap(key)), \(stored.serialized())::jsonb)
                    """,
                    logger: ReportFixture.logger
                )
                try await shop.page(of: id, at: "2026-03-03T10:00:00.000Z")
                profiles.append(id)
            }
            try await shop.track("Order Completed", of: profiles[2], at: "2026-03-04T10:00:00.000Z", ["order_id": "R1", "total": 500])
            let period = ReportFixture.period("2026-03-01T00:00:00.000Z", "2026-03-08T00:00:00.000Z")
            typealias Group = DemographicsReportView.Group
            let opened = try await shop.run { connection in
                try await DemographicsReport.run(
                    period, traits: ["income_band", "gender"], workspaceID: shop.workspaceID, keyring: TestKeys.keyring, on: connection, logger: ReportFixture.logger
                )
            }
            #expect(opened.dimensions[1].groups == [
                Group(value: "30,001–50,000", profiles: 2, buyers: 0, orders: 0, revenue: 0),
                Group(value: "50,001+", profiles: 1, buyers: 1, orders: 1, revenue: 500),
            ])
            #expect(opened.dimensions[2].groups == [Group(value: "female", profiles: 3, buyers: 1, orders: 1, revenue: 500)])
            let unopened = try await shop.run { connection in
                try await DemographicsReport.run(period, traits: ["income_band"], workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(unopened.dimensions[1].groups == [Group(value: "(sealed)", profiles: 3, buyers: 1, orders: 1, revenue: 500)])
        }
    }
}
