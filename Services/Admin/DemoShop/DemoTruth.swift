/// `kinship demo truth`: what the platform should conclude from the shop, as one JSON document. It is
/// written as the shop is made (people, then visitors, then totals per day and for the whole shop), so it
/// takes constant memory beyond one entry per day.
public enum DemoTruth {
    public static func write(_ shop: DemoShop, to sink: inout some DemoByteSink) throws {
        let calendar = DemoCalendar(parameters: shop.parameters)
        var json = JSONBuilder()
        json.openObject()
        writeParameters(shop.parameters, calendar: calendar, into: &json)
        json.openArray("people")
        var section = Section.people
        var totals = DayTotals(days: calendar.days)
        var counts = ShopCounts()
        for household in shop {
            if section == .people, household.people.isEmpty, !household.visitors.isEmpty {
                json.closeArray()
                json.openArray("visitors")
                section = .visitors
            }
            for person in household.people {
                person.write(to: &json)
                counts.add(person)
            }
            for visitor in household.visitors { json.string(visitor) }
            counts.visitors += household.visitors.count
            counts.sent += household.messages.count
            counts.posRows += household.posRows.count
            totals.add(household.days)
            if json.bytes.count > 1 << 20 { try sink.write(json.takeBytes()) }
        }
        json.closeArray()
        if section == .people {
            json.openArray("visitors")
            json.closeArray()
        }
        writeDays(totals, calendar: calendar, into: &json)
        counts.write(totals: totals, into: &json)
        json.closeObject()
        try sink.write(json.takeBytes() + [UInt8(ascii: "\n")])
    }

    private enum Section { case people, visitors }

    private static func writeParameters(_ parameters: DemoParameters, calendar: DemoCalendar, into json: inout JSONBuilder) {
        json.openObject("parameters")
        json.field("customers", parameters.customers)
        json.field("days", parameters.days)
        json.key("seed")
        json.raw(String(parameters.seed))
        json.field("firstDay", DemoCalendar.dateText(calendar.firstDay))
        json.field("lastDay", DemoCalendar.dateText(parameters.endDay))
        json.field("timeZone", "Asia/Bangkok")
        json.closeObject()
    }

    private static func writeDays(_ totals: DayTotals, calendar: DemoCalendar, into json: inout JSONBuilder) {
        json.openArray("days")
        for (offset, day) in totals.days.enumerated() {
            json.openObject()
            json.field("date", DemoCalendar.dateText(calendar.firstDay + offset))
            json.field("events", day.events)
            json.field("orders", day.orders)
            json.money("orderTotal", satang: day.orderSatang)
            json.money("refunds", satang: day.refundSatang)
            json.field("cancellations", day.cancellations)
            json.field("signUps", day.signUps)
            json.field("carts", day.carts)
            json.field("abandonedCarts", day.abandonedCarts)
            json.openObject("sessions")
            for channel in day.sessions.keys.sorted() { json.key(channel); json.raw(String(day.sessions[channel]!)) }
            json.closeObject()
            json.closeObject()
        }
        json.closeArray()
    }
}

/// The whole shop's figures, summed from its people as they are written.
struct ShopCounts {
    var people = 0
    var peopleSeen = 0
    var visitors = 0
    var sent = 0
    var posRows = 0
    var orders = 0
    var revenueSatang = 0
    var buyers = 0
    var repeatBuyers = 0
    var multiDevice = 0
    var carts = 0
    var abandonedCarts = 0
    var delivered = 0, opened = 0, clicked = 0

    mutating func add(_ person: PersonTruth) {
        people += 1
        if person.messages > 0 { peopleSeen += 1 }
        orders += person.orderCount
        revenueSatang += person.revenueSatang
        if person.orderCount > 0 { buyers += 1 }
        if person.orderCount > 1 { repeatBuyers += 1 }
        if person.anonymousIds.count + (person.sharedAnonymousId == nil ? 0 : 1) > 1 { multiDevice += 1 }
        carts += person.carts
        abandonedCarts += person.abandonedCarts
        delivered += person.emailsDelivered
        opened += person.emailsOpened
        clicked += person.emailsClicked
    }

    func write(totals: DayTotals, into json: inout JSONBuilder) {
        let stored = totals.days.reduce(0) { $0 + $1.events }
        json.openObject("totals")
        json.field("people", people)
        json.field("peopleWithEvents", peopleSeen)
        json.field("visitors", visitors)
        json.field("expectedProfiles", peopleSeen + visitors)
        json.field("messagesSent", sent)
        json.field("posRows", posRows)
        json.field("storedEvents", stored)
        json.field("duplicatesSent", sent + posRows - stored)
        json.field("orders", orders)
        json.money("revenue", satang: revenueSatang)
        json.field("buyers", buyers)
        json.field("repeatBuyers", repeatBuyers)
        json.field("peopleOnSeveralDevices", multiDevice)
        json.field("carts", carts)
        json.field("abandonedCarts", abandonedCarts)
        json.field("emailsDelivered", delivered)
        json.field("emailsOpened", opened)
        json.field("emailsClicked", clicked)
        json.closeObject()
    }
}
