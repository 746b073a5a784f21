import Foundation
import KinshipCore
import KinshipTestSupport
import Testing
@testable import SegmentationService

/// The real-time path on a real database: a profile's events become computed traits, consent facts and
/// memberships, with `segment.entered` / `segment.exited` on the bus.
struct ProfileEvaluatorTests {
    static let day: TimeInterval = 86_400

    @Test func computedTraitsAndConsentFactsComeFromTheProfilesEvents() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let person = try await shop.profile()
            let now = Date()
            try await shop.track("Order Completed", of: person, at: now - 3 * Self.day, properties: ["order_id": "o-1", "total": 1200])
            try await shop.track("Order Completed", of: person, at: now - 2 * Self.day, properties: ["order_id": "o-2", "total": 800])
            try await shop.track("Order Refunded", of: person, at: now - Self.day, properties: ["order_id": "o-2", "total": 300])
            try await shop.track(
                "Product Viewed", of: person, at: now - 2 * Self.day,
                context: ["consent": ["categoryPreferences": ["marketing": true, "analytics": true]]]
            )
            try await shop.track(
                "Consent Preference Updated", of: person, at: now - Self.day,
                properties: ["categoryPreferences": ["marketing": false, "analytics": true]]
            )
            let outcome = try await shop.evaluate([person], now: now)
            #expect(outcome.evaluated == 1)
            let computed = try #require(try await shop.computed(person))
            #expect(computed["order_count"] == .number(2))
            #expect(computed["revenue"] == .number(1700))
            #expect(computed["days_since_last_order"] == .number(2))
            let consent = try await database.query(
                "SELECT consent::text FROM segment_profiles WHERE workspace_id = \(shop.workspace.id) AND profile_id = \(person)",
                logger: TestDatabase.logger
            ).decode(String.self).collectAll().first
            #expect(try JSONValue.parse(consent ?? "") == .object(["marketing": .bool(false), "analytics": .bool(true)]))
            let facts = try await database.query(
                "SELECT count(*)::int FROM consent_facts WHERE workspace_id = \(shop.workspace.id) AND profile_id = \(person)", logger: TestDatabase.logger
            ).decode(Int.self).collectAll().first
            #expect(facts == 4, "two categories from the context, two from the consent event")
            // days_since_last_order grows at the next whole day after the last order.
            let next = try #require(try await shop.nextCheck(person))
            #expect(abs(next.timeIntervalSince(now - 2 * Self.day + 3 * Self.day)) < 1)
        }
    }

    /// A later event's facts are appended to those stored; a late one (dated before others) and a profile's
    /// lost facts have every fact written anew. Either way the stored facts are exactly the events' facts.
    @Test func consentFactsStayExactlyTheEventsFactsAsTheyAreAppendedOrRewritten() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let person = try await shop.profile()
            let now = Date()
            func stored() async throws -> [String] {
                try await database.query(
                    """
                    SELECT category || '=' || granted || '@' || message_id FROM consent_facts
                    WHERE workspace_id = \(shop.workspace.id) AND profile_id = \(person) ORDER BY stated_at, message_id, category
                    """,
                    logger: TestDatabase.logger
                ).decode(String.self).collectAll()
            }
            func consent(_ marketing: Bool, at time: Date, _ id: String) async throws {
                try await shop.track("Product Viewed", of: person, at: time, context: ["consent": ["categoryPreferences": ["marketing": .bool(marketing)]]], messageId: id)
            }
            try await consent(true, at: now - 5 * Self.day, "a")
            try await shop.evaluate([person], now: now)
            #expect(try await stored() == ["marketing=true@a"])
            try await consent(false, at: now - 3 * Self.day, "c")
            try await shop.evaluate([person], now: now)
            #expect(try await stored() == ["marketing=true@a", "marketing=false@c"])
            // Evaluated again with nothing new: nothing changes.
            try await shop.evaluate([person], now: now)
            #expect(try await stored() == ["marketing=true@a", "marketing=false@c"])
            // A late event lands between the two.
            try await consent(true, at: now - 4 * Self.day, "b")
            try await shop.evaluate([person], now: now)
            #expect(try await stored() == ["marketing=true@a", "marketing=true@b", "marketing=false@c"])
            // Facts stored behind the evaluation's back (as by an older release) are replaced, not kept.
            try await database.query(
                "UPDATE segment_profiles SET inputs = inputs - 'consentFacts' WHERE workspace_id = \(shop.workspace.id) AND profile_id = \(person)",
                logger: TestDatabase.logger
            )
            try await database.query(
                "UPDATE consent_facts SET granted = NOT granted WHERE workspace_id = \(shop.workspace.id) AND profile_id = \(person)",
                logger: TestDatabase.logger
            )
            try await shop.evaluate([person], now: now)
            #expect(try await stored() == ["marketing=true@a", "marketing=true@b", "marketing=false@c"])
            let consentInForce = try await database.query(
                "SELECT consent->>'marketing' FROM segment_profiles WHERE workspace_id = \(shop.workspace.id) AND profile_id = \(person)",
                logger: TestDatabase.logger
            ).decode(String?.self).collectAll().first
            #expect(consentInForce == "false")
        }
    }

    @Test func peopleEnterAndLeaveAsTheirEventsArriveWithMessagesOnTheBus() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let person = try await shop.profile()
            let now = Date()
            try await shop.track("Order Completed", of: person, at: now - Self.day, properties: ["order_id": "o-1", "total": 500])
            try await shop.evaluate([person], now: now)
            let repeat_ = try await shop.createSegment("Repeat buyers", #"{"computed": "order_count", "op": "gte", "value": 2}"#)
            #expect(try await shop.members(repeat_).isEmpty)

            try await shop.track("Order Completed", of: person, at: now, properties: ["order_id": "o-2", "total": 700])
            let entered = try await shop.evaluate([person], now: now + 1)
            #expect(entered.entered == 1)
            #expect(try await shop.members(repeat_) == [person])

            try await shop.track("Order Cancelled", of: person, at: now + 2, properties: ["order_id": "o-2"])
            let exited = try await shop.evaluate([person], now: now + 3)
            #expect(exited.exited == 1)
            #expect(try await shop.members(repeat_).isEmpty)

            let told = try await shop.announcements()
            #expect(told.map(\.kind) == [.entered, .exited])
            #expect(told.allSatisfy { $0.profileId == person.lowercased && $0.segmentId == repeat_.id.lowercased && $0.segmentVersion == 1 })
            // Evaluating again changes nothing and says nothing.
            try await shop.evaluate([person], now: now + 4)
            #expect(try await shop.announcements().count == 2)
        }
    }

    @Test func aMergedAwayProfileLeavesItsSegmentsAndItsEventsCountForTheSurvivor() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let (kept, merged) = (try await shop.profile(), try await shop.profile())
            let now = Date()
            try await shop.track("Order Completed", of: kept, at: now - 2 * Self.day, properties: ["order_id": "o-1", "total": 500])
            try await shop.track("Order Completed", of: merged, at: now - Self.day, properties: ["order_id": "o-2", "total": 700])
            try await shop.evaluate([kept, merged], now: now)
            let buyers = try await shop.createSegment("Buyers", #"{"computed": "order_count", "op": "gte", "value": 1}"#)
            let repeat_ = try await shop.createSegment("Repeat buyers", #"{"computed": "order_count", "op": "gte", "value": 2}"#)
            #expect(try await shop.members(buyers) == [kept, merged])

            try await shop.merge(merged, into: kept)
            let outcome = try await shop.evaluate([merged], now: now + 1)
            #expect(outcome.retired == 1 && outcome.evaluated == 1)
            #expect(try await shop.members(buyers) == [kept])
            #expect(try await shop.members(repeat_) == [kept])
            #expect(try await shop.computed(merged) == nil, "the merged-away profile keeps no state")
            #expect(try await shop.computed(kept)?["revenue"] == .number(1200))
        }
    }

    @Test func aSplitGivesEachPartTheTraitsOfItsOwnEvents() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let family = try await shop.profile()
            let now = Date()
            try await shop.track("Order Completed", of: family, at: now - 2 * Self.day, properties: ["order_id": "o-1", "total": 500])
            let hers = try await shop.track("Order Completed", of: family, at: now - Self.day, properties: ["order_id": "o-2", "total": 700])
            try await shop.evaluate([family], now: now)
            let repeat_ = try await shop.createSegment("Repeat buyers", #"{"computed": "order_count", "op": "gte", "value": 2}"#)
            #expect(try await shop.members(repeat_) == [family])

            // Identity splits her event off into a profile of her own (as an unmerge leaves the tables).
            let her = try await shop.profile()
            try await database.query(
                "UPDATE event_profiles SET profile_id = \(her) WHERE workspace_id = \(shop.workspace.id) AND message_id = \(hers)",
                logger: TestDatabase.logger
            )
            try await shop.evaluate([family, her], now: now + 1)
            #expect(try await shop.computed(family)?["revenue"] == .number(500))
            #expect(try await shop.computed(her)?["revenue"] == .number(700))
            #expect(try await shop.members(repeat_).isEmpty)
        }
    }

    @Test func aLateEventCountsAsIfItHadComeInOrder() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let person = try await shop.profile()
            let now = Date()
            try await shop.track("Product Added", of: person, at: now - 3 * Self.day, properties: ["price": 250, "quantity": 2])
            try await shop.evaluate([person], now: now)
            #expect(try await shop.computed(person)?["abandoned_cart"] == .bool(true))
            // The order that closed the cart arrives late (an app that was offline), dated an hour after the addition.
            try await shop.track("Order Completed", of: person, at: now - 3 * Self.day + 3600, properties: ["order_id": "o-1", "total": 500])
            try await shop.evaluate([person], now: now + 1)
            let computed = try #require(try await shop.computed(person))
            #expect(computed["abandoned_cart"] == .bool(false))
            let lastOrder = try #require(computed["last_order_at"]?.stringValue.flatMap(Timestamp.parse))
            #expect(abs(lastOrder.timeIntervalSince(now - 3 * Self.day + 3600)) < 0.002, "times are kept to the millisecond")
        }
    }

    @Test func aRequiredConsentKeepsRefusersOutAndLetsThemInWhenTheyAgree() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let person = try await shop.profile()
            let now = Date()
            try await shop.track("Product Added", of: person, at: now - 2 * Self.day, properties: ["price": 100, "quantity": 1])
            try await shop.track("Consent Preference Updated", of: person, at: now - Self.day, properties: ["categoryPreferences": ["marketing": false]])
            try await shop.evaluate([person], now: now)
            let carts = try await shop.createSegment("Abandoned carts", #"{"computed": "abandoned_cart", "op": "eq", "value": true}"#, requiredConsent: "marketing")
            #expect(try await shop.members(carts).isEmpty)

            try await shop.track("Consent Preference Updated", of: person, at: now, properties: ["categoryPreferences": ["marketing": true]])
            try await shop.evaluate([person], now: now + 1)
            #expect(try await shop.members(carts) == [person])
        }
    }

    @Test func aRefusalReachesEveryIdentifierOfThePersonForIngestionAndIsLiftedByConsent() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let (person, other) = (try await shop.profile(), try await shop.profile())
            let user = try await shop.identifier("user_id", of: person)
            let email = try await shop.identifier("email", of: person)
            try await shop.identifier("user_id", of: other)
            let now = Date()
            try await shop.track("Consent Preference Updated", of: person, at: now - Self.day, properties: ["categoryPreferences": ["marketing": false, "analytics": true]])
            try await shop.track("Product Viewed", of: other, at: now - Self.day)
            try await shop.evaluate([person, other], now: now)
            func key(_ type: String, _ token: Data, _ category: String) -> String { "\(type)/\(token.base64EncodedString())/\(category)" }
            #expect(try await shop.refusals() == [key("user_id", user, "marketing"): true, key("email", email, "marketing"): true])

            // An identifier the person gains later is refused too once the profile is evaluated again.
            let phone = try await shop.identifier("phone", of: person)
            try await shop.track("Product Viewed", of: person, at: now - 100)
            try await shop.evaluate([person], now: now + 1)
            #expect(try await shop.refusals()[key("phone", phone, "marketing")] == true)

            // Giving consent lifts every row (kept as false, so ingestion's incremental reads see it).
            try await shop.track("Consent Preference Updated", of: person, at: now - 50, properties: ["categoryPreferences": ["marketing": true]])
            try await shop.evaluate([person], now: now + 2)
            let lifted = try await shop.refusals()
            #expect(lifted.count == 3 && lifted.values.allSatisfy { !$0 })
        }
    }

    @Test func timeAloneMovesPeopleInAndOutWhenItFallsDue() async throws {
        // Its own database: the due-time pass takes every workspace's due profiles.
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { database in
                let shop = try await EvaluatorFixture(database: database)
                let person = try await shop.profile()
                let now = Date()
                let orderedAt = now - 23 * 3600
                try await shop.track("Order Completed", of: person, at: orderedAt, properties: ["order_id": "o-1", "total": 500])
                try await shop.track("Product Added", of: person, at: now - 3600, properties: ["price": 100, "quantity": 1])
                let recent = try await shop.createSegment("Ordered today", #"{"event": "Order Completed", "within_days": 1}"#, now: now)
                let carts = try await shop.createSegment("Abandoned carts", #"{"computed": "abandoned_cart", "op": "eq", "value": true}"#, now: now)
                try await shop.evaluate([person], now: now)
                #expect(try await shop.members(recent) == [person])
                #expect(try await shop.members(carts).isEmpty)

                let due = DueProfiles(evaluator: shop.evaluator, database: database, logger: TestDatabase.logger)
                // Nothing is due before the order leaves the day's window.
                #expect(try await due.passOnce(now: now) == 0)
                let leaves = orderedAt + Self.day
                #expect(abs((try await shop.nextCheck(person) ?? .distantPast).timeIntervalSince(leaves)) < 0.01)
                #expect(try await due.passOnce(now: leaves + 0.5) == 1)
                #expect(try await shop.members(recent).isEmpty)
                #expect(try await shop.members(carts).isEmpty)

                // The cart is abandoned 24 hours after it was last added to.
                let abandons = now - 3600 + Self.day
                #expect(abs((try await shop.nextCheck(person) ?? .distantPast).timeIntervalSince(abandons)) < 0.01)
                #expect(try await due.passOnce(now: abandons + 0.5) == 1)
                #expect(try await shop.members(carts) == [person])
                #expect(try await shop.announcements().map(\.kind) == [.entered, .exited, .entered])
            }
        }
    }
}
