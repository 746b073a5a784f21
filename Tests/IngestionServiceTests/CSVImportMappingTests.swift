import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import Testing
@testable import IngestionService

struct CSVImportMappingTests {
    let header = ["customer", "email", "what", "when", "total", "store", "zip"]
    let row = ["c-17", "ann@example.com", "Order Completed", "2024-03-01T10:00:00Z", "42.50", "Lyon", "01234"]

    func failure(_ query: [String: String], header: [String]? = nil) -> KinshipError? {
        #expect(throws: KinshipError.self) { try CSVImportMapping(query: query, header: header ?? self.header) }
    }

    @Test func trackRowBecomesAnEventWithTheOtherColumnsAsProperties() throws {
        let mapping = try CSVImportMapping(query: [
            "user_id_column": "customer", "event_column": "what", "timestamp_column": "when",
            "email_column": "email", "number_columns": "total,zip",
        ], header: header)
        #expect(try mapping.message(row: row) == [
            "type": "track", "userId": "c-17", "event": "Order Completed", "timestamp": "2024-03-01T10:00:00Z",
            "properties": ["total": 42.5, "store": "Lyon", "zip": "01234"],
            "context": ["traits": ["email": "ann@example.com"]],
        ])
    }

    @Test func identifyRowPutsEmailAndOtherColumnsInTraits() throws {
        let mapping = try CSVImportMapping(query: [
            "type": "identify", "anonymous_id_column": "customer", "email_column": "email",
            "properties_columns": "store, zip", "message_id_column": "what",
        ], header: header)
        #expect(try mapping.message(row: row) == [
            "type": "identify", "anonymousId": "c-17", "messageId": "Order Completed",
            "traits": ["email": "ann@example.com", "store": "Lyon", "zip": "01234"],
        ])
    }

    @Test func pageRowWithAFixedEventlessMappingKeepsEmailInContext() throws {
        let mapping = try CSVImportMapping(query: ["type": "page", "user_id_column": "customer", "email_column": "email", "properties_columns": ""], header: header)
        #expect(try mapping.message(row: row) == [
            "type": "page", "userId": "c-17", "context": ["traits": ["email": "ann@example.com"]],
        ])
    }

    @Test func fixedEventNameAppliesToEveryRowAndEmptyCellsAreLeftOut() throws {
        let mapping = try CSVImportMapping(query: ["user_id_column": "customer", "event": "Visited Store", "properties_columns": "store,total"], header: header)
        #expect(try mapping.message(row: ["", "", "", "", "", "Paris", ""]) == [
            "type": "track", "event": "Visited Store", "properties": ["store": "Paris"],
        ])
    }

    @Test func headerNamesAreMatchedWithoutSurroundingSpaces() throws {
        let mapping = try CSVImportMapping(query: ["user_id_column": "id", "event": "E"], header: ["id", " plan "])
        #expect(mapping.propertyColumns == [CSVImportMapping.Column(name: "plan", index: 1)])
    }

    @Test func unknownColumnIsNamed() {
        let error = failure(["user_id_column": "customer", "event": "E", "number_columns": "total,price"])
        #expect(error?.code == .importUnknownColumn)
        #expect(error?.message.contains("'price'") == true)
    }

    @Test func phoneGoesToContextTraitsBesideEmailAndToTraitsForIdentify() throws {
        let header = ["phone", "email", "item"]
        let row = ["+66 81-234-5678", "ann@example.com", "rice"]
        let track = try CSVImportMapping(query: ["phone_column": "phone", "email_column": "email", "event": "Order Completed"], header: header)
        #expect(try track.message(row: row) == [
            "type": "track", "event": "Order Completed", "properties": ["item": "rice"],
            "context": ["traits": ["email": "ann@example.com", "phone": "+66 81-234-5678"]],
        ])
        let identify = try CSVImportMapping(query: ["type": "identify", "phone_column": "phone"], header: header)
        #expect(try identify.message(row: row) == [
            "type": "identify", "traits": ["phone": "+66 81-234-5678", "email": "ann@example.com", "item": "rice"],
        ])
    }

    @Test func mappingWithNoneOfTheFourIdColumnsIsRefusedAndItsMessageNamesThem() {
        let error = failure(["event": "E", "properties_columns": "store"])
        #expect(error?.code == .importMissingIdentifierColumn)
        for name in ["user_id_column", "anonymous_id_column", "email_column", "phone_column"] {
            #expect(error?.message.contains(name) == true, "\(name)")
        }
    }

    @Test(arguments: [["email_column": "email"], ["phone_column": "zip"]])
    func anEmailOrAPhoneColumnIsEnoughToMap(_ identifier: [String: String]) throws {
        _ = try CSVImportMapping(query: identifier.merging(["event": "E"]) { first, _ in first }, header: header)
    }

    @Test func aRowWithOnlyContactDetailsIsKeyedByItsPhoneDigitsElseItsEmail() throws {
        let mapping = try CSVImportMapping(
            query: ["user_id_column": "id", "anonymous_id_column": "anon", "phone_column": "phone", "email_column": "email", "event": "E"],
            header: ["id", "anon", "phone", "email"]
        )
        #expect(mapping.personKey(row: ["", "", "+66 (81) 234-5678", "ann@example.com"]) == .phone(digits: "66812345678"))
        #expect(mapping.personKey(row: ["", "", "n/a", " Ann@Example.COM "]) == .email("ann@example.com"))
        #expect(mapping.personKey(row: ["", "", "", ""]) == nil)
        // A row with an id of its own keeps it.
        #expect(mapping.personKey(row: ["c-1", "", "0812345678", ""]) == nil)
        #expect(mapping.personKey(row: ["", "a-1", "0812345678", ""]) == nil)
    }

    @Test func trackWithoutEventIsRefused() {
        #expect(failure(["user_id_column": "customer"])?.code == .importMissingEvent)
        #expect(failure(["user_id_column": "customer", "event": "  "])?.code == .importMissingEvent)
    }

    @Test(arguments: [
        ["user_id_column": "customer", "event": "E", "event_column": "what"],
        ["user_id_column": "customer", "type": "identify", "event": "E"],
        ["user_id_column": "customer", "type": "screen"],
    ])
    func contradictoryOrUnsupportedParametersAreRefused(_ query: [String: String]) {
        #expect(failure(query)?.code == .importInvalidParameter)
    }

    @Test func repeatedHeaderNameIsRefused() {
        #expect(failure(["user_id_column": "id", "event": "E"], header: ["id", "x", "x"])?.code == .csvDuplicateColumn)
    }

    @Test func rowWithAnotherColumnCountSaysExpectedAndGot() throws {
        let mapping = try CSVImportMapping(query: ["user_id_column": "customer", "event": "E"], header: header)
        let error = #expect(throws: KinshipError.self) { try mapping.message(row: ["a", "b"], line: 9) }
        #expect(error?.code == .csvColumnCount)
        #expect(error?.message == "The row on line 9 has 2 columns; the header has 7.")
    }

    @Test(arguments: [("42", 42.0), ("-3.5", -3.5), ("1e3", 1000.0), ("2.5E-1", 0.25), (" 7 ", 7.0), ("0", 0.0), ("0.5", 0.5)])
    func jsonNumbersBecomeNumbers(_ text: String, _ value: Double) {
        #expect(CSVImportMapping.jsonNumber(text) == value)
    }

    @Test(arguments: ["", "007", "0x1A", "inf", "nan", "1,5", "1.", ".5", "-", "+1", "1e", "12abc", "1e999"])
    func otherTextStaysText(_ text: String) {
        #expect(CSVImportMapping.jsonNumber(text) == nil)
    }
}
