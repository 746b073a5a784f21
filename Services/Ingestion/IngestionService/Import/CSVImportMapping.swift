import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

/// How the columns of an imported CSV file become Segment messages, from the query of `POST /v1/import?format=csv`.
///
/// Parsed and checked against the header once; `message(row:line:)` then only looks up column positions.
struct CSVImportMapping: Sendable {
    /// The message types an import can produce.
    enum Kind: String, Sendable, CaseIterable {
        case track, identify, page
    }

    /// Where a track message's event name comes from.
    enum EventSource: Sendable, Equatable {
        case column(Int)
        case fixed(String)
    }

    let kind: Kind
    let columnCount: Int
    let event: EventSource?
    let userIdColumn: Int?
    let anonymousIdColumn: Int?
    let emailColumn: Int?
    let phoneColumn: Int?
    let timestampColumn: Int?
    let messageIdColumn: Int?
    /// A header name and its position.
    struct Column: Sendable, Equatable {
        let name: String
        let index: Int
    }

    /// Columns that go to `properties` (track, page) or `traits` (identify), keyed by their header name.
    let propertyColumns: [Column]
    let numberColumns: Set<Int>

    init(query: [String: String], header: [String]) throws {
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        func parameter(_ key: String) -> String? {
            guard let value = query[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func column(_ key: String) throws -> Int? {
            guard let name = parameter(key) else { return nil }
            return try Self.index(of: name, in: names, parameter: key)
        }
        func columns(_ key: String) throws -> [Int]? {
            guard let list = query[key] else { return nil }
            let wanted = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return try wanted.map { try Self.index(of: $0, in: names, parameter: key) }
        }

        // A repeated name would make a mapping, and the property it becomes, ambiguous.
        var seen = Set<String>()
        if let duplicate = names.first(where: { !$0.isEmpty && !seen.insert($0).inserted }) {
            throw KinshipError.badRequest(.csvDuplicateColumn, "The header names the column '\(duplicate.prefix(80))' twice.")
        }
        let typeText = parameter("type") ?? Kind.track.rawValue
        guard let kind = Kind(rawValue: typeText.lowercased()) else {
            throw KinshipError.badRequest(
                .importInvalidParameter, "type must be track, identify or page; got '\(typeText.prefix(40))'."
            )
        }
        self.kind = kind
        columnCount = header.count
        userIdColumn = try column("user_id_column")
        anonymousIdColumn = try column("anonymous_id_column")
        emailColumn = try column("email_column")
        phoneColumn = try column("phone_column")
        timestampColumn = try column("timestamp_column")
        messageIdColumn = try column("message_id_column")
        numberColumns = Set(try columns("number_columns") ?? [])
        event = try Self.eventSource(kind: kind, column: column("event_column"), fixed: parameter("event"))
        // An e-mail or phone column is enough: a row with neither id gets an anonymous id derived from it.
        guard userIdColumn != nil || anonymousIdColumn != nil || emailColumn != nil || phoneColumn != nil else {
            throw KinshipError.badRequest(
                .importMissingIdentifierColumn,
                "Give user_id_column, anonymous_id_column, email_column or phone_column: every message needs someone it is about."
            )
        }

        var mapped = Set(
            [userIdColumn, anonymousIdColumn, emailColumn, phoneColumn, timestampColumn, messageIdColumn].compactMap(\.self)
        )
        if case .column(let index) = event { mapped.insert(index) }
        // By default every column not used for something else, except unnamed ones (a trailing comma in the header).
        let chosen = try columns("properties_columns")
            ?? names.indices.filter { !mapped.contains($0) && !names[$0].isEmpty }
        propertyColumns = chosen.map { Column(name: names[$0], index: $0) }
    }

    private static func index(of name: String, in names: [String], parameter: String) throws -> Int {
        guard let index = names.firstIndex(of: name) else {
            throw KinshipError.badRequest(
                .importUnknownColumn, "\(parameter) names the column '\(name.prefix(80))', which the header does not have."
            )
        }
        return index
    }

    private static func eventSource(kind: Kind, column: Int?, fixed: String?) throws -> EventSource? {
        switch (column, fixed) {
        case (.some, .some):
            throw KinshipError.badRequest(.importInvalidParameter, "Give event_column or event, not both.")
        case (_, .some) where kind != .track, (.some, _) where kind != .track:
            throw KinshipError.badRequest(.importInvalidParameter, "event and event_column apply to track imports only.")
        case (.some(let index), nil):
            return .column(index)
        case (nil, .some(let name)):
            return .fixed(name)
        case (nil, nil):
            guard kind != .track else {
                throw KinshipError.badRequest(.importMissingEvent, "A track import needs event_column or event.")
            }
            return nil
        }
    }
}
