import Foundation
import Testing
@testable import KinshipCore

/// The 360 view's hand-written JSON (`PublicProfile.jsonValue`) is byte for byte what the shared encoder
/// writes from `Codable`: a field added to the contract and not to the JSON fails here.
@Suite struct PublicProfileJSONTests {
    static let time = Date(timeIntervalSince1970: 1_767_225_600.123)

    static func profile(optionalsSet: Bool) -> PublicProfile {
        let view = ProfileView(
            profileId: "p-1", requestedProfileId: optionalsSet ? "p-0" : nil, createdAt: time, flaggedLarge: optionalsSet,
            identifiers: [.init(type: "email", value: "s***@example.com", firstSeenAt: time, lastSeenAt: time.addingTimeInterval(60))],
            traits: [
                "name": .init(value: .string("สมชาย \"ใจดี\" / \\ \n"), at: "2026-01-01T00:00:00Z", source: "src-1", sourceName: optionalsSet ? "Shop" : nil),
                "orders": .init(value: .number(3), at: "2026-01-02T00:00:00.5Z", source: "src-2", sourceName: nil),
                "score": .init(value: .number(-0.25), at: "2026-01-02T00:00:00Z", source: "src-2", sourceName: nil),
                "tags": .init(value: .array([.string("a"), .null, .bool(true), .object(["z": .number(1), "a": .number(2)])]), at: "x", source: "s", sourceName: nil),
            ],
            merges: [.init(fromProfileId: "p-9", messageId: "m-1", ruleVersion: 2, mergedAt: time)],
            splits: [.init(profileId: "p-8", newProfileIds: ["p-7", "p-6"], reason: "unmerge", requestedBy: "ops", splitAt: time)]
        )
        return PublicProfile(
            profile: view, computed: ["lifetime_value": .number(1234.5), "first_seen": .string("2026-01-01"), "vip": .bool(false)],
            consent: ["marketing": true, "analytics": false],
            consentHistory: [.init(category: "marketing", granted: true, origin: "event", messageId: "m-2", statedAt: time)],
            segments: [.init(segmentId: "s-1", segmentName: "ลูกค้าประจำ", segmentVersion: 4, enteredAt: time, exitedAt: optionalsSet ? time.addingTimeInterval(3600) : nil)],
            lastEvents: [
                .init(
                    messageId: "m-3", type: "track", event: optionalsSet ? "Order Completed" : nil, timestamp: time, receivedAt: time.addingTimeInterval(0.001),
                    properties: .object(["total": .number(990), "url": .string("https://shop.example/a/b?c=d")]), context: .object([:])
                ),
            ]
        )
    }

    @Test(arguments: [true, false]) func writesWhatTheSharedEncoderWrites(optionalsSet: Bool) throws {
        let profile = Self.profile(optionalsSet: optionalsSet)
        let encoded = String(decoding: try JSONCoding.encoder().encode(profile), as: UTF8.self)
        #expect(profile.jsonValue.serialized() == encoded)
    }
}
