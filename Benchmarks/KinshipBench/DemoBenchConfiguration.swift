import Foundation
import KinshipCore
import KinshipDatabase

/// What the demo benchmark generates and sends, from `KINSHIP_BENCH_DEMO_*` variables.
struct DemoBenchConfiguration: Sendable {
    var database: DatabaseURL
    var databaseURLText: String
    /// Customers of the shop written to files (90 days); a tenth of it is written first, to compare memory.
    var customers: Int
    /// Customers of the shop sent through the HTTP API (90 days).
    var sendCustomers: Int
    var binDirectory: URL

    static let days = 90
    static let end = "2026-12-01"

    init(_ environment: Environment) throws {
        databaseURLText = try environment.required("KINSHIP_DATABASE_URL")
        database = try DatabaseURL(parsing: databaseURLText)
        customers = try environment.integer("KINSHIP_BENCH_DEMO_CUSTOMERS", default: 30_000, range: 100...10_000_000)
        sendCustomers = try environment.integer("KINSHIP_BENCH_DEMO_SEND_CUSTOMERS", default: 3000, range: 10...1_000_000)
        let ownFolder = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).deletingLastPathComponent()
        binDirectory = environment.optional("KINSHIP_BENCH_BIN_DIR").map { URL(fileURLWithPath: $0) } ?? ownFolder
    }

    func shopArguments(customers: Int) -> [String] {
        ["--customers", String(customers), "--days", String(Self.days), "--seed", "1", "--end", Self.end]
    }
}
