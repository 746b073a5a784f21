import Foundation
import KinshipCore
import SegmentationService
import Testing

@Suite struct ComputedTraitsAttitudeTests {
    @Test func theLatestSurveyByTimestampGivesTheScoreEvenWhenAnOlderOneArrivesLate() throws {
        let events = [
            try TraitFixture.track("s2", "Survey Responded", "2026-05-20T10:00:00Z", #"{"nps_score": 6}"#),
            try TraitFixture.track("s1", "Survey Responded", "2026-05-01T10:00:00Z", #"{"nps_score": 10}"#),
        ]
        let traits = TraitFixture.traits(events, now: "2026-06-01T12:00:00Z")
        #expect(traits["nps_score"] == .number(6))
        #expect(traits["nps_category"] == .string("detractor"))
        #expect(traits["survey_count"] == .number(2))
    }

    @Test(arguments: [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter"), (10, "promoter")])
    func npsCategoriesFollowTheScore(score: Int, category: String) throws {
        let events = [try TraitFixture.track("s1", "Survey Responded", "2026-05-20T10:00:00Z", #"{"nps_score": \#(score)}"#)]
        #expect(TraitFixture.traits(events, now: "2026-06-01T12:00:00Z")["nps_category"] == .string(category))
    }

    @Test func reviewRatingsAverage() throws {
        let events = [
            try TraitFixture.track("r1", "Product Reviewed", "2026-05-20T10:00:00Z", #"{"rating": 5}"#),
            try TraitFixture.track("r2", "Product Reviewed", "2026-05-21T10:00:00Z", #"{"rating": 2}"#),
        ]
        let traits = TraitFixture.traits(events, now: "2026-06-01T12:00:00Z")
        #expect(traits["average_review_rating"] == .number(3.5))
        #expect(traits["review_count"] == .number(2))
    }

    @Test func ticketsCountOpenAndResolvedAndTheLastOneIsDescribed() throws {
        let events = [
            try TraitFixture.track("t1", "Ticket Opened", "2026-05-01T10:00:00Z", #"{"ticket_id": "T1", "category": "delivery", "channel": "line"}"#),
            try TraitFixture.track("t2", "Ticket Resolved", "2026-05-01T14:00:00Z", #"{"ticket_id": "T1"}"#),
            // Resolved arrives before it was opened (late event)
            try TraitFixture.track("t4", "Ticket Resolved", "2026-05-10T12:00:00Z", #"{"ticket_id": "T2"}"#),
            try TraitFixture.track("t3", "Ticket Opened", "2026-05-10T10:00:00Z", #"{"ticket_id": "T2", "category": "refund", "channel": "chat"}"#),
            try TraitFixture.track("t5", "Ticket Opened", "2026-05-05T10:00:00Z", #"{"ticket_id": "T3", "category": "payment", "channel": "email"}"#),
        ]
        let traits = TraitFixture.traits(events, now: "2026-06-01T12:00:00Z")
        #expect(traits["tickets_opened"] == .number(3))
        #expect(traits["tickets_resolved"] == .number(2))
        #expect(traits["tickets_open"] == .number(1))
        #expect(traits["average_resolution_hours"] == .number(3))
        #expect(traits["last_ticket_category"] == .string("refund"))
        #expect(traits["last_ticket_channel"] == .string("chat"))
    }

    @Test(arguments: [
        ("2008-06-02", 17, "under 18"), ("2008-06-01", 18, "18-24"), ("2001-06-02", 24, "18-24"), ("2001-06-01", 25, "25-34"),
        ("1961-06-01", 65, "65+"), ("1961-06-02", 64, "55-64"),
    ])
    func ageCountsWholeYearsOnTheLocalDate(birthday: String, age: Int, group: String) throws {
        // 2026-05-31 20:00 UTC is already 1 June in Bangkok.
        let traits = Demographics.traits(birthday: .string(birthday), now: TraitFixture.time("2026-05-31T20:00:00Z"),
                                         timeZone: TimeZone(identifier: "Asia/Bangkok")!)
        #expect(traits["age"] == .number(Double(age)))
        #expect(traits["age_group"] == .string(group))
    }

    @Test func anUnreadableOrFutureBirthdayGivesNoAge() {
        let now = TraitFixture.time("2026-06-01T12:00:00Z")
        #expect(Demographics.traits(birthday: .string("June 1st"), now: now, timeZone: .gmt).isEmpty)
        #expect(Demographics.traits(birthday: .string("2030-01-01"), now: now, timeZone: .gmt).isEmpty)
        #expect(Demographics.traits(birthday: nil, now: now, timeZone: .gmt).isEmpty)
    }
}
