/// What sets the shop's size and shapes; docs/demo.md says what each one gives.
public struct DemoParameters: Sendable, Equatable {
    /// People with an account or a store membership.
    public var customers: Int
    /// Days of history, ending with `endDay`.
    public var days: Int
    public var seed: UInt64
    /// The last day simulated, as days since 1970-01-01 in the shop's time zone (Asia/Bangkok, UTC+7).
    public var endDay: Int

    /// Anonymous visitors who never sign in, per customer.
    public var visitorsPerCustomer = 0.5
    /// Share of customers who live with another customer and share a family computer with them.
    public var sharedComputerShare = 0.08
    /// Share of customers on one, two and three devices.
    public var deviceCountWeights = [54, 31, 15]
    /// Share of customers who buy only in the store (no online account; known by phone or e-mail).
    public var storeOnlyShare = 0.04
    /// Share of online customers who also buy in the store.
    public var storeShopperShare = 0.15
    /// Share of customers who had an account before the simulated period began.
    public var existingCustomerShare = 0.5
    /// Mean sessions per customer over 30 days, before the spending tier scales it.
    public var sessionsPer30Days = 2.0
    /// Chance that a session with something in the cart ends in an order.
    public var checkoutConversion = 0.27
    /// E-mail campaigns: chance a delivered e-mail is opened, chance an opened one is clicked.
    public var emailOpenRate = 0.20
    public var emailClickOfOpens = 0.15
    public var emailBounceRate = 0.02
    public var unsubscribeRate = 0.004
    /// Share of orders refunded, and cancelled, afterwards.
    public var refundRate = 0.05
    public var cancelRate = 0.03
    /// Share of customers refusing marketing, and analytics.
    public var marketingRefusal = 0.22
    public var analyticsRefusal = 0.05
    /// Traps: messages sent twice, events sent late, placeholder user ids, e-mail changes.
    public var duplicateRate = 0.01
    public var lateRate = 0.02
    public var placeholderRate = 0.02
    public var emailChangeShare = 0.05

    public init(customers: Int, days: Int, seed: UInt64, endDay: Int) {
        self.customers = customers
        self.days = days
        self.seed = seed
        self.endDay = endDay
    }
}
