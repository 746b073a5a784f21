/// Which customers share a household: in every block of `period` customers the first two share a family
/// computer and the others live alone; anonymous visitors come last, one per household. Worked out from
/// the index alone, in constant memory, and the same for a household whatever the shop's size.
struct HouseholdPlan: Sendable {
    enum Members: Sendable {
        /// Customer numbers (0 ..< customers).
        case customers([Int])
        /// Visitor number (0 ..< visitors).
        case visitor(Int)
    }

    let customers: Int
    let visitors: Int
    /// Customers per block; a block of `period` customers makes `period - 1` households.
    let period: Int
    let customerHouseholds: Int

    init(parameters: DemoParameters) {
        customers = max(parameters.customers, 0)
        visitors = Int(Double(customers) * parameters.visitorsPerCustomer)
        period = parameters.sharedComputerShare > 0 ? max(Int(2 / parameters.sharedComputerShare), 2) : Int.max
        if period == Int.max {
            customerHouseholds = customers
        } else {
            let tail = customers % period
            customerHouseholds = customers / period * (period - 1) + (tail >= 2 ? tail - 1 : tail)
        }
    }

    var count: Int { customerHouseholds + visitors }

    func members(of household: Int) -> Members {
        guard household < customerHouseholds else { return .visitor(household - customerHouseholds) }
        guard period != Int.max else { return .customers([household]) }
        let block = household / (period - 1), place = household % (period - 1)
        let first = block * period
        if place == 0 { return .customers(first + 1 < customers ? [first, first + 1] : [first]) }
        return .customers([first + place + 1])
    }
}
