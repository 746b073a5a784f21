import Foundation
import Testing
@testable import Shared

struct Base64Tests {
    @Test func encodingMatchesFoundationForEveryLengthAndByte() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...100 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            #expect(bytes.base64String == Data(bytes).base64EncodedString(), "\(length) bytes")
        }
        let everyByte = (0...255).map(UInt8.init)
        #expect(everyByte.base64String == Data(everyByte).base64EncodedString())
        #expect(Array("Man".utf8).base64String == "TWFu" && Array("Ma".utf8).base64String == "TWE=" && Array("M".utf8).base64String == "TQ==")
    }
}
