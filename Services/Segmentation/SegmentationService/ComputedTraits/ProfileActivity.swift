import Foundation
import KinshipCore

/// The computed traits of one profile kept as a fold over its events: `apply` each event once, in any
/// order, then read `traits(now:)`. docs/computed-traits.md defines every trait.
///
/// Every part of the state is a commutative summary (counts, sums, maxima, records keyed by order or ticket
/// id), so the answer does not depend on the order the events arrived in, and `merge` of two states equals
/// one state that was given both sets of events. Memory per profile is bounded by the number of orders,
/// tickets and distinct devices, browsers and channels, plus the page views of the last 30 days and the
/// views that came with a campaign, plus the message ids seen (kept to apply a retried message once).
public struct ProfileActivity: Sendable {
    /// How long after a `Product Added` or `Checkout Started` an order must come for the cart not to be
    /// abandoned.
    public var abandonmentWindow: TimeInterval

    var seenMessageIds: Set<String> = []
    var orders: [String: OrderRecord] = [:]
    /// Cart events after the latest `Order Completed`: the open cart.
    var openCart: [CartEntry] = []
    /// Page and screen views no older than 30 days before the latest one.
    var pageViews: [PageView] = []
    var latestPageViewAt: Int64?
    /// Every view that came with a campaign (time, `source/medium`), whatever its age: which campaign
    /// brought each order. Campaign-tagged views are a small part of a person's views.
    var campaignTouches: [CampaignTouch] = []

    var emailsDelivered = 0, emailsOpened = 0, emailsClicked = 0, emailsBounced = 0
    var unsubscribed = false
    var lastSeenAt: Int64?
    var deviceTypes = Tally(), browsers = Tally(), systems = Tally()

    /// The latest `Survey Responded` (time, message id, score).
    var latestSurvey: (at: Int64, messageId: String, score: Double)?
    var surveyCount = 0
    var reviewCount = 0
    var reviewRatingSum = 0.0

    var tickets: [String: TicketRecord] = [:]

    /// How far back page views are kept: the 30 days the engagement traits look at.
    static let viewHorizon: Int64 = 30 * 86_400_000

    public init(abandonmentWindow: TimeInterval = 24 * 3600) {
        self.abandonmentWindow = abandonmentWindow
    }

    /// Folds one event in; an event whose message id was already applied changes nothing.
    public mutating func apply(_ event: ActivityEvent) {
        guard seenMessageIds.insert(event.messageId).inserted else { return }
        let at = event.milliseconds
        noteDevice(event)
        switch event.type {
        case .page, .screen:
            seen(at)
            let campaign = Self.campaign(of: event.context)
            addPageView(PageView(at: at, device: event.anonymousId ?? "", campaign: campaign))
            if let campaign { campaignTouches.append(CampaignTouch(at: at, campaign: campaign)) }
        case .identify:
            seen(at)
        case .track:
            applyTrack(event, at: at)
        }
    }

    private mutating func applyTrack(_ event: ActivityEvent, at: Int64) {
        let properties = event.properties
        let name = event.event ?? ""
        if name != "Email Delivered", name != "Email Bounced" { seen(at) }
        switch name {
        case "Order Completed":
            let completion = OrderRecord.Completion(
                messageId: event.messageId, at: at, totalSatang: Satang.of(properties["total"]) ?? 0,
                channel: properties["channel"]?.stringValue, categoryUnits: Self.categoryUnits(properties["products"])
            )
            orders[orderKey(event), default: OrderRecord()].complete(completion)
            closeCart(at: at)
        case "Order Cancelled":
            orders[orderKey(event), default: OrderRecord()].cancelled = true
        case "Order Refunded":
            let refunded = orders[orderKey(event), default: OrderRecord()].refundedSatang
            orders[orderKey(event), default: OrderRecord()].refundedSatang = Satang.add(refunded, max(0, Satang.of(properties["total"]) ?? 0))
        case "Product Added", "Checkout Started":
            addToCart(event, at: at)
        case "Email Delivered": emailsDelivered += 1
        case "Email Opened": emailsOpened += 1
        case "Email Link Clicked": emailsClicked += 1
        case "Email Bounced": emailsBounced += 1
        case "Unsubscribed": unsubscribed = true
        case "Survey Responded":
            surveyCount += 1
            if let score = properties["nps_score"]?.numberValue,
               latestSurvey.map({ ($0.at, $0.messageId) < (at, event.messageId) }) ?? true {
                latestSurvey = (at, event.messageId, score)
            }
        case "Product Reviewed":
            if let rating = properties["rating"]?.numberValue {
                reviewCount += 1
                reviewRatingSum += rating
            }
        case "Ticket Opened":
            guard let id = properties["ticket_id"]?.stringValue else { break }
            tickets[id, default: TicketRecord()].open(TicketRecord.Opening(
                messageId: event.messageId, at: at, category: properties["category"]?.stringValue,
                channel: properties["channel"]?.stringValue
            ))
        case "Ticket Resolved":
            guard let id = properties["ticket_id"]?.stringValue else { break }
            tickets[id, default: TicketRecord()].resolve(at: at)
        default:
            break
        }
    }

