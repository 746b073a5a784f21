import KinshipCore
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Testing
@testable import IngestionService

@Suite struct MessageSizeTests {
    /// Ingestion's limit must count what the serializer writes, byte for byte.
    @Test(arguments: [
        #"{"a": 1}"#,
        #"{"type": "track", "userId": "u-1", "event": "Product Viewed", "properties": {"price": 49.5, "qty": -3, "big": 1e20, "tiny": 0.000001, "zero": -0.0}}"#,
        #"{"text": "quote \" backslash \\ tab \t newline \n return \r bell \u0007 form \f back \b nul \u0000 unicode é 漢 😀"}"#,
        #"{"nested": [[], {}, [1, [2, {"x": null, "y": true, "z": false}]], "", "\u001f"], "weird key \"\\": 1}"#,
    ])
    func sizeIsTheSerializedByteCount(json: String) throws {
        let value = try JSONValue.parse(json)
        var written: [UInt8] = []
        value.write(into: &written)
        #expect(MessageSize(value).bytes == written.count)
    }

    @Test func aNULAnywhereIsFound() throws {
        #expect(MessageSize(try JSONValue.parse(#"{"a": ["b", {"c": "d\u0000"}]}"#)).containsNUL)
        #expect(MessageSize(try JSONValue.parse(#"{"a\u0000": 1}"#)).containsNUL)
        #expect(!MessageSize(try JSONValue.parse(#"{"a": ["b", {"c": "d\u0001"}]}"#)).containsNUL)
    }
}
