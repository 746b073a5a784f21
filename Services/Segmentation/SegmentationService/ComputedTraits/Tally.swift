/// Counts per value; the most frequent value wins, ties going to the alphabetically first.
struct Tally: Sendable, Hashable {
    private(set) var counts: [String: Int] = [:]

    mutating func add(_ value: String, _ count: Int = 1) {
        counts[value, default: 0] += count
    }

    mutating func merge(_ other: Tally) {
        counts.merge(other.counts, uniquingKeysWith: +)
    }

    var top: String? {
        counts.filter { $0.value > 0 }.min { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }?.key
    }
}
