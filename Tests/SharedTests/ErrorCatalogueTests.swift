import Foundation
import KinshipCore
import Testing

/// The error table of docs/errors.md and the catalogue in code (`ErrorCode`) list the same codes.
struct ErrorCatalogueTests {
    /// The codes in the first column of docs/errors.md's table (several to a row, each in backticks).
    static func documentedCodes() throws -> [String] {
        let page = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/errors.md")
        let text = try String(contentsOf: page, encoding: .utf8)
        var codes: [String] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let firstColumn = line.dropFirst(2).prefix { $0 != "|" }
            codes += firstColumn.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
        return codes
    }

    @Test func theDocsListEveryCodeTheServicesCanAnswerWith() throws {
        let documented = Set(try Self.documentedCodes())
        let catalogued = Set(ErrorCode.allCases.map(\.rawValue))
        #expect(documented.count > 40, "the table was not found or not read: \(documented.sorted())")
        #expect(catalogued.subtracting(documented).sorted() == [], "in ErrorCode but not in docs/errors.md")
        #expect(documented.subtracting(catalogued).sorted() == [], "in docs/errors.md but not in ErrorCode")
    }

    @Test func everyCodeIsSnakeCaseAndListedOnce() throws {
        let documented = try Self.documentedCodes()
        #expect(documented.count == Set(documented).count, "a code is listed twice")
        for code in ErrorCode.allCases {
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber }, "\(code.rawValue)")
        }
    }
}
