import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Testing
@testable import IngestionService

struct ClientIPTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("2001:DB8:0:0:0:0:2:1", "2001:db8::2:1"),
        ("2001:0db8::0001", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("::FFFF:cb00:7109", "203.0.113.9"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
    ])
    func addressIsPrintedCanonically(_ input: String, _ canonical: String) {
        #expect(IPAddress(input)?.description == canonical)
    }

    @Test(arguments: [
        "", "unknown", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.-4", " 1.2.3.4", "1..3.4",
        "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", ":1", "1:", ":::", "1:2:3:4:5:6:7::8", "::ffff:1.2.3",
        "1.2.3.4::", "fe80::1%eth0",
    ])
    func invalidTextIsNotAnAddress(_ input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test func anonymizingKeepsTheSlash24OrSlash48() {
        #expect(IPTruncation.anonymize.apply(to: "203.0.113.195") == "203.0.113.0")
        #expect(IPTruncation.anonymize.apply(to: "::ffff:203.0.113.195") == "203.0.113.0")
        #expect(IPTruncation.anonymize.apply(to: "2001:db8:85a3:8d3:1319:8a2e:370:7348") == "2001:db8:85a3::")
    }

    @Test func noneKeepsTheCanonicalAddressAndDropKeepsNothing() {
        #expect(IPTruncation.none.apply(to: "2001:DB8::0:1") == "2001:db8::1")
        #expect(IPTruncation.drop.apply(to: "203.0.113.195") == nil)
        #expect(IPTruncation.none.apply(to: "not an address") == nil)
    }

    @Test func settingIsReadInAnyCase() {
        #expect(IPTruncation(setting: "none") == IPTruncation.none)
        #expect(IPTruncation(setting: " Anonymize ") == .anonymize)
        #expect(IPTruncation(setting: "DROP") == .drop)
        #expect(IPTruncation(setting: "mask") == nil)
    }

    @Test func zeroTrustedProxiesIgnoresTheHeader() {
        #expect(clientAddress(forwardedFor: "198.51.100.1", peer: "203.0.113.5", trustedProxies: 0) == "203.0.113.5")
        #expect(clientAddress(forwardedFor: nil, peer: nil, trustedProxies: 0) == nil)
    }

    @Test func nthEntryFromTheRightIsTheClient() {
        let header = "192.0.2.66, 198.51.100.7, 10.0.0.2"
        #expect(clientAddress(forwardedFor: header, peer: "10.0.0.1", trustedProxies: 1) == "10.0.0.2")
        #expect(clientAddress(forwardedFor: header, peer: "10.0.0.1", trustedProxies: 2) == "198.51.100.7")
        #expect(clientAddress(forwardedFor: header, peer: "10.0.0.1", trustedProxies: 3) == "192.0.2.66")
    }

    @Test func shortHeaderGivesItsLeftMostEntryAndNoHeaderThePeer() {
        #expect(clientAddress(forwardedFor: "198.51.100.7", peer: "10.0.0.1", trustedProxies: 2) == "198.51.100.7")
        #expect(clientAddress(forwardedFor: nil, peer: "::ffff:10.0.0.1", trustedProxies: 1) == "10.0.0.1")
    }

    @Test func invalidChosenEntryGivesNothingRatherThanAClientControlledOne() {
        #expect(clientAddress(forwardedFor: "203.0.113.7, unknown", peer: "10.0.0.1", trustedProxies: 1) == nil)
    }

    @Test func portsAndBracketsWrittenByProxiesAreRemoved() {
        #expect(clientAddress(forwardedFor: "[2001:DB8::1]:443", peer: nil, trustedProxies: 1) == "2001:db8::1")
        #expect(clientAddress(forwardedFor: "[2001:db8::1]", peer: nil, trustedProxies: 1) == "2001:db8::1")
        #expect(clientAddress(forwardedFor: "203.0.113.7:51234", peer: nil, trustedProxies: 1) == "203.0.113.7")
        #expect(clientAddress(forwardedFor: "203.0.113.7:port", peer: nil, trustedProxies: 1) == nil)
    }

    /// Spaces and tabs around an entry, Unicode's space separators among them, are not part of it; other
    /// characters are (an entry that is not an address stays invalid).
    @Test func spacesAroundAnEntryAreTrimmed() {
        #expect(clientAddress(forwardedFor: " 192.0.2.66 ,\t198.51.100.7\t", peer: nil, trustedProxies: 2) == "192.0.2.66")
        #expect(clientAddress(forwardedFor: "\u{00A0}\u{2003}198.51.100.7:80\u{3000}", peer: nil, trustedProxies: 1) == "198.51.100.7")
        #expect(clientAddress(forwardedFor: " \t ", peer: "10.0.0.1", trustedProxies: 1) == nil)
        #expect(clientAddress(forwardedFor: "198.51.100.7\n", peer: nil, trustedProxies: 1) == nil)
        #expect(clientAddress(forwardedFor: nil, peer: " 10.0.0.1 ", trustedProxies: 0) == "10.0.0.1")
    }
}
