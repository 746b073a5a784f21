import Foundation
import KinshipCore

/// What a viewer without PII rights sees of a value: enough to tell two apart, not to read them.
public enum Masking {
    public static func mask(_ value: String, type: String) -> String {
        if type == MessageIdentifiers.email, let at = value.firstIndex(of: "@") {
            return String(value[..<at].prefix(1)) + "***" + value[at...]
        }
        if type == MessageIdentifiers.phone, value.count > 4 {
            return String(value.prefix(3)) + String(repeating: "*", count: max(value.count - 7, 1)) + String(value.suffix(4))
        }
        return value.count <= 4 ? "***" : String(value.prefix(2)) + "***" + String(value.suffix(2))
    }
}

/// What an identifier's sealed value is bound to: its workspace and type (identity seals it so, every
/// reader opens it so).
public enum IdentifierSealing {
    public static func context(type: String, workspaceID: UUID) -> Data {
        Data("kinship.identity/\(workspaceID.lowercased)/\(type)".utf8)
    }
}
