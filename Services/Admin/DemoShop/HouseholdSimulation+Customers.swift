extension HouseholdSimulation {
    /// A visit to the shop: who, on which device, when, and where they came from.
    struct PlannedSession {
        let person: Int
        let device: Int
        let start: Int64
        let channel: DemoChannel
        /// The first session of a new customer: they sign up in it.
        let signUp: Bool
    }

    mutating func simulateCustomers() {
        var sessions: [PlannedSession] = []
        for number in people.indices where !people[number].storeOnly {
            sessions += planSessions(of: number)
        }
        for number in people.indices where !people[number].storeOnly {
            sessions += sendNewsletters(to: number)
            if let changedAt = people[number].emailChangedAt { sendEmailChange(of: number, at: changedAt) }
        }
        sessions.sort { ($0.start, $0.person) < ($1.start, $1.person) }
        for session in sessions { run(session) }
        for number in people.indices where people[number].storeShopper { visitStore(number) }
        settleSharedComputer()
    }

    /// Ordinary sessions over the period: more for bigger spenders, on the person's devices (mostly the first).
    mutating func planSessions(of number: Int) -> [PlannedSession] {
        let person = people[number]
        let firstDay = person.signUpDay ?? 0
        let share = Double(calendar.days - firstDay) / 30
        // Big spenders visit somewhat more often and buy much more when they do (see `drawCart`).
        var count = random.count(mean: parameters.sessionsPer30Days * share * (1 + person.spending) / 2)
        var sessions: [PlannedSession] = []
        if let signUpDay = person.signUpDay {
            let start = max(person.traits.signedUpAt - Int64(random.int(60...600)) * 1000, calendar.startOf(dayOffset: signUpDay))
            sessions.append(PlannedSession(person: number, device: 0, start: start, channel: drawChannel(for: person.devices[0]), signUp: true))
            count = max(count - 1, 0)
        }
        // Someone with several devices uses each of them at least once, if they visit that often.
        for visit in 0..<count {
            let device = visit < person.devices.count ? visit
                : person.devices.count == 1 || random.chance(0.6) ? 0 : random.int(1...(person.devices.count - 1))
            let day = calendar.drawDay(&random, from: firstDay)
            var start = calendar.drawTime(&random, dayOffset: day)
            if person.signUpDay != nil { start = max(start, person.traits.signedUpAt + 3_600_000) }
            sessions.append(PlannedSession(person: number, device: device, start: start, channel: drawChannel(for: person.devices[device]), signUp: false))
        }
        return sessions
    }

    mutating func drawChannel(for device: DemoDevice) -> DemoChannel {
        return device.isApp ? (random.chance(0.2) ? DemoChannel.push : DemoChannel.direct) : DemoChannel.web[random.weighted(DemoChannel.webWeights)].channel
    }

    /// One session: signs in where the device does not know the person yet, browses, and may buy.
    mutating func run(_ session: PlannedSession) {
        let number = session.person
        let device = people[number].devices[session.device]
        guard session.start < calendar.end else { return }
        var clock = session.start
        let firstVisitOfDevice = signedIn[device.anonymousId] == nil
        let client = people[number].analytics
        var pages = ClientPages(device: device, channel: session.channel)
        var sent = false

        // Someone new to this device browses anonymously first, then signs up or logs in.
        if firstVisitOfDevice && client {
            sent = page(pages.landing(&random), at: clock, person: number, device: device, userId: nil) || sent
            clock += Int64(random.int(15...120)) * 1000
            if random.chance(0.5) {
                let product = drawProduct()
                sent = page(pages.product(product), at: clock, person: number, device: device, userId: nil) || sent
                sent = productEvent("Product Viewed", product, quantity: 1, at: clock + 400, person: number, device: device, userId: nil) || sent
                clock += Int64(random.int(20...180)) * 1000
            }
        }
        if signedIn[device.anonymousId] != number {
            signIn(number, on: device, at: clock, signUp: session.signUp)
            signedIn[device.anonymousId] = number
            clock += Int64(random.int(5...30)) * 1000
        }
        guard let userId = people[number].userId else { return }
        if !firstVisitOfDevice && client {
            sent = page(pages.landing(&random), at: clock, person: number, device: device, userId: userId) || sent
            clock += Int64(random.int(10...90)) * 1000
        }

        var cart: [(product: DemoProduct, quantity: Int)] = []
        let views = random.count(mean: 2.2 + people[number].spending, spread: 0.8)
        for _ in 0..<views where client {
            let product = drawProduct(spending: people[number].spending)
            page(pages.product(product), at: clock, person: number, device: device, userId: userId)
            productEvent("Product Viewed", product, quantity: 1, at: clock + 300, person: number, device: device, userId: userId)
            sent = true
            clock += Int64(random.int(20...240)) * 1000
            if random.chance(0.12 + 0.03 * min(people[number].spending, 4)) {
                let quantity = random.chance(0.8 / people[number].spending.squareRoot()) ? 1 : random.int(2...3)
                productEvent("Product Added", product, quantity: quantity, at: clock, person: number, device: device, userId: userId)
                cart.append((product, quantity))
                clock += Int64(random.int(10...90)) * 1000
            }
        }
        if sent { countSession(session, person: number) }
        guard !cart.isEmpty else { return }

        let value = cart.reduce(0) { $0 + $1.product.priceSatang * $1.quantity }
        people[number].truth.carts += 1
        people[number].carts.append((clock, value))
        days.update(day: calendar.dayOffset(of: clock)) { $0.carts += 1 }
        if random.chance(0.6) {
            cartViewed(cart, at: clock, person: number, device: device, userId: userId)
            clock += Int64(random.int(10...60)) * 1000
        }
        let orders = random.chance(parameters.checkoutConversion)
        if orders || random.chance(0.25) {
            checkoutStarted(cart, at: clock, person: number, device: device, userId: userId)
            clock += Int64(random.int(60...400)) * 1000
        }
        if orders { placeOrder(cart, at: clock, person: number, channel: device.isApp ? "app" : "web") }
    }

    /// Sessions the platform sees, per day and channel.
    mutating func countSession(_ session: PlannedSession, person number: Int) {
        people[number].truth.sessions += 1
        let key = session.channel.key
        days.update(day: calendar.dayOffset(of: session.start)) { $0.sessions[key, default: 0] += 1 }
    }

    /// Identify on sign-in: every trait the first time in the period, the e-mail after that; a consent
    /// choice on the first sign-in (the banner), and `Signed Up` from the shop's server for a new account.
    mutating func signIn(_ number: Int, on device: DemoDevice, at time: Int64, signUp: Bool) {
        guard let userId = people[number].userId else { return }
        if signUp {
            serverTrack("Signed Up", at: time, person: number, userId: userId) { json in
                json.field("method", "email")
            }
            days.update(day: calendar.dayOffset(of: time)) { $0.signUps += 1 }
        }
        identify(number, on: device, at: time + 200, full: !people[number].profileSent)
        people[number].profileSent = true
        if !people[number].consentSent {
            consentUpdated(number, device: device, at: time + 600)
            people[number].consentSent = true
        }
    }

    /// The person's family computer belongs to only one profile; when only one of them ever used it, it is
    /// simply theirs.
    mutating func settleSharedComputer() {
        guard people.count == 2, let shared = people[0].truth.sharedAnonymousId else { return }
        let users = people.indices.filter { people[$0].usedSharedComputer }
        guard users.count < 2 else { return }
        for number in people.indices {
            people[number].truth.sharedAnonymousId = nil
            if users.contains(number) { people[number].truth.anonymousIds.insert(shared, at: 0) }
        }
    }

    /// A product someone looks at: everyday items mostly; big spenders look at dearer things as often.
    mutating func drawProduct(spending: Double = 1) -> DemoProduct {
        let weights = spending >= 2.5 ? DemoCatalogue.bigSpenderWeights : DemoCatalogue.viewWeights
        return DemoCatalogue.products[random.weighted(weights)]
    }
}
