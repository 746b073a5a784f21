import Foundation
import KinshipCore

/// A person's 360 view as the dashboard's page shows it: each part as rows of text, sorted for reading.
/// Values arrive masked or in clear as the key's role allows; nothing here opens or masks anything.
enum PersonPage {
    static func values(_ view: PublicProfile, labels: [String: String]) -> [String: Any] {
        let profile = view.profile
        return [
            "profileId": profile.profileId,
            "createdAt": time(profile.createdAt),
            "identifiers": profile.identifiers.map { identifier in
                [
                    "type": labels["identifier.\(identifier.type)"] ?? identifier.type, "rawType": identifier.type, "value": identifier.value,
                    "firstSeen": time(identifier.firstSeenAt), "lastSeen": time(identifier.lastSeenAt),
                ]
            },
            "traits": profile.traits.keys.sorted().map { name in
                let trait = profile.traits[name]!
                return ["name": name, "value": text(trait.value), "source": trait.sourceName ?? trait.source, "at": trait.at]
            },
            "computed": view.computed.keys.sorted().map { ["name": labels["computed.\($0)"] ?? $0, "value": text(view.computed[$0]!)] },
            "segments": view.segments.map { membership in
                [
                    "name": membership.segmentName, "entered": time(membership.enteredAt),
                    "exited": membership.exitedAt.map(time) ?? "", "current": membership.exitedAt == nil ? "current" : "",
                ]
            },
            "consent": view.consent.keys.sorted().map { category in
                ["category": category, "granted": view.consent[category]! ? (labels["granted"] ?? "granted") : (labels["refused"] ?? "refused")]
            },
            "consentHistory": view.consentHistory.map { fact in
                ["category": fact.category, "granted": fact.granted ? (labels["granted"] ?? "granted") : (labels["refused"] ?? "refused"),
                 "origin": fact.origin, "at": time(fact.statedAt)]
            },
            "merges": profile.merges.map { ["from": $0.fromProfileId, "at": time($0.mergedAt), "rule": String($0.ruleVersion)] },
            "splits": profile.splits.map { ["into": $0.newProfileIds.joined(separator: ", "), "reason": $0.reason, "by": $0.requestedBy, "at": time($0.splitAt)] },
            "events": view.lastEvents.map { event in
                ["at": time(event.timestamp), "name": event.event ?? event.type, "type": event.type, "properties": summary(event.properties)]
            },
        ]
    }

    static func time(_ date: Date) -> String {
        let text = Timestamp.format(date)
        return String(text.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// A value as one line: strings bare, everything else as JSON.
    static func text(_ value: JSONValue) -> String {
        if case .string(let string) = value { return string }
        return value.serialized()
    }

    /// An event's properties as `key: value` pairs on one line, cut short: the timeline is for scanning.
    static func summary(_ properties: JSONValue) -> String {
        guard case .object(let fields) = properties else { return "" }
        let line = fields.keys.sorted().map { "\($0): \(text(fields[$0]!))" }.joined(separator: " · ")
        return line.count > 160 ? String(line.prefix(159)) + "…" : line
    }
}
