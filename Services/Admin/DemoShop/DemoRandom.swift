/// SplitMix64: small, fast, and the same on every machine (Swift's own generators are not seedable).
struct DemoRandom {
    private var state: UInt64

    /// A stream of its own for each (seed, stream) pair: households draw from independent streams, so one
    /// household's numbers never depend on how many another drew.
    init(seed: UInt64, stream: UInt64) {
        state = Self.mix(seed &+ Self.mix(stream &+ 0x9E37_79B9_7F4A_7C15))
    }

    /// A bijection of 64-bit values that scatters neighbours (SplitMix64's finaliser).
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0 ..< bound, by multiply-high (no modulo bias worth measuring at these bounds).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    mutating func pick<T>(_ values: [T]) -> T {
        values[below(values.count)]
    }

    /// An index drawn with the given integer weights.
    mutating func weighted(_ weights: [Int]) -> Int {
        var draw = below(weights.reduce(0, +))
        for (index, weight) in weights.enumerated() {
            if draw < weight { return index }
            draw -= weight
        }
        return weights.count - 1
    }

    /// A count with the given mean: the whole part, plus one with the chance of the fraction, spread by a
    /// uniform factor in [1 - spread, 1 + spread].
    mutating func count(mean: Double, spread: Double = 0.6) -> Int {
        let value = mean * (1 - spread + 2 * spread * unit())
        let whole = Int(value)
        return whole + (chance(value - Double(whole)) ? 1 : 0)
    }

    /// A version-4-shaped UUID, lower case.
    mutating func uuid() -> String {
        DemoRandom.uuid(next(), next())
    }

    static func uuid(_ high: UInt64, _ low: UInt64) -> String {
        let high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            for digit in 0..<32 {
                if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
                    text[position] = UInt8(ascii: "-")
                    position += 1
                }
                let word = digit < 16 ? high : low
                text[position] = hexDigits[Int((word >> UInt64(60 - 4 * (digit % 16))) & 15)]
                position += 1
            }
            return position
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
