import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

/// A deterministic stream of a shop's events over `people` people, the same for the same seed: each
/// person browses from one to three devices (one anonymous id each), most log in at some point (user id
/// and e-mail, some a phone too) and from then on their events on that device carry the user id; a few
/// also use a device of another person (a family computer). Activity is skewed: a few people send
/// hundreds of events, most a handful, and people's events are interleaved as they would arrive.
///
/// It knows, from how it was made, how many profiles a correct resolver ends with: one per person who
/// logged in (a shared device goes to one of them, never merging two user ids), plus one per device that
/// never carried a user id (nothing links it to anyone) — whatever order the events are resolved in.
struct IdentityStream: Sendable {
    enum Kind: UInt8, Sendable {
        /// Before the person logged in: the anonymous id only.
        case anonymousPage, anonymousTrack
        /// The first event on a device after the person logged in: an identify with the user id, the
        /// device's anonymous id and the e-mail (some a phone) as traits.
        case login
        /// After the login on that device: user id and anonymous id.
        case knownPage, knownTrack
        /// An identify that changes a trait (a plan), user id and anonymous id.
        case traitUpdate

        var carriesUserID: Bool {
            switch self {
            case .anonymousPage, .anonymousTrack: false
            case .login, .knownPage, .knownTrack, .traitUpdate: true
            }
        }
    }

    /// One event of the stream: whose, from which device, what.
    struct Event: Sendable {
        let person: Int32
        let device: Int32
        let kind: Kind
    }

    let seed: UInt64
    let people: Int
    let events: [Event]
    /// Devices handed out (anonymous ids), and those that sent at least one event.
    let devices: Int
    let devicesUsed: Int
    let peopleWithEvents: Int
    let peopleLoggedIn: Int
    /// The people who log in, by number.
    let loggedInPeople: [Int32]
    /// Devices that two people used.
    let sharedDevicesUsed: Int
    /// Profiles a correct resolver ends with (see the type's comment).
    let expectedProfiles: Int

    /// Share of people who use a device of the person before them (a family computer), in percent.
    static let familyPercent = 3
    /// Share of people who log in at some point, in percent.
    static let loginPercent = 75

    private struct Person {
        var firstDevice: Int32 = 0
        var ownDevices: Int32 = 1
        var familyDevice: Int32 = -1
        var logsIn = false
        var events: Int32 = 0
        var loginAt = Int32.max
        var seen: Int32 = 0
        /// Bit n: the person logged in on device slot n (slot 3 is the family device).
        var loggedIn: UInt8 = 0
    }

