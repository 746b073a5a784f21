import Foundation
import KinshipDemoShop
import Synchronization

/// Hands a demo shop's households to the senders one at a time, in order, making each when it is asked
/// for (so memory stays constant), and writes their point-of-sale rows to a CSV file to import at the end.
final class HouseholdFeed: Sendable {
    private struct State {
        var households: DemoShop.Iterator
        let pointOfSale: BufferedFileSink
        var rows = 0
    }

    /// The CSV file of point-of-sale rows, under `DemoShop.posHeader`.
    let pointOfSalePath: String
    private let state: Mutex<State>

    init(_ shop: DemoShop, pointOfSalePath: String) throws {
        let sink = try BufferedFileSink(path: pointOfSalePath)
        try sink.write(DemoShop.posHeader + "\n")
        self.pointOfSalePath = pointOfSalePath
        state = Mutex(State(households: shop.makeIterator(), pointOfSale: sink))
    }

    /// The next household, its point-of-sale rows already spooled; nil at the end of the shop.
    func next() throws -> DemoHousehold? {
        try state.withLock { state in
            guard let household = state.households.next() else { return nil }
            for row in household.posRows { try state.pointOfSale.write(row + "\n") }
            state.rows += household.posRows.count
            return household
        }
    }

    /// Closes the point-of-sale file; returns how many rows it holds.
    func finish() throws -> Int {
        try state.withLock { state in
            try state.pointOfSale.close()
            return state.rows
        }
    }
}
