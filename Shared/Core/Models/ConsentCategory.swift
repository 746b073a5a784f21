/// The consent categories every workspace starts with, and which category each kind of message needs by
/// default (a workspace's privacy policy overrides them). In KinshipCore so that the demo shop, which
/// simulates a shop that honours its customers' choices, sends by the same rules ingestion enforces.
public enum ConsentCategory {
    public static let necessary = "necessary"
    public static let analytics = "analytics"
    public static let marketing = "marketing"
    public static let personalization = "personalization"
    public static let standard = [necessary, analytics, marketing, personalization]

    /// The consent event: always `necessary`, or a person could not change their mind.
    public static let consentEvent = "Consent Preference Updated"

    /// Track events that are records of what the person did with the shop rather than observations of
    /// them: the account, orders and their refunds, subscriptions, support tickets, and the person's own
    /// opt-out. Kept whatever the person refused, as a shop keeps its books.
    public static let necessaryEvents: Set<String> = [
        consentEvent, "Signed Up", "Order Completed", "Order Updated", "Order Refunded", "Order Cancelled",
        "Subscription Started", "Subscription Cancelled", "Ticket Opened", "Ticket Resolved", "Unsubscribed",
    ]

    /// E-mail and campaign events: what marketing sends and learns of its messages.
    public static let marketingEvents: Set<String> = [
        "Email Delivered", "Email Opened", "Email Link Clicked", "Email Bounced", "Email Marked as Spam",
    ]

    /// The default category of a message of `type` (and, for a track, `event` name): identify, alias,
    /// group and the events above `necessary`; e-mail (`Email …`) and `Campaign …` events `marketing`;
    /// page and screen views and every other track event `analytics`.
    public static func standardCategory(type: String, event: String?) -> String {
        switch type {
        case "identify", "alias", "group": return necessary
        case "track":
            let name = event ?? ""
            if necessaryEvents.contains(name) { return necessary }
            if marketingEvents.contains(name) || name.hasPrefix("Email ") || name.hasPrefix("Campaign ") { return marketing }
            return analytics
        default: return analytics
        }
    }
}
