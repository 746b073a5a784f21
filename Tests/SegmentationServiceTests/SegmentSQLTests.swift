import Foundation
import KinshipCore
import KinshipTestSupport
import SegmentationService
import Testing

/// The compiled SQL of each operator and aggregate against real rows, the expected members worked out by hand.
struct SegmentSQLTests {
    static let now = SegmentFixture.now
    static func daysAgo(_ days: Double) -> Date { now.addingTimeInterval(-days * 86_400) }

    static let ann = StoredProfile(
        traits: [
            "plan": .string("gold"), "age": .number(34), "title": .string("Zed"),
            "tags": .array([.string("beauty"), .string("sale"), .number(7)]),
            "location": .object(["state": .string("Bangkok")]),
            "signed_up_at": .string("2026-05-20T15:00:00+07:00"),
        ],
        computed: ["order_count": .number(3), "last_order_at": .string("2026-05-25T12:00:00.000Z")],
        consent: ["marketing": .bool(true)],
        events: [
            .init(name: "Order Completed", time: daysAgo(1), properties: .object(["total": .number(3000), "category": .string("Beauty")])),
            .init(name: "Order Completed", time: daysAgo(10), properties: .object(["total": .number(2500), "category": .string("Beauty")])),
            .init(name: "Viewed", time: daysAgo(2)),
        ]
    )
    static let bob = StoredProfile(
        traits: ["age": .string("34"), "plan": .null, "title": .string("alice"), "location": .object(["state": .string("Chiang Mai")])],
        computed: ["order_count": .number(0)],
        consent: ["marketing": .bool(false)],
        events: [
            .init(name: "Order Completed", time: daysAgo(7), properties: .object(["total": .string("big")])),
            .init(type: "page", name: "Order Completed", time: daysAgo(1)),
        ]
    )
    static let cy = StoredProfile()
    static let mergedAway: StoredProfile = {
        var profile = ann
        profile.id = UUID()
        profile.mergedAway = true
        return profile
    }()

