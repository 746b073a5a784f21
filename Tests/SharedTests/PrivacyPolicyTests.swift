import Foundation
import KinshipCore
import KinshipPrivacy
import Testing

/// A workspace's privacy policy: which consent category each kind of message needs, and what it refuses.
struct PrivacyPolicyTests {
    @Test func theDefaultsPutEmailsUnderMarketingViewsUnderAnalyticsAndRecordsUnderNecessary() {
        let policy = PrivacyPolicy.standard
        #expect(policy.category(type: "track", event: "Email Opened") == "marketing")
        #expect(policy.category(type: "track", event: "Campaign Viewed") == "marketing")
        #expect(policy.category(type: "track", event: "Product Viewed") == "analytics")
        #expect(policy.category(type: "track", event: "Survey Responded") == "analytics")
        // The shop's books and the person's own opt-out are kept whatever was refused.
        for event in ["Order Completed", "Order Refunded", "Ticket Opened", "Subscription Started", "Signed Up", "Unsubscribed"] {
            #expect(policy.category(type: "track", event: event) == "necessary", "\(event)")
        }
        #expect(policy.category(type: "page", event: nil) == "analytics")
        #expect(policy.category(type: "screen", event: nil) == "analytics")
        for type in ["identify", "alias", "group"] { #expect(policy.category(type: type, event: nil) == "necessary") }
        #expect(policy.category(type: "track", event: "Consent Preference Updated") == "necessary")
    }

    @Test func aWorkspaceMapsItsOwnEventsAndTypesAndKeysLeftOutKeepTheirDefaults() throws {
        let policy = try JSONCoding.decode(
            PrivacyPolicy.self,
            from: Data(#"{"eventCategories": {"Coupon Sent": "marketing", "Email Opened": "analytics"}, "messageTypeCategories": {"track": "personalization"}}"#.utf8)
        )
        #expect(policy.consentCategories == PrivacyPolicy.standardCategories)
        #expect(policy.category(type: "track", event: "Coupon Sent") == "marketing")
        #expect(policy.category(type: "track", event: "Email Opened") == "analytics")
        #expect(policy.category(type: "track", event: "Product Viewed") == "personalization")
        #expect(policy.category(type: "track", event: "Order Completed") == "necessary", "a default's named event keeps its category")
        #expect(policy.category(type: "page", event: nil) == "analytics")
        #expect(try policy.validated() == policy)
    }

    @Test func aPolicyThatCannotBeUsedIsRefusedNamingTheField() throws {
        let refusals: [(String, String)] = [
            (#"{"consentCategories": ["analytics"]}"#, "necessary"),
            (#"{"consentCategories": ["necessary", "Marketing!"]}"#, "consentCategories"),
            (#"{"consentCategories": ["necessary", "ads", "ads"]}"#, "twice"),
            (#"{"eventCategories": {"Coupon Sent": "ads"}}"#, "eventCategories.Coupon Sent"),
            (#"{"eventCategories": {"Consent Preference Updated": "marketing"}}"#, "always necessary"),
            (#"{"messageTypeCategories": {"identify": "marketing"}}"#, "messageTypeCategories"),
            (#"{"classification": {"sensitive": ["--"]}}"#, "classification.sensitive"),
        ]
        for (json, named) in refusals {
            let policy = try JSONCoding.decode(PrivacyPolicy.self, from: Data(json.utf8))
            let error = try #require(throws: KinshipError.self) { try policy.validated() }
            #expect(error.code == .invalidPrivacyPolicy && error.status == .badRequest)
            #expect(error.message.contains(named), "\(json): \(error.message)")
        }
    }
}
