import Foundation
import KinshipCore
import SegmentationService
import Testing

/// Definitions that cannot be used are refused with `invalid_segment_definition`, status 400, and a message
/// `at <JSON pointer>: <reason>` naming the offending node.
struct SegmentRefusalTests {
    /// The pointer the refusal of `text` names, read back from its message.
    func refusal(_ text: String) throws -> String? {
        do {
            _ = try SegmentFixture.definition(text)
            return nil
        } catch let error as KinshipError {
            #expect(error.code == .invalidSegmentDefinition)
            #expect(error.status == .badRequest)
            guard error.message.hasPrefix("at "), let colon = error.message.range(of: ": ") else {
                Issue.record("not of the form `at <pointer>: <reason>`: \(error.message)")
                return nil
            }
            return String(error.message[error.message.index(error.message.startIndex, offsetBy: 3)..<colon.lowerBound])
        }
    }

    let good = #"{"trait": "a", "op": "eq", "value": 1}"#

    @Test(arguments: [
        // Shapes and keys
        (#"[]"#, "the root"),
        (#"{}"#, "the root"),
        (#"{"trait": "a", "op": "eq", "value": 1, "extra": 2}"#, "/extra"),
        (#"{"trait": "a", "computed": "b", "op": "eq", "value": 1}"#, "the root"),
        (#"{"all": [{"trait": "a", "op": "eq", "value": 1}], "any": []}"#, "the root"),
        (#"{"all": [{"trait": "a", "op": "eq", "value": 1}], "label": "x"}"#, "/label"),
        (#"{"all": []}"#, "/all"),
        (#"{"any": []}"#, "/any"),
        (#"{"all": {"trait": "a", "op": "eq", "value": 1}}"#, "/all"),
        (#"{"all": [{"trait": "a", "op": "eq", "value": 1}, {"trait": "a", "op": "eq", "value": 1}, {"trait": "a", "op": "equals", "value": 1}]}"#, "/all/2/op"),
        (#"{"not": [{"trait": "a", "op": "eq", "value": 1}]}"#, "/not"),
        (#"{"all": [{"not": 3}]}"#, "/all/0/not"),
        // Names
        (#"{"trait": 3, "op": "eq", "value": 1}"#, "/trait"),
        (#"{"trait": "address..state", "op": "eq", "value": 1}"#, "/trait"),
        (#"{"trait": "", "op": "eq", "value": 1}"#, "/trait"),
        (#"{"computed": "order_count.", "op": "eq", "value": 1}"#, "/computed"),
        (#"{"consent": true, "op": "eq", "value": true}"#, "/consent"),
        // Operators and values
        (#"{"trait": "a", "value": 1}"#, "the root"),
        (#"{"trait": "a", "op": "eq"}"#, "the root"),
        (#"{"trait": "a", "op": 1, "value": 1}"#, "/op"),
        (#"{"trait": "a", "op": "like", "value": 1}"#, "/op"),
        (#"{"trait": "a", "op": "eq", "value": null}"#, "/value"),
        (#"{"trait": "a", "op": "eq", "value": [1]}"#, "/value"),
        (#"{"trait": "a", "op": "gt", "value": true}"#, "/value"),
        (#"{"trait": "a", "op": "in", "value": 1}"#, "/value"),
        (#"{"trait": "a", "op": "in", "value": []}"#, "/value"),
        (#"{"trait": "a", "op": "in", "value": [1, {"b": 2}]}"#, "/value/1"),
        (#"{"trait": "a", "op": "contains", "value": {"b": 2}}"#, "/value"),
        (#"{"trait": "a", "op": "exists", "value": "yes"}"#, "/value"),
        (#"{"trait": "a", "op": "between", "value": [1]}"#, "/value"),
        (#"{"trait": "a", "op": "between", "value": [1, 2, 3]}"#, "/value"),
        (#"{"trait": "a", "op": "between", "value": 1}"#, "/value"),
        (#"{"trait": "a", "op": "between", "value": [1, "2"]}"#, "/value"),
        (#"{"trait": "a", "op": "between", "value": [5, 1]}"#, "/value"),
        (#"{"trait": "a", "op": "within_days", "value": 0}"#, "/value"),
        (#"{"trait": "a", "op": "within_days", "value": 1.5}"#, "/value"),
        (#"{"trait": "a", "op": "within_days", "value": "7"}"#, "/value"),
        (#"{"trait": "a", "op": "before_days_ago", "value": -3}"#, "/value"),
        (#"{"trait": "a", "op": "before_days_ago", "value": 36501}"#, "/value"),
        (#"{"consent": "marketing", "op": "eq", "value": "yes"}"#, "/value"),
        (#"{"consent": "marketing", "op": "gt", "value": true}"#, "/op"),
        // Event conditions
        (#"{"event": "", "within_days": 30}"#, "/event"),
        (#"{"event": 3}"#, "/event"),
        (#"{"event": "Order Completed", "within": 30}"#, "/within"),
        (#"{"event": "Order Completed", "within_days": 0}"#, "/within_days"),
        (#"{"event": "Order Completed", "within_days": "30"}"#, "/within_days"),
        (#"{"event": "Order Completed", "where": {"property": "a", "op": "eq", "value": 1}}"#, "/where"),
        (#"{"event": "Order Completed", "where": ["a"]}"#, "/where/0"),
        (#"{"event": "Order Completed", "where": [{"op": "eq", "value": 1}]}"#, "/where/0"),
        (#"{"event": "Order Completed", "where": [{"property": "a", "op": "eq", "value": 1, "x": 1}]}"#, "/where/0/x"),
        (#"{"all": [{"trait": "a", "op": "eq", "value": 1}, {"event": "E", "where": [{"property": "a", "op": "eq", "value": 1}, {"property": "b", "op": "matches", "value": 1}]}]}"#, "/all/1/where/1/op"),
        (#"{"event": "E", "where": [{"property": "t", "op": "within_days", "value": 3}]}"#, "/where/0/op"),
        (#"{"event": "E", "where": [{"property": "a", "op": "in", "value": "x"}]}"#, "/where/0/value"),
        (#"{"event": "E", "aggregate": "median", "property": "total", "op": "gt", "value": 1}"#, "/aggregate"),
        (#"{"event": "E", "aggregate": 1, "op": "gt", "value": 1}"#, "/aggregate"),
        (#"{"event": "E", "aggregate": "sum", "op": "gt", "value": 1}"#, "/aggregate"),
        (#"{"event": "E", "aggregate": "avg", "op": "gt", "value": 1}"#, "/aggregate"),
        (#"{"event": "E", "aggregate": "count", "property": "total", "op": "gt", "value": 1}"#, "/property"),
        (#"{"event": "E", "aggregate": "sum", "property": "a..b", "op": "gt", "value": 1}"#, "/property"),
        (#"{"event": "E", "aggregate": "count"}"#, "the root"),
        (#"{"event": "E", "op": "gt"}"#, "the root"),
        (#"{"event": "E", "aggregate": "count", "op": "gt", "value": "2"}"#, "/value"),
        (#"{"event": "E", "aggregate": "count", "op": "within_days", "value": 2}"#, "/op"),
        (#"{"event": "E", "aggregate": "sum", "property": "total", "op": "contains", "value": 2}"#, "/op"),
        (#"{"event": "E", "aggregate": "last", "op": "gt", "value": 2}"#, "/value"),
        (#"{"event": "E", "aggregate": "last", "op": "eq", "value": "yesterday"}"#, "/value"),
        (#"{"event": "E", "aggregate": "first", "op": "in", "value": ["2026-01-01T00:00:00Z"]}"#, "/op"),
        // Pointer escapes (RFC 6901): `~` as `~0`, `/` as `~1`.
        (#"{"trait": "a", "op": "eq", "value": 1, "a/b~c": 1}"#, "/a~1b~0c"),
    ])
    func aBadDefinitionIsRefusedAtItsNode(text: String, pointer: String) throws {
        #expect(try refusal(text) == pointer, "\(text)")
    }

    @Test func aDefinitionSixteenLevelsDeepIsTakenAndSeventeenIsRefusedAtTheDeepestNode() throws {
        func nested(_ levels: Int) -> String {
            String(repeating: #"{"not": "#, count: levels - 1) + good + String(repeating: "}", count: levels - 1)
        }
        #expect(try refusal(nested(16)) == nil)
        #expect(try refusal(nested(17)) == String(repeating: "/not", count: 16))
        // An event's `where` entries sit one level below it.
        let event = #"{"event": "E", "where": [{"property": "a", "op": "eq", "value": 1}]}"#
        let deepEvent = String(repeating: #"{"not": "#, count: 15) + event + String(repeating: "}", count: 15)
        #expect(try refusal(deepEvent) == String(repeating: "/not", count: 15) + "/where/0")
    }

    @Test func aDefinitionOfFiveHundredConditionsIsTakenAndMoreAreRefused() throws {
        // `all` itself is one condition.
        let taken = #"{"all": ["# + Array(repeating: good, count: 499).joined(separator: ",") + "]}"
        #expect(try refusal(taken) == nil)
        let refused = #"{"all": ["# + Array(repeating: good, count: 500).joined(separator: ",") + "]}"
        #expect(try refusal(refused) == "/all/499")
        let filters = Array(repeating: #"{"property": "a", "op": "eq", "value": 1}"#, count: 499).joined(separator: ",")
        #expect(try refusal(#"{"event": "E", "where": [\#(filters), {"property": "b", "op": "eq", "value": 1}]}"#) == "/where/499")
    }

    @Test func theMessageSaysWhatIsWrong() throws {
        #expect(throws: KinshipError.badRequest(.invalidSegmentDefinition, "at /all/0/op: unknown operator `like`; one of eq, neq, gt, gte, lt, lte, in, contains, exists, between, before_days_ago, within_days")) {
            try SegmentFixture.definition(#"{"all": [{"trait": "a", "op": "like", "value": 1}]}"#)
        }
        #expect(throws: KinshipError.badRequest(.invalidSegmentDefinition, "at /aggregate: `sum` needs a `property`")) {
            try SegmentFixture.definition(#"{"event": "E", "aggregate": "sum", "op": "gt", "value": 1}"#)
        }
    }
}
