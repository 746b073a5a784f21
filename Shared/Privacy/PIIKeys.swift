import KinshipCore

/// The trait and property keys whose values are sealed, matched ignoring case and `_` (`first_name`).
public struct PIIKeys: Sendable, Equatable {
    /// The keys sealed by default.
    public static let defaultKeys: Set<String> = [
        "email", "phone", "name", "firstName", "lastName", "address", "birthday", "passport",
    ]

    public static let standard = PIIKeys(defaultKeys)

    let normalisedKeys: Set<String>
    /// The same keys as bytes, which `contains` compares without making a string for every key it checks.
    private let keyBytes: [[UInt8]]

    public init(_ keys: Set<String>) {
        normalisedKeys = Set(keys.map(Self.normalised))
        keyBytes = normalisedKeys.map { Array($0.utf8) }
    }

    public static func == (lhs: PIIKeys, rhs: PIIKeys) -> Bool {
        lhs.normalisedKeys == rhs.normalisedKeys
    }

    public func contains(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { contains(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// `contains` on a key's UTF-8 bytes, which ingestion reads without making a string of each key.
    public func contains(utf8 key: UnsafeRawBufferPointer) -> Bool {
        guard key.count <= 64, key.allSatisfy({ $0 < 0x80 }) else {
            return normalisedKeys.contains(Self.normalised(String(decoding: key, as: UTF8.self)))
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: key.count) { buffer in
            let count = Self.normaliseASCII(key, into: buffer)
            let normalised = UnsafeBufferPointer(rebasing: buffer[..<count])
            return keyBytes.contains { $0.count == count && $0.elementsEqual(normalised) }
        }
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
}
