/// The shop's totals per day (Bangkok dates), which reports are checked against.
public struct DayTotals: Sendable {
    /// One day's counts.
    public struct Counts: Sendable {
        /// Messages stored with a timestamp on this day (each once), POS rows included.
        public var events = 0
        /// `Order Completed` on this day, every channel, and their totals.
        public var orders = 0
        public var orderSatang = 0
        /// Refunds made on this day (of orders of any day), and orders cancelled on this day.
        public var refundSatang = 0
        public var cancellations = 0
        /// Sessions started on this day, per channel (`source/medium`, `(direct)`, `(organic)`).
        public var sessions: [String: Int] = [:]
        public var signUps = 0
        /// Carts (sessions that added to one) started on this day, and those abandoned: no order within 24 h.
        public var carts = 0
        public var abandonedCarts = 0

        mutating func add(_ other: Counts) {
            events += other.events
            orders += other.orders
            orderSatang += other.orderSatang
            refundSatang += other.refundSatang
            cancellations += other.cancellations
            signUps += other.signUps
            carts += other.carts
            abandonedCarts += other.abandonedCarts
            for (channel, count) in other.sessions { sessions[channel, default: 0] += count }
        }
    }

    /// A household's counts, by day offset.
    public struct Contribution: Sendable {
        var counts: [Int: Counts] = [:]

        public init() {}

        mutating func update(day: Int, _ change: (inout Counts) -> Void) {
            change(&counts[day, default: Counts()])
        }
    }

    public private(set) var days: [Counts]

    public init(days: Int) {
        self.days = Array(repeating: Counts(), count: days)
    }

    public mutating func add(_ contribution: Contribution) {
        for (day, counts) in contribution.counts where days.indices.contains(day) {
            days[day].add(counts)
        }
    }
}
