import Foundation
import KinshipCore
import SegmentationService
import Testing

/// A trait sealed at rest (its key personal or sensitive, docs/privacy.md) is stored as ciphertext, so a
/// definition may only ask whether it exists; anything else is refused where the definition is parsed,
/// before either evaluator sees it. The names below are the documented table's, not read from the code.
struct SegmentSealedTraitTests {
    /// The refusal of `text`: its pointer and its whole message; nil when the definition is taken.
    func refusal(_ text: String) throws -> (pointer: String, message: String)? {
        do {
            _ = try SegmentFixture.definition(text)
            return nil
        } catch let error as KinshipError {
            #expect(error.code == .invalidSegmentDefinition && error.status == .badRequest)
            let pointer = error.message.dropFirst(3).prefix { $0 != ":" }
            return (String(pointer), error.message)
        }
    }

    @Test(arguments: [
        (#"{"trait": "email", "op": "eq", "value": "a@example.com"}"#, "/op"),
        (#"{"trait": "phone", "op": "in", "value": ["0812345678"]}"#, "/op"),
        (#"{"trait": "first_name", "op": "contains", "value": "Som"}"#, "/op"),
        (#"{"trait": "name", "op": "neq", "value": "Somchai"}"#, "/op"),
        (#"{"trait": "Email Address", "op": "eq", "value": "a@example.com"}"#, "/op"),
        (#"{"trait": "customerEmail", "op": "gt", "value": "a"}"#, "/op"),
        (#"{"trait": "birthday", "op": "before_days_ago", "value": 6570}"#, "/op"),
        (#"{"trait": "income_band", "op": "eq", "value": "50k-100k"}"#, "/op"),
        (#"{"trait": "ethnicity", "op": "exists", "value": true, "extra": 1}"#, "/extra"),
        (#"{"all": [{"trait": "plan", "op": "eq", "value": "gold"}, {"not": {"trait": "email", "op": "eq", "value": "a@example.com"}}]}"#, "/all/1/not/op"),
    ])
    func aComparisonOnATraitSealedAtRestIsRefusedAtItsOperator(text: String, pointer: String) throws {
        #expect(try refusal(text)?.pointer == pointer, "\(text)")
    }

    @Test(arguments: [
        #"{"trait": "address.state", "op": "eq", "value": "Bangkok"}"#,
        #"{"trait": "address.state", "op": "exists", "value": true}"#,
        #"{"trait": "billing_address.city", "op": "eq", "value": "Bangkok"}"#,
        #"{"trait": "customer.email", "op": "exists", "value": true}"#,
        #"{"trait": "customer.name", "op": "eq", "value": "Somchai"}"#,
        #"{"trait": "preferences.contact.phone", "op": "neq", "value": "x"}"#,
    ])
    func aPathIntoATraitSealedWholeIsRefusedAtItsName(text: String) throws {
        #expect(try refusal(text)?.pointer == "/trait", "\(text)")
    }

    @Test(arguments: [
        #"{"trait": "email", "op": "exists", "value": true}"#,
        #"{"trait": "phone", "op": "exists", "value": false}"#,
        #"{"trait": "income_band", "op": "exists", "value": true}"#,
        #"{"not": {"trait": "address", "op": "exists", "value": true}}"#,
        // Not personal by name: a region on its own, computed traits, a product's name, a city of shipping.
        #"{"trait": "province", "op": "eq", "value": "Bangkok"}"#,
        #"{"trait": "gender", "op": "in", "value": ["f", "m"]}"#,
        #"{"trait": "product.name", "op": "eq", "value": "Serum"}"#,
        #"{"trait": "location.state", "op": "eq", "value": "Bangkok"}"#,
        #"{"computed": "age_group", "op": "eq", "value": "25-34"}"#,
        #"{"computed": "email_open_rate", "op": "gt", "value": 0.5}"#,
        #"{"event": "Order Completed", "where": [{"property": "category", "op": "eq", "value": "Beauty"}]}"#,
    ])
    func existsOnASealedTraitAndConditionsOnClearValuesAreTaken(text: String) throws {
        #expect(try refusal(text) == nil, "\(text)")
    }

    @Test func theMessageSaysTheTraitIsEncryptedAndWhatCanBeTestedInstead() throws {
        #expect(try refusal(#"{"trait": "email", "op": "eq", "value": "a@example.com"}"#)?.message
            == "at /op: trait `email` is encrypted at rest (personal data), so only `exists` can be tested on it")
        #expect(try refusal(#"{"trait": "income_band", "op": "in", "value": ["50k-100k"]}"#)?.message
            == "at /op: trait `income_band` is encrypted at rest (sensitive data), so only `exists` can be tested on it")
        #expect(try refusal(#"{"all": [{"trait": "birthday", "op": "lt", "value": "2000-01-01"}]}"#)?.message
            == "at /all/0/op: trait `birthday` is encrypted at rest (personal data), so only `exists` can be tested on it; compare the computed traits `age` or `age_group` (made from `birthday`) instead")
        #expect(try refusal(#"{"trait": "address.state", "op": "eq", "value": "Bangkok"}"#)?.message
            == "at /trait: trait `address` is encrypted at rest (personal data), so `address.state` cannot be read in it; only `exists` on `address` itself can be tested")
        #expect(try refusal(#"{"trait": "customer.email", "op": "eq", "value": "a@example.com"}"#)?.message
            == "at /trait: `email` is personal data and a trait holding it is encrypted at rest whole, so `customer.email` cannot be read; only `exists` on `customer` itself can be tested")
    }
}