    init(people: Int, events count: Int, seed: UInt64) {
        self.seed = seed
        self.people = people
        var random = SplitMix64(seed: seed)
        var persons = [Person](repeating: Person(), count: people)
        var nextDevice: Int32 = 0
        for p in 0..<people {
            let roll = random.below(100)
            persons[p].ownDevices = roll < 50 ? 1 : roll < 85 ? 2 : 3
            persons[p].firstDevice = nextDevice
            nextDevice += persons[p].ownDevices
            if p > 0, random.below(100) < Self.familyPercent { persons[p].familyDevice = persons[p - 1].firstDevice }
            persons[p].logsIn = random.below(100) < Self.loginPercent
        }
        devices = Int(nextDevice)

        // Whose each event is: skewed towards low person numbers (person 0 sends about
        // events × people^(-2/3), the last ones about two thirds of the mean).
        var owner = [Int32](repeating: 0, count: count)
        for n in 0..<count {
            let p = min(people - 1, Int(Double(people) * pow(random.unit(), 1.5)))
            owner[n] = Int32(p)
            persons[p].events += 1
        }
        // Each person logs in somewhere in the first 70 % of their events.
        for p in 0..<people where persons[p].logsIn && persons[p].events > 0 {
            persons[p].loginAt = Int32(Double(persons[p].events) * 0.7 * random.unit())
        }

        var deviceUsed = [Bool](repeating: false, count: devices)
        var deviceWithUser = [Bool](repeating: false, count: devices)
        var deviceUser = [Int32](repeating: -1, count: devices)
        var deviceShared = [Bool](repeating: false, count: devices)
        var events: [Event] = []
        events.reserveCapacity(count)
        for n in 0..<count {
            let p = Int(owner[n])
            var person = persons[p]
            let index = person.seen
            person.seen += 1
            // A family device takes a third of its second user's events; a person's first device most of the rest.
            let slot: Int32 = if person.familyDevice >= 0, random.below(3) == 0 {
                3
            } else if person.ownDevices == 1 || random.below(10) < 6 {
                0
            } else {
                1 + Int32(random.below(Int(person.ownDevices) - 1))
            }
            let device = slot == 3 ? person.familyDevice : person.firstDevice + slot
            let kind: Kind
            if index < person.loginAt {
                kind = random.below(10) < 6 ? .anonymousPage : .anonymousTrack
            } else if person.loggedIn & (1 << slot) == 0 {
                kind = .login
                person.loggedIn |= 1 << slot
            } else {
                let roll = random.below(100)
                kind = roll < 3 ? .traitUpdate : roll < 60 ? .knownPage : .knownTrack
            }
            persons[p] = person
            let d = Int(device)
            deviceUsed[d] = true
            if deviceUser[d] == -1 { deviceUser[d] = Int32(p) } else if deviceUser[d] != Int32(p) { deviceShared[d] = true }
            if kind.carriesUserID { deviceWithUser[d] = true }
            events.append(Event(person: Int32(p), device: device, kind: kind))
        }
        self.events = events
        devicesUsed = deviceUsed.count(where: { $0 })
        sharedDevicesUsed = deviceShared.count(where: { $0 })
        peopleWithEvents = persons.count(where: { $0.events > 0 })
        loggedInPeople = (0..<people).filter { persons[$0].loginAt != .max }.map { Int32($0) }
        peopleLoggedIn = loggedInPeople.count
        expectedProfiles = peopleLoggedIn + (0..<devices).count(where: { deviceUsed[$0] && !deviceWithUser[$0] })
    }

    // The person's and device's identifiers, as a shop's site would send them.

    /// A browser's anonymous id: a UUID-shaped text made from the device number.
    func anonymousID(_ device: Int32) -> String {
        let high = SplitMix64.mix(seed &+ 0x5EED_0000_0000_0000 &+ UInt64(device))
        let low = SplitMix64.mix(high ^ UInt64(device))
        let hex = Array((high.bigEndianBytes + low.bigEndianBytes).hexString)
        return String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-4" + String(hex[13..<16]) + "-a" + String(hex[17..<20]) + "-" + String(hex[20..<32])
    }

    /// The shop's customer number.
    func userID(_ person: Int32) -> String {
        "cus_" + String(SplitMix64.mix(seed &+ 0xC05_0000_0000 &+ UInt64(person)) % 1_000_000_000_000, radix: 36)
            + "_" + String(person)
    }

    /// The e-mail as typed: now and then in capitals or with spaces around it (normalisation must join them).
    func email(_ person: Int32, variant: UInt64) -> String {
        switch variant % 10 {
        case 0: " Customer\(person)@Example.COM "
        case 1: "CUSTOMER\(person)@EXAMPLE.COM"
        default: "customer\(person)@example.com"
        }
    }

    /// A Thai mobile number for three people in ten, written the ways people write it.
    func phone(_ person: Int32, variant: UInt64) -> String? {
        guard SplitMix64.mix(seed &+ 0x9E0_0000 &+ UInt64(person)) % 10 < 3 else { return nil }
        let digits = String(10_000_000 + Int(person) % 90_000_000)
        return variant % 2 == 0 ? "08" + digits : "+66 8\(digits.prefix(1)) \(digits.dropFirst(1).prefix(3)) \(digits.suffix(4))"
    }
}

/// A small, fast, seeded generator (SplitMix64): the same numbers for the same seed on every machine.
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// Uniform in 0..<bound.
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    /// The SplitMix64 finaliser: a well-spread hash of one 64-bit value.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension UInt64 {
    fileprivate var bigEndianBytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: self >> (56 - 8 * $0)) }
    }
}
