import Foundation
import KinshipCore
import SegmentationService
import Testing

/// `all`, `any` and `not`, and what a definition depends on.
struct SegmentCombinationTests {
    let profile = SegmentFixture.profile
    let yes = #"{"trait": "province", "op": "eq", "value": "Bangkok"}"#
    let no = #"{"trait": "province", "op": "eq", "value": "Phuket"}"#

    @Test func allHoldsWhenEveryConditionDoes() throws {
        #expect(try SegmentFixture.matches(#"{"all": [\#(yes), \#(yes)]}"#, profile))
        #expect(try !SegmentFixture.matches(#"{"all": [\#(yes), \#(no)]}"#, profile))
        #expect(try !SegmentFixture.matches(#"{"all": [\#(no), \#(no)]}"#, profile))
    }

    @Test func anyHoldsWhenOneConditionDoes() throws {
        #expect(try SegmentFixture.matches(#"{"any": [\#(no), \#(yes)]}"#, profile))
        #expect(try !SegmentFixture.matches(#"{"any": [\#(no), \#(no)]}"#, profile))
    }

    @Test func notNegatesIncludingOnAMissingValue() throws {
        #expect(try !SegmentFixture.matches(#"{"not": \#(yes)}"#, profile))
        #expect(try SegmentFixture.matches(#"{"not": \#(no)}"#, profile))
        #expect(try SegmentFixture.matches(#"{"not": {"trait": "missing", "op": "eq", "value": 1}}"#, profile))
        #expect(try SegmentFixture.matches(#"{"not": {"not": \#(yes)}}"#, profile))
    }

    @Test func combinationsNest() throws {
        let text = #"{"all": [\#(yes), {"any": [\#(no), {"not": \#(no)}]}, {"consent": "marketing", "op": "eq", "value": true}]}"#
        #expect(try SegmentFixture.matches(text, profile))
        var refused = profile
        refused.consent["marketing"] = false
        #expect(try !SegmentFixture.matches(text, refused))
    }

    @Test func dependenciesListTopLevelTraitsComputedTraitsConsentAndEvents() throws {
        let definition = try SegmentFixture.definition(#"""
        {"all": [
            {"trait": "location.state", "op": "eq", "value": "Bangkok"},
            {"any": [{"trait": "age", "op": "gt", "value": 30}, {"not": {"computed": "nps_category", "op": "eq", "value": "detractor"}}]},
            {"consent": "marketing", "op": "eq", "value": true},
            {"event": "Order Completed", "where": [{"property": "category", "op": "eq", "value": "Beauty"}], "within_days": 90},
            {"not": {"event": "Checkout Started", "aggregate": "last", "op": "within_days", "value": 1}},
            {"trait": "location.city", "op": "exists", "value": true}
        ]}
        """#)
        #expect(definition.dependencies == SegmentDependencies(
            traits: ["location", "age"], computed: ["nps_category"], consent: ["marketing"],
            events: ["Order Completed", "Checkout Started"], readsTime: true
        ))
        let timeless = try SegmentFixture.definition(#"{"any": [{"event": "Order Completed", "aggregate": "last", "op": "gt", "value": "2026-01-01T00:00:00Z"}, {"trait": "seen_at", "op": "gt", "value": "2026-01-01T00:00:00Z"}]}"#)
        #expect(!timeless.dependencies.readsTime, "fixed times never change with time")
    }

    @Test func theParsedTreeIsTheConditionsAsWritten() throws {
        let definition = try SegmentFixture.definition(#"""
        {"any": [
            {"trait": "location.state", "op": "between", "value": ["A", "C"]},
            {"event": "Order Completed", "where": [{"property": "total", "op": "gte", "value": 500}],
             "within_days": 30, "aggregate": "sum", "property": "total", "op": "gt", "value": 5000}
        ]}
        """#)
        #expect(definition.root == .any([
            .field(FieldCondition(
                field: FieldReference(source: .trait, path: ["location", "state"]),
                comparison: .between(low: .string("A"), high: .string("C"))
            )),
            .event(EventCondition(
                eventName: "Order Completed",
                filters: [PropertyFilter(path: ["total"], comparison: .ordered(.greaterOrEqual, .number(500)))],
                withinDays: 30, aggregate: .sum(property: ["total"]), comparison: .ordered(.greater, .number(5000))
            )),
        ]))
    }
}
