/// What is true of one person, as the platform should conclude it; the `truth` document lists them.
public struct PersonTruth: Sendable {
    public struct Order: Sendable {
        public let orderId: String
        public let at: Int64
        /// web, app or pos.
        public let channel: String
        public let totalSatang: Int
        public var refundedSatang = 0
        public var cancelled = false
    }

    public struct Ticket: Sendable {
        public let ticketId: String
        public let openedAt: Int64
        public var resolvedAt: Int64?
        public let channel: String
        public let category: String
        public let priority: String
    }

    /// `P` and the person's number in the shop: stable for a seed, and never sent to the platform.
    public let person: String
    public let userId: String?
    public let name: String
    public let gender: String
    public let birthday: String
    public let province: String
    public let incomeBand: String
    public let occupation: String
    public let signedUpAt: Int64?
    /// Normalised as identity stores them: trimmed and lower-cased.
    public var emails: [String] = []
    /// E.164.
    public var phone: String?
    /// Devices only this person used.
    public var anonymousIds: [String] = []
    /// The family computer shared with another person of the household, if any: it can belong to only one
    /// of their profiles, whichever signed in on it first.
    public var sharedAnonymousId: String?
    public var storeOnly = false
    public var subscriptionPlan: String?
    /// The person's choices, and whether the platform was told them (a `Consent Preference Updated`).
    public var consent: [(category: String, granted: Bool)] = []
    public var consentRecorded = false

    public var orders: [Order] = []
    public var carts = 0
    public var abandonedCarts = 0
    public var abandonedCartSatang = 0
    /// The time of the latest `Product Added` or `Checkout Started` sent: with the orders, what decides
    /// whether a cart is open (and abandoned) at a given moment.
    public var lastCartEventAt: Int64?
    public var sessions = 0
    public var emailsDelivered = 0, emailsOpened = 0, emailsClicked = 0, emailsBounced = 0
    public var unsubscribed = false
    public var surveys = 0
    public var latestNps: (score: Int, at: Int64)?
    public var reviews = 0
    public var reviewRatingSum = 0
    public var tickets: [Ticket] = []
    /// Messages stored for this person (each message once, however often it was sent).
    public var messages = 0

    /// Orders that stand (not cancelled), and their revenue net of refunds.
    public var orderCount: Int { orders.count { !$0.cancelled } }
    public var revenueSatang: Int { orders.reduce(0) { $0 + ($1.cancelled ? 0 : $1.totalSatang - $1.refundedSatang) } }

    init(
        person: String, userId: String?, name: String, gender: String, birthday: String, province: String,
        incomeBand: String, occupation: String, signedUpAt: Int64?
    ) {
        self.person = person
        self.userId = userId
        self.name = name
        self.gender = gender
        self.birthday = birthday
        self.province = province
        self.incomeBand = incomeBand
        self.occupation = occupation
        self.signedUpAt = signedUpAt
    }

    func write(to json: inout JSONBuilder) {
        json.openObject()
        json.field("person", person)
        json.fieldOrNull("userId", userId)
        json.field("name", name)
        json.field("gender", gender)
        json.field("birthday", birthday)
        json.field("province", province)
        json.field("incomeBand", incomeBand)
        json.field("occupation", occupation)
        json.time("signedUpAt", signedUpAt)
        json.openArray("emails")
        for email in emails { json.string(email) }
        json.closeArray()
        json.fieldOrNull("phone", phone)
        json.openArray("anonymousIds")
        for id in anonymousIds { json.string(id) }
        json.closeArray()
        json.fieldOrNull("sharedAnonymousId", sharedAnonymousId)
        json.field("storeOnly", storeOnly)
        json.fieldOrNull("subscriptionPlan", subscriptionPlan)
        json.openObject("consent")
        for choice in consent { json.key(choice.category); json.raw(choice.granted ? "true" : "false") }
        json.closeObject()
        json.field("consentRecorded", consentRecorded)

        json.openArray("orders")
        for order in orders {
            json.openObject()
            json.field("orderId", order.orderId)
            json.time("at", order.at)
            json.field("channel", order.channel)
            json.money("total", satang: order.totalSatang)
            json.money("refunded", satang: order.refundedSatang)
            json.field("cancelled", order.cancelled)
            json.closeObject()
        }
        json.closeArray()
        let standing = orders.filter { !$0.cancelled }
        json.field("orderCount", standing.count)
        json.money("revenue", satang: revenueSatang)
        json.money("averageOrderValue", satang: standing.isEmpty ? 0 : revenueSatang / standing.count)
        json.time("firstOrderAt", standing.first?.at)
        json.time("lastOrderAt", standing.last?.at)
        json.field("carts", carts)
        json.field("abandonedCarts", abandonedCarts)
        json.money("abandonedCartValue", satang: abandonedCartSatang)
        json.time("lastCartEventAt", lastCartEventAt)
        json.field("sessions", sessions)
        json.openObject("email")
        json.field("delivered", emailsDelivered)
        json.field("opened", emailsOpened)
        json.field("clicked", emailsClicked)
        json.field("bounced", emailsBounced)
        json.field("unsubscribed", unsubscribed)
        json.closeObject()
        json.field("surveys", surveys)
        json.key("latestNps")
        if let latestNps {
            json.openObject()
            json.field("score", latestNps.score)
            json.time("at", latestNps.at)
            json.closeObject()
        } else {
            json.raw("null")
        }
        json.field("reviews", reviews)
        json.field("reviewRatingSum", reviewRatingSum)
        json.openArray("tickets")
        for ticket in tickets {
            json.openObject()
            json.field("ticketId", ticket.ticketId)
            json.time("openedAt", ticket.openedAt)
            json.time("resolvedAt", ticket.resolvedAt)
            json.field("channel", ticket.channel)
            json.field("category", ticket.category)
            json.field("priority", ticket.priority)
            json.closeObject()
        }
        json.closeArray()
        json.field("messages", messages)
        json.closeObject()
    }
}
