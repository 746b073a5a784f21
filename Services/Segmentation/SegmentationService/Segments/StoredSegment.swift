import Foundation
import KinshipCore
import KinshipPrivacy

/// A segment's current version, as segmentation keeps it in `segments`.
public struct StoredSegment: Sendable {
    public let id: UUID
    public let name: String
    let description: String
    let definitionJSON: JSONValue
    public let definition: SegmentDefinition
    public let requiredConsent: String?
    public let version: Int
    let createdAt: Date
    let updatedAt: Date
    /// What the segment reads, its required consent category included: worked out once, read per profile.
    let dependencies: SegmentDependencies

    init(
        id: UUID, name: String, description: String, definitionJSON: JSONValue, definition: SegmentDefinition, requiredConsent: String?,
        version: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.definitionJSON = definitionJSON
        self.definition = definition
        self.requiredConsent = requiredConsent
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        var dependencies = definition.dependencies
        if let requiredConsent { dependencies.consent.insert(requiredConsent) }
        self.dependencies = dependencies
    }

    /// Whether a subject is a member at `now`, and when time alone may change that: the definition holds
    /// and the required consent category is not refused. Refusing it is an answer time never changes.
    func evaluate(_ subject: SegmentSubject, now: Date) -> SegmentEvaluation {
        if let requiredConsent, subject.consent[requiredConsent] == false {
            return SegmentEvaluation(matches: false, nextChange: nil)
        }
        return definition.evaluate(subject, now: now)
    }

    func view(size: Int) -> SegmentView {
        SegmentView(
            id: id.lowercased, name: name, description: description, definition: definitionJSON, requiredConsent: requiredConsent,
            version: version, size: size, createdAt: createdAt, updatedAt: updatedAt
        )
    }
}

extension SegmentDraft {
    /// The draft checked: its definition parsed (refusing conditions on traits `traitSealing` seals), its
    /// name, description and consent category acceptable.
    func validated(traitSealing: PersonalData) throws -> (SegmentDraft, SegmentDefinition) {
        var draft = self
        draft.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(draft.name.count) else {
            throw KinshipError.badRequest(.invalidSegment, "name must be 1 to 100 characters.")
        }
        guard (description ?? "").count <= 2000 else {
            throw KinshipError.badRequest(.invalidSegment, "description may be at most 2,000 characters.")
        }
        if let category = requiredConsent { try Self.checkCategory(category) }
        return (draft, try SegmentDefinition(json: definition, traitSealing: traitSealing))
    }

    static func checkCategory(_ category: String) throws {
        let allowed = category.utf8.allSatisfy { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || (48...57).contains($0) || (97...122).contains($0) || (65...90).contains($0) }
        guard !category.isEmpty, category.utf8.count <= 64, allowed else {
            throw KinshipError.badRequest(.invalidSegment, "requiredConsent must be a consent category: letters, digits, _ and -, at most 64.")
        }
    }
}
