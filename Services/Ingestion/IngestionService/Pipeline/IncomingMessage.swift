import KinshipCore
import KinshipOutbox
import KinshipPrivacy
import KinshipService

/// A message as ingestion receives it: the members it reads or changes, parsed, and the `properties` and
/// `traits` objects that need nothing from it passed through as the JSON text sent. Building, walking
/// and rewriting a tree of a shop's product properties cost more than every rule ingestion applies to them.
struct IncomingMessage: Sendable {
    /// The members ingestion works on; it changes them in place.
    var object: [String: JSONValue]
    /// Objects stored as sent, never parsed: no key or string inside may be personal, no string holds NUL, no
    /// number needs normalising. Each is the only member of its key.
    private(set) var passedThrough: [PassedThrough] = []
    /// What was sent, for a failed event whatever ingestion did to `object` since: the message's bytes, or
    /// the value it was built from.
    private var original: Original
    /// False when what was sent is not an object (a batch element may be anything); refused as such.
    let isObject: Bool
    /// The size of the message's JSON as sent, whether it holds `\u0000` and whether it holds a key only
    /// Kinship may write (`ReservedJSONKey`), when it was read from bytes: the size limit is on what was
    /// sent, and a message built from a tree is measured by walking it.
    private(set) var sent: MessageSize?

    struct PassedThrough: Sendable {
        let key: String
        /// The value's text, a slice of the request's body.
        let json: ArraySlice<UInt8>
    }

    private enum Original {
        case bytes(ArraySlice<UInt8>)
        case value(JSONValue)
    }

    init(_ value: JSONValue) {
        object = value.objectValue ?? [:]
        isObject = value.objectValue != nil
        original = .value(value)
    }

    private init(bytes: ArraySlice<UInt8>) {
        object = [:]
        isObject = true
        original = .bytes(bytes)
    }

    /// A stand-in for a message moved out of an array.
    static let taken = IncomingMessage(.null)

    /// Reads the value `reader` is at, whose input is `body`: the passed-through members are slices of it.
    static func read(_ reader: inout JSONReader, body: [UInt8]) throws -> IncomingMessage {
        guard reader.peek() == UInt8(ascii: "{") else { return IncomingMessage(try reader.readValue()) }
        let start = reader.offset
        var message = IncomingMessage(bytes: [])
        // Sized once for a message's usual members (through the initialiser: `reserveCapacity` looked up
        // its generic metadata on every call).
        message.object = Dictionary(minimumCapacity: 12)
        reader.decodedNUL = false
        reader.readReservedKey = false
        try reader.readObject { key, reader in
            // A repeated key: the last one counts, as in Postgres `jsonb`.
            if !message.passedThrough.isEmpty { message.passedThrough.removeAll { $0.key == key } }
            guard key == "properties" || key == "traits", reader.peek() == UInt8(ascii: "{") else {
                message.object[key] = try reader.readValue()
                return
            }
            // Parsed when a key or a string inside may be personal (`PersonalData`, the standard rules;
            // `MessagePreparation` parses what was passed through for a workspace with rules of its own).
            let flags = JSONSkipFlags(key: { PersonalData.standard.maySeal(utf8: $0) }, string: { PersonalData.maySealValue(utf8: $0) })
            let skipped = try reader.skipValue(flagging: flags)
            let json = body[skipped.range]
            if skipped.flagged || skipped.containsNUL || skipped.hasUnusualNumbers {
                message.object[key] = try json.withUnsafeBytes { try JSONValue.parse($0) }
            } else {
                message.object[key] = nil
                message.passedThrough.append(PassedThrough(key: key, json: json))
            }
        }
        message.sent = MessageSize(bytes: reader.offset - start, containsNUL: reader.decodedNUL, containsReservedKey: reader.readReservedKey)
        message.original = .bytes(body[start..<reader.offset])
        return message
    }

    /// The members passed through, parsed into `object` (which is then all the message).
    mutating func parsePassedThrough() throws {
        for member in passedThrough {
            object[member.key] = try member.json.withUnsafeBytes { try JSONValue.parse($0) }
        }
        passedThrough = []
    }

    /// The message as it was sent (for failed events).
    var value: JSONValue {
        switch original {
        case .value(let value): return value
        // The text was valid JSON when read.
        case .bytes(let json): return (try? json.withUnsafeBytes { try JSONValue.parse($0) }) ?? .null
        }
    }

    /// The message's JSON, with `object`'s members as they are now and the passed-through ones as sent.
    func write(into json: inout [UInt8]) {
        JSONValue.object(object).write(into: &json, sortingKeys: false)
        guard !passedThrough.isEmpty else { return }
        json.removeLast()
        var first = object.isEmpty
        for member in passedThrough {
            if !first { json.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.string(member.key).write(into: &json)
            json.append(UInt8(ascii: ":"))
            json.append(contentsOf: member.json)
        }
        json.append(UInt8(ascii: "}"))
    }
}
