import Foundation
import KinshipCore
import SegmentationService
import Testing

/// Each comparison operator on profile values: when it holds, when it does not, and on a missing value.
struct SegmentOperatorTests {
    let profile = SegmentFixture.profile

    func trait(_ name: String, _ op: String, _ value: String) throws -> Bool {
        try SegmentFixture.matches(#"{"trait": "\#(name)", "op": "\#(op)", "value": \#(value)}"#, profile)
    }

    @Test func eqComparesStringsNumbersBooleansAndTimestampsAsTimes() throws {
        #expect(try trait("province", "eq", #""Bangkok""#))
        #expect(try !trait("province", "eq", #""bangkok""#))
        #expect(try trait("age", "eq", "34"))
        #expect(try trait("age", "eq", "34.0"))
        #expect(try !trait("age", "eq", #""34""#))
        #expect(try trait("vip", "eq", "true"))
        #expect(try !trait("vip", "eq", "false"))
        // The same instant written in Bangkok time.
        #expect(try trait("signed_up_at", "eq", #""2026-05-20T15:00:00+07:00""#))
        #expect(try !trait("missing", "eq", #""Bangkok""#))
        #expect(try !trait("referrer", "eq", #""Bangkok""#))
    }

    @Test func neqHoldsOnAMissingValueAndOnAValueOfAnotherKind() throws {
        #expect(try trait("province", "neq", #""Chiang Mai""#))
        #expect(try !trait("province", "neq", #""Bangkok""#))
        #expect(try trait("age", "neq", #""34""#))
        #expect(try trait("missing", "neq", #""Bangkok""#))
        #expect(try trait("referrer", "neq", #""Bangkok""#))
    }

    @Test func orderedOperatorsCompareNumbersTextAndTimes() throws {
        #expect(try trait("age", "gt", "33"))
        #expect(try !trait("age", "gt", "34"))
        #expect(try trait("age", "gte", "34"))
        #expect(try !trait("age", "gte", "34.5"))
        #expect(try trait("age", "lt", "100"))
        #expect(try !trait("age", "lt", "34"))
        #expect(try trait("age", "lte", "34"))
        #expect(try !trait("age", "lte", "33.9"))
        // Text by bytes: "B" (0x42) sorts before "a" (0x61).
        #expect(try trait("province", "lt", #""a""#))
        #expect(try trait("province", "gt", #""Ayutthaya""#))
        // As times, not as text: 08:00Z is after 14:00+07:00 (07:00Z), though "08" sorts before "14".
        #expect(try trait("signed_up_at", "gt", #""2026-05-20T14:00:00+07:00""#))
        #expect(try !trait("signed_up_at", "lt", #""2026-05-20T14:00:00+07:00""#))
        // Different kinds do not compare.
        #expect(try !trait("age", "gt", #""1""#))
        #expect(try !trait("missing", "gt", "1"))
        #expect(try !trait("missing", "lte", "1"))
    }

    @Test func inMatchesAnyListedValue() throws {
        #expect(try trait("province", "in", #"["Chiang Mai", "Bangkok"]"#))
        #expect(try !trait("province", "in", #"["Chiang Mai", "Phuket"]"#))
        #expect(try trait("age", "in", "[18, 34]"))
        #expect(try !trait("missing", "in", #"["Bangkok"]"#))
    }

    @Test func containsFindsTextInAStringAndAnElementInAnArray() throws {
        #expect(try trait("province", "contains", #""angk""#))
        #expect(try !trait("province", "contains", #""ANGK""#))
        #expect(try trait("tags", "contains", #""sale""#))
        #expect(try trait("tags", "contains", "7"))
        #expect(try !trait("tags", "contains", #""sal""#))
        #expect(try !trait("age", "contains", "3"))
        #expect(try !trait("missing", "contains", #""a""#))
    }

    @Test func existsTellsPresentFromMissingOrNull() throws {
        #expect(try trait("province", "exists", "true"))
        #expect(try !trait("province", "exists", "false"))
        #expect(try !trait("missing", "exists", "true"))
        #expect(try trait("missing", "exists", "false"))
        #expect(try trait("referrer", "exists", "false"))
        #expect(try trait("location.state", "exists", "true"))
        #expect(try trait("location.city", "exists", "false"))
    }

    @Test func betweenIncludesBothBounds() throws {
        #expect(try trait("age", "between", "[34, 40]"))
        #expect(try trait("age", "between", "[30, 34]"))
        #expect(try !trait("age", "between", "[35, 40]"))
        #expect(try trait("signed_up_at", "between", #"["2026-05-01T00:00:00Z", "2026-05-31T00:00:00Z"]"#))
        #expect(try !trait("signed_up_at", "between", #"["2026-05-21T00:00:00Z", "2026-05-31T00:00:00Z"]"#))
        #expect(try !trait("missing", "between", "[0, 100]"))
    }

    @Test func beforeDaysAgoHoldsForATimestampAtLeastThatOld() throws {
        // Signed up 2026-05-20 08:00Z; now is 2026-06-01 12:00Z, 12 days 4 hours later.
        #expect(try trait("signed_up_at", "before_days_ago", "12"))
        #expect(try !trait("signed_up_at", "before_days_ago", "13"))
        #expect(try !trait("province", "before_days_ago", "1"))
        #expect(try !trait("missing", "before_days_ago", "1"))
    }

    @Test func withinDaysHoldsForATimestampInTheLastDays() throws {
        #expect(try trait("signed_up_at", "within_days", "13"))
        #expect(try !trait("signed_up_at", "within_days", "12"))
        #expect(try !trait("missing", "within_days", "30"))
        let future = SegmentSubject(traits: ["renews_at": .string("2026-06-10T00:00:00Z")])
        #expect(try !SegmentFixture.matches(#"{"trait": "renews_at", "op": "within_days", "value": 30}"#, future))
    }

    @Test func dottedTraitNamesReadNestedObjects() throws {
        #expect(try trait("location.state", "eq", #""Bangkok""#))
        #expect(try trait("location.area", "in", #"["10110", "10120"]"#))
        #expect(try !trait("province.state", "eq", #""Bangkok""#))
    }

    @Test func computedTraitsAndConsentCompareLikeTraits() throws {
        let profile = SegmentFixture.profile
        #expect(try SegmentFixture.matches(#"{"computed": "order_count", "op": "gte", "value": 3}"#, profile))
        #expect(try !SegmentFixture.matches(#"{"computed": "order_count", "op": "gt", "value": 3}"#, profile))
        #expect(try SegmentFixture.matches(#"{"computed": "last_order_at", "op": "before_days_ago", "value": 90}"#, profile))
        #expect(try SegmentFixture.matches(#"{"consent": "marketing", "op": "eq", "value": true}"#, profile))
        #expect(try !SegmentFixture.matches(#"{"consent": "analytics", "op": "eq", "value": true}"#, profile))
        #expect(try !SegmentFixture.matches(#"{"consent": "sms", "op": "eq", "value": true}"#, profile))
        #expect(try SegmentFixture.matches(#"{"consent": "sms", "op": "neq", "value": true}"#, profile))
        #expect(try SegmentFixture.matches(#"{"consent": "sms", "op": "exists", "value": false}"#, profile))
    }
}
