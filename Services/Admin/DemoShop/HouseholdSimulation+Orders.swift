/// Orders and what follows them: cancellations, refunds, subscriptions, surveys, reviews and tickets; and
/// purchases in the store.
extension HouseholdSimulation {
    static let paymentMethods = ["promptpay", "credit_card", "cash_on_delivery", "truemoney_wallet", "mobile_banking"]
    static let paymentWeights = [34, 28, 16, 10, 12]

    /// `Order Completed` from the shop's back end, then perhaps a cancellation or refund, a subscription, a
    /// survey, a review and a ticket, each at its own later time.
    mutating func placeOrder(_ cart: [(product: DemoProduct, quantity: Int)], at time: Int64, person number: Int, channel: String, subscription: String? = nil) {
        guard let userId = people[number].userId else { return }
        let orderId = uniqueCode("ORD-")
        let subtotal = cart.reduce(0) { $0 + $1.product.priceSatang * $1.quantity }
        let coupon = subscription == nil && random.chance(0.15) ? random.pick(["PAYDAY10", "NEWUSER10", "LINE10"]) : nil
        let discount = coupon == nil ? 0 : subtotal / 10
        let shipping = subtotal - discount >= 500_00 || channel == "subscription" ? 0 : 40_00
        let total = subtotal - discount + shipping
        let payment = Self.paymentMethods[random.weighted(Self.paymentWeights)]
        let sent = serverTrack("Order Completed", at: time, person: number, userId: userId) { json in
            json.field("order_id", orderId)
            json.money("total", satang: total)
            json.money("revenue", satang: subtotal - discount)
            json.money("shipping", satang: shipping)
            json.money("discount", satang: discount)
            json.field("coupon", coupon)
            json.field("currency", "THB")
            json.field("payment_method", payment)
            json.field("channel", subscription == nil ? channel : "web")
            if let subscription { json.field("subscription_plan", subscription) }
            Self.writeProducts(cart, into: &json)
        }
        guard sent else { return }
        var order = PersonTruth.Order(orderId: orderId, at: time, channel: subscription == nil ? channel : "web", totalSatang: total)
        people[number].orderTimes.append(time)
        days.update(day: calendar.dayOffset(of: time)) { $0.orders += 1; $0.orderSatang += total }

        let outcome = random.below(1000)
        if Double(outcome) < parameters.cancelRate * 1000 {
            let at = time + Int64(random.int(10...360)) * 60_000
            if serverTrack("Order Cancelled", at: at, person: number, userId: userId, { json in
                json.field("order_id", orderId)
                json.money("total", satang: total)
                json.field("currency", "THB")
                json.field("reason", "customer_request")
            }) {
                order.cancelled = true
                days.update(day: calendar.dayOffset(of: at)) { $0.cancellations += 1 }
            }
        } else if Double(outcome) < (parameters.cancelRate + parameters.refundRate) * 1000 {
            let at = time + Int64(random.int(2 * 24...14 * 24)) * 3_600_000
            let reason = random.pick(["damaged", "wrong_item", "not_as_described", "changed_mind"])
            if serverTrack("Order Refunded", at: at, person: number, userId: userId, { json in
                json.field("order_id", orderId)
                json.money("total", satang: total)
                json.field("currency", "THB")
                json.field("reason", reason)
            }) {
                order.refundedSatang = total
                days.update(day: calendar.dayOffset(of: at)) { $0.refundSatang += total }
            }
        }
        people[number].truth.orders.append(order)
        guard !order.cancelled else { return }
        let unhappy = order.refundedSatang > 0
        if subscription == nil, people[number].truth.subscriptionPlan == nil, random.chance(0.05) { startSubscription(number, at: time + 120_000) }
        if random.chance(unhappy ? 0.5 : 0.07) { openTicket(number, about: orderId, at: time + Int64(random.int(6...120)) * 3_600_000) }
        if random.chance(0.25), time - people[number].lastSurveyAt > 30 * DemoCalendar.dayMs {
            people[number].lastSurveyAt = time
            answerSurvey(number, at: time + Int64(random.int(5 * 24...10 * 24)) * 3_600_000, unhappy: unhappy)
        }
        if random.chance(0.12), let item = cart.first {
            review(number, product: item.product, at: time + Int64(random.int(3 * 24...20 * 24)) * 3_600_000, unhappy: unhappy)
        }
    }

