extension HouseholdSimulation {
    /// Someone who browses on one device and never signs in: one profile, known by its anonymous id alone.
    mutating func simulateVisitor(number: Int) {
        let device = DemoDevice.make(DemoDevice.kinds[random.weighted([30, 55, 5, 10])], random: &random)
        visitorAnalytics = !random.chance(parameters.analyticsRefusal)
        var sent = false
        for _ in 0..<random.int(1...3) {
            let day = calendar.drawDay(&random)
            let start = calendar.drawTime(&random, dayOffset: day)
            var clock = start
            var carted = false
            let channel = drawChannel(for: device)
            var pages = ClientPages(device: device, channel: channel)
            var sessionSent = page(pages.landing(&random), at: clock, person: nil, device: device, userId: nil)
            for _ in 0..<random.int(0...4) {
                clock += Int64(random.int(15...200)) * 1000
                let product = drawProduct()
                sessionSent = page(pages.product(product), at: clock, person: nil, device: device, userId: nil) || sessionSent
                productEvent("Product Viewed", product, quantity: 1, at: clock + 300, person: nil, device: device, userId: nil)
                if random.chance(0.05) {
                    clock += Int64(random.int(10...60)) * 1000
                    carted = productEvent("Product Added", product, quantity: 1, at: clock, person: nil, device: device, userId: nil) || carted
                }
            }
            if sessionSent {
                sent = true
                let key = channel.key
                days.update(day: calendar.dayOffset(of: start)) { $0.sessions[key, default: 0] += 1 }
            }
            if carted {
                // Nobody orders without signing in: a visitor's cart is always abandoned.
                days.update(day: calendar.dayOffset(of: clock)) { $0.carts += 1; $0.abandonedCarts += 1 }
            }
        }
        if sent { visitors.append(device.anonymousId) }
    }
}
