import Foundation

extension CSVImportMapping {
    /// The contact detail that stands for the person of a row that has neither a user id nor an anonymous id,
    /// lightly normalised so that one person's rows, written a little differently, agree.
    enum PersonKey: Sendable, Equatable {
        /// The phone number's ASCII digits only: `+66 81-234-5678` and `+66812345678` are one key.
        case phone(digits: String)
        /// The address trimmed and lower-cased.
        case email(String)
    }

    /// Whom a row with no user id and no anonymous id is about: its phone when the phone has digits (shops
    /// look members up by phone), else its e-mail. Nil when the row has an id of its own, or neither detail.
    func personKey(row: [String]) -> PersonKey? {
        func text(_ index: Int?) -> String? {
            guard let index, row.indices.contains(index) else { return nil }
            return row[index]
        }
        guard text(userIdColumn)?.isEmpty ?? true, text(anonymousIdColumn)?.isEmpty ?? true else { return nil }
        if let digits = text(phoneColumn)?.filter({ $0.isASCII && $0.isNumber }), !digits.isEmpty {
            return .phone(digits: digits)
        }
        if let email = text(emailColumn)?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), !email.isEmpty {
            return .email(email)
        }
        return nil
    }
}
