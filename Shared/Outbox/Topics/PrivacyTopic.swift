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

    /// Which steps of an erasure a message is for: identity's first, the others after it.
    public enum Stage: String, Codable, Sendable {
        /// Identity removes the person's events and identities: the sources everything else is made from.
        case sources
        /// Segmentation and reporting remove what they made from those sources, once there is nothing left
        /// to make it from again: a profile evaluated or rolled up between a derived step and identity's
        /// would otherwise come back.
        case derived
    }

    public var requestId: String
    public var kind: Kind
    /// The live profile and every profile merged into it (lower-case UUIDs).
    public var profileIds: [String]
    /// Absent in the request's own message (and in those written before stages existed): `sources`.
    public var stage: Stage?

    public init(requestId: String, kind: Kind, profileIds: [String], stage: Stage? = nil) {
        self.requestId = requestId
        self.kind = kind
        self.profileIds = profileIds
        self.stage = stage
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