    /// A monthly plan: renewed every 30 days (an order each time) until cancelled or the period ends.
    mutating func startSubscription(_ number: Int, at time: Int64) {
        guard let userId = people[number].userId else { return }
        let plan = random.pick(DemoCatalogue.subscriptionPlans)
        guard serverTrack("Subscription Started", at: time, person: number, userId: userId, { json in
            json.field("plan_id", plan.id)
            json.field("plan_name", plan.name)
            json.money("price", satang: plan.priceSatang)
            json.field("currency", "THB")
            json.field("billing_period", "monthly")
        }) else { return }
        people[number].truth.subscriptionPlan = plan.id
        let item = DemoProduct(id: "SUB-" + plan.id, name: plan.name, category: "Subscriptions", brand: "Kinship Shop", priceSatang: plan.priceSatang)
        var renewal = time + 30 * DemoCalendar.dayMs
        while renewal < calendar.end {
            if random.chance(0.12) {
                serverTrack("Subscription Cancelled", at: renewal - DemoCalendar.dayMs, person: number, userId: userId) { json in
                    json.field("plan_id", plan.id)
                    json.field("reason", "too_expensive")
                }
                people[number].truth.subscriptionPlan = nil
                return
            }
            placeOrder([(item, 1)], at: renewal, person: number, channel: "subscription", subscription: plan.id)
            renewal += 30 * DemoCalendar.dayMs
        }
    }

    static let surveyAnswers: [(score: ClosedRange<Int>, answers: [String])] = [
        (0...6, ["ส่งของช้ามาก รอเกือบสองอาทิตย์", "Item arrived damaged and support was slow.", "สินค้าไม่ตรงปก", "Refund took too long."]),
        (7...8, ["โอเค ราคาดี แต่ส่งช้านิดหน่อย", "Good prices, the app is a bit slow.", "ใช้ได้ค่ะ"]),
        (9...10, ["ประทับใจมาก ส่งไว แพ็คดี", "Fast delivery, great deals on payday!", "ชอบมากค่ะ จะสั่งอีกแน่นอน", "Love the LINE notifications."]),
    ]

    /// An NPS survey answered after an order: mostly promoters, more detractors after a refund.
    mutating func answerSurvey(_ number: Int, at time: Int64, unhappy: Bool) {
        guard let userId = people[number].userId else { return }
        let group = Self.surveyAnswers[random.weighted(unhappy ? [60, 25, 15] : [22, 30, 48])]
        let score = random.int(group.score)
        let answer = random.pick(group.answers)
        guard serverTrack("Survey Responded", at: time, person: number, userId: userId, { json in
            json.field("survey_id", "nps-post-purchase")
            json.field("question", "How likely are you to recommend Kinship Shop to a friend?")
            json.field("nps_score", score)
            json.field("answer", answer)
        }) else { return }
        people[number].truth.surveys += 1
        people[number].truth.latestNps = (score, time)
    }

    mutating func review(_ number: Int, product: DemoProduct, at time: Int64, unhappy: Bool) {
        guard let userId = people[number].userId else { return }
        let rating = random.weighted(unhappy ? [40, 25, 20, 10, 5] : [3, 4, 10, 30, 53]) + 1
        let body = rating >= 4 ? random.pick(["ดีมาก คุ้มราคา", "Great quality for the price.", "ของแท้ ส่งไว"]) : random.pick(["ไม่ค่อยโอเค", "Not as described.", "คุณภาพพอใช้"])
        guard serverTrack("Product Reviewed", at: time, person: number, userId: userId, { json in
            json.field("product_id", product.id)
            json.field("product_name", product.name)
            json.field("rating", rating)
            json.field("review_body", body)
        }) else { return }
        people[number].truth.reviews += 1
        people[number].truth.reviewRatingSum += rating
    }

