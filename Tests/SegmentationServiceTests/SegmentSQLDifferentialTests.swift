import Foundation
import KinshipCore
import KinshipTestSupport
import PropertyBased
import SegmentationService
import Testing

/// The SQL form against the in-memory evaluator: random definitions over random profiles, from a small
/// vocabulary so that conditions often hit, must select exactly the profiles `evaluate` puts in the segment.
struct SegmentSQLDifferentialTests {
    static let now = SegmentFixture.now

    @Test func theSQLFormAndTheInMemoryEvaluatorAgreeOnRandomDefinitionsAndProfiles() async throws {
        // A fixed seed, so CI runs the same cases every time; PropertyBased's generator is the source of randomness.
        var random = Xoshiro(seed: (0x5EED_0001, 0x5EED_0002, 0x5EED_0003, 0x5EED_0004))
        let profiles = (0..<36).map { index in RandomSegmentData.profile(&random, mergedAway: index % 12 == 11) }
        var generated: [SegmentDefinition] = []
        while generated.count < 300 {
            // The generator may write a definition the parser refuses (a `between` whose bounds are out of order): skip it.
            if let definition = try? SegmentDefinition(json: RandomSegmentData.condition(&random, depth: 1)) {
                generated.append(definition)
            }
        }
        let definitions = generated
        try await TestDatabase.withClient { client in
            let fixture = try await SegmentSQLFixture(client: client, profiles: profiles)
            var nonTrivial = 0
            for (index, definition) in definitions.enumerated() {
                let consent: String? = index % 4 == 0 ? "marketing" : nil
                let expected = fixture.expected(definition, requiredConsent: consent, now: Self.now)
                let selected = try await fixture.members(definition, requiredConsent: consent, now: Self.now)
                #expect(selected == expected, "definition \(index): \(definition)")
                if !expected.isEmpty && expected.count < fixture.live.count { nonTrivial += 1 }
            }
            // The vocabulary is small so that most definitions split the profiles rather than take all or none.
            #expect(nonTrivial > definitions.count / 3)
        }
    }
}

/// Random profiles and definitions over one small vocabulary of names and values.
enum RandomSegmentData {
    static let now = SegmentFixture.now

    static let traitNames = ["plan", "age", "tags", "location", "signed_up_at", "vip"]
    static let computedNames = ["order_count", "last_order_at", "ltv", "tier"]
    static let consentNames = ["marketing", "analytics"]
    static let eventNames = ["Order Completed", "Viewed", "Signed Up"]
    static let propertyPaths = ["total", "category", "shipping.city", "tags", "at"]
    /// Text, and timestamps in the rarer spellings both parsers must read alike (or both refuse).
    static let strings = [
        "gold", "Gold", "silver", "", "a", "B", "Bangkok", "bangk", "é", "10", "2",
        "2026-06-01t19:00:00,5+07:3", "2026-05-31T12:00:00+0700", "2026-06-01 12:00:60Z", "2026-02-29T00:00:00Z",
        "2026-6-01T12:00:00Z",
    ]
    static let numbers: [Double] = [-1, 0, 1, 2, 2.5, 3, 10, 100, 5000]
    static let dayCounts = [1, 2, 7, 30]
    /// Offsets from now in seconds: on and beside the day boundaries the windows use, and in the future.
    static let offsets: [Double] = [0, -1, 1, -86_400, -86_401, -86_399, -2 * 86_400, -7 * 86_400, -7 * 86_400 + 0.5,
                                    -7 * 86_400 - 1, -30 * 86_400, -400 * 86_400, 3600, 0.25]

    static func pick<T>(_ items: [T], _ random: inout Xoshiro) -> T { items.randomElement(using: &random)! }
    static func chance(_ rate: Double, _ random: inout Xoshiro) -> Bool { Double.random(in: 0..<1, using: &random) < rate }

    static func time(_ random: inout Xoshiro) -> Date { now.addingTimeInterval(pick(offsets, &random)) }

