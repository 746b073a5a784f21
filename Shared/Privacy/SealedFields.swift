import Foundation
import KinshipCore

/// Encrypts chosen values inside a JSON message, in place, as `{"$sealed": "<base64>"}`, and opens them
/// again: the message keeps its shape (so non-PII fields stay queryable) while PII and identifiers are
/// unreadable at rest.
///
/// Each value is sealed with the workspace data key and bound to the workspace and its own path, so a
/// sealed value copied to another field or workspace does not open.
public struct SealedFields: Sendable {
    public static let marker = ReservedJSONKey.sealed

    /// The message's own identifiers of a person, sealed wherever they are (alias: `previousId`).
    public static let identifierKeys = ["userId", "anonymousId", "previousId"]

    let key: DataKey
    let workspaceID: UUID
    /// What is personal or sensitive, by key and by value.
    public let personalData: PersonalData
    /// `kinship.event/<workspace>/`: every path's sealing context starts with it (made once, not per value).
    private let contextPrefix: [UInt8]
    /// The authenticated data of every value sealed here, before its path.
    private let authenticatedPrefix: [UInt8]

    public init(key: DataKey, workspaceID: UUID, personalData: PersonalData = .standard) {
        self.key = key
        self.workspaceID = workspaceID
        self.personalData = personalData
        self.contextPrefix = Array("kinship.event/\(workspaceID.lowercased)/".utf8)
        self.authenticatedPrefix = SealedBox.authenticatedData(keyID: key.id, context: contextPrefix)
    }

    /// The last value sealed at each path, for the messages of one request: a browser's batch repeats its
    /// anonymous id, user id and IP message after message, and each AES-GCM seal costs more than the rest
    /// of a value's handling. Within one memo equal values at one path may get the same ciphertext, which
    /// shows only what the request's messages already share (their source and arrival). The last value
    /// alone, not all: it catches those repeats without hashing every value or growing with the request.
    public struct Memo: Sendable {
        fileprivate var entries: [Entry] = []
        /// The plaintext being sealed, written into a buffer kept from one value to the next.
        fileprivate var plaintext: [UInt8] = []

        public init() {}
    }

    fileprivate struct Entry {
        let path: String
        var plaintext: [UInt8]
        var sealed: JSONValue
    }

    /// Seals the identifiers (`userId`, `anonymousId`, `previousId`, `context.externalIds[].id`),
    /// `context.ip`, and whatever is personal or sensitive (`PersonalData`) at any depth of `traits`,
    /// `properties` and `context`.
    public func sealMessage(_ message: [String: JSONValue]) throws -> [String: JSONValue] {
        var message = message
        var memo = Memo()
        try seal(&message, memo: &memo)
        return message
    }

    /// As `sealMessage(_:)`, in place, reusing what `memo` holds and adding to it.
    public func seal(_ message: inout [String: JSONValue], memo: inout Memo) throws {
        // Taken out of the message so the edits change the only copy.
        var context: [String: JSONValue]?
        if case .object? = message["context"] { context = message.removeValue(forKey: "context")?.objectValue }
        try seal(&message, context: &context, memo: &memo)
        if let context { message["context"] = .object(context) }
    }

    /// Members of `context` that hold no personal data of a client's or that are sealed on their own.
    private static let contextMembersNotWalked: Set<String> = ["ip", "externalIds", "consent", "library"]

    /// As `seal(_:memo:)`, for a caller that holds the message's `context` apart (nil when it has none).
    public func seal(_ message: inout [String: JSONValue], context: inout [String: JSONValue]?, memo: inout Memo) throws {
        for field in Self.identifierKeys {
            if let value = message[field], value != .null, !Self.isSealed(value) {
                message[field] = try seal(value, path: field, memo: &memo)
            }
        }
        for field in ["traits", "properties"] {
            if let value = message[field], let sealed = try sealPersonal(in: value, key: field, path: { field }, describingPerson: field == "traits", memo: &memo) {
                message[field] = sealed
            }
        }
        guard context != nil else { return }
        for (name, value) in context! where !Self.contextMembersNotWalked.contains(name) {
            if let sealed = try sealPersonal(in: value, key: name, path: { "context.\(name)" }, describingPerson: name == "traits", memo: &memo) {
                context?[name] = sealed
            }
        }
        if let ip = context?["ip"], ip != .null, !Self.isSealed(ip) {
            context?["ip"] = try seal(ip, path: "context.ip", memo: &memo)
        }
        if case .array(var externalIDs)? = context?["externalIds"] {
            context?["externalIds"] = nil
            for index in externalIDs.indices {
                guard case .object(var external) = externalIDs[index], let id = external["id"], id != .null, !Self.isSealed(id) else { continue }
                external["id"] = try seal(id, path: "context.externalIds[\(index)].id", memo: &memo)
                externalIDs[index] = .object(external)
            }
            context?["externalIds"] = .array(externalIDs)
        }
    }

