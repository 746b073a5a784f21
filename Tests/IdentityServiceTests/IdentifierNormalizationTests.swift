import KinshipCore
import Testing
@testable import IdentityService

/// Spellings of one identifier meet, and placeholder values never become identifiers (no database).
@Suite struct IdentifierNormalizationTests {
    let rules = IdentityRules()

    @Test(arguments: [
        ("email", "  Nok@Example.COM\n", "nok@example.com"),
        ("email", "nok@example.com", "nok@example.com"),
        ("phone", " 081-234-5678 ", "+66812345678"),
        ("user_id", "\tuser 42 ", "user 42"),
        ("anonymous_id", "a", "a"),
    ])
    func spellingsMeet(type: String, raw: String, expected: String) {
        #expect(IdentifierNormalization.normalise(type: type, raw, rules: rules)?.value == expected)
    }

    @Test(arguments: ["", "   ", " null ", "Undefined", "0", "-1", "000-000", "[object Object]", "\nNaN\t"])
    func placeholdersAreBlocked(raw: String) {
        #expect(IdentifierNormalization.normalise(type: "user_id", raw, rules: rules) == nil)
    }

    @Test func trimmingKeepsInnerSpaceAndHandlesAllSpace() {
        #expect(IdentifierNormalization.trimmed("  a b  ") == "a b")
        #expect(IdentifierNormalization.trimmed(" \n ") == "")
        #expect(IdentifierNormalization.trimmed("") == "")
        #expect(IdentifierNormalization.trimmed("é ") == "é")
    }
}
