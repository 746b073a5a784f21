import Crypto
import Foundation
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox

/// Which trait and property keys are sealed: the PII keys, ignoring case and `_`.
@Suite struct PIIKeyTests {
    let fields = SealedFields(key: DataKey.generate(), workspaceID: UUID())

    @Test func defaultKeysMatchIgnoringCaseAndUnderscores() {
        for key in ["email", "EMAIL", "e_mail", "first_name", "FirstName", "FIRST_NAME", "lastName", "birthday", "passport", "_phone_"] {
            #expect(fields.isPII(key), "\(key)")
        }
        for key in ["", "_", "emails", "mail", "phoneNumber", "first", "user_id", "productName", String(repeating: "a", count: 100)] {
            #expect(!fields.isPII(key), "\(key)")
        }
    }

    @Test func nonASCIIAndLongKeysTakeTheGeneralPath() {
        let custom = SealedFields(key: DataKey.generate(), workspaceID: UUID(), piiKeys: ["ชื่อ", "Straße", String(repeating: "x", count: 80)])
        #expect(custom.isPII("ชื่อ"))
        #expect(custom.isPII("STRASSE") == false)
        #expect(custom.isPII("straße") && custom.isPII("STRA_ßE"))
        #expect(custom.isPII(String(repeating: "X", count: 80)))
        #expect(!custom.isPII("email"))
        // The Kelvin sign lower-cases to an ASCII "k": the general path finds it as Foundation does.
        let kelvin = SealedFields(key: DataKey.generate(), workspaceID: UUID(), piiKeys: ["kid"])
        #expect(kelvin.isPII("\u{212A}id") == ("\u{212A}id".lowercased() == "kid"))
    }
}