    /// `value` (found under `key` at `path`) with what is personal in it sealed: the values of personal
    /// keys whole, and strings that hold an e-mail address or a phone number; nil when nothing is.
    /// `describingPerson`: `value` describes a person, so a `name` in it is theirs. `path` is made only for
    /// a value that is sealed: most keys walked hold nothing personal, and building every key's path string
    /// took a visible share of ingestion's time.
    private func sealPersonal(
        in value: JSONValue, key: String, path: () -> String, describingPerson: Bool, memo: inout Memo
    ) throws -> JSONValue? {
        switch value {
        case .object(let object):
            guard !Self.isSealed(value) else { return nil }
            var sealed: [String: JSONValue]?
            for (name, child) in object where child != .null {
                if personalData.seals(key: name, describingPerson: describingPerson) {
                    guard !Self.isSealed(child) else { continue }
                    sealed = sealed ?? object
                    sealed?[name] = try seal(child, path: "\(path()).\(name)", memo: &memo)
                } else if let inner = try sealPersonal(
                    // Only what a container holds asks whether the container describes a person.
                    in: child, key: name, path: { "\(path()).\(name)" },
                    describingPerson: Self.isContainer(child) && PersonalData.describesPerson(name), memo: &memo
                ) {
                    sealed = sealed ?? object
                    sealed?[name] = inner
                }
            }
            return sealed.map(JSONValue.object)
        case .array(let values):
            var sealed: [JSONValue]?
            for (index, element) in values.enumerated() {
                guard let inner = try sealPersonal(in: element, key: key, path: { "\(path())[\(index)]" }, describingPerson: describingPerson, memo: &memo)
                else { continue }
                sealed = sealed ?? values
                sealed?[index] = inner
            }
            return sealed.map(JSONValue.array)
        case .string(let text):
            return PersonalData.sealsValue(text, key: key) ? try seal(value, path: path(), memo: &memo) : nil
        default:
            return nil
        }
    }

    private static func isContainer(_ value: JSONValue) -> Bool {
        switch value {
        case .object, .array: true
        default: false
        }
    }

    /// Whether a trait is sealed where it is stored (`ProfileTraits`), and masked for who may not see it:
    /// its key is personal or sensitive, or its value holds something that is.
    public func sealsTrait(_ name: String, _ value: JSONValue) -> Bool {
        guard value != .null else { return false }
        return personalData.seals(key: name, describingPerson: true) || holdsPersonal(value, key: name, describingPerson: PersonalData.describesPerson(name))
    }

    private func holdsPersonal(_ value: JSONValue, key: String, describingPerson: Bool) -> Bool {
        switch value {
        case .object(let object):
            return object.contains { name, child in
                child != .null && (personalData.seals(key: name, describingPerson: describingPerson)
                    || holdsPersonal(child, key: name, describingPerson: PersonalData.describesPerson(name)))
            }
        case .array(let values):
            return values.contains { holdsPersonal($0, key: key, describingPerson: describingPerson) }
        case .string(let text):
            return PersonalData.sealsValue(text, key: key)
        default:
            return false
        }
    }

    /// One value, whatever its JSON type, sealed as its JSON text.
    private func seal(_ value: JSONValue, path: String, memo: inout Memo) throws -> JSONValue {
        memo.plaintext.removeAll(keepingCapacity: true)
        value.write(into: &memo.plaintext)
        let known = memo.entries.firstIndex { $0.path == path }
        if let known, memo.entries[known].plaintext == memo.plaintext { return memo.entries[known].sealed }
        var authenticated = authenticatedPrefix
        authenticated.append(contentsOf: path.utf8)
        let ciphertext = try SealedBox.seal(memo.plaintext, key: key.key, authenticated: authenticated)
        let sealed = JSONValue.object([Self.marker: .string(ciphertext.base64String)])
        if let known {
            memo.entries[known].plaintext = memo.plaintext
            memo.entries[known].sealed = sealed
        } else {
            memo.entries.append(Entry(path: path, plaintext: memo.plaintext, sealed: sealed))
        }
        return sealed
    }

    /// The message with every sealed value opened, wherever it is (array elements are at `path[index]`).
    public func openMessage(_ message: [String: JSONValue]) throws -> [String: JSONValue] {
        guard case .object(let opened) = try open(.object(message), path: "") else { return message }
        return opened
    }

    private func open(_ value: JSONValue, path: String) throws -> JSONValue {
        switch value {
        case .object(let object):
            if Self.isSealed(value), case .string(let text)? = object[Self.marker], let sealed = text.base64Decoded.map({ Data($0) }) {
                let plaintext = try key.open(sealed, context: context(path))
                return try JSONValue.parse(plaintext)
            }
            var opened: [String: JSONValue] = [:]
            opened.reserveCapacity(object.count)
            for (name, child) in object {
                opened[name] = try open(child, path: path.isEmpty ? name : "\(path).\(name)")
            }
            return .object(opened)
        case .array(let values):
            // Only objects can hold a sealed value: an array of plain values is passed through as it is.
            guard values.contains(where: { if case .object = $0 { true } else { false } }) else { return value }
            return .array(try values.enumerated().map { index, child in try open(child, path: "\(path)[\(index)]") })
        default:
            return value
        }
    }

    static func isSealed(_ value: JSONValue) -> Bool {
        if case .object(let object) = value, object.count == 1, object[marker] != nil { return true }
        return false
    }

    private func context(_ path: String) -> Data {
        var context = Data(contextPrefix)
        context.append(contentsOf: path.utf8)
        return context
    }
}