    static let ticketChannels = ["line", "chat", "email", "phone"]
    static let ticketChannelWeights = [40, 25, 20, 15]
    static let ticketCategories = ["delivery", "refund", "product_quality", "payment", "account", "other"]
    static let ticketCategoryWeights = [35, 20, 20, 10, 10, 5]
    static let priorities = ["low", "normal", "high"]
    static let priorityWeights = [40, 45, 15]
    /// Resolution times: hours, in buckets (most within a day, a few take a week).
    static let resolutionBuckets: [(hours: ClosedRange<Int>, weight: Int)] = [
        (1...4, 30), (4...12, 30), (12...24, 20), (24...72, 15), (72...168, 5),
    ]

    /// `Ticket Opened` and, unless the period ends first, `Ticket Resolved` from the help desk.
    mutating func openTicket(_ number: Int, about orderId: String, at time: Int64) {
        guard let userId = people[number].userId else { return }
        let ticketId = uniqueCode("TCK-")
        let channel = Self.ticketChannels[random.weighted(Self.ticketChannelWeights)]
        let category = Self.ticketCategories[random.weighted(Self.ticketCategoryWeights)]
        let priority = Self.priorities[random.weighted(Self.priorityWeights)]
        let write: (inout JSONBuilder) -> Void = { json in
            json.field("ticket_id", ticketId)
            json.field("channel", channel)
            json.field("category", category)
            json.field("priority", priority)
            json.field("order_id", orderId)
        }
        guard serverTrack("Ticket Opened", at: time, person: number, userId: userId, write) else { return }
        var ticket = PersonTruth.Ticket(ticketId: ticketId, openedAt: time, channel: channel, category: category, priority: priority)
        let bucket = Self.resolutionBuckets[random.weighted(Self.resolutionBuckets.map(\.weight))].hours
        let minutes = random.int(bucket.lowerBound * 60...bucket.upperBound * 60) / (priority == "high" ? 2 : 1)
        let resolvedAt = time + Int64(minutes) * 60_000
        if serverTrack("Ticket Resolved", at: resolvedAt, person: number, userId: userId, write) { ticket.resolvedAt = resolvedAt }
        people[number].truth.tickets.append(ticket)
    }

    /// Purchases at the shop's stores, exported by the point of sale keyed by the member's phone (typed as
    /// the cashier typed it) or e-mail.
    mutating func visitStore(_ number: Int) {
        let person = people[number]
        let visits = max(random.count(mean: (person.storeOnly ? 0.7 : 0.3) * Double(calendar.days) / 30 * person.spending), person.storeOnly ? 1 : 0)
        for _ in 0..<visits {
            let day = calendar.drawDay(&random)
            let time = calendar.startOf(dayOffset: day) + Int64(random.int(10 * 60...21 * 60)) * 60_000
            guard time < calendar.end else { continue }
            var total = 0, items = 0
            for _ in 0..<random.int(1...4) {
                let product = drawProduct()
                let quantity = random.chance(0.85) ? 1 : 2
                total += product.priceSatang * quantity
                items += quantity
            }
            let receipt = uniqueCode("POS-")
            let phone = person.phoneSpelling(&random) ?? ""
            let email = person.storeOnly && !phone.isEmpty ? "" : SimulatedPerson.typed(person.email(at: time), &random)
            let branch = random.pick(DemoCatalogue.stores)
            posRows.append((time, "\(receipt),\(receipt),\(branch),pos,\(DemoCalendar.isoText(time)),\(phone),\(email),\(DemoCatalogue.baht(total)),THB,\(items),Order Completed", number))
            if !phone.isEmpty { people[number].truth.phone = person.e164 }
            if !email.isEmpty { knowEmail(person.email(at: time), of: number) }
            people[number].truth.orders.append(PersonTruth.Order(orderId: receipt, at: time, channel: "pos", totalSatang: total))
            people[number].orderTimes.append(time)
            days.update(day: day) { $0.orders += 1; $0.orderSatang += total }
        }
    }
}
