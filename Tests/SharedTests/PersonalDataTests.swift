import Foundation
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipTestSupport

/// What is sealed: personal and sensitive keys however people name and nest them, and values that hold
/// an e-mail address or look like a phone number, whatever their key.
@Suite struct PersonalDataTests {
    let fields = SealedFields(key: DataKey.generate(), workspaceID: UUID())

    @Test func personalKeysMatchHoweverTheyAreWritten() {
        let personal = [
            "email", "EMAIL", "e_mail", "email_address", "Email Address", "phone_number", "phoneNumber", "mobile", "First Name",
            "first_name", "FIRST-NAME", "lastName", "birthday", "passport", "customerEmail", "billing_address", "advertisingId",
            "national_id", "income", "Religion", "health",
        ]
        for key in personal {
            #expect(PersonalData.standard.seals(key: key, describingPerson: false), "\(key)")
            #expect(key.utf8.withContiguousStorageIfAvailable { PersonalData.standard.maySeal(utf8: UnsafeRawBufferPointer($0)) } == true, "\(key)")
        }
        for key in ["", "_", "price", "product_id", "first", "productName", "category", "state", "gender", String(repeating: "a", count: 100)] {
            #expect(!PersonalData.standard.seals(key: key, describingPerson: true), "\(key)")
            #expect(key.utf8.withContiguousStorageIfAvailable { PersonalData.standard.maySeal(utf8: UnsafeRawBufferPointer($0)) } == false, "\(key)")
        }
    }

    @Test func nameAloneIsAPersonsOnlyWhereAPersonIsDescribed() throws {
        let sealed = try fields.sealMessage([
            "traits": ["name": "Somchai Jaidee"],
            "properties": ["name": "Blue Shirt", "customer": ["name": "Malee"], "products": [["name": "Red Shirt"]]],
        ])
        #expect(sealed["traits"]?["name"]?.stringValue == nil)
        #expect(sealed["properties"]?["name"] == "Blue Shirt")
        #expect(sealed["properties"]?["customer"]?["name"]?.stringValue == nil)
        #expect(sealed["properties"]?["products"]?.arrayValue?.first?["name"] == "Red Shirt")
        #expect(try fields.openMessage(sealed) == [
            "traits": ["name": "Somchai Jaidee"],
            "properties": ["name": "Blue Shirt", "customer": ["name": "Malee"], "products": [["name": "Red Shirt"]]],
        ])
    }

    @Test func theIssuesExamplesAreSealedWhereverTheyAre() throws {
        let message: [String: JSONValue] = [
            "type": "track", "event": "Order Completed", "userId": "u-1",
            "properties": [
                "order_id": "0812345678", "phone_number": "081-234-5678", "email_address": "a@example.com", "mobile": "+66 81 234 5678",
                "customer": ["email": "deep@example.com", "tier": "gold"], "note": "call me on 0812345678", "contact": "+66812345678",
                "emails": ["x@example.co.th", "not an address"],
            ],
            "context": [
                "page": ["url": "https://shop.example.com/thanks?email=page%40example.com&utm_source=line", "path": "/thanks"],
                "device": ["advertisingId": "6D92078A-8246-4BA4-AE5B-76104861E7DC", "type": "ios"],
                "traits": ["First Name": "Malee"],
            ],
        ]
        let sealed = try fields.sealMessage(message)
        let text = JSONValue.object(sealed).serialized()
        for secret in ["081-234-5678", "a@example.com", "+66 81 234 5678", "deep@example.com", "+66812345678", "x@example.co.th", "page%40example.com", "6D92078A", "Malee"] {
            #expect(!text.contains(secret), "\(secret) in clear")
        }
        // An id shaped like a phone number is an id; a sentence holding a number is not a phone number.
        #expect(sealed["properties"]?["order_id"] == "0812345678")
        #expect(sealed["properties"]?["note"] == "call me on 0812345678")
        #expect(sealed["properties"]?["customer"]?["tier"] == "gold")
        #expect(sealed["context"]?["page"]?["path"] == "/thanks")
        #expect(sealed["context"]?["device"]?["type"] == "ios")
        #expect(try fields.openMessage(sealed) == message)
    }

    @Test(arguments: [
        ("a@example.com", true), ("A.B+tag@mail.example.co.th", true), ("https://x.example/?e=a%40example.com", true),
        ("@example.com", false), ("a@b", false), ("a@example.c", false), ("user@localhost", false), ("price 10@2", false),
        ("0812345678", true), ("081-234-5678", true), ("+66 81 234 5678", true), ("(02) 123 4567", true),
        ("2026-03-02", false), ("12345678901", false), ("0.123456789", false), ("081-234", false), ("+66 81 234 5678 ext", false),
    ])
    func valuesLookPersonalByTheirShape(_ text: String, _ personal: Bool) {
        #expect(PersonalData.sealsValue(text, key: "note") == personal, "\(text)")
    }

    @Test func aWorkspaceAddsNamesOfItsOwn() {
        let rules = DataClassification.Rules(personal: ["Member Code", "ชื่อเล่น"], sensitive: ["blood_group"])
        let data = PersonalData(rules: rules)
        #expect(data.seals(key: "member_code", describingPerson: false) && data.seals(key: "ชื่อเล่น", describingPerson: false))
        #expect(rules.sensitivity(of: "BloodGroup", describingPerson: false) == .sensitive)
        #expect(!PersonalData.standard.seals(key: "member_code", describingPerson: false))
        #expect("ชื่อเล่น".utf8.withContiguousStorageIfAvailable { data.maySeal(utf8: UnsafeRawBufferPointer($0)) } == true)
    }

    @Test func aTraitHoldingPersonalDataIsSealedWhole() {
        #expect(fields.sealsTrait("company", ["name": "Acme", "contact_email": "c@example.com"]))
        #expect(!fields.sealsTrait("company", ["name": "Acme"]))
        #expect(fields.sealsTrait("name", "Somchai") && !fields.sealsTrait("plan", "pro") && !fields.sealsTrait("email", .null))
    }
}
