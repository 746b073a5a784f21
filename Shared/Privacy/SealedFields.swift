import Foundation

/// Encrypts chosen values inside a JSON message, in place, as `{"$sealed": "<base64>"}`, and opens them
/// again: the message keeps its shape (so non-PII fields stay queryable) while PII and identifiers are
/// unreadable at rest.
///
/// Each value is sealed with the workspace data key and bound to the workspace and its own path, so a
/// sealed value copied to another field or workspace does not open.
public struct SealedFields: Sendable {
    public static let marker = "$sealed"

    /// The trait and property keys sealed by default; matched ignoring case and `_` (`first_name`).
    public static let defaultPIIKeys: Set<String> = [
        "email", "phone", "name", "firstName", "lastName", "address", "birthday", "passport",
    ]

    /// The message's own identifiers of a person, sealed wherever they are (alias: `previousId`).
    public static let identifierKeys = ["userId", "anonymousId", "previousId"]

    let key: DataKey
    let workspaceID: UUID
    let piiKeys: Set<String>
    /// The same keys as bytes, which `isPII` compares without making a string for every key it checks.
    private let piiKeyBytes: [[UInt8]]
    /// `kinship.event/<workspace>/`: every path's sealing context starts with it (made once, not per value).
    private let contextPrefix: [UInt8]

    public init(key: DataKey, workspaceID: UUID, piiKeys: Set<String> = SealedFields.defaultPIIKeys) {
        self.key = key
        self.workspaceID = workspaceID
        self.piiKeys = Set(piiKeys.map(Self.normalised))
        self.piiKeyBytes = self.piiKeys.map { Array($0.utf8) }
        self.contextPrefix = Array("kinship.event/\(workspaceID.lowercased)/".utf8)
    }

    static func normalised(_ key: String) -> String {
        guard key.utf8.allSatisfy({ $0 < 0x80 }) else { return key.lowercased().replacingOccurrences(of: "_", with: "") }
        return String(unsafeUninitializedCapacity: key.utf8.count) { normaliseASCII(key.utf8, into: $0) }
    }

    /// An ASCII key lower-cased and without `_`, written into `normalised`; returns its length. Without
    /// Foundation: it runs for every trait and property key.
    private static func normaliseASCII(_ key: some Collection<UInt8>, into normalised: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var count = 0
        for byte in key where byte != UInt8(ascii: "_") {
            normalised[count] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            count += 1
        }
        return count
    }

    public func isPII(_ key: String) -> Bool {
        let bytes = key.utf8
        guard bytes.count <= 64, bytes.allSatisfy({ $0 < 0x80 }) else { return piiKeys.contains(Self.normalised(key)) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { buffer in
            let count = Self.normaliseASCII(bytes, into: buffer)
            let normalised = UnsafeBufferPointer(rebasing: buffer[..<count])
            return piiKeyBytes.contains { $0.count == count && $0.elementsEqual(normalised) }
        }
    }

    /// Values already sealed, by path and plaintext, for the messages of one request: a browser's batch
    /// repeats its anonymous id, user id and IP in every message, and each AES-GCM seal costs more than the
    /// rest of a value's handling. Within one memo equal values at one path get the same ciphertext, which
    /// shows only what the request's messages already share (their source and arrival).
    public struct Memo: Sendable {
        fileprivate var sealed: [MemoKey: JSONValue] = [:]

        public init() {}
    }

    fileprivate struct MemoKey: Hashable {
        let path: String
        let plaintext: [UInt8]
    }

    /// Seals the identifiers (`userId`, `anonymousId`, `previousId`, `context.externalIds[].id`), the PII
    /// keys of `traits`, `context.traits` and `properties`, and `context.ip`.
    public func sealMessage(_ message: [String: JSONValue]) throws -> [String: JSONValue] {
        var message = message
        var memo = Memo()
        try seal(&message, memo: &memo)
        return message
    }

    /// As `sealMessage(_:)`, in place, reusing what `memo` holds and adding to it.
    public func seal(_ message: inout [String: JSONValue], memo: inout Memo) throws {
        for field in Self.identifierKeys {
            if let value = message[field], value != .null, !Self.isSealed(value) {
                message[field] = try seal(value, path: field, memo: &memo)
            }
        }
        for field in ["traits", "properties"] {
            if case .object(let object)? = message[field], let sealed = try sealPII(object, path: field, memo: &memo) {
                message[field] = .object(sealed)
            }
        }
        if case .object(var context)? = message["context"] {
            // Taken out of the message so the edits below change the only copy.
            message["context"] = nil
            if case .object(let traits)? = context["traits"], let sealed = try sealPII(traits, path: "context.traits", memo: &memo) {
                context["traits"] = .object(sealed)
            }
            if let ip = context["ip"], ip != .null {
                context["ip"] = try seal(ip, path: "context.ip", memo: &memo)
            }
            if case .array(var externalIDs)? = context["externalIds"] {
                for index in externalIDs.indices {
                    guard case .object(var external) = externalIDs[index], let id = external["id"], id != .null, !Self.isSealed(id) else { continue }
                    external["id"] = try seal(id, path: "context.externalIds[\(index)].id", memo: &memo)
                    externalIDs[index] = .object(external)
                }
                context["externalIds"] = .array(externalIDs)
            }
            message["context"] = .object(context)
        }
    }

    /// The object with its PII values sealed, or nil when it holds none to seal (and is left as it is).
    private func sealPII(_ object: [String: JSONValue], path: String, memo: inout Memo) throws -> [String: JSONValue]? {
        var sealed: [String: JSONValue]?
        for (name, value) in object where isPII(name) && value != .null && !Self.isSealed(value) {
            sealed = sealed ?? object
            sealed?[name] = try seal(value, path: "\(path).\(name)", memo: &memo)
        }
        return sealed
    }

    /// One value, whatever its JSON type, sealed as its JSON text.
    private func seal(_ value: JSONValue, path: String, memo: inout Memo) throws -> JSONValue {
        var plaintext: [UInt8] = []
        value.write(into: &plaintext)
        let key = MemoKey(path: path, plaintext: plaintext)
        if let sealed = memo.sealed[key] { return sealed }
        let sealed = JSONValue.object([Self.marker: .string(try self.key.seal(plaintext, context: context(path)).base64EncodedString())])
        // Sized once for a browser batch's values rather than grown (and rehashed) one value at a time.
        if memo.sealed.isEmpty { memo.sealed.reserveCapacity(32) }
        memo.sealed[key] = sealed
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
            if Self.isSealed(value), case .string(let text)? = object[Self.marker], let sealed = Data(base64Encoded: text) {
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
