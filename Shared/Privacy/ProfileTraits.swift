import Foundation
import KinshipCore

/// A profile's traits (identity writes them; segmentation and reporting read them): per key, the value,
/// when it was true (the event's timestamp) and which source said so. Last write wins by event time, not
/// arrival; `null` removes a trait (kept as a tombstone, so an older event arriving late does not bring it
/// back).
public struct ProfileTraits: Sendable, Equatable {
    public init() {}

    public struct Value: Codable, Sendable, Equatable {
        public var value: JSONValue
        public var at: String
        public var source: String

        public init(value: JSONValue, at: String, source: String) {
            self.value = value
            self.at = at
            self.source = source
        }
    }

    public var values: [String: Value] = [:]

    /// Traits with a value (tombstones left out).
    public var current: [String: JSONValue] {
        values.compactMapValues { $0.value == .null ? nil : $0.value }
    }

    /// Applies an event's traits; returns the keys whose value changed.
    public mutating func apply(_ traits: [String: JSONValue], at: Date, source: String) -> [String] {
        let time = Timestamp.format(at)
        var changed: [String] = []
        for (key, value) in traits {
            if let existing = values[key], existing.at > time { continue }
            if values[key]?.value != value { changed.append(key) }
            values[key] = Value(value: value, at: time, source: source)
        }
        return changed.sorted()
    }

    /// Folds another profile's traits in (a merge); returns the keys whose value changed.
    public mutating func absorb(_ other: ProfileTraits) -> [String] {
        var changed: [String] = []
        for (key, theirs) in other.values {
            if let mine = values[key], mine.at >= theirs.at { continue }
            if values[key]?.value != theirs.value { changed.append(key) }
            values[key] = theirs
        }
        return changed.sorted()
    }

    /// As stored in `profiles.traits`: personal and sensitive values (`SealedFields.sealsTrait`) sealed
    /// under the profile's key, bound to the key name.
    public func stored(key: DataKey, workspaceID: UUID, profileID: UUID, sealing: SealedFields) throws -> JSONValue {
        var object: [String: JSONValue] = [:]
        for (name, entry) in values {
            var value = entry.value
            if sealing.sealsTrait(name, value) {
                let sealed = try key.seal(Array(value.serialized().utf8), context: Self.context(workspaceID, profileID, name))
                value = .object([SealedFields.marker: .string(sealed.base64String)])
            }
            object[name] = .object(["value": value, "at": .string(entry.at), "source": .string(entry.source)])
        }
        return .object(object)
    }

    /// Reads `profiles.traits`, opening sealed values.
    public static func open(_ stored: JSONValue, key: DataKey, workspaceID: UUID, profileID: UUID) throws -> ProfileTraits {
        var traits = ProfileTraits()
        for (name, entry) in stored.objectValue ?? [:] {
            guard let at = entry["at"]?.stringValue, let source = entry["source"]?.stringValue, var value = entry["value"] else { continue }
            if case .string(let text)? = value[SealedFields.marker], let sealed = text.base64Decoded.map({ Data($0) }) {
                let plaintext = try key.open(sealed, context: context(workspaceID, profileID, name))
                value = try JSONValue.parse(plaintext)
            }
            traits.values[name] = Value(value: value, at: at, source: source)
        }
        return traits
    }

    /// One sealed trait value of `profiles.traits` (the text of its `$sealed`), opened.
    public static func openValue(_ sealed: Data, name: String, key: DataKey, workspaceID: UUID, profileID: UUID) throws -> JSONValue {
        try JSONValue.parse(try key.open(sealed, context: context(workspaceID, profileID, name)))
    }

    private static func context(_ workspaceID: UUID, _ profileID: UUID, _ name: String) -> Data {
        Data("kinship.profile-trait/\(workspaceID.lowercased)/\(profileID.lowercased)/\(name)".utf8)
    }
}
