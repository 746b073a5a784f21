import Foundation
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipInternalClient

/// The hand-written parser and serializer, checked against Foundation's JSON implementation.
struct JSONValueParseTests {
    static let corpus: [String] = [
        #"{"a":{"b":[1,2,{"c":null}],"d":true},"e":false}"#,
        #"[[],{},[[]],[{}],""]"#,
        #"{"name":"สมชาย ใจดี","city":"เชียงใหม่","emoji":"👩‍💻🎉","mixed":"é\u00e9\ud83d\ude00"}"#,
        #"{"esc":"quote\" backslash\\ slash\/ \b\f\n\r\t \u0001 \u001f \u20ac"}"#,
        #"[0,-0,1e3,1.5e-7,123456789012,0.1,-3,42,1E+2,2.5E-3,9007199254740993,1e300,-1.7976931348623157e308,5e-324]"#,
        #"  {"spaced" :  [ 1 , 2 ] ,"n":  null }  "#,
        #""just a string""#,
        "3.14159",
        "true",
        "null",
        #"{"k":"\u0000"}"#,
        #"{"":""}"#,
        #"[1234567890123456,12345678901234567890,-999999999999999]"#,
    ]

    func foundationValue(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test(arguments: corpus)
    func parsingAgreesWithFoundation(_ text: String) throws {
        #expect(try JSONValue.parse(text) == foundationValue(text))
        #expect(try JSONValue.parse(Data(text.utf8)) == foundationValue(text))
        #expect(try JSONValue.parse(Array(text.utf8)) == foundationValue(text))
    }

    @Test(arguments: corpus)
    func serializedOutputIsReadBackByFoundationAsTheSameValue(_ text: String) throws {
        let value = try JSONValue.parse(text)
        let serialized = value.serialized()
        _ = try JSONSerialization.jsonObject(with: Data(serialized.utf8), options: [.fragmentsAllowed])
        #expect(try foundationValue(serialized) == value)
        #expect(try JSONValue.parse(serialized) == value)
    }

    @Test func specificValuesParseAsWritten() throws {
        #expect(try JSONValue.parse(#"{"dup":1,"dup":2}"#) == .object(["dup": .number(2)]))
        #expect(try JSONValue.parse("1.5e-7") == .number(1.5e-7))
        #expect(try JSONValue.parse("123456789012") == .number(123_456_789_012))
        #expect(try JSONValue.parse("-0").numberValue?.sign == .minus)
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONValue.parse(#""a\/b""#) == .string("a/b"))
        #expect(try JSONValue.parse("\"ไทย\"") == .string("ไทย"))
    }

    @Test func serializationIsCompactSortedAndEscaped() {
        let value = JSONValue.object([
            "b": .array([.number(42), .number(-3), .number(0.1), .number(1e-7), .number(-0.0), .null, .bool(true)]),
            "a": .string("q\"\\/\n\r\t\u{08}\u{0C}\u{01}é😀"),
            "c": .object([:]),
            "d": .number(.infinity),
            "e": .number(1e15),
        ])
        #expect(value.serialized() == #"{"a":"q\"\\/\n\r\t\b\f\u0001é😀","b":[42,-3,0.1,1e-07,0,null,true],"c":{},"d":null,"e":1000000000000000.0}"#)
    }

    @Test func serializationMatchesTheProjectEncoderWhenKeysAreASCII() throws {
        let text = #"{"z":[1,2.5,-7,1e20,"x\ny"],"a":{"m":null,"b":false},"n":123456789012}"#
        let value = try JSONValue.parse(text)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let foundation = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(try JSONValue.parse(foundation) == value)
        #expect(try foundationValue(value.serialized()) == value)
    }

    static let refusals: [(String, [UInt8])] = [
        ("trailing comma", Array(#"[1,2,]"#.utf8)),
        ("trailing comma in object", Array(#"{"a":1,}"#.utf8)),
        ("single quotes", Array("{'a':1}".utf8)),
        ("leading zero", Array("01".utf8)),
        ("plus sign", Array("+1".utf8)),
        ("bare fraction", Array(".5".utf8)),
        ("dangling point", Array("1.".utf8)),
        ("dangling exponent", Array("1e".utf8)),
        ("NaN", Array("NaN".utf8)),
        ("Infinity", Array("[Infinity]".utf8)),
        ("overflowing number", Array("1e400".utf8)),
        ("unterminated string", Array(#""abc"#.utf8)),
        ("lone high surrogate", Array(#""\ud800""#.utf8)),
        ("lone low surrogate", Array(#""\udc00""#.utf8)),
        ("high surrogate then letter", Array(#""\ud800\u0041""#.utf8)),
        ("raw newline in string", Array("\"a\nb\"".utf8)),
        ("invalid escape", Array(#""\x""#.utf8)),
        ("short unicode escape", Array(#""\u12""#.utf8)),
        ("invalid UTF-8", [0x22, 0xC3, 0x28, 0x22]),
        ("truncated UTF-8", [0x22, 0xE0, 0xB8, 0x22]),
        ("overlong UTF-8", [0x22, 0xC0, 0xAF, 0x22]),
        ("UTF-8 encoded surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22]),
        ("depth 129", Array((String(repeating: "[", count: 129) + String(repeating: "]", count: 129)).utf8)),
        ("trailing garbage", Array("{} x".utf8)),
        ("two values", Array("1 2".utf8)),
        ("empty input", []),
        ("only whitespace", Array("  \n".utf8)),
        ("misspelt literal", Array("tru".utf8)),
        ("missing colon", Array(#"{"a" 1}"#.utf8)),
        ("unquoted key", Array("{a:1}".utf8)),
        ("unterminated array", Array("[1".utf8)),
    ]

    @Test(arguments: refusals)
    func malformedInputIsRefusedAsInvalidJSON(_ name: String, _ bytes: [UInt8]) {
        var thrown: KinshipError?
        do {
            _ = try JSONValue.parse(bytes)
        } catch {
            thrown = error as? KinshipError
        }
        #expect(thrown?.code == .invalidJSON, "\(name)")
        #expect(thrown?.message.hasPrefix("The body is not valid JSON: ") == true, "\(name)")
    }

    @Test func depthOf128IsAccepted() throws {
        let text = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        var value = try JSONValue.parse(text)
        var depth = 0
        while case .array(let inner) = value {
            depth += 1
            value = inner.first ?? .null
        }
        #expect(depth == 128)
    }

    @Test func errorsNameTheByteOffset() {
        #expect(throws: KinshipError.badRequest(.invalidJSON, "The body is not valid JSON: unexpected data after the value at byte 3.")) {
            try JSONValue.parse("{} x")
        }
        #expect(throws: KinshipError.badRequest(.invalidJSON, "The body is not valid JSON: leading zero in number at byte 5.")) {
            try JSONValue.parse(#"{"a":01}"#)
        }
    }

    /// The serializer skips eight bytes at a time: every character it must escape is found at every offset.
    @Test func charactersToEscapeAreFoundAtEveryOffset() throws {
        let specials = (0..<0x20).map { Character(Unicode.Scalar($0)!) } + ["\"", "\\", "\u{7F}", "é", " ", "~", "!", "#", "[", "]"]
        for length in [1, 7, 8, 9, 16, 23] {
            for offset in 0..<length {
                for special in specials {
                    var text = String(repeating: "a", count: length)
                    text.replaceSubrange(text.index(text.startIndex, offsetBy: offset)...text.index(text.startIndex, offsetBy: offset), with: String(special))
                    let serialized = JSONValue.string(text).serialized()
                    let foundation = String(decoding: try JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed]), as: UTF8.self)
                    #expect(try JSONValue.parse(serialized) == .string(text), "\(length) \(offset) \(special.unicodeScalars.first!.value)")
                    #expect(try JSONSerialization.jsonObject(with: Data(serialized.utf8), options: [.fragmentsAllowed]) as? String == text)
                    #expect(serialized.utf8.count <= foundation.utf8.count + 4, "\(serialized) against \(foundation)")
                }
            }
        }
    }

    @Test func randomValuesSurviveSerializationAndAgreeWithFoundation() throws {
        var generator = SplitMix64(seed: 0x4B49_4E53_4849_50)
        for _ in 0..<500 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let text = value.serialized()
            #expect(try JSONValue.parse(text) == value, "\(text)")
            #expect(try foundationValue(text) == value, "\(text)")
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(Self.agrees(object, value), "\(text)")
            var bytes: [UInt8] = []
            value.write(into: &bytes)
            #expect(bytes == Array(text.utf8))
        }
    }

    static let stringPieces = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "\u{7F}", "é", "ไทย", "😀", "👩‍💻", "€", "\u{FFFF}", "\u{10FFFF}", "0"]

    static func randomString(using generator: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...8, using: &generator)).map { _ in stringPieces.randomElement(using: &generator)! }.joined()
    }

    static func randomNumber(using generator: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<5, using: &generator) {
        case 0: return Double(Int.random(in: -1000...1000, using: &generator))
        case 1: return Double(Int64.random(in: -999_999_999_999_999...999_999_999_999_999, using: &generator))
        case 2: return Double.random(in: -1...1, using: &generator)
        case 3: return Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random(using: &generator) ? 1 : -1)
        default: return Double.random(in: -1e6...1e6, using: &generator).rounded() / 100
        }
    }

    static func randomValue(depth: Int, using generator: inout SplitMix64) -> JSONValue {
        let kind = Int.random(in: 0..<(depth >= 4 ? 4 : 6), using: &generator)
        switch kind {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .number(randomNumber(using: &generator))
        case 3: return .string(randomString(using: &generator))
        case 4: return .array((0..<Int.random(in: 0...5, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                object[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(object)
        }
    }

    /// Compares what `JSONSerialization` returned with a value, without going through `JSONValue`'s own code.
    /// Numbers are compared to a relative 1e-14: swift-corelibs-foundation's `JSONSerialization` rounds some
    /// 17-digit doubles wrongly (JSONDecoder above is exact, and is checked for equality).
    static func agrees(_ object: Any, _ value: JSONValue) -> Bool {
        switch (object, value) {
        case (is NSNull, .null): return true
        case (let string as String, .string(let expected)): return Array(string.unicodeScalars) == Array(expected.unicodeScalars)
        case (let array as [Any], .array(let expected)):
            return array.count == expected.count && zip(array, expected).allSatisfy { agrees($0, $1) }
        case (let dictionary as [String: Any], .object(let expected)):
            return dictionary.count == expected.count && dictionary.allSatisfy { key, item in expected[key].map { agrees(item, $0) } ?? false }
        case (let number as NSNumber, .bool(let expected)):
            return String(cString: number.objCType) == "c" && number.boolValue == expected
        case (let number as NSNumber, .number(let expected)):
            guard String(cString: number.objCType) != "c" else { return false }
            let actual = number.doubleValue
            return actual == expected || abs(actual - expected) <= abs(expected) * 1e-14
        default: return false
        }
    }
}

/// A small seeded generator so the random test is repeatable.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D4_9B0B_11A1_33EB
        return z ^ (z >> 31)
    }
}