    /// A timestamp near now, in one of the spellings both evaluators read.
    static func timestamp(_ random: inout Xoshiro) -> String {
        let date = time(&random)
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return Timestamp.format(date)
        case 1:
            // The same moment at +07:00, without a fraction when it has none.
            let local = Timestamp.format(date.addingTimeInterval(7 * 3600))
            return String(local.dropLast()).replacingOccurrences(of: ".000", with: "") + "+07:00"
        case 2: return Timestamp.format(date).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: ".000Z", with: "Z")
        default: return String(Timestamp.format(date).dropLast()) + "-0000"
        }
    }

    static func scalar(_ random: inout Xoshiro) -> JSONValue {
        switch Int.random(in: 0..<7, using: &random) {
        case 0, 1: .number(pick(numbers, &random))
        case 2, 3: .string(pick(strings, &random))
        case 4, 5: .string(timestamp(&random))
        default: .bool(chance(0.5, &random))
        }
    }

    static func value(_ random: inout Xoshiro) -> JSONValue {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: .null
        case 1: .array((0..<Int.random(in: 0...3, using: &random)).map { _ in scalar(&random) })
        case 2: .object(["state": scalar(&random), "city": scalar(&random)])
        case 3 where chance(0.3, &random): .object(["__sealed": .string("c2VhbGVk")])  // a sealed personal value
        default: scalar(&random)
        }
    }

    static func properties(_ random: inout Xoshiro) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        if chance(0.8, &random) { properties["total"] = chance(0.8, &random) ? .number(pick(numbers, &random)) : value(&random) }
        if chance(0.7, &random) { properties["category"] = chance(0.5, &random) ? .string(pick(["Beauty", "Home"], &random)) : value(&random) }
        if chance(0.5, &random) { properties["shipping"] = .object(["city": scalar(&random)]) }
        if chance(0.4, &random) { properties["tags"] = .array([scalar(&random), scalar(&random)]) }
        if chance(0.4, &random) { properties["at"] = .string(timestamp(&random)) }
        return .object(properties)
    }

    static func profile(_ random: inout Xoshiro, mergedAway: Bool) -> StoredProfile {
        var profile = StoredProfile(mergedAway: mergedAway)
        for name in traitNames where chance(0.6, &random) { profile.traits[name] = value(&random) }
        for name in computedNames where chance(0.6, &random) { profile.computed[name] = value(&random) }
        for name in consentNames where chance(0.7, &random) {
            profile.consent[name] = chance(0.9, &random) ? .bool(chance(0.5, &random)) : .null
        }
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            let type = chance(0.9, &random) ? "track" : "page"
            profile.events.append(.init(type: type, name: pick(eventNames, &random), time: time(&random), properties: properties(&random)))
        }
        return profile
    }

    // MARK: Definitions

    static func condition(_ random: inout Xoshiro, depth: Int) -> JSONValue {
        if depth < 4 && chance(0.35, &random) {
            switch Int.random(in: 0..<3, using: &random) {
            case 0: return .object(["all": .array((0..<Int.random(in: 1...3, using: &random)).map { _ in condition(&random, depth: depth + 1) })])
            case 1: return .object(["any": .array((0..<Int.random(in: 1...3, using: &random)).map { _ in condition(&random, depth: depth + 1) })])
            default: return .object(["not": condition(&random, depth: depth + 1)])
            }
        }
        switch Int.random(in: 0..<5, using: &random) {
        case 0, 1:
            let name = pick(traitNames, &random)
            let path = name == "location" ? "location." + pick(["state", "city"], &random) : name
            return comparison(["trait": .string(path)], operators: Comparison.operatorNames, &random)
        case 2:
            return comparison(["computed": .string(pick(computedNames, &random))], operators: Comparison.operatorNames, &random)
        case 3:
            var node: [String: JSONValue] = ["consent": .string(pick(consentNames, &random)), "op": .string(pick(["eq", "neq", "exists"], &random))]
            node["value"] = .bool(chance(0.5, &random))
            return .object(node)
        default:
            return event(&random)
        }
    }

    static func event(_ random: inout Xoshiro) -> JSONValue {
        var node: [String: JSONValue] = ["event": .string(pick(eventNames, &random))]
        if chance(0.5, &random) {
            let filterOperators = Comparison.operatorNames.filter { $0 != "before_days_ago" && $0 != "within_days" }
            node["where"] = .array((0..<Int.random(in: 1...2, using: &random)).map { _ in
                comparison(["property": .string(pick(propertyPaths, &random))], operators: filterOperators, &random)
            })
        }
        if chance(0.5, &random) { node["within_days"] = .number(Double(pick(dayCounts, &random))) }
        let numberOperators = ["eq", "neq", "gt", "gte", "lt", "lte", "in", "exists", "between"]
        let timeOperators = ["eq", "neq", "gt", "gte", "lt", "lte", "exists", "between", "before_days_ago", "within_days"]
        switch Int.random(in: 0..<7, using: &random) {
        case 0:
            return .object(node)
        case 1:
            node["aggregate"] = .string("count")
            return comparison(node, operators: numberOperators, numbers: [0, 1, 2, 3], &random)
        case 2, 3:
            node["aggregate"] = .string(pick(["sum", "avg"], &random))
            node["property"] = .string("total")
            return comparison(node, operators: numberOperators, &random)
        case 4:
            node["aggregate"] = .string(pick(["first", "last"], &random))
            return comparison(node, operators: timeOperators, timesOnly: true, &random)
        default:
            node["aggregate"] = .string(pick(["first", "last"], &random))
            node["property"] = .string(pick(propertyPaths, &random))
            return comparison(node, operators: Comparison.operatorNames, &random)
        }
    }

    /// `node` with a random `op` of `operators` and a `value` that fits it.
    static func comparison(
        _ node: [String: JSONValue], operators: [String], numbers: [Double]? = nil, timesOnly: Bool = false, _ random: inout Xoshiro
    ) -> JSONValue {
        var node = node
        let op = pick(operators, &random)
        node["op"] = .string(op)
        func operand(ordered: Bool) -> JSONValue {
            if timesOnly { return .string(timestamp(&random)) }
            if let numbers { return .number(pick(numbers, &random)) }
            if node["aggregate"] == .string("sum") || node["aggregate"] == .string("avg") { return .number(pick(Self.numbers, &random)) }
            let value = scalar(&random)
            if ordered, case .bool = value { return .number(pick(Self.numbers, &random)) }
            return value
        }
        switch op {
        case "in": node["value"] = .array((0..<Int.random(in: 1...3, using: &random)).map { _ in operand(ordered: false) })
        case "exists": node["value"] = .bool(chance(0.5, &random))
        case "between":
            var bounds = [operand(ordered: true), operand(ordered: true)]
            if case .number(let low) = bounds[0], case .number(let high) = bounds[1], low > high { bounds.swapAt(0, 1) }
            node["value"] = .array(bounds)
        case "before_days_ago", "within_days": node["value"] = .number(Double(pick(dayCounts, &random)))
        case "gt", "gte", "lt", "lte": node["value"] = operand(ordered: true)
        default: node["value"] = operand(ordered: false)
        }
        return .object(node)
    }
}
