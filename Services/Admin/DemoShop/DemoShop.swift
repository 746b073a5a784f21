/// A deterministic simulation of an online shop in Thailand: its customers, their devices, sessions,
/// purchases, e-mails, surveys, tickets, consents and store purchases, with the traps real data holds.
///
/// The shop is made one household at a time (one person, or a family sharing a computer; or one anonymous
/// visitor), each from its own random stream derived from the seed, so memory stays constant whatever the
/// number of customers and the same parameters give the same bytes on every machine: only integer and
/// IEEE `+ - * /` arithmetic is used, never `log`, `exp` or the platform's random numbers.
///
/// Every household carries the messages to send (Segment messages as JSON bytes, in the order a client sends
/// them: traps such as retries and late events included), its point-of-sale rows (CSV), and its part of
/// the ground truth. docs/demo.md documents the parameters and the shapes they give.
public struct DemoShop: Sequence, Sendable {
    public let parameters: DemoParameters

    public init(_ parameters: DemoParameters) {
        self.parameters = parameters
    }

    /// How many households the shop has (customers' households, then one per anonymous visitor).
    public var householdCount: Int { HouseholdPlan(parameters: parameters).count }

    /// Household `index` (0 ..< householdCount) alone: households do not depend on each other, so they can
    /// be made in any order, on any thread.
    public func household(_ index: Int) -> DemoHousehold {
        household(index, calendar: DemoCalendar(parameters: parameters))
    }

    func household(_ index: Int, calendar: DemoCalendar) -> DemoHousehold {
        var simulation = HouseholdSimulation(
            parameters: parameters, calendar: calendar, index: index, members: HouseholdPlan(parameters: parameters).members(of: index)
        )
        return simulation.run()
    }

    public func makeIterator() -> Iterator {
        Iterator(shop: self)
    }

    /// The households in order: customers' households first, then the anonymous visitors.
    public struct Iterator: IteratorProtocol {
        let shop: DemoShop
        let calendar: DemoCalendar
        let plan: HouseholdPlan
        var position = 0

        init(shop: DemoShop) {
            self.shop = shop
            calendar = DemoCalendar(parameters: shop.parameters)
            plan = HouseholdPlan(parameters: shop.parameters)
        }

        public mutating func next() -> DemoHousehold? {
            guard position < plan.count else { return nil }
            defer { position += 1 }
            return shop.household(position, calendar: calendar)
        }
    }

    /// The header of the point-of-sale CSV file, and the `POST /v1/import` mapping that reads it.
    public static let posHeader = "receipt_id,order_id,branch,channel,purchased_at,phone,email,total,currency,items,event"
    public static let posImportMapping: [(key: String, value: String)] = [
        ("event_column", "event"), ("phone_column", "phone"), ("email_column", "email"),
        ("timestamp_column", "purchased_at"), ("message_id_column", "receipt_id"), ("number_columns", "total,items"),
    ]
}

/// One household's share of the shop.
public struct DemoHousehold: Sendable {
    /// Messages in the order to send them.
    public var messages: [DemoMessage] = []
    /// Point-of-sale rows, each a CSV line (no line break) under `DemoShop.posHeader`.
    public var posRows: [String] = []
    /// The ground truth of each person (nil for an anonymous visitor's household).
    public var people: [PersonTruth] = []
    /// Anonymous visitors who never signed in (their anonymous ids), each one profile.
    public var visitors: [String] = []
    /// What this household adds to the shop's totals per day.
    public var days: DayTotals.Contribution = .init()
}

/// One Segment message as a client sends it.
public struct DemoMessage: Sendable {
    /// How a client sends it: in a `/v1/batch`, or as an e-mail's tracking pixel (`GET /v1/pixel/track`).
    public enum Delivery: Sendable { case batch, pixel }

    public let delivery: Delivery
    /// The message as a JSON object, UTF-8, without `writeKey` or `sentAt` (the sender adds what it needs).
    public let json: [UInt8]
}