    static let cases: [(definition: String, members: [String])] = [
        (#"{"trait": "plan", "op": "eq", "value": "gold"}"#, ["ann"]),
        (#"{"trait": "plan", "op": "neq", "value": "gold"}"#, ["bob", "cy"]),
        (#"{"trait": "age", "op": "gt", "value": 30}"#, ["ann"]),
        (#"{"trait": "age", "op": "eq", "value": 34.0}"#, ["ann"]),
        (#"{"trait": "title", "op": "lt", "value": "a"}"#, ["ann"]),
        (#"{"trait": "tags", "op": "contains", "value": "sale"}"#, ["ann"]),
        (#"{"trait": "tags", "op": "contains", "value": 7}"#, ["ann"]),
        (#"{"trait": "title", "op": "contains", "value": "lic"}"#, ["bob"]),
        (#"{"trait": "location.state", "op": "in", "value": ["Bangkok", "Nonthaburi"]}"#, ["ann"]),
        (#"{"trait": "plan", "op": "exists", "value": false}"#, ["bob", "cy"]),
        (#"{"trait": "plan", "op": "exists", "value": true}"#, ["ann"]),
        (#"{"trait": "signed_up_at", "op": "eq", "value": "2026-05-20T08:00:00Z"}"#, ["ann"]),
        (#"{"trait": "signed_up_at", "op": "within_days", "value": 12}"#, []),
        (#"{"trait": "signed_up_at", "op": "within_days", "value": 13}"#, ["ann"]),
        (#"{"computed": "last_order_at", "op": "before_days_ago", "value": 7}"#, ["ann"]),
        (#"{"computed": "last_order_at", "op": "before_days_ago", "value": 8}"#, []),
        (#"{"computed": "order_count", "op": "between", "value": [0, 2]}"#, ["bob"]),
        (#"{"consent": "marketing", "op": "eq", "value": false}"#, ["bob"]),
        (#"{"not": {"consent": "marketing", "op": "eq", "value": false}}"#, ["ann", "cy"]),
        (#"{"event": "Order Completed"}"#, ["ann", "bob"]),
        (#"{"event": "Order Completed", "within_days": 7}"#, ["ann"]),
        (#"{"event": "Order Completed", "within_days": 8}"#, ["ann", "bob"]),
        (#"{"event": "Order Completed", "where": [{"property": "category", "op": "eq", "value": "Beauty"}], "within_days": 90, "aggregate": "sum", "property": "total", "op": "gt", "value": 5000}"#, ["ann"]),
        (#"{"event": "Order Completed", "aggregate": "sum", "property": "total", "op": "eq", "value": 0}"#, ["bob", "cy"]),
        (#"{"event": "Order Completed", "aggregate": "avg", "property": "total", "op": "eq", "value": 2750}"#, ["ann"]),
        (#"{"event": "Order Completed", "aggregate": "avg", "property": "total", "op": "exists", "value": false}"#, ["bob", "cy"]),
        (#"{"event": "Order Completed", "aggregate": "count", "op": "eq", "value": 0}"#, ["cy"]),
        (#"{"event": "Order Completed", "aggregate": "last", "op": "within_days", "value": 2}"#, ["ann"]),
        (#"{"event": "Order Completed", "aggregate": "first", "property": "total", "op": "eq", "value": 2500}"#, ["ann"]),
        (#"{"event": "Order Completed", "aggregate": "first", "op": "before_days_ago", "value": 7}"#, ["ann", "bob"]),
        (#"{"any": [{"trait": "plan", "op": "eq", "value": "gold"}, {"computed": "order_count", "op": "lt", "value": 1}]}"#, ["ann", "bob"]),
        (#"{"all": [{"trait": "plan", "op": "eq", "value": "gold"}, {"computed": "order_count", "op": "lt", "value": 1}]}"#, []),
    ]

    @Test func eachOperatorAndAggregateSelectsTheProfilesWorkedOutByHand() async throws {
        try await TestDatabase.withClient { client in
            let fixture = try await SegmentSQLFixture(client: client, profiles: [Self.ann, Self.bob, Self.cy, Self.mergedAway])
            let names = [Self.ann.id: "ann", Self.bob.id: "bob", Self.cy.id: "cy", Self.mergedAway.id: "merged"]
            for (text, members) in Self.cases {
                let definition = try SegmentFixture.definition(text)
                let selected = try await fixture.members(definition, now: Self.now)
                #expect(Set(selected.map { names[$0]! }) == Set(members), "\(text)")
            }
        }
    }

    @Test func aRequiredConsentLeavesOutWhoRefusedIt() async throws {
        try await TestDatabase.withClient { client in
            let fixture = try await SegmentSQLFixture(client: client, profiles: [Self.ann, Self.bob, Self.cy])
            let definition = try SegmentFixture.definition(#"{"trait": "plan", "op": "neq", "value": "silver"}"#)
            let selected = try await fixture.members(definition, requiredConsent: "marketing", now: Self.now)
            #expect(selected == [Self.ann.id, Self.cy.id])
        }
    }

    /// Spellings at the edges of what `Timestamp.parse` reads; the SQL parser must read each to the same moment or refuse it too.
    static let spellings = [
        "2026-11-03T08:15:00.000Z", "2026-05-20T15:00:00+07:00", "2026-05-20 08:00:00z", "2026-05-20t08:00:00,25Z",
        "2026-05-20T08:00:00+0730", "2026-05-20T08:00:00+07:3", "2026-05-20T08:00:00+07:", "2026-05-20T08:00:00-05",
        "2026-05-20T08:00:00.5", "2026-06-30T23:59:60Z", "0000-02-29T00:00:00Z", "2024-02-29T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-05-20T24:00:00Z",
        "2026-05-20T08:60:00Z", "2026-05-20T08:00:61Z", "2026-05-20T08:00:00+24:00", "2026-05-20T08:00:00+07:60",
        "2026-05-20T08:00:00.Z", "2026-05-20T08:00:00+07:305", "2026-5-20T08:00:00Z", "2026-05-20", "2026-05-20T08:00Z",
        "yesterday", "", " 2026-05-20T08:00:00Z", "2026-05-20T08:00:00Z ", "2026-05-20T08:00:00ZZ", "٢٠٢٦-05-20T08:00:00Z",
    ]

    @Test func theSQLTimestampParserReadsExactlyWhatTimestampParseReads() async throws {
        try await TestDatabase.withClient { client in
            for text in Self.spellings {
                let rows = try await client.query("SELECT kinship_segment_time(\(text))", logger: TestDatabase.logger)
                var parsed: Date?
                for try await time in rows.decode(Date?.self) { parsed = time }
                let expected = Timestamp.parse(text)
                #expect((parsed == nil) == (expected == nil), "\(text)")
                if let parsed, let expected {
                    #expect(abs(parsed.timeIntervalSince(expected)) < 0.000_001, "\(text)")
                }
            }
        }
    }

    @Test func valuesOnlyEverTravelAsBindParameters() {
        let definition = try! SegmentFixture.definition(#"{"trait": "it's", "op": "eq", "value": "'; DROP TABLE profiles; --"}"#)
        let query = SegmentSQL.members(of: definition, workspaceID: UUID(), requiredConsent: "marketing", now: Self.now)
        #expect(!query.sql.contains("DROP"))
        #expect(!query.sql.contains("it's"))
        #expect(query.binds.count == 4)
    }
}
