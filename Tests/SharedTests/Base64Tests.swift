import Foundation
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipInternalClient

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

    @Test func decodingMatchesFoundationAndRefusesWhatIsNotBase64() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...100 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let text = Data(bytes).base64EncodedString()
            #expect(text.base64Decoded == bytes, "\(length) bytes")
            #expect(Array(text.utf8).base64Decoded == bytes, "\(length) bytes")
        }
        // A character outside the alphabet, a length that is not a multiple of four, a missing padding.
        for broken in ["T!Fu", "TWFu=", "TWF", "TWE", "TQ="] {
            #expect(broken.base64Decoded == nil, "\(broken)")
        }
    }

    @Test func lenientDecodingTakesEitherAlphabetWithOrWithoutPadding() {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF, 0x3E, 0x3F]
        let standard = Data(bytes).base64EncodedString()  // "+/+/Pj8="
        let urlSafe = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        for text in [standard, urlSafe, standard.replacingOccurrences(of: "=", with: ""), urlSafe.replacingOccurrences(of: "=", with: "")] {
            #expect(text.lenientBase64Decoded == bytes, "\(text)")
        }
        #expect(bytes.base64URLString == urlSafe.replacingOccurrences(of: "=", with: ""))
        #expect("not base64!".lenientBase64Decoded == nil)
    }

    @Test func basicAuthorizationIsTheUserAndAnEmptyPasswordInBase64() {
        #expect(basicAuthorization(user: "wk_123") == "Basic " + Data("wk_123:".utf8).base64EncodedString())
    }
}
