import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

extension CSVImportMapping {
    /// The Segment message for one data row, as the JSON object a client would have sent.
    ///
    /// Empty cells are left out, so a blank id or property is absent rather than `""`; whether the message is
    /// then complete (an id, an event name) is for the usual message validation to say. `timestamp` is passed
    /// on as written, to be parsed with every other timestamp.
    ///
    /// - Parameter line: where the row starts in the file, for the error message.
    func message(row: [String], line: Int? = nil) throws -> [String: JSONValue] {
        guard row.count == columnCount else {
            let place = line.map { "The row on line \($0)" } ?? "A row"
            throw KinshipError.badRequest(
                .csvColumnCount, "\(place) has \(row.count) columns; the header has \(columnCount)."
            )
        }
        func cell(_ index: Int?) -> JSONValue? {
            guard let index, !row[index].isEmpty else { return nil }
            return .string(row[index])
        }

        var message: [String: JSONValue] = ["type": .string(kind.rawValue)]
        message["userId"] = cell(userIdColumn)
        message["anonymousId"] = cell(anonymousIdColumn)
        message["timestamp"] = cell(timestampColumn)
        message["messageId"] = cell(messageIdColumn)
        switch event {
        case .column(let index): message["event"] = cell(index)
        case .fixed(let name): message["event"] = .string(name)
        case nil: break
        }

        var values: [String: JSONValue] = [:]
        for column in propertyColumns where !row[column.index].isEmpty {
            let text = row[column.index]
            let number = numberColumns.contains(column.index) ? Self.jsonNumber(text) : nil
            values[column.name] = number.map(JSONValue.number) ?? .string(text)
        }
        var contact: [String: JSONValue] = [:]
        contact["email"] = cell(emailColumn)
        contact["phone"] = cell(phoneColumn)
        if kind == .identify {
            // Identify carries who the person is in its own traits; track and page only describe them in context.
            values.merge(contact) { _, mapped in mapped }
            if !values.isEmpty { message["traits"] = .object(values) }
        } else {
            if !values.isEmpty { message["properties"] = .object(values) }
            if !contact.isEmpty { message["context"] = .object(["traits": .object(contact)]) }
        }
        return message
    }

    /// The value of `text` when it is written as a JSON number (`-12`, `3.5`, `1e3`, surrounding spaces allowed);
    /// nil otherwise, which keeps "0x1A", "inf", "1,5" and "01234" (a postcode, not 1234) as the text they were.
    static func jsonNumber(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var rest = Substring(trimmed)
        func digits() -> Int {
            let count = rest.prefix(while: { $0.isASCII && $0.isNumber }).count
            rest = rest.dropFirst(count)
            return count
        }
        if rest.first == "-" { rest = rest.dropFirst() }
        let integerDigits = rest.prefix(while: { $0.isASCII && $0.isNumber })
        guard !integerDigits.isEmpty, integerDigits.count == 1 || integerDigits.first != "0" else { return nil }
        _ = digits()
        if rest.first == "." {
            rest = rest.dropFirst()
            guard digits() > 0 else { return nil }
        }
        if rest.first == "e" || rest.first == "E" {
            rest = rest.dropFirst()
            if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
            guard digits() > 0 else { return nil }
        }
        guard rest.isEmpty, let value = Double(trimmed), value.isFinite else { return nil }
        return value
    }
}
