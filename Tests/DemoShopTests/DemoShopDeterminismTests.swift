import Foundation
import Testing
@testable import KinshipDemoShop

struct DemoShopDeterminismTests {
    /// Everything the shop produces, in one byte string: messages, POS rows and the truth.
    func everything(_ parameters: DemoParameters) throws -> [UInt8] {
        let shop = DemoShop(parameters)
        var bytes: [UInt8] = []
        for household in shop {
            for message in household.messages { bytes += message.json + [10] }
            for row in household.posRows { bytes += Array(row.utf8) + [10] }
        }
        var truth = BytesSink()
        try DemoTruth.write(shop, to: &truth)
        return bytes + truth.bytes
    }

    @Test func theSameSeedGivesTheSameShopByteForByte() throws {
        let first = try everything(.shop(customers: 150, days: 30, seed: 11))
        let second = try everything(.shop(customers: 150, days: 30, seed: 11))
        #expect(first == second)
        #expect(try everything(.shop(customers: 150, days: 30, seed: 12)) != first)
    }

    /// Pinned: a machine, compiler or library that made a different shop from the same seed would fail
    /// here. A deliberate change to the generator updates the fingerprint (and says so in its commit).
    @Test func theShopIsTheSameOnEveryMachine() throws {
        let value = fingerprint(try everything(.shop(customers: 60, days: 20, seed: 42)))
        #expect(value == "47c21303f5dcbbd1", "the shop's fingerprint is now \(value)")
    }

    @Test func aHouseholdDoesNotDependOnTheShopsSize() throws {
        // Each household draws from its own stream: the first households of a larger shop are the same.
        let small = Array(DemoShop(.shop(customers: 40, days: 30, seed: 5)).prefix(10))
        let large = Array(DemoShop(.shop(customers: 400, days: 30, seed: 5)).prefix(10))
        #expect(small.map { $0.messages.map(\.json) } == large.map { $0.messages.map(\.json) })
    }

    @Test func filesHoldEveryMessageAndRow() throws {
        let shop = DemoShop(.shop(customers: 80, days: 20, seed: 3))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let summary = try DemoFiles.write(shop, directory: directory)
        let events = try String(contentsOfFile: directory + "/events.ndjson", encoding: .utf8).split(separator: "\n")
        let pos = try String(contentsOfFile: directory + "/pos.csv", encoding: .utf8).split(separator: "\n")
        #expect(events.count == summary.messages && summary.messages == shop.reduce(0) { $0 + $1.messages.count })
        #expect(pos.first.map(String.init) == DemoShop.posHeader && pos.count == summary.posRows + 1)
        for line in events { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }

        // However many threads make it, the files are the same bytes as the shop's own order.
        let eventsBytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/events.ndjson"))
        _ = try DemoFiles.write(shop, directory: directory, threads: 3)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/events.ndjson")) == eventsBytes)
        #expect(eventsBytes == Data(shop.flatMap { $0.messages.flatMap { $0.json + [10] } }))
    }
}
