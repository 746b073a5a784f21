import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

/// The rules a message must meet to be stored; each refusal names the field.
enum MessageValidation {
    /// Checks the message and returns the strongest id of the person: user id, else anonymous id.
    static func check(_ message: TrackingMessage) throws -> (type: String, value: String) {
        if let messageId = message.messageId {
            // Counting characters walks grapheme clusters; a short one in bytes is short in characters too.
            guard !messageId.isEmpty, messageId.utf8.count <= IngestionLimits.messageIdLength || messageId.count <= IngestionLimits.messageIdLength else {
                throw KinshipError.badRequest(.invalidMessageID, "messageId must be 1 to \(IngestionLimits.messageIdLength) characters.")
            }
        }
        for (field, date) in [("timestamp", message.timestamp), ("originalTimestamp", message.originalTimestamp), ("sentAt", message.sentAt)] {
            if let date, !plausibleDates.contains(date) {
                throw KinshipError.badRequest(.invalidTimestamp, "\(field) must fall between the years 2000 and 2100.")
            }
        }
        switch message.type {
        case .track:
            guard present(message.event) else {
                throw KinshipError.badRequest(.missingEvent, "A track message needs event, the name of what happened.")
            }
        case .group:
            guard present(message.groupId) else {
                throw KinshipError.badRequest(.missingGroupID, "A group message needs groupId.")
            }
        case .alias:
            guard let userId = message.userId, present(userId), present(message.previousId) else {
                throw KinshipError.badRequest(.missingIdentifier, "An alias message needs userId and previousId.")
            }
            return ("user_id", userId)
        case .identify, .page, .screen:
            break
        }
        if let userId = message.userId, present(userId) { return ("user_id", userId) }
        if let anonymousId = message.anonymousId, present(anonymousId) { return ("anonymous_id", anonymousId) }
        throw KinshipError.badRequest(.missingIdentifier, "A message needs userId or anonymousId.")
    }

    /// Holds something besides blanks.
    private static func present(_ id: String?) -> Bool {
        guard let id else { return false }
        // Any ASCII byte but a space or a tab is something; Foundation only for the rare non-ASCII blank.
        for byte in id.utf8 {
            if byte >= 0x80 { return !id.trimmingCharacters(in: .whitespaces).isEmpty }
            if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") { return true }
        }
        return false
    }

    /// The times a message may state; what ingestion works out from them (`correctedTimestamp`) is kept
    /// within them too.
    static let plausibleDates = Date(timeIntervalSince1970: 946_684_800)...Date(timeIntervalSince1970: 4_102_444_800)

    /// Postgres `jsonb` cannot hold U+0000; refused here, per message, rather than failing a whole transaction.
    static func refuseNullCharacters(in value: JSONValue, path: String = "") throws {
        switch value {
        case .string(let text):
            if text.utf8.contains(0) { throw nullCharacter(path) }
        case .array(let values):
            for (index, child) in values.enumerated() { try refuseNullCharacters(in: child, path: "\(path)[\(index)]") }
        case .object(let object):
            for (key, child) in object {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if key.utf8.contains(0) { throw nullCharacter(childPath) }
                try refuseNullCharacters(in: child, path: childPath)
            }
        default:
            break
        }
    }

    /// A client may not send what only Kinship writes: a value shaped as sealed would be stored as if
    /// ingestion had sealed it, and every consumer that opens it would fail.
    static func reservedKey() -> KinshipError {
        .badRequest(.reservedKey, "The key \"\(ReservedJSONKey.sealed)\" is reserved for values Kinship encrypts itself; a message may not contain it anywhere.")
    }

    private static func nullCharacter(_ path: String) -> KinshipError {
        .badRequest(.invalidCharacter, "\(path.isEmpty ? "the message" : path) contains the NUL character (\\u0000), which cannot be stored.")
    }
}
