import Foundation
import KinshipCore

extension OutboxTopic {
    /// A profile entered or left a segment (segmentation → whoever acts on segments). Keyed by profile id,
    /// so one person's entries and exits stay in order.
    public static let segments = OutboxTopic("segments", partitions: 16)
}

/// The payload of a `segments` message, written in the transaction that changed the membership.
public struct SegmentMembershipChange: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case entered = "segment.entered"
        case exited = "segment.exited"
    }

    public var kind: Kind
    public var segmentId: String
    /// The definition version that decided it.
    public var segmentVersion: Int
    public var profileId: String
    /// When it happened (ISO 8601, milliseconds): the evaluation's moment.
    public var at: String

    public init(kind: Kind, segmentId: String, segmentVersion: Int, profileId: String, at: String) {
        self.kind = kind
        self.segmentId = segmentId
        self.segmentVersion = segmentVersion
        self.profileId = profileId
        self.at = at
    }
}
