import Foundation
import KinshipCore
import KinshipPrivacy

/// A tenant: every row of every table belongs to exactly one workspace.
public struct Workspace: Sendable, Equatable, Codable {
    public let id: UUID
    public let name: String
    public let createdAt: Date
}

/// How an operator names a workspace (`--workspace`): by its name or by its id. No workspace name reads
/// as a UUID (`createWorkspace` refuses one), so text that does is an id.
public enum WorkspaceReference: Sendable, Equatable {
    case name(String)
    case id(UUID)

    public init(_ text: String) {
        self = UUID(uuidString: text).map { .id($0) } ?? .name(text)
    }
}

/// Where events come from (a web site, a shop back-end, a POS export); authenticated by its write key.
public struct Source: Sendable, Equatable, Codable {
    public let workspaceID: UUID
    public let id: UUID
    public let name: String
    public let kind: SourceKind

    public init(workspaceID: UUID, id: UUID, name: String, kind: SourceKind = .server) {
        self.workspaceID = workspaceID
        self.id = id
        self.name = name
        self.kind = kind
    }
}

/// What a source's write key may do, by where it lives.
public enum SourceKind: String, Sendable, Codable, CaseIterable {
    /// Ships in web pages (kinship.js) and e-mails (the pixel), so anyone may read it: tracking calls only.
    case browser
    /// Kept on a back-end: tracking calls and bulk imports of history (`/v1/import`).
    case server

    public var mayImport: Bool { self == .server }
}

/// What an API key may do. Only `admin` sees raw PII.
public enum APIRole: String, Sendable, Codable, CaseIterable {
    /// Everything, including raw PII, privacy requests and configuration.
    case admin
    /// Reads profiles (PII masked), segments and reports; edits segments.
    case analyst
    /// Reads reports and segment sizes only.
    case viewer

    public var seesRawPII: Bool { self == .admin }

    /// Whether this role may do what `required` may: an admin whatever an analyst may, an analyst whatever a viewer may.
    public func includes(_ required: APIRole) -> Bool { rank >= required.rank }

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .analyst: 1
        case .admin: 2
        }
    }
}

public struct APIKey: Sendable, Equatable, Codable {
    public let workspaceID: UUID
    public let id: UUID
    public let name: String
    public let role: APIRole

    public init(workspaceID: UUID, id: UUID, name: String, role: APIRole) {
        self.workspaceID = workspaceID
        self.id = id
        self.name = name
        self.role = role
    }
}

/// A secret shown to its owner once, at creation; only its hash is stored.
public struct CreatedSecret<Owner: Sendable>: Sendable {
    public let owner: Owner
    public let secret: String
}

/// A workspace's keys, unwrapped from the master key: one encrypts event PII, the other keys the blind index.
public struct WorkspaceKeys: Sendable {
    public let dataKey: DataKey
    public let blindIndex: BlindIndex
}

/// A source as operators see it listed: never its write key, which only its owner holds.
public struct SourceRecord: Sendable, Equatable {
    public let source: Source
    public let createdAt: Date
    /// When it stopped accepting events; nil while enabled.
    public let disabledAt: Date?
}

/// An API key as operators see it listed: never its secret.
public struct APIKeyRecord: Sendable, Equatable {
    public let key: APIKey
    public let createdAt: Date
    /// When it stopped authenticating; nil while in use.
    public let revokedAt: Date?
}

/// Whether a change asked for was made, or the thing was already in that state (nothing written, no audit).
public enum StateChange: Sendable, Equatable {
    case changed
    case unchanged
}

/// What a `kinship keys rewrap` run did.
public struct RewrapSummary: Sendable, Equatable {
    /// Wrapped keys re-sealed under the current master key (a workspace's two, a profile's one).
    public var rewrapped = 0
    /// Profiles read, whether their key needed re-sealing or not.
    public var profilesScanned = 0
    /// Transactions that re-sealed profiles' keys: one per batch, and one per profile that was busy.
    public var profileTransactions = 0
    /// Profiles other transactions kept locked longer than the run would wait: still under the old master
    /// key, for the next run to re-seal.
    public var busy = 0

    public init() {}
}
