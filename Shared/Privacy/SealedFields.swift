import Foundation

/// Encrypts chosen values inside a JSON message, in place, as `{"$sealed": "<base64>"}`, and opens them
/// again: the message keeps its shape (so non-PII fields stay queryable) while PII is unreadable at rest.
///
/// Each value is sealed with the workspace data key and bound to the workspace and its own path, so a
/// sealed value copied to another field or workspace does not open.
public struct SealedFields: Sendable {
    public static let marker = "$sealed"

    /// The trait and property keys sealed by default; matched ignoring case and `_` (`first_name`).
    public static let defaultPIIKeys: Set<String> = [
        "email", "phone", "name", "firstName", "lastName", "address", "birthday", "passport",
    ]

    let key: DataKey
    let workspaceID: UUID
    let piiKeys: Set<String>

    public init(key: DataKey, workspaceID: UUID, piiKeys: Set<String> = SealedFields.defaultPIIKeys) {
        self.key = key
        self.workspaceID = workspaceID
        self.piiKeys = Set(piiKeys.map(Self.normalised))
    }

    static func normalised(_ key: String) -> String {
        key.lowercased().replacingOccurrences(of: "_", with: "")
    }

    public func isPII(_ key: String) -> Bool {
        piiKeys.contains(Self.normalised(key))
    }

    /// Seals the PII keys of `traits`, `context.traits` and `properties`, and `context.ip`.
    public func sealMessage(_ message: [String: JSONValue]) throws -> [String: JSONValue] {
        var message = message
        for field in ["traits", "properties"] {
            if case .object(let object)? = message[field] {
                message[field] = .object(try sealPII(object, path: field))
            }
        }
        if case .object(var context)? = message["context"] {
            if case .object(let traits)? = context["traits"] {
                context["traits"] = .object(try sealPII(traits, path: "context.traits"))
            }
            if let ip = context["ip"], ip != .null {
                context["ip"] = try seal(ip, path: "context.ip")
            }
            message["context"] = .object(context)
        }
        return message
    }

    private func sealPII(_ object: [String: JSONValue], path: String) throws -> [String: JSONValue] {
        var object = object
        for (name, value) in object where isPII(name) && value != .null && !Self.isSealed(value) {
            object[name] = try seal(value, path: "\(path).\(name)")
        }
        return object
    }

    /// One value, whatever its JSON type, sealed as its JSON text.
    public func seal(_ value: JSONValue, path: String) throws -> JSONValue {
        let sealed = try key.seal(Array(value.serialized().utf8), context: context(path))
        return .object([Self.marker: .string(sealed.base64EncodedString())])
    }

    /// The message with every sealed value opened, wherever it is.
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
            for (name, child) in object {
                opened[name] = try open(child, path: path.isEmpty ? name : "\(path).\(name)")
            }
            return .object(opened)
        case .array(let values):
            // Sealed values sit under object keys only; arrays are passed through unchanged.
            return .array(values)
        default:
            return value
        }
    }

    static func isSealed(_ value: JSONValue) -> Bool {
        if case .object(let object) = value, object.count == 1, object[marker] != nil { return true }
        return false
    }

    private func context(_ path: String) -> Data {
        Data("kinship.event/\(workspaceID.uuidString.lowercased())/\(path)".utf8)
    }
}
