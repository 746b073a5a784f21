import Foundation
import KinshipCore

/// The traits as segments read them: snake_case names, numbers, booleans and ISO-8601 times.
extension ProfileActivity {
    /// The computed traits at `now`. A trait with no meaningful value (the average of nothing, the time of
    /// no order) is absent rather than null or zero; counts are always present.
    public func traits(now: Date) -> [String: JSONValue] {
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        var traits: [String: JSONValue] = [:]
        addPurchases(to: &traits, now: nowMs)
        addCart(to: &traits, now: nowMs)
        addEngagement(to: &traits, now: nowMs)
        addAttitude(to: &traits)
        addSupport(to: &traits)
        return traits
    }

    private func addPurchases(to traits: inout [String: JSONValue], now: Int64) {
        let standing = orders.values.filter { $0.standing != nil }
        let revenue = standing.reduce(0) { Satang.add($0, $1.netSatang) }
        traits["order_count"] = .number(Double(standing.count))
        traits["revenue"] = Satang.json(revenue)
        guard !standing.isEmpty else { return }
        traits["average_order_value"] = .number((Double(revenue) / Double(standing.count)).rounded() / 100)
        let times = standing.compactMap { $0.standing?.at }
        if let first = times.min(), let last = times.max() {
            traits["first_order_at"] = Self.time(first)
            traits["last_order_at"] = Self.time(last)
            traits["days_since_last_order"] = .number(Double(Self.floorDivide(now - last, 86_400_000)))
        }
        var categories = Tally(), channels = Tally()
        for order in standing {
            guard let completion = order.standing else { continue }
            for (category, units) in completion.categoryUnits { categories.add(category, units) }
            if let channel = completion.channel { channels.add(channel) }
        }
        if let favourite = categories.top { traits["favourite_category"] = .string(favourite) }
        if let channel = channels.top { traits["purchase_channel"] = .string(channel) }
        if let channel = orderCampaigns(times).top { traits["top_order_channel"] = .string(channel) }
    }

    /// Which campaign brought each order: the latest view with a campaign in the 30 days up to the order
    /// (last touch), else `(direct)`.
    private func orderCampaigns(_ orderTimes: [Int64]) -> Tally {
        var tally = Tally()
        for at in orderTimes {
            let touch = campaignTouches.filter { $0.at <= at && $0.at > at - Self.viewHorizon }
                .max { ($0.at, $1.campaign) < ($1.at, $0.campaign) }
            tally.add(touch?.campaign ?? "(direct)")
        }
        return tally
    }

    private func addCart(to traits: inout [String: JSONValue], now: Int64) {
        guard let last = openCart.max(by: { ($0.at, $0.messageId) < ($1.at, $1.messageId) }) else {
            traits["abandoned_cart"] = .bool(false)
            traits["abandoned_cart_value"] = .number(0)
            return
        }
        let checkout = openCart.filter(\.isCheckout).max { ($0.at, $0.messageId) < ($1.at, $1.messageId) }
        let after = checkout?.at ?? .min
        let additions = openCart.filter { !$0.isCheckout && $0.at > after }
        let value = Satang.add(checkout?.valueSatang ?? 0, additions.reduce(0) { Satang.add($0, $1.valueSatang) })
        let abandoned = Double(now - last.at) >= abandonmentWindow * 1000
        traits["last_cart_at"] = Self.time(last.at)
        traits["last_cart_value"] = Satang.json(value)
        traits["abandoned_cart"] = .bool(abandoned)
        traits["abandoned_cart_value"] = Satang.json(abandoned ? value : 0)
    }

    private func addEngagement(to traits: inout [String: JSONValue], now: Int64) {
        let recent = pageViews.filter { $0.at > now - Self.viewHorizon && $0.at <= now }
        var sessions = 0
        var channels = Tally()
        for (_, views) in Dictionary(grouping: recent, by: \.device) {
            let ordered = views.sorted { $0.at < $1.at }
            var start = 0
            for index in ordered.indices where index == ordered.count - 1 || ordered[index + 1].at - ordered[index].at >= Self.sessionGap {
                sessions += 1
                channels.add(ordered[start...index].lazy.compactMap(\.campaign).first ?? "(direct)")
                start = index + 1
            }
        }
        traits["sessions_30d"] = .number(Double(sessions))
        traits["page_views_30d"] = .number(Double(recent.count))
        if let channel = channels.top { traits["top_session_channel"] = .string(channel) }

        traits["emails_delivered"] = .number(Double(emailsDelivered))
        traits["emails_opened"] = .number(Double(emailsOpened))
        traits["emails_clicked"] = .number(Double(emailsClicked))
        traits["emails_bounced"] = .number(Double(emailsBounced))
        traits["unsubscribed"] = .bool(unsubscribed)
        if emailsDelivered > 0 {
            traits["email_open_rate"] = .number(Double(emailsOpened) / Double(emailsDelivered))
            traits["email_click_rate"] = .number(Double(emailsClicked) / Double(emailsDelivered))
        }
        if let lastSeenAt { traits["last_seen_at"] = Self.time(lastSeenAt) }
        if let type = deviceTypes.top { traits["device_type"] = .string(type) }
        if let browser = browsers.top { traits["browser"] = .string(browser) }
        if let os = systems.top { traits["os"] = .string(os) }
    }

    private func addAttitude(to traits: inout [String: JSONValue]) {
        traits["survey_count"] = .number(Double(surveyCount))
        if let survey = latestSurvey {
            traits["nps_score"] = .number(survey.score)
            traits["nps_category"] = .string(survey.score >= 9 ? "promoter" : survey.score >= 7 ? "passive" : "detractor")
        }
        traits["review_count"] = .number(Double(reviewCount))
        if reviewCount > 0 { traits["average_review_rating"] = .number(reviewRatingSum / Double(reviewCount)) }
    }

    private func addSupport(to traits: inout [String: JSONValue]) {
        let opened = tickets.values.compactMap { ticket in ticket.opening.map { (opening: $0, resolvedAt: ticket.resolvedAt) } }
        let resolved = opened.compactMap { ticket in ticket.resolvedAt.map { max(0, $0 - ticket.opening.at) } }
        traits["tickets_opened"] = .number(Double(opened.count))
        traits["tickets_resolved"] = .number(Double(resolved.count))
        traits["tickets_open"] = .number(Double(opened.count - resolved.count))
        if !resolved.isEmpty {
            traits["average_resolution_hours"] = .number(Double(resolved.reduce(0, +)) / Double(resolved.count) / 3_600_000)
        }
        if let last = opened.max(by: { ($0.opening.at, $0.opening.messageId) < ($1.opening.at, $1.opening.messageId) })?.opening {
            if let category = last.category { traits["last_ticket_category"] = .string(category) }
            if let channel = last.channel { traits["last_ticket_channel"] = .string(channel) }
        }
    }

    /// Views of one device less than 30 minutes apart belong to one session.
    static let sessionGap: Int64 = 30 * 60_000

    /// Formatted from the whole seconds and the millisecond count, so the text shows the kept millisecond
    /// exactly (a formatter given a fractional `Date` truncates one that binary fractions cannot hold).
    static func time(_ milliseconds: Int64) -> JSONValue {
        let seconds = floorDivide(milliseconds, 1000)
        let fraction = Int(milliseconds - seconds * 1000)
        let text = Date(timeIntervalSince1970: Double(seconds)).formatted(.iso8601)
        let digits = String(fraction + 1000).dropFirst()
        return .string(text.dropLast() + "." + digits + "Z")
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}
