/// Simulates one household from its own random stream: people, sessions, e-mails, orders, store visits;
/// then puts the messages in the order a client sends them, with the traps (retries, late events).
struct HouseholdSimulation {
    let parameters: DemoParameters
    let calendar: DemoCalendar
    let index: Int
    let members: HouseholdPlan.Members
    var random: DemoRandom
    var people: [SimulatedPerson] = []
    var visitors: [String] = []
    var outgoing: [Outgoing] = []
    var posRows: [(time: Int64, row: String, person: Int)] = []
    var days = DayTotals.Contribution()
    /// Which person is signed in on each device (by anonymous id).
    var signedIn: [String: Int] = [:]
    /// Whether an anonymous visitor lets the tracker send analytics.
    var visitorAnalytics = true
    private var sequence: UInt64 = 0

    /// A message before it is put in sending order.
    struct Outgoing {
        let time: Int64
        let sequence: UInt64
        let person: Int?
        let message: DemoMessage
        /// Sent after the rest of the household (an app that was offline).
        let late: Bool
    }

    init(parameters: DemoParameters, calendar: DemoCalendar, index: Int, members: HouseholdPlan.Members) {
        self.parameters = parameters
        self.calendar = calendar
        self.index = index
        self.members = members
        random = DemoRandom(seed: parameters.seed, stream: UInt64(index))
    }

    mutating func run() -> DemoHousehold {
        switch members {
        case .customers(let numbers):
            people = numbers.map { makePerson(number: $0) }
            if people.count == 2 { shareFamilyComputer() }
            simulateCustomers()
        case .visitor(let number):
            simulateVisitor(number: number)
        }
        return finish()
    }

    /// A fresh message id: the same for the same seed, household and position, whatever else changes.
    mutating func nextMessageId() -> String {
        sequence += 1
        return DemoRandom.uuid(DemoRandom.mix(parameters.seed ^ DemoRandom.mix(UInt64(index))), DemoRandom.mix(UInt64(index) << 24 | sequence))
    }

    /// An order, ticket or receipt number: 12 hex digits of a bijection of (seed, household, position), so
    /// numbers repeat across a shop only by a chance of about one in a billion per pair.
    mutating func uniqueCode(_ prefix: String) -> String {
        sequence += 1
        let mixed = DemoRandom.mix(DemoRandom.mix(parameters.seed) ^ (UInt64(index) << 24 | sequence))
        return prefix + DemoRandom.hex(mixed >> 16, digits: 12).uppercased()
    }

    /// Queues a message unless it would happen after the period (it has not happened yet); says whether it did.
    @discardableResult
    mutating func emit(_ json: [UInt8], at time: Int64, person: Int?, delivery: DemoMessage.Delivery = .batch, mayBeLate: Bool = false) -> Bool {
        guard time < calendar.end else { return false }
        let late = mayBeLate && random.chance(parameters.lateRate)
        sequence += 1
        outgoing.append(Outgoing(time: time, sequence: sequence, person: person, message: DemoMessage(delivery: delivery, json: json), late: late))
        return true
    }

    /// Sending order: by time, late ones after the rest, some sent twice (a retry after a lost answer).
    private mutating func finish() -> DemoHousehold {
        outgoing.sort { ($0.late ? 1 : 0, $0.time, $0.sequence) < ($1.late ? 1 : 0, $1.time, $1.sequence) }
        var household = DemoHousehold()
        household.messages.reserveCapacity(outgoing.count + outgoing.count / 50)
        for item in outgoing {
            household.messages.append(item.message)
            if random.chance(parameters.duplicateRate) { household.messages.append(item.message) }
            if let person = item.person { people[person].truth.messages += 1 }
            days.update(day: calendar.dayOffset(of: item.time)) { $0.events += 1 }
        }
        posRows.sort { $0.time < $1.time }
        for row in posRows {
            household.posRows.append(row.row)
            people[row.person].truth.messages += 1
            days.update(day: calendar.dayOffset(of: row.time)) { $0.events += 1 }
        }
        for number in people.indices {
            judgeCarts(of: number)
            people[number].truth.orders.sort { $0.at < $1.at }
        }
        household.people = people.map(\.truth)
        household.visitors = visitors
        household.days = days
        return household
    }

    /// A cart is abandoned when its person places no order within 24 hours of last adding to it.
    private mutating func judgeCarts(of number: Int) {
        let orders = people[number].orderTimes
        for cart in people[number].carts {
            let ordered = orders.contains { $0 >= cart.at && $0 - cart.at <= 24 * 3_600_000 }
            if !ordered {
                people[number].truth.abandonedCarts += 1
                people[number].truth.abandonedCartSatang += cart.satang
                days.update(day: calendar.dayOffset(of: cart.at)) { $0.abandonedCarts += 1 }
            }
        }
    }
}
