import Foundation
import KinshipCore

extension OutboxTopic {
    /// A data subject request that services must carry out (reporting → identity, segmentation, reporting's own rollups). Keyed by
    /// request id.
    public static let privacy = OutboxTopic("privacy", partitions: 4)
}

/// The payload of a `privacy` message: which request, of what kind, about which profiles. Written in the
/// transaction that records the request and its steps.
public struct PrivacyRequestMessage: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case export, erase, suppress
    }

    public var requestId: String
    public var kind: Kind
    /// The live profile and every profile merged into it (lower-case UUIDs).
    public var profileIds: [String]

    public init(requestId: String, kind: Kind, profileIds: [String]) {
        self.requestId = requestId
        self.kind = kind
        self.profileIds = profileIds
    }

    public var profiles: [UUID] { profileIds.compactMap(UUID.init(uuidString:)) }
}

/// The services that hold a person's rows, each with its step of an erasure.
public enum PrivacyStepService: String, Codable, Sendable, CaseIterable {
    /// Events, what they resolved to, dedup ids, failed events, identifiers, the identity graph, the profile and its key.
    case identity
    /// Computed traits, consent facts, segment memberships and their history.
    case segmentation
    /// The report rollup's rows of the person's events.
    case reporting
}
