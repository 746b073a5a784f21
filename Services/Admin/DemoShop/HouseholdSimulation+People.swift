extension HouseholdSimulation {
    /// Spending tiers: how much more than an ordinary customer each one shops, and how many are like it.
    static let spendingTiers: [(factor: Double, weight: Int)] = [
        (0.35, 30), (0.6, 25), (1.0, 20), (1.6, 12), (2.4, 8), (3.4, 4), (5.0, 1),
    ]
    static let spendingWeights = spendingTiers.map(\.weight)

    /// Makes customer `number`: identity, consent, devices and habits.
    mutating func makePerson(number: Int) -> SimulatedPerson {
        let female = random.chance(0.58)
        let given = random.pick(female ? DemoPopulation.femaleNames : DemoPopulation.maleNames)
        let family = random.pick(DemoPopulation.familyNames)
        let thaiScript = random.chance(0.6)
        let name = thaiScript ? "\(given.thai) \(family.thai)" : "\(given.latin) \(family.latin)"
        let scrambled = DemoRandom.mix(parameters.seed &* 0x1_0000_0001 ^ UInt64(number))
        let userId = "usr_" + DemoRandom.hex(scrambled, digits: 16)
        let suffix = String(scrambled >> 20, radix: 36).suffix(6)
        let domain = random.pick(DemoPopulation.emailDomains)
        let email = "\(given.latin.lowercased()).\(family.latin.prefix(1).lowercased())\(suffix)@\(domain)"

        let storeOnly = random.chance(parameters.storeOnlyShare)
        let storeShopper = storeOnly || random.chance(parameters.storeShopperShare)
        // Seven digits a bijection of the customer number, so no two customers of a shop share a phone.
        let seven = (UInt64(number) &* 2_654_435_761 &+ parameters.seed &* 7_919) % 10_000_000
        let sevenText = String(seven)
        let phoneDigits = random.chance(storeOnly ? 0.9 : 0.8)
            ? "0" + random.pick(DemoPopulation.mobilePrefixes) + String(repeating: "0", count: 7 - sevenText.count) + sevenText
            : nil

        let age = random.int(DemoPopulation.ageBands[random.weighted(DemoPopulation.ageWeights)].range)
        let (endYear, _, _) = DemoCalendar.civil(parameters.endDay)
        let birthDay = DemoCalendar.days(year: endYear - age - 1, month: 1, day: 1) + random.below(365)
        let existing = random.chance(parameters.existingCustomerShare)
        let signUpDay: Int? = existing || storeOnly ? nil : calendar.drawDay(&random)
        let signedUpAt = signUpDay.map { calendar.drawTime(&random, dayOffset: $0) }
            ?? calendar.start - Int64(random.int(30...900)) * DemoCalendar.dayMs
        let changesEmail = !storeOnly && random.chance(parameters.emailChangeShare)
        let emailChangedAt: Int64? = changesEmail ? calendar.drawTime(&random, dayOffset: calendar.drawDay(&random, from: signUpDay ?? 0)) : nil
        let newEmail: String? = changesEmail ? "\(given.latin.lowercased())\(family.latin.prefix(2).lowercased()).\(suffix)@\(random.pick(DemoPopulation.emailDomains))" : nil

        var devices: [DemoDevice] = []
        if !storeOnly {
            let count = random.weighted(parameters.deviceCountWeights) + 1
            for _ in 0..<count {
                devices.append(DemoDevice.make(DemoDevice.kinds[random.weighted(DemoDevice.kindWeights)], random: &random))
            }
        }
        let traits = SimulatedPerson.Traits(
            firstName: thaiScript ? given.thai : given.latin, lastName: thaiScript ? family.thai : family.latin,
            gender: female ? "female" : "male", birthday: DemoCalendar.dateText(birthDay),
            province: DemoPopulation.provinces[random.weighted(DemoPopulation.provinceWeights)].name,
            incomeBand: DemoPopulation.incomeBands[random.weighted(DemoPopulation.incomeWeights)].name,
            occupation: DemoPopulation.occupations[random.weighted(DemoPopulation.occupationWeights)].name,
            signedUpAt: signedUpAt
        )
        var truth = PersonTruth(
            person: "P\(number)", userId: storeOnly ? nil : userId, name: name, gender: traits.gender,
            birthday: traits.birthday, province: traits.province, incomeBand: traits.incomeBand,
            occupation: traits.occupation, signedUpAt: storeOnly ? nil : signedUpAt
        )
        truth.storeOnly = storeOnly
        let analytics = !random.chance(parameters.analyticsRefusal)
        let marketing = !random.chance(parameters.marketingRefusal)
        let personalization = !random.chance(0.12)
        truth.consent = [("necessary", true), ("analytics", analytics), ("marketing", marketing), ("personalization", personalization)]
        return SimulatedPerson(
            truth: truth, userId: storeOnly ? nil : userId, email: email, newEmail: newEmail, emailChangedAt: emailChangedAt,
            phoneDigits: phoneDigits, traits: traits,
            spending: Self.spendingTiers[random.weighted(Self.spendingWeights)].factor,
            emailAffinity: 0.4 + 1.2 * random.unit(), devices: devices, sharedDevice: nil,
            storeOnly: storeOnly, storeShopper: storeShopper, signUpDay: signUpDay,
            analytics: analytics, marketing: marketing, personalization: personalization
        )
    }

    /// The two people of a household use one desktop computer between them (besides their own devices).
    mutating func shareFamilyComputer() {
        guard people.allSatisfy({ !$0.storeOnly }) else { return }
        let computer = DemoDevice.make(.desktop, random: &random)
        for number in people.indices {
            people[number].devices.insert(computer, at: 0)
            people[number].sharedDevice = 0
            people[number].truth.sharedAnonymousId = computer.anonymousId
        }
    }
}
