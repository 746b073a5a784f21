/// Object keys only Kinship writes. A client that sends one could make stored data claim to be something
/// the platform made (a value already sealed, say), so ingestion refuses messages that hold one anywhere.
public enum ReservedJSONKey {
    /// Marks a sealed value: `{"$sealed": "<base64>"}` (`SealedFields`).
    public static let sealed = "$sealed"

    /// Whether `value` holds a reserved key at any depth.
    public static func occurs(in value: JSONValue) -> Bool {
        switch value {
        case .object(let object):
            for (key, child) in object where key == sealed || occurs(in: child) { return true }
            return false
        case .array(let values):
            return values.contains(where: occurs(in:))
        default:
            return false
        }
    }
}
