import Foundation
import KinshipCore

/// A workspace's privacy policy: its consent categories, the category each kind of message belongs to,
/// and the key names it classifies as personal or sensitive beyond the defaults. Kept in
/// `privacy_policies` (one version per workspace, changed by admins over the API); a workspace without
/// one has `standard`. Ingestion decides by it which consent an event needs; the data map shows it.
public struct PrivacyPolicy: Sendable, Equatable, Codable {
    /// The categories a person can grant or refuse. `necessary` is always among them and is never refused:
    /// what the platform needs to work (identify, alias, group, consent changes).
    public var consentCategories: [String]
    /// Track events by name → their category, over the defaults (`standardCategory`).
    public var eventCategories: [String: String]
    /// `page`, `screen` and `track` (any track event not named above) → their category, over the defaults.
    public var messageTypeCategories: [String: String]
    /// Key names classified personal or sensitive on top of the defaults (`DataClassification`).
    public var classification: DataClassification.Rules

    public static let necessary = ConsentCategory.necessary
    public static let standardCategories = ConsentCategory.standard
    public static let consentEvent = ConsentCategory.consentEvent
    /// The message types whose category a workspace may choose; identify, alias and group are `necessary`.
    public static let mappableTypes = ["page", "screen", "track"]

    public static let standard = PrivacyPolicy(consentCategories: standardCategories, eventCategories: [:], messageTypeCategories: [:], classification: .standard)

    public init(consentCategories: [String], eventCategories: [String: String], messageTypeCategories: [String: String], classification: DataClassification.Rules) {
        self.consentCategories = consentCategories
        self.eventCategories = eventCategories
        self.messageTypeCategories = messageTypeCategories
        self.classification = classification
    }

    /// What the policy's classification seals: the shared defaults when it adds nothing.
    public var personalData: PersonalData {
        classification == .standard ? .standard : PersonalData(rules: classification)
    }

    /// Keys left out keep their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            consentCategories: try container.decodeIfPresent([String].self, forKey: .consentCategories) ?? Self.standardCategories,
            eventCategories: try container.decodeIfPresent([String: String].self, forKey: .eventCategories) ?? [:],
            messageTypeCategories: try container.decodeIfPresent([String: String].self, forKey: .messageTypeCategories) ?? [:],
            classification: try container.decodeIfPresent(DataClassification.Rules.self, forKey: .classification) ?? .standard
        )
    }

    enum CodingKeys: String, CodingKey { case consentCategories, eventCategories, messageTypeCategories, classification }

    /// The consent category a message of `type` (and, for a track, `event` name) belongs to.
    public func category(type: String, event: String?) -> String {
        switch type {
        case "identify", "alias", "group":
            return Self.necessary
        case "track":
            let name = event ?? ""
            if name == Self.consentEvent { return Self.necessary }
            // A workspace's own mapping of a name wins; otherwise the default's named events keep their
            // category, and the rest of the track events take the workspace's track category if it has one.
            if let mapped = eventCategories[name] { return mapped }
            let standard = Self.standardCategory(type: type, event: name)
            return standard == ConsentCategory.analytics ? messageTypeCategories["track"] ?? standard : standard
        default:
            return messageTypeCategories[type] ?? Self.standardCategory(type: type, event: event)
        }
    }

    /// The default mapping (`ConsentCategory.standardCategory`).
    public static func standardCategory(type: String, event: String?) -> String {
        ConsentCategory.standardCategory(type: type, event: event)
    }

    /// The policy as given when it can be used, or `invalid_privacy_policy` naming what cannot: category
    /// names of 1–64 lower-case letters, digits and `_`, `necessary` among them, at most 50; every mapping
    /// to a listed category; at most 1,000 event names of at most 200 characters; at most 500 names per
    /// classification list.
    public func validated() throws -> PrivacyPolicy {
        func refuse(_ message: String) -> KinshipError { .badRequest(.invalidPrivacyPolicy, message) }
        guard consentCategories.count <= 50 else { throw refuse("consentCategories: at most 50 categories.") }
        for category in consentCategories where !Self.isCategoryName(category) {
            throw refuse("consentCategories: \"\(category.prefix(80))\" is not a category name (1–64 lower-case letters, digits and _).")
        }
        guard Set(consentCategories).count == consentCategories.count else { throw refuse("consentCategories: a category is listed twice.") }
        guard consentCategories.contains(Self.necessary) else { throw refuse("consentCategories: \"necessary\" must be among them.") }
        let known = Set(consentCategories)
        guard eventCategories.count <= 1000 else { throw refuse("eventCategories: at most 1,000 event names.") }
        for (event, category) in eventCategories.sorted(by: { $0.key < $1.key }) {
            guard !event.isEmpty, event.count <= 200 else { throw refuse("eventCategories: an event name must have 1–200 characters.") }
            guard event != Self.consentEvent else { throw refuse("eventCategories: \"\(Self.consentEvent)\" is always necessary.") }
            guard known.contains(category) else { throw refuse("eventCategories.\(event.prefix(80)): \"\(category.prefix(80))\" is not one of consentCategories.") }
        }
        for (type, category) in messageTypeCategories.sorted(by: { $0.key < $1.key }) {
            guard Self.mappableTypes.contains(type) else {
                throw refuse("messageTypeCategories: \"\(type.prefix(80))\" is not one of \(Self.mappableTypes.joined(separator: ", ")) (identify, alias and group are always necessary).")
            }
            guard known.contains(category) else { throw refuse("messageTypeCategories.\(type): \"\(category.prefix(80))\" is not one of consentCategories.") }
        }
        for (list, names) in [("personal", classification.personal), ("sensitive", classification.sensitive)] {
            guard names.count <= 500 else { throw refuse("classification.\(list): at most 500 names.") }
            for name in names where DataClassification.normalised(name).isEmpty || name.count > 100 {
                throw refuse("classification.\(list): \"\(name.prefix(80))\" is not a key name (1–100 characters, with a letter or digit).")
            }
        }
        return self
    }

    static func isCategoryName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }
}

/// `GET` and `PUT /v1/privacy/policy`: the policy in force, its version (0 for the defaults, never
/// changed), and who changed it last.
public struct VersionedPrivacyPolicy: Codable, Sendable, Equatable {
    public let version: Int
    public let policy: PrivacyPolicy
    public let updatedBy: String?
    public let updatedAt: Date?

    public init(version: Int, policy: PrivacyPolicy, updatedBy: String?, updatedAt: Date?) {
        self.version = version
        self.policy = policy
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
    }
}
