import Foundation
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox

/// Reading JSON value by value, with some values skipped and kept as the text sent.
struct JSONReaderTests {
    /// Skips one whole document: the range it reports, or the error.
    func skipDocument(
        _ bytes: [UInt8], flaggingKeys isFlagged: ((UnsafeRawBufferPointer) -> Bool)? = nil, strings: ((UnsafeRawBufferPointer) -> Bool)? = nil
    ) throws -> SkippedJSONValue {
        try bytes.withUnsafeBytes { buffer in
            var reader = JSONReader(buffer)
            let skipped = try reader.skipValue(flagging: JSONSkipFlags(key: isFlagged, string: strings))
            try reader.finish()
            return skipped
        }
    }

    @Test(arguments: JSONValueParseTests.refusals)
    func skippingRefusesWhatParsingRefuses(_ name: String, _ bytes: [UInt8]) {
        #expect(throws: KinshipError.self, "\(name)") { try JSONValue.parse(bytes) }
        #expect(throws: KinshipError.self, "\(name)") { try skipDocument(bytes) }
    }

    @Test(arguments: JSONValueParseTests.corpus)
    func aSkippedValueIsItsWholeTextAndParsesAsTheDocument(_ text: String) throws {
        let bytes = Array(text.utf8)
        let skipped = try skipDocument(bytes)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        #expect(Array(bytes[skipped.range]) == Array(trimmed.utf8))
        #expect(try JSONValue.parse(Array(bytes[skipped.range])) == JSONValue.parse(bytes))
        #expect(skipped.containsNUL == text.contains(#"\u0000"#))
    }

    @Test func nulIsFoundInKeysAndNestedValues() throws {
        #expect(try skipDocument(Array(#"{"a":[1,{"b":"x\u0000y"}]}"#.utf8)).containsNUL)
        #expect(try skipDocument(Array(#"{"a":{"k\u0000":1}}"#.utf8)).containsNUL)
        #expect(try !skipDocument(Array(#"{"a":"\u0001\\u0000"}"#.utf8)).containsNUL)
    }

    @Test func keysAtEveryDepthAreAskedAboutUntilOneIsFlagged() throws {
        var asked: [String] = []
        let document = Array(#"{"price":1,"nested":{"mail":"x"},"list":[{"email":"y"}],"pad":"email"}"#.utf8)
        let skipped = try skipDocument(document) { key in
            asked.append(String(decoding: key, as: UTF8.self))
            return key.elementsEqual("email".utf8)
        }
        #expect(asked == ["price", "nested", "mail", "list", "email"])
        #expect(skipped.flagged)
        #expect(try !skipDocument(Array(#"{"a":1,"b":{"c":2}}"#.utf8)) { $0.elementsEqual("email".utf8) }.flagged)
    }

    @Test func stringValuesAreAskedAboutButKeysAreNot() throws {
        var asked: [String] = []
        let skipped = try skipDocument(Array(#"{"k":"v","list":["a",{"deep":"b"}],"n":3}"#.utf8), strings: { text in
            asked.append(String(decoding: text, as: UTF8.self))
            return false
        })
        #expect(asked == ["v", "a", "b"] && !skipped.flagged)
        #expect(try skipDocument(Array(#"{"k":"a\"b"}"#.utf8), strings: { _ in false }).flagged, "a string with escapes is flagged unjudged")
    }

    @Test func aKeyWithEscapesIsFlaggedWithoutBeingAsked() throws {
        var asked = 0
        let skipped = try skipDocument(Array(#"{"e\u006dail":"x"}"#.utf8)) { _ in
            asked += 1
            return false
        }
        #expect(skipped.flagged && asked == 0)
    }

    @Test(arguments: [
        (#"{"a":1e3}"#, true), (#"{"a":[2.5E-3]}"#, true), (#"{"a":49.5,"b":-12,"c":0.001}"#, false),
        ("{\"a\":\(String(repeating: "9", count: 301))}", true), ("{\"a\":0.\(String(repeating: "0", count: 300))1}", true),
        ("{\"a\":\(String(repeating: "9", count: 300))}", false),
    ])
    func numbersWithExponentsOrHundredsOfDigitsAreMarked(_ text: String, _ marked: Bool) throws {
        #expect(try skipDocument(Array(text.utf8)).hasUnusualNumbers == marked)
    }

    @Test func objectsAndArraysAreReadMemberByMember() throws {
        let text = #" {"batch": [ {"a": 1}, 2 ], "sentAt": "x", "batch2": {"z": [true]} } "#
        var members: [String] = []
        var elements: [JSONValue] = []
        var skippedText = ""
        try Array(text.utf8).withUnsafeBytes { buffer in
            var reader = JSONReader(buffer)
            try reader.readObject { key, reader in
                members.append(key)
                switch key {
                case "batch": try reader.readArray { elements.append(try $0.readValue()) }
                case "batch2":
                    let range = try reader.skipValue().range
                    skippedText = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)
                default: _ = try reader.readValue()
                }
            }
            try reader.finish()
        }
        #expect(members == ["batch", "sentAt", "batch2"])
        #expect(elements == [.object(["a": .number(1)]), .number(2)])
        #expect(skippedText == #"{"z": [true]}"#)
    }

    @Test(arguments: [#"{"a":1,}"#, #"{"a" 1}"#, #"{"a":1"#, #"{"a":1 "b":2}"#, "{} x", "", "[]", "1"])
    func readingAnObjectRefusesBrokenObjectsAndOtherValues(_ text: String) {
        #expect(throws: KinshipError.self) {
            try Array(text.utf8).withUnsafeBytes { buffer in
                var reader = JSONReader(buffer)
                try reader.readObject { _, reader in _ = try reader.readValue() }
                try reader.finish()
            }
        }
    }
}