    /// An order without an `order_id` is its own order, keyed by its message id.
    private func orderKey(_ event: ActivityEvent) -> String {
        event.properties["order_id"]?.stringValue.map { "order:" + $0 } ?? "message:" + event.messageId
    }

    mutating func seen(_ at: Int64) {
        lastSeenAt = max(lastSeenAt ?? at, at)
    }

    /// The latest `Order Completed` of any order, cancelled or not: it closes the cart.
    var latestOrderAt: Int64? {
        orders.values.compactMap { $0.completion?.at }.max()
    }

    private mutating func addToCart(_ event: ActivityEvent, at: Int64) {
        if let closed = latestOrderAt, at <= closed { return }
        let isCheckout = event.event == "Checkout Started"
        let value: Int
        if isCheckout, let stated = Satang.of(event.properties["value"]) {
            value = stated
        } else if isCheckout {
            value = Self.lineValues(event.properties["products"]?.arrayValue ?? [])
        } else {
            value = Self.lineValues([event.properties])
        }
        openCart.append(CartEntry(messageId: event.messageId, at: at, isCheckout: isCheckout, valueSatang: value))
    }

    mutating func closeCart(at: Int64) {
        openCart.removeAll { $0.at <= at }
    }

    mutating func addPageView(_ view: PageView) {
        let latest = max(latestPageViewAt ?? view.at, view.at)
        let moved = latest != latestPageViewAt
        latestPageViewAt = latest
        guard view.at > latest - Self.viewHorizon else { return }
        pageViews.append(view)
        if moved { pageViews.removeAll { $0.at <= latest - Self.viewHorizon } }
    }

    private mutating func noteDevice(_ event: ActivityEvent) {
        guard let context = event.context else { return }
        let agent = context["userAgent"]?.stringValue.map(UserAgent.init)
        if let type = context["device"]?["type"]?.stringValue {
            deviceTypes.add(type == "ios" || type == "android" ? "mobile" : type)
        } else if let agent {
            deviceTypes.add(agent.deviceType)
        }
        if let browser = agent?.browser { browsers.add(browser) }
        if let os = context["os"]?["name"]?.stringValue ?? agent?.os { systems.add(os) }
    }

    static func campaign(of context: JSONValue?) -> String? {
        guard let campaign = context?["campaign"],
              let source = campaign["source"]?.stringValue, !source.isEmpty
        else { return nil }
        let medium = campaign["medium"]?.stringValue ?? ""
        return medium.isEmpty ? source : source + "/" + medium
    }

    static func categoryUnits(_ products: JSONValue?) -> [String: Int] {
        var units: [String: Int] = [:]
        for product in products?.arrayValue ?? [] {
            guard let category = product["category"]?.stringValue else { continue }
            units[category, default: 0] = Satang.add(units[category, default: 0], Satang.quantity(product["quantity"]))
        }
        return units
    }

    static func lineValues(_ lines: [JSONValue]) -> Int {
        // At most 1e11 satang times 10,000 units: a line cannot overflow; the sum saturates.
        lines.reduce(0) { Satang.add($0, (Satang.of($1["price"]) ?? 0) * Satang.quantity($1["quantity"])) }
    }
}
