import KinshipCore
import KinshipPrivacy

extension SegmentDefinitionParser {
    /// Refuses a trait condition that can only read ciphertext: on a trait sealed at rest (its key is
    /// personal or sensitive), only `exists` on the trait itself tells anything; any other comparison, and
    /// any path into such a trait, would match no one (or everyone, for `neq`) in both evaluators.
    ///
    /// Known by name only: a trait sealed because its value holds an e-mail or a phone number cannot be
    /// told from its name, and is not refused.
    ///
    /// `sealing` is what identity seals a profile's traits by: the default rules plus the names the
    /// workspace's privacy policy adds.
    static func refuseSealedTrait(_ path: [String], _ comparison: Comparison, at pointer: JSONPointer, sealing traitSealing: PersonalData) throws {
        guard let index = traitSealing.firstSealedComponent(ofTraitPath: path) else { return }
        let key = path[index]
        let describingPerson = index == 0 || PersonalData.describesPerson(path[index - 1])
        let kind = traitSealing.rules.sensitivity(of: key, describingPerson: describingPerson) == .sensitive ? "sensitive" : "personal"
        let top = path[0]
        if path.count == 1 {
            guard case .exists = comparison else {
                throw KinshipError.invalidSegmentDefinition(
                    at: pointer.appending("op"),
                    "trait `\(top)` is encrypted at rest (\(kind) data), so only `exists` can be tested on it\(suggestion(for: top))"
                )
            }
            return
        }
        let name = path.joined(separator: ".")
        let reason = index == 0
            ? "trait `\(top)` is encrypted at rest (\(kind) data), so `\(name)` cannot be read in it"
            : "`\(key)` is \(kind) data and a trait holding it is encrypted at rest whole, so `\(name)` cannot be read"
        throw KinshipError.invalidSegmentDefinition(
            at: pointer.appending("trait"), "\(reason); only `exists` on `\(top)` itself can be tested\(suggestion(for: top))"
        )
    }

    /// The computed traits made from a sealed trait, which segments can compare instead.
    private static func suggestion(for trait: String) -> String {
        trait == "birthday" ? "; compare the computed traits `age` or `age_group` (made from `birthday`) instead" : ""
    }
}
