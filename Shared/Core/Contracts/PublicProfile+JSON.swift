import Foundation

/// The 360 view as a `JSONValue`, written field by field: the same document `JSONCoding.encoder()` writes
/// from `Codable` (nil optionals left out, keys sorted, times as `Timestamp`), which a test holds equal.
/// Foundation's encoder walked every event's properties and context through `Codable` and took a third of
/// the reporting service's CPU for its busiest read; `JSONValue.write` does the same in a fraction of it.
extension PublicProfile {
    public var jsonValue: JSONValue {
        .object([
            "profile": profile.jsonValue,
            "computed": .object(computed),
            "consent": .object(consent.mapValues(JSONValue.bool)),
            "consentHistory": .array(consentHistory.map(\.jsonValue)),
            "segments": .array(segments.map(\.jsonValue)),
            "lastEvents": .array(lastEvents.map(\.jsonValue)),
        ])
    }
}

extension ProfileView {
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "profileId": .string(profileId),
            "createdAt": .time(createdAt),
            "flaggedLarge": .bool(flaggedLarge),
            "identifiers": .array(identifiers.map {
                .object(["type": .string($0.type), "value": .string($0.value), "firstSeenAt": .time($0.firstSeenAt), "lastSeenAt": .time($0.lastSeenAt)])
            }),
            "traits": .object(traits.mapValues { trait in
                var object: [String: JSONValue] = ["value": trait.value, "at": .string(trait.at), "source": .string(trait.source)]
                if let name = trait.sourceName { object["sourceName"] = .string(name) }
                return .object(object)
            }),
            "merges": .array(merges.map {
                .object([
                    "fromProfileId": .string($0.fromProfileId), "messageId": .string($0.messageId),
                    "ruleVersion": .number(Double($0.ruleVersion)), "mergedAt": .time($0.mergedAt),
                ])
            }),
            "splits": .array(splits.map {
                .object([
                    "profileId": .string($0.profileId), "newProfileIds": .array($0.newProfileIds.map(JSONValue.string)),
                    "reason": .string($0.reason), "requestedBy": .string($0.requestedBy), "splitAt": .time($0.splitAt),
                ])
            }),
        ]
        if let requested = requestedProfileId { object["requestedProfileId"] = .string(requested) }
        return .object(object)
    }
}

extension ProfileSegmentsView.Consent {
    public var jsonValue: JSONValue {
        .object([
            "category": .string(category), "granted": .bool(granted), "origin": .string(origin), "messageId": .string(messageId),
            "statedAt": .time(statedAt),
        ])
    }
}

extension ProfileSegmentsView.Membership {
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "segmentId": .string(segmentId), "segmentName": .string(segmentName), "segmentVersion": .number(Double(segmentVersion)),
            "enteredAt": .time(enteredAt),
        ]
        if let exitedAt { object["exitedAt"] = .time(exitedAt) }
        return .object(object)
    }
}

extension PublicEvent {
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "messageId": .string(messageId), "type": .string(type), "timestamp": .time(timestamp), "receivedAt": .time(receivedAt),
            "properties": properties, "context": context,
        ]
        if let event { object["event"] = .string(event) }
        return .object(object)
    }
}

extension JSONValue {
    /// A time as the API writes it (`Timestamp.format`).
    static func time(_ date: Date) -> JSONValue { .string(Timestamp.format(date)) }
}
