import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
@testable import IngestionService

/// The write key in HTTP Basic, as Segment's libraries send it: the user name, the password empty or ignored.
struct WriteKeyTests {
    private func writeKey(_ authorization: String) -> String? {
        var head = HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/v1/track")
        head.headerFields[.authorization] = authorization
        return WriteKey.fromAuthorization(Request(head: head, body: .init(buffer: ByteBuffer())))
    }

    private func basic(_ credentials: String) -> String { Data(credentials.utf8).base64EncodedString() }

    @Test func theUserNameIsTheWriteKeyWhateverTheSchemesCaseAndTheBlanksAroundTheToken() {
        #expect(writeKey("Basic \(basic("wk_abc:"))") == "wk_abc")
        #expect(writeKey("basic   \(basic("wk_abc:"))\t ") == "wk_abc")
        #expect(writeKey("BASIC \(basic("wk_abc:secret:with:colons"))") == "wk_abc")
        #expect(writeKey("Basic \(basic("wk_abc"))") == "wk_abc")
    }

    @Test func otherSchemesAndMalformedTokensCarryNoKey() {
        #expect(writeKey("Bearer \(basic("wk_abc:"))") == nil)
        #expect(writeKey("Basic") == nil)
        #expect(writeKey("Basic ") == nil)
        #expect(writeKey("Basicx\(basic("wk_abc:"))") == nil)
        #expect(writeKey("Basic not-base64!") == nil)
        #expect(writeKey("Basic \(basic(":password"))") == nil)
        #expect(writeKey("Basic " + Data([0xFF, 0xFE, 0x3A]).base64EncodedString()) == nil)
    }
}
