import Foundation
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox

@Suite struct HexTests {
    @Test func bytesAreTwoLowercaseDigitsEach() {
        #expect([0x00, 0x0f, 0xa5, 0xff].hexString == "000fa5ff")
        #expect([UInt8]().hexString == "")
        #expect(Data([0x00, 0x0f, 0xa5, 0xff]).hexString == "000fa5ff")
        // A sequence without contiguous storage takes the other path to the same text.
        #expect([0x00, 0x0f, 0xa5, 0xff].lazy.map { $0 }.hexString == "000fa5ff")
    }

    /// Made from the bytes, it must read exactly as Foundation's own form, lower-cased.
    @Test func aUUIDReadsAsFoundationWritesIt() {
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(id.lowercased == id.uuidString.lowercased())
        }
        #expect(UUID(uuid: (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 255)).lowercased == "00010203-0405-0607-0809-0a0b0c0d0eff")
    }
}
